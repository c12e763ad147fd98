#include "risk/perils/landslide.hpp"

#include "risk/simulation/simulate.hpp"
#include "tests/risk/made_up_book.hpp"
#include "tests/risk/sample_moments.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace tanhui::risk {
namespace {

Model landslide_test_model() {
    Model model;
    LandslideModel l;
    l.provinces["35"] = {400, 0.6, 8e6};
    l.provinces["33"] = {200, 0.8, 6e6};
    l.area_per_event_ha = 2;
    l.stock_lost_fraction = 1;
    l.dependence = {0.3, 0.2, 0};
    set_landslide_model(model, l);
    return model;
}

// Hits Poisson(h) a year, each area_per_event_ha: E[L] = h A S f while h A stays far below the area.
TEST(LandslidePeril, FixedHitRateGivesTheCompoundPoissonMean) {
    const Model model;
    BookOptions o;
    o.perils = {"landslide"};
    set_landslide_override(o.overrides, {.hits_per_year = 0.2, .area_per_event_ha = 1.5, .stock_lost_fraction = 0.8});
    o.overrides.carbon.stock_tco2e_per_ha = 150;
    const Book book = prepare_book(model, std::vector<Holding>{made_up_holding("35", 100)}, o);
    const YearLosses y = simulate_year_losses(book, {.years = 200'000, .seed = 5});
    const Moments m = moments(y.total_tco2e);
    const double per_hit = 1.5 * 150 * 0.8;
    EXPECT_NEAR(m.mean, 0.2 * per_hit, 4 * m.se_mean);
    EXPECT_NEAR(m.variance, 0.2 * per_hit * per_hit, 4 * m.se_variance);
}

// Calibrated: hits Poisson(m G a / F) with G gamma(k) shared by the province: the mean is m a / F
// x A x S, and the year factor of a province does not depend on the book.
TEST(LandslidePeril, HoldingShareOfTheProvinceAndBookIndependentYearFactor) {
    const Model model = landslide_test_model();
    BookOptions o;
    o.perils = {"landslide"};
    o.overrides.carbon.stock_tco2e_per_ha = 100;
    const Book one = prepare_book(model, std::vector<Holding>{made_up_holding("350802", 20'000)}, o);
    // The same draw index (0: the hits are the holding's), another province beside it.
    const Book two = prepare_book(model, std::vector<Holding>{made_up_holding("350802", 20'000), made_up_holding("33", 500)}, o);
    const std::uint32_t years = 100'000;
    const YearLosses a = simulate_year_losses(one, {.years = years, .seed = 8});
    std::vector<double> b(years);
    simulate(two, {.years = years, .seed = 8}, [&](const YearResult& y) { b[y.year] = y.loss_tco2e[0]; });
    for (std::uint32_t k = 0; k < years; ++k) ASSERT_EQ(a.total_tco2e[k], b[k]);
    const Moments m = moments(a.total_tco2e);
    EXPECT_NEAR(m.mean, 400 * 20'000 / 8e6 * 2 * 100, 4 * m.se_mean);
    // Over-dispersion: Var N = mu + mu^2 / k for the holding's hits.
    const double mu = 400 * 20'000 / 8e6, per_hit = 200;
    EXPECT_NEAR(m.variance, (mu + mu * mu / 0.6) * per_hit * per_hit, 5 * m.se_variance);
}

TEST(LandslidePeril, BlockPathEqualsYearPath) {
    const Model model = landslide_test_model();
    BookOptions o;
    o.perils = {"landslide"};
    o.overrides.carbon.stock_tco2e_per_ha = 100;
    // 70 holdings: the year path (more than 64), then the same holdings two at a time (block path).
    std::vector<Holding> many;
    for (int i = 0; i < 70; ++i) many.push_back(made_up_holding(i % 2 ? "35" : "33", 30'000));
    std::vector<double> big(3000 * 70);
    simulate(prepare_book(model, many, o), {.years = 3000, .seed = 2},
             [&](const YearResult& y) { std::copy(y.loss_tco2e.begin(), y.loss_tco2e.end(), big.begin() + y.year * 70); });
    const std::vector<Holding> small(many.begin(), many.begin() + 2);
    double hits = 0;
    simulate(prepare_book(model, small, o), {.years = 3000, .seed = 2}, [&](const YearResult& y) {
        ASSERT_EQ(y.loss_tco2e[0], big[y.year * 70]);
        ASSERT_EQ(y.loss_tco2e[1], big[y.year * 70 + 1]);
        hits += y.loss_tco2e[0] > 0;
    });
    EXPECT_GT(hits, 0);
}

TEST(LandslideOverride, DecodesAndNamesBadFields) {
    std::vector<FieldProblem> problems;
    ModelOverrides o;
    Value block;
    block["hits_per_year"] = -1.0;
    block["stock_lost_fraction"] = 0.5;
    block["size"] = 3.0;
    decode_landslide_override(block, "/model/landslide", o, problems);
    EXPECT_EQ(problems.size(), 2u);
}

}  // namespace
}  // namespace tanhui::risk
