#include "risk/perils/fire.hpp"
#include "risk/simulation/simulate.hpp"
#include "tests/risk/sample_moments.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <cstring>
#include <vector>

namespace tanhui::risk {
namespace {

Holding holding(std::string region, double area_ha, ForestType type = ForestType::chinese_fir) {
    Holding h;
    h.id = "h";
    h.region = std::move(region);
    h.forest_type = type;
    h.area_ha = area_ha;
    h.age_years = 20;
    return h;
}

// Override path, stock 1 tCO2e/ha and loss fraction 1: carbon lost = burned area.
BookOptions overridden_fire(double rate, double mu, double sigma) {
    BookOptions o;
    o.perils = {"fire"};
    o.overrides.fire.frequency = PoissonFrequency{rate};
    o.overrides.fire.burned_area_ha = BurnedAreaModel{.mu = mu, .sigma = sigma};
    o.overrides.fire.loss_fraction = 1.0;
    o.overrides.carbon.stock_tco2e_per_ha = 1.0;
    return o;
}

// Compound Poisson-lognormal: E[S] = lambda exp(mu + sigma^2/2), Var[S] = lambda E[X^2] =
// lambda exp(2 mu + 2 sigma^2) (Klugman, Panjer & Willmot, Loss Models, 5th ed., sec. 9.3).
// The cap (the holding's area) is far above the tail.
TEST(FirePeril, MeanBurnedAreaIsCompoundPoissonMean) {
    const Model model;
    const std::vector<Holding> h{holding("35", 1e12)};
    const Book book = prepare_book(model, h, overridden_fire(0.2, 2.0, 1.2));
    const YearLosses y = simulate_year_losses(book, {.years = 200'000, .seed = 7});
    const Moments m = moments(y.total_tco2e);
    EXPECT_NEAR(m.mean, 0.2 * std::exp(2.0 + 0.5 * 1.2 * 1.2), 4 * m.se_mean);
}

TEST(FirePeril, VarianceOfBurnedAreaIsCompoundPoissonVariance) {
    const Model model;
    const std::vector<Holding> h{holding("35", 1e12)};
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
    const std::vector<Holding> h{holding("35", 10)};
    BookOptions o = overridden_fire(3.0, 5.0, 1.0);
    o.overrides.carbon.stock_tco2e_per_ha = 150;
    o.overrides.fire.loss_fraction = 0.6;
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
    model.fire["35"] = fm;
    const std::vector<Holding> h{holding("350802", 2000), holding("3507", 1000, ForestType::masson_pine)};
    BookOptions o;
    o.perils = {"fire"};
    o.overrides.carbon.stock_tco2e_per_ha = 1;
    const Book book = prepare_book(model, h, o);
    ASSERT_EQ(book.holdings[0].fire_region, "35");
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
    model.fire["35"] = fm;
    const std::vector<Holding> h{holding("35", 5000)};
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

// Gaussian copula of the fire-weather factors: correlation 1 gives one shared factor; 0
// independent ones (the Spearman correlation of the G's is then near 0).
TEST(FireWeather, CrossRegionCorrelation) {
    const FireWeather shared({{"35", 2.0}, {"36", 2.0}}, 1.0);
    const FireWeather independent({{"35", 2.0}, {"36", 2.0}}, 0.0);
    std::vector<double> g(3);
    double sum_product = 0, sum1 = 0, sum2 = 0, ss1 = 0, ss2 = 0;
    const int n = 50'000;
    for (std::uint32_t y = 0; y < n; ++y) {
        shared.draw(5, y, g);
        ASSERT_EQ(g[0], 1.0);
        ASSERT_EQ(g[1], g[2]);
        independent.draw(5, y, g);
        sum1 += g[1];
        sum2 += g[2];
        sum_product += g[1] * g[2];
        ss1 += g[1] * g[1];
        ss2 += g[2] * g[2];
    }
    const double cov = sum_product / n - (sum1 / n) * (sum2 / n);
    const double corr = cov / std::sqrt((ss1 / n - sum1 * sum1 / n / n) * (ss2 / n - sum2 * sum2 / n / n));
    EXPECT_NEAR(corr, 0.0, 4 / std::sqrt(double(n)));
    EXPECT_NEAR(sum1 / n, 1.0, 4 * std::sqrt(0.5 / n));  // mean 1, variance 1/k
}

// The block draw (SIMD across years, in chunks of 256) gives each year's draw() bits, for a
// copula with and without idiosyncratic normals and a region without a factor.
TEST(FireWeather, BlockDrawHasTheBitsOfTheYearDraw) {
    for (double rho : {0.6, 1.0}) {
        const FireWeather w({{"35", 2.5}, {"36", 4.0}, {"43", std::numeric_limits<double>::infinity()}}, rho);
        const std::size_t n = 700, stride = w.slots() + 2;
        std::vector<double> z(n), g(n * stride, -1.0), one(w.slots());
        w.draw_block(77, 5'000, n, z.data(), g.data(), stride);
        for (std::size_t k = 0; k < n; ++k) {
            const double zk = w.draw(77, 5'000 + static_cast<std::uint32_t>(k), one);
            ASSERT_EQ(std::memcmp(&zk, &z[k], sizeof(double)), 0) << k;
            ASSERT_EQ(std::memcmp(one.data(), &g[k * stride], w.slots() * sizeof(double)), 0) << k;
            EXPECT_EQ(g[k * stride + 3], 1.0);
            EXPECT_EQ(g[k * stride + w.slots()], -1.0);  // the stride's padding is left alone
        }
    }
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

TEST(FirePeril, RegionWithoutModelIsAnInputError) {
    Model model;
    FireModel fm;
    fm.rate_per_ha_year = 1e-5;
    model.fire["35"] = fm;
    const std::vector<Holding> h{holding("350802", 10), holding("440300", 10)};
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
