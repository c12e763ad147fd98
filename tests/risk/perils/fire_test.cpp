#include "risk/perils/fire.hpp"
#include "risk/simulation/simulate.hpp"
#include "tests/risk/made_up_book.hpp"
#include "tests/risk/sample_moments.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <cstring>
#include <vector>

namespace tanhui::risk {
namespace {

// Override path, stock 1 tCO2e/ha and loss fraction 1: carbon lost = burned area.
BookOptions overridden_fire(double rate, double mu, double sigma) {
    BookOptions o;
    o.perils = {"fire"};
    set_fire_override(o.overrides, {.frequency = PoissonFrequency{rate},
                                    .burned_area_ha = BurnedAreaModel{.mu = mu, .sigma = sigma},
                                    .loss_fraction = 1.0});
    o.overrides.carbon.stock_tco2e_per_ha = 1.0;
    return o;
}

// Compound Poisson-lognormal: E[S] = lambda exp(mu + sigma^2/2), Var[S] = lambda E[X^2] =
// lambda exp(2 mu + 2 sigma^2) (Klugman, Panjer & Willmot, Loss Models, 5th ed., sec. 9.3).
// The cap (the holding's area) is far above the tail.
TEST(FirePeril, MeanBurnedAreaIsCompoundPoissonMean) {
    const Model model;
    const std::vector<Holding> h{made_up_holding("35", 1e12)};
    const Book book = prepare_book(model, h, overridden_fire(0.2, 2.0, 1.2));
    const YearLosses y = simulate_year_losses(book, {.years = 200'000, .seed = 7});
    const Moments m = moments(y.total_tco2e);
    EXPECT_NEAR(m.mean, 0.2 * std::exp(2.0 + 0.5 * 1.2 * 1.2), 4 * m.se_mean);
}

TEST(FirePeril, VarianceOfBurnedAreaIsCompoundPoissonVariance) {
    const Model model;
    const std::vector<Holding> h{made_up_holding("35", 1e12)};
    const Book book = prepare_book(model, h, overridden_fire(0.5, 1.0, 0.8));
    const YearLosses y = simulate_year_losses(book, {.years = 200'000, .seed = 8});
    const Moments m = moments(y.total_tco2e);
    EXPECT_NEAR(m.mean, 0.5 * std::exp(1.0 + 0.5 * 0.8 * 0.8), 4 * m.se_mean);
    EXPECT_NEAR(m.variance, 0.5 * std::exp(2.0 + 2 * 0.8 * 0.8), 4 * m.se_variance);
}

// Each fire's area and the year's total are capped by the holding's area: with fires of about
// e^5 = 148 ha on a 10 ha stand, nothing ever exceeds 10 ha x stock x loss fraction.
TEST(FirePeril, CapBindsAtTheHoldingArea) {
    const Model model;
    const std::vector<Holding> h{made_up_holding("35", 10)};
    BookOptions o = overridden_fire(3.0, 5.0, 1.0);
    o.overrides.carbon.stock_tco2e_per_ha = 150;
    FireOverride f = *fire_override(o.overrides);
    f.loss_fraction = 0.6;
    set_fire_override(o.overrides, f);
    const Book book = prepare_book(model, h, o);
    const YearLosses y = simulate_year_losses(book, {.years = 20'000, .seed = 9});
    const double cap = 10 * 150 * 0.6;
    int at_cap = 0;
    for (std::size_t i = 0; i < y.total_tco2e.size(); ++i) {
        ASSERT_LE(y.total_tco2e[i], cap * (1 + 1e-12));
        ASSERT_LE(y.max_event_tco2e[i], y.total_tco2e[i]);
        if (y.total_tco2e[i] >= cap * (1 - 1e-12)) ++at_cap;
    }
    // P(at least one fire) = 1 - e^-3 and almost every fire is larger than the stand.
    EXPECT_GT(at_cap, int(0.9 * 20'000 * (1 - std::exp(-3.0))));
}

// Calibrated path: Poisson counts with a gamma(k, 1/k) year factor are negative binomial,
// mean m, variance m + m^2 / k (Greenwood & Yule 1920); two holdings of one province share the
// factor, so their counts have covariance m1 m2 / k.
TEST(FirePeril, CountsWithYearFactorAreNegativeBinomial) {
    Model model;
    FireModel fm;
    fm.rate_per_ha_year = 1e-3;
    fm.year_factor_shape = 2.0;
    fm.burned_area = {.mu = -6, .sigma = 0.1};  // a few hundred m2: the cap never binds
    fm.loss_fraction.fill(1.0);
    fm.flammability[index(ForestType::masson_pine)] = 1.5;
    add_fire_model(model, "35", fm);
    const std::vector<Holding> h{made_up_holding("350802", 2000), made_up_holding("3507", 1000, ForestType::masson_pine)};
    BookOptions o;
    o.perils = {"fire"};
    o.overrides.carbon.stock_tco2e_per_ha = 1;
    const Book book = prepare_book(model, h, o);
    ASSERT_EQ(book.holdings[0].weather_region, "35");
    ASSERT_EQ(book.holdings[0].weather_slot, book.holdings[1].weather_slot);

    const std::uint32_t years = 200'000;
    std::vector<double> n1(years), n2(years);
    Simulation sim{.years = years, .seed = 11, .record_events = true};
    simulate(book, sim, [&](const YearResult& y) {
        for (const Event& e : y.events) (e.holding == 0 ? n1 : n2)[y.year] += 1;
    });
    const double m1 = 2.0, m2 = 1.5, k = 2.0;
    const Moments a = moments(n1), b = moments(n2);
    EXPECT_NEAR(a.mean, m1, 4 * a.se_mean);
    EXPECT_NEAR(a.variance, m1 + m1 * m1 / k, 4 * a.se_variance);
    EXPECT_NEAR(b.mean, m2, 4 * b.se_mean);
    EXPECT_NEAR(b.variance, m2 + m2 * m2 / k, 4 * b.se_variance);
    double cov = 0;
    for (std::uint32_t i = 0; i < years; ++i) cov += (n1[i] - a.mean) * (n2[i] - b.mean);
    cov /= years - 1;
    // SE of a sample covariance ~ sqrt(Var1 Var2 / n) (upper bound for moderate correlation).
    EXPECT_NEAR(cov, m1 * m2 / k, 4 * std::sqrt(a.variance * b.variance / years));
}

// Without a year factor the calibrated rate is rate_per_ha_year x area x flammability, plain Poisson.
TEST(FirePeril, PlainPoissonWhenShapeIsInfinite) {
    Model model;
    FireModel fm;
    fm.rate_per_ha_year = 2e-4;
    fm.burned_area = {.mu = -6, .sigma = 0.1};
    add_fire_model(model, "35", fm);
    const std::vector<Holding> h{made_up_holding("35", 5000)};
    BookOptions o;
    o.perils = {"fire"};
    o.overrides.carbon.stock_tco2e_per_ha = 1;
    const Book book = prepare_book(model, h, o);
    const auto* fire = dynamic_cast<const FirePeril*>(book.perils[0].get());
    ASSERT_NE(fire, nullptr);
    ASSERT_EQ(fire->prepared().size(), 1u);
    EXPECT_DOUBLE_EQ(fire->prepared()[0].rate_per_year, 1.0);
    std::vector<double> n(100'000);
    simulate(book, {.years = 100'000, .seed = 12}, [&](const YearResult& y) { n[y.year] = double(y.event_count); });
    const Moments m = moments(n);
    EXPECT_NEAR(m.mean, 1.0, 4 * m.se_mean);
    EXPECT_NEAR(m.variance, 1.0, 4 * m.se_variance);
}

// The spliced burned-area model: P(area > threshold) = tail_probability, and above it the GPD
// quantile threshold + beta / xi ((1 - v)^-xi - 1) of the conditional level v.
TEST(BurnedAreaSampler, GpdTailAboveThreshold) {
    const BurnedAreaModel m{.mu = 2, .sigma = 1.5, .threshold_ha = 100, .tail_probability = 0.05, .gpd_xi = 0.4, .gpd_beta = 60};
    const BurnedAreaSampler s(m);
    EXPECT_NEAR(s.quantile_ha(0.95 - 1e-12, 0.05 + 1e-12), 100, 1e-6);
    EXPECT_NEAR(s.quantile_ha(0.95 + 1e-12, 0.05 - 1e-12), 100, 1e-6);
    // 1 - u = 0.05 x 0.1: the GPD's 90 % quantile.
    EXPECT_NEAR(s.quantile_ha(1 - 0.005, 0.005), 100 + 60 / 0.4 * (std::pow(0.1, -0.4) - 1), 1e-9);
    // Exponential tail when xi = 0.
    const BurnedAreaSampler e({.mu = 2, .sigma = 1.5, .threshold_ha = 100, .tail_probability = 0.05, .gpd_xi = 0, .gpd_beta = 60});
    EXPECT_NEAR(e.quantile_ha(1 - 0.005, 0.005), 100 - 60 * std::log(0.1), 1e-9);
    // Without a tail: the lognormal median e^mu.
    const BurnedAreaSampler plain({.mu = 2, .sigma = 1.5});
    EXPECT_NEAR(plain.quantile_ha(0.5, 0.5), std::exp(2.0), 1e-12);
}

// The batched "no event" words (SIMD clones chosen at run time) are draw_words' word 0.
TEST(Perils, BatchedOccurrenceWordsEqualOneAtATime) {
    std::vector<std::uint32_t> index, out(1000);
    for (std::uint32_t i = 0; i < 1000; ++i) index.push_back(i * 7919u + 3);
    for (std::uint32_t year : {0u, 5u, 4'000'000'000u}) {
        occurrence_words(0x0123456789abcdefULL, year, PerilId::pest, index.data(), index.size(), out.data());
        for (std::size_t i = 0; i < index.size(); ++i)
            ASSERT_EQ(out[i], draw_words(0x0123456789abcdefULL, 0, year, index[i], 2, 0)[0]) << i;
    }
}

// A made-up province model (not a calibration): 1e-4 fires per ha-year, lognormal burned area
// (mu 3, sigma 1, no tail), loss fraction 0.35 for chinese_fir, no year factor (E[G] = 1).
Model calibrated_fire() {
    Model model;
    FireModel fm;
    fm.rate_per_ha_year = 1e-4;
    fm.burned_area = {.mu = 3, .sigma = 1};
    fm.loss_fraction[index(ForestType::chinese_fir)] = 0.35;
    add_fire_model(model, "35", fm);
    return model;
}

// docs/risk-model.md "Overrides": each fire value a quote gives replaces the calibrated one and
// nothing else; the others stay calibrated. On 1,000 ha of chinese_fir at 100 tCO2e/ha the
// calibrated fire count is 1e-4 x 1,000 = 0.1 a year, and E[L] = E[N] exp(mu + sigma^2/2) 100 f
// (compound Poisson mean; the 1,000 ha cap is 3.9 sigma above the median of e^3 ha: below 0.2 %).
TEST(FireOverride, EachValueGivenReplacesOnlyItself) {
    struct Case {
        const char* name;
        FireOverride given;
        double fires, mu, sigma, loss_fraction;
        std::uint16_t slot;  // the weather slot: 0 when the frequency is given
    };
    const Case cases[] = {
        {"nothing", {}, 0.1, 3, 1, 0.35, 1},
        {"frequency", {.frequency = PoissonFrequency{0.5}}, 0.5, 3, 1, 0.35, 0},
        {"burned area", {.burned_area_ha = BurnedAreaModel{.mu = 2, .sigma = 0.5}}, 0.1, 2, 0.5, 0.35, 1},
        {"loss fraction", {.loss_fraction = 0.8}, 0.1, 3, 1, 0.8, 1},
    };
    const Model model = calibrated_fire();
    for (const Case& c : cases) {
        SCOPED_TRACE(c.name);
        BookOptions o;
        o.perils = {"fire"};
        set_fire_override(o.overrides, c.given);
        o.overrides.carbon.stock_tco2e_per_ha = 100;
        const Book book = prepare_book(model, std::vector<Holding>{made_up_holding("350802", 1000)}, o);
        const auto& prepared = dynamic_cast<const FirePeril&>(*book.perils[0]).prepared();
        ASSERT_EQ(prepared.size(), 1u);
        EXPECT_DOUBLE_EQ(prepared[0].rate_per_year, c.fires);
        EXPECT_DOUBLE_EQ(prepared[0].tco2e_per_burned_ha, 100 * c.loss_fraction);
        EXPECT_EQ(prepared[0].slot, c.slot);
        const YearLosses y = simulate_year_losses(book, {.years = 200'000, .seed = 31});
        const Moments m = moments(y.total_tco2e);
        EXPECT_NEAR(m.mean, c.fires * std::exp(c.mu + 0.5 * c.sigma * c.sigma) * 100 * c.loss_fraction, 4 * m.se_mean);
    }
}

// model.fire decodes each field alone; a distribution is given whole; every bad field is named.
TEST(FireOverride, DecodesPartialBlocksAndNamesEveryBadField) {
    Value partial;
    partial["loss_fraction"] = 0.8;
    ModelOverrides o;
    std::vector<FieldProblem> problems;
    decode_fire_override(partial, "/model/fire", o, problems);
    EXPECT_TRUE(problems.empty());
    ASSERT_NE(fire_override(o), nullptr);
    EXPECT_FALSE(fire_override(o)->frequency);
    EXPECT_FALSE(fire_override(o)->burned_area_ha);
    EXPECT_EQ(fire_override(o)->loss_fraction, 0.8);

    Value bad;
    bad["frequency"]["rate_per_year"] = -1;
    bad["burned_area_ha"]["mu"] = 1;
    bad["colour"] = "red";
    decode_fire_override(bad, "/model/fire", o, problems);
    ASSERT_EQ(problems.size(), 3u);
    EXPECT_EQ(problems[0].pointer, "/model/fire/frequency/rate_per_year");
    EXPECT_EQ(problems[0].message, "must be in [0, 1000], got -1");
    EXPECT_EQ(problems[1].pointer, "/model/fire/burned_area_ha/sigma");
    EXPECT_EQ(problems[1].message, "is required");
    EXPECT_EQ(problems[2].pointer, "/model/fire/colour");
}

TEST(FirePeril, RegionWithoutModelIsAnInputError) {
    Model model;
    FireModel fm;
    fm.rate_per_ha_year = 1e-5;
    add_fire_model(model, "35", fm);
    const std::vector<Holding> h{made_up_holding("350802", 10), made_up_holding("440300", 10)};
    BookOptions o;
    o.perils = {"fire"};
    o.overrides.carbon.stock_tco2e_per_ha = 1;
    try {
        prepare_book(model, h, o);
        FAIL() << "Guangdong has no fire model";
    } catch (const InvalidInput& e) {
        EXPECT_EQ(e.field(), "holdings/1/region");
    }
    // With the frequency, burned area and loss fraction all overridden, no model is needed.
    EXPECT_NO_THROW(prepare_book(model, h, overridden_fire(0.1, 1, 1)));
}

}  // namespace
}  // namespace tanhui::risk
