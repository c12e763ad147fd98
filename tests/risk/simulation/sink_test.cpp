// The stochastic annual sink (risk/simulation/sink.hpp) against closed forms and invariants.
#include "risk/simulation/sink.hpp"
#include "risk/simulation/loss_blocks.hpp"
#include "risk/perils/pest.hpp"
#include "tests/risk/made_up_book.hpp"
#include "tests/paths.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

namespace tanhui::risk {
namespace {

BookOptions no_perils() {
    BookOptions o;
    o.perils = {};
    return o;
}

// One holding, no perils: its sink is 100 tCO2e x F.
Book one_holding_book(const Model& model) { return prepare_book(model, made_up_holdings(1), no_perils()); }

std::vector<double> factors_of(const Book& book, const SinkModel& m, std::uint32_t years, std::uint64_t seed) {
    const SinkSampler sampler(book, m);
    std::vector<double> f(std::size_t{years} * book.holdings.size());
    for (std::uint32_t first = 0; first < years; first += 256)
        sampler.factors(seed, first, std::min<std::uint32_t>(256, years - first), f.data() + std::size_t{first} * book.holdings.size());
    return f;
}

// E[max(0, T - G)] for G ~ N(mu, sd^2) (pricing::expected_shortfall_normal, which risk's tests
// cannot link).
double pricing_free_expected_shortfall(double t, double mu, double sigma) {
    const double d = (t - mu) / sigma;
    return (t - mu) * 0.5 * std::erfc(-d / std::sqrt(2.0)) + sigma * std::exp(-0.5 * d * d) / std::sqrt(2 * M_PI);
}

double mean(std::span<const double> x) {
    double s = 0;
    for (double v : x) s += v;
    return s / static_cast<double>(x.size());
}

double sd(std::span<const double> x) {
    const double m = mean(x);
    double s = 0;
    for (double v : x) s += (v - m) * (v - m);
    return std::sqrt(s / static_cast<double>(x.size() - 1));
}

TEST(Sink, NormalSinkShortfallMatchesTheClosedFormWithinFourStandardErrors) {
    const Model model = made_up_model();
    const Book book = one_holding_book(model);
    SinkModel m;
    m.distribution = SinkDistribution::normal;
    m.drought_probability = 0;
    const std::uint32_t n = 200'000;
    const SinkSampler sampler(book, m);
    const std::vector<double> seq{100.0};
    const PoolSinkYears years = simulate_pool_sink(book, sampler, {.years = n, .seed = 7, .threads = 2}, seq, 1);
    for (const double target : {70.0, 90.0, 100.0, 113.0, 140.0}) {
        std::vector<double> shortfall(n);
        for (std::size_t i = 0; i < n; ++i) shortfall[i] = std::max(0.0, target - years.sink_tco2e[i]);
        const double expected = pricing_free_expected_shortfall(target, 100.0, 100.0 * m.cv);
        const double se = sd(shortfall) / std::sqrt(double(n));
        EXPECT_NEAR(mean(shortfall), expected, 4 * se + 1e-12) << "target " << target;
    }
}

TEST(Sink, GrowthFactorHasMeanOneWithAndWithoutDroughts) {
    const Model model = made_up_model();
    const Book book = prepare_book(model, made_up_holdings(8), no_perils());
    for (const SinkDistribution d : {SinkDistribution::lognormal, SinkDistribution::normal})
        for (const double p : {0.0, 0.083, 0.3}) {
            SinkModel m;
            m.distribution = d;
            m.drought_probability = p;
            m.drought_cut = 0.189;
            const std::vector<double> f = factors_of(book, m, 100'000, 3);
            EXPECT_NEAR(mean(f), 1.0, 4 * sd(f) / std::sqrt(double(f.size()) / 8)) << "p " << p;
        }
}

TEST(Sink, SpreadMatchesTheQianyanzhouCvAndDroughtsCutTheLowTail) {
    const Model model = made_up_model();
    const Book book = one_holding_book(model);
    SinkModel m;  // the defaults: assumptions.csv
    m.drought_probability = 0;
    EXPECT_NEAR(sd(factors_of(book, m, 100'000, 5)), 0.13, 0.003);
    m = SinkModel{};
    const std::vector<double> f = factors_of(book, m, 100'000, 5);
    // Qianyanzhou 2003-2007: NEP 306-430 gC/m2/yr, mean 395, CV about 13 %; with drought years
    // the spread widens a little and the 5 % quantile falls towards the 2022 cut.
    EXPECT_GT(sd(f), 0.13);
    EXPECT_LT(sd(f), 0.17);
    std::vector<double> sorted = f;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_LT(sorted[sorted.size() / 20], 1 - 0.189);
}

TEST(Sink, SinkLossIsAtLeastStockLossInEveryYearAndTheSameBitsForAnyThreads) {
    const Model model = made_up_model();
    const std::vector<Holding> holdings = made_up_holdings(12);
    const Book book = prepare_book(model, holdings);
    const SinkSampler sampler(book, model.sink);
    const std::vector<double> seq = sequestration_by_policy_year(book, holdings, model, 2);
    std::vector<PoolSinkYears> runs;
    for (unsigned threads : {1u, 2u, 8u}) runs.push_back(simulate_pool_sink(book, sampler, {.years = 4'000, .seed = 9, .threads = threads}, seq, 2));
    double lost = 0;
    for (std::size_t i = 0; i < 4'000; ++i) {
        EXPECT_GE(runs[0].sink_loss_tco2e[i], runs[0].stock_loss_tco2e[i]) << i;
        lost += runs[0].stock_loss_tco2e[i];
    }
    EXPECT_GT(lost, 0.0);
    for (std::size_t r = 1; r < runs.size(); ++r) {
        EXPECT_EQ(0, std::memcmp(runs[0].sink_tco2e.data(), runs[r].sink_tco2e.data(), 4'000 * sizeof(double)));
        EXPECT_EQ(0, std::memcmp(runs[0].sink_loss_tco2e.data(), runs[r].sink_loss_tco2e.data(), 4'000 * sizeof(double)));
    }
}

// The pool's years from the loss blocks (the block's weather normals reused) have the bits of
// the year-by-year visitor with the sampler drawing its own weather normals, with one shared
// weather factor and with regional ones (cross-region correlation below 1).
// One holding takes its own loop over the years (vectorised): the same bits.
TEST(Sink, PoolSinkHasTheBitsOfTheYearVisitor) {
    for (const int count : {5, 1})
    for (const double rho : {1.0, 0.7}) {
        SCOPED_TRACE(count);
        Model model = made_up_model();
        model.weather.cross_region_correlation = rho;
        const std::vector<Holding> holdings = made_up_holdings(count);
        const Book book = prepare_book(model, holdings);
        const SinkSampler sampler(book, model.sink);
        const std::size_t term = 2, n = holdings.size();
        const std::vector<double> seq = sequestration_by_policy_year(book, holdings, model, term);
        const Simulation sim{.years = 1'000, .seed = 13, .threads = 2};
        const PoolSinkYears got = simulate_pool_sink(book, sampler, sim, seq, term);
        const std::vector<double> f = factors_of(book, model.sink, sim.years, sim.seed);
        std::vector<double> stock(n);
        for (std::size_t h = 0; h < n; ++h) stock[h] = book.holdings[h].area_ha * book.holdings[h].stock_tco2e_per_ha;
        struct {
            std::vector<double> sink_tco2e, stock_loss_tco2e, sink_loss_tco2e;
        } want;
        for (auto* v : {&want.sink_tco2e, &want.stock_loss_tco2e, &want.sink_loss_tco2e}) v->assign(sim.years, 0.0);
        simulate(book, sim, [&](const YearResult& y) {
            double sink = 0, forgone = 0;
            for (std::size_t h = 0; h < n; ++h) {
                const HoldingSinkYear r =
                    holding_sink_year(f[y.year * n + h], seq[(y.year % term) * n + h], stock[h], y.loss_tco2e[h]);
                sink += r.sink_tco2e;
                forgone += r.forgone_tco2e;
            }
            want.sink_tco2e[y.year] = sink;
            want.stock_loss_tco2e[y.year] = y.total_tco2e;
            want.sink_loss_tco2e[y.year] = y.total_tco2e + forgone;
        });
        const std::size_t bytes = sim.years * sizeof(double);
        EXPECT_EQ(0, std::memcmp(got.sink_tco2e.data(), want.sink_tco2e.data(), bytes)) << rho;
        EXPECT_EQ(0, std::memcmp(got.stock_loss_tco2e.data(), want.stock_loss_tco2e.data(), bytes)) << rho;
        EXPECT_EQ(0, std::memcmp(got.sink_loss_tco2e.data(), want.sink_loss_tco2e.data(), bytes)) << rho;
    }
}

// A series left out (PoolSinkSeries) is empty, and those kept are the bits of the full run's,
// for one holding (its own loop) and several.
TEST(Sink, SeriesLeftOutAreEmptyAndTheRestKeepTheirBits) {
    for (const int count : {1, 5}) {
        SCOPED_TRACE(count);
        const Model model = made_up_model();
        const std::vector<Holding> holdings = made_up_holdings(count);
        BookOptions options;
        options.perils = {"fire", "pest"};
        const Book book = prepare_book(model, holdings, options);
        const SinkSampler sampler(book, model.sink);
        const std::vector<double> seq = sequestration_by_policy_year(book, holdings, model, 3);
        const Simulation sim{.years = 2'000, .seed = 17, .threads = 2};
        const PoolSinkYears all = simulate_pool_sink(book, sampler, sim, seq, 3, true);
        const auto same = [&](const YearSeries& a, const YearSeries& b) {
            return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
        };
        const PoolSinkYears sink = simulate_pool_sink(book, sampler, sim, seq, 3, true, {.sink_loss = false});
        EXPECT_TRUE(sink.sink_loss_tco2e.empty());
        EXPECT_TRUE(same(sink.sink_tco2e, all.sink_tco2e));
        EXPECT_TRUE(same(sink.stock_loss_tco2e, all.stock_loss_tco2e));
        EXPECT_TRUE(same(sink.defoliation_tco2e, all.defoliation_tco2e));
        EXPECT_TRUE(same(sink.peril_tco2e, all.peril_tco2e));
        const PoolSinkYears index = simulate_pool_sink(book, sampler, sim, seq, 3, false, {.sink = false, .defoliation = false});
        EXPECT_TRUE(index.sink_tco2e.empty() && index.defoliation_tco2e.empty() && index.peril_tco2e.empty());
        EXPECT_TRUE(same(index.sink_loss_tco2e, all.sink_loss_tco2e));
        EXPECT_TRUE(same(index.stock_loss_tco2e, all.stock_loss_tco2e));
        EXPECT_EQ(all.sink_tco2e.size(), sim.years);
        EXPECT_EQ(all.peril_tco2e.size(), 2u * sim.years);
    }
}

// Pests' defoliation reduces the sink (DESIGN: "defoliation reduces growth (forgone
// sequestration), not stock"). With pests that kill nothing (mortality 0) and a growth loss,
// covering them lowers each year's sink by the growth the defoliation took, and the mean sink by
// the mean forgone growth PestPeril::add_forgone_growth reports, within 4 SE; the sink_loss index
// rises by as much. A cover without pests is the same bits whether or not pests defoliate.
TEST(Sink, PestDefoliationLowersTheSinkByTheForgoneGrowth) {
    Model plain = made_up_model();
    Model model = plain;
    PestModel pest = *pest_model(model);
    pest.mortality = {};
    pest.growth_loss_fraction = 0.01;  // of the affected stock: below a year's growth, the cap never binds
    set_pest_model(model, pest);
    const std::vector<Holding> holdings = made_up_holdings(6);
    BookOptions fire, fire_pest;
    fire.perils = {"fire"};
    fire_pest.perils = {"fire", "pest"};
    const Book a = prepare_book(model, holdings, fire), b = prepare_book(model, holdings, fire_pest);
    const Book a_plain = prepare_book(plain, holdings, fire);
    ASSERT_TRUE(b.perils[1]->reduces_growth());
    const std::vector<double> seq = sequestration_by_policy_year(a, holdings, model, 1);
    const Simulation sim{.years = 40'000, .seed = 21, .threads = 2};
    const PoolSinkYears without = simulate_pool_sink(a, SinkSampler(a, model.sink), sim, seq);
    const PoolSinkYears with = simulate_pool_sink(b, SinkSampler(b, model.sink), sim, seq);
    const PoolSinkYears before = simulate_pool_sink(a_plain, SinkSampler(a_plain, plain.sink), sim, seq);
    const std::size_t bytes = sim.years * sizeof(double);
    EXPECT_EQ(0, std::memcmp(without.sink_tco2e.data(), before.sink_tco2e.data(), bytes));
    EXPECT_EQ(0, std::memcmp(without.sink_loss_tco2e.data(), before.sink_loss_tco2e.data(), bytes));
    EXPECT_EQ(*std::max_element(without.defoliation_tco2e.begin(), without.defoliation_tco2e.end()), 0.0);

    std::vector<double> forgone(sim.years);  // the peril's own figure, year by year
    simulate(b, sim, [&](const YearResult& y) {
        std::vector<double> g(b.holdings.size(), 0.0);
        forgone[y.year] = b.perils[1]->add_forgone_growth(Year{sim.seed, y.year, y.weather_normal, y.weather}, g);
    });
    std::vector<double> drop(sim.years), rise(sim.years);
    for (std::size_t i = 0; i < sim.years; ++i) {
        drop[i] = without.sink_tco2e[i] - with.sink_tco2e[i];
        rise[i] = with.sink_loss_tco2e[i] - without.sink_loss_tco2e[i];
        EXPECT_NEAR(drop[i], with.defoliation_tco2e[i], 1e-9 * (1 + std::abs(without.sink_tco2e[i]))) << i;
    }
    EXPECT_GT(mean(forgone), 0.0);
    const double se = sd(forgone) / std::sqrt(double(sim.years));
    EXPECT_NEAR(mean(drop), mean(forgone), 4 * se);
    EXPECT_NEAR(mean(rise), mean(forgone), 4 * se);
    EXPECT_NEAR(mean(with.defoliation_tco2e), mean(forgone), 1e-9 * mean(forgone));  // the cap did not bind
    // The pool sink takes the growth through the pest's block path (a small book): the same bits as
    // add_forgone_growth year by year (the cap never binds here, so the year's defoliation is it).
    std::size_t differ = 0;
    for (std::size_t i = 0; i < sim.years; ++i) differ += with.defoliation_tco2e[i] != forgone[i];
    EXPECT_EQ(differ, 0u);
}

// The loss blocks' forgone growth (what the pool sink subtracts) has the bits of the pest's
// add_forgone_growth year by year on each of its three paths: a small book's block path (the
// growth taken in add_block's pass), a small book with pine wilt (no block path for the losses:
// add_forgone_growth_block) and a book of more than 64 holdings (year by year).
TEST(Sink, LossBlocksForgoneGrowthHasTheBitsOfThePerilsYears) {
    struct Case {
        int holdings;
        bool pine_wilt;
    };
    for (const Case c : {Case{6, false}, Case{6, true}, Case{70, false}}) {
        SCOPED_TRACE(testing::Message() << c.holdings << " holdings, pine wilt " << c.pine_wilt);
        Model model = made_up_model();
        PestModel pest = *pest_model(model);
        pest.growth_loss_fraction = 0.01;
        if (c.pine_wilt) {
            pest.pine_wilt.host_share[index(ForestType::masson_pine)] = 1;
            pest.pine_wilt.county_probability = 0.3;
            pest.pine_wilt.stand_probability = 0.2;
            pest.pine_wilt.dying_fraction = 0.5;
        }
        set_pest_model(model, pest);
        const std::vector<Holding> holdings = made_up_holdings(c.holdings);
        BookOptions options;
        options.perils = {"fire", "pest"};
        const Book book = prepare_book(model, holdings, options);
        ASSERT_TRUE(book.perils[1]->reduces_growth());
        const Simulation sim{.years = 3'000, .seed = 29, .threads = 2};
        const std::size_t n = holdings.size();
        std::vector<double> got(sim.years * n, -1.0), want(sim.years * n, 0.0);
        simulate_loss_blocks(book, sim, [&](const LossBlock& b) {
            ASSERT_EQ(b.forgone_growth.size(), b.years * n);
            std::copy(b.forgone_growth.begin(), b.forgone_growth.end(), got.begin() + std::ptrdiff_t(b.first_year * n));
        }, false, true);
        simulate(book, sim, [&](const YearResult& y) {
            book.perils[1]->add_forgone_growth(Year{sim.seed, y.year, y.weather_normal, y.weather},
                                               std::span<double>(want.data() + y.year * n, n));
        });
        EXPECT_GT(*std::max_element(want.begin(), want.end()), 0.0);
        EXPECT_EQ(0, std::memcmp(got.data(), want.data(), got.size() * sizeof(double)));
        bool asked = true;  // without asking, the blocks carry none
        simulate_loss_blocks(book, Simulation{.years = 300, .seed = 29}, [&](const LossBlock& b) {
            asked = asked && b.forgone_growth.empty();
        });
        EXPECT_TRUE(asked);
    }
}

TEST(Sink, ScenarioReplaysTheProvincesCut) {
    const Model model = made_up_model();
    const Book book = prepare_book(model, made_up_holdings(4), no_perils());  // 35, 35, 35, 36
    const SinkSampler sampler(book, model.sink, sink_scenario("drought_2022"));
    std::vector<double> f(4 * 20'000);
    for (std::uint32_t first = 0; first < 20'000; first += 256)
        sampler.factors(1, first, std::min<std::uint32_t>(256, 20'000 - first), f.data() + std::size_t{first} * 4);
    double fujian = 0, jiangxi = 0;
    for (std::size_t k = 0; k < 20'000; ++k) {
        fujian += f[k * 4];
        jiangxi += f[k * 4 + 3];
    }
    EXPECT_NEAR(fujian / 20'000, 1 - 0.189, 0.002);
    EXPECT_NEAR(jiangxi / 20'000, 1 - 0.168, 0.002);
    SinkModel one_region = model.sink;
    one_region.region_correlation = 1;  // no holding spread: exactly the cut
    const SinkSampler exact(book, one_region, sink_scenario("drought_2022"));
    exact.factors(1, 0, 3, f.data());
    EXPECT_DOUBLE_EQ(f[0], 1 - 0.189);
    EXPECT_DOUBLE_EQ(f[3], 1 - 0.168);
    EXPECT_FALSE(sink_scenario("drought_2099"));
}

TEST(Sink, MeasurementWithCvZeroIsOne) {
    EXPECT_EQ(SinkSampler::measurement_factor(1, 2, 0), 1.0);
    double s = 0;
    for (std::uint32_t y = 0; y < 100'000; ++y) s += SinkSampler::measurement_factor(4, y, 0.1);
    EXPECT_NEAR(s / 100'000, 1.0, 4 * 0.1 / std::sqrt(100'000.0));
}

// The defaults of SinkModel and the scenario are the labelled assumptions of the shipped table.
TEST(Sink, DefaultsAreTheAssumptionsTable) {
    std::ifstream in(std::string(TANHUI_SOURCE_DIR) + "/data/historical/assumptions.csv");
    ASSERT_TRUE(in);
    std::map<std::string, double> value;
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream row(line);
        std::string key, v;
        std::getline(row, key, ',');
        std::getline(row, v, ',');
        if (key.rfind("sink.", 0) == 0) value[key] = std::stod(v);
    }
    const SinkModel m;
    EXPECT_EQ(value.at("sink.growth_cv"), m.cv);
    EXPECT_EQ(value.at("sink.weather_correlation"), m.weather_correlation);
    EXPECT_EQ(value.at("sink.region_correlation"), m.region_correlation);
    EXPECT_EQ(value.at("sink.drought_probability"), m.drought_probability);
    EXPECT_EQ(value.at("sink.drought_cut"), m.drought_cut);
    const SinkScenario s = *sink_scenario("drought_2022");
    for (const auto& [province, cut] : s.cut_by_province) EXPECT_EQ(value.at("sink.drought_2022.cut." + province), cut);
    EXPECT_EQ(value.at("sink.drought_2022.cut.elsewhere"), s.cut_elsewhere);
}

}  // namespace
}  // namespace tanhui::risk
