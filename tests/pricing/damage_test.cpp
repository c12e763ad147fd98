// Damage valuation on growth curves with closed forms.
#include "pricing/damage.hpp"

#include "data/types.hpp"
#include "risk/model/growth.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace tanhui::pricing {
namespace {

// shape = 1: stock(a) = M (1 - e^{-r a}), an exponential approach to M.
const risk::GrowthCurve exponential{.max_tco2e_per_ha = 300, .rate_per_year = 0.05, .shape = 1};

// Total loss, same curve, no delay: the regrowing stand is the undisturbed one A years younger,
// so it holds the pre-damage stock again after T = A years. By hand, with e = e^{-rA}:
//   stock lost = M (1 - e);  forgone = U(A) - U(0) = M (e - e^2);
//   gap = int_0^A M[(1 - e e^{-rt}) - (1 - e^{-rt})] dt = M (1 - e)^2 / r.
TEST(Damage, ExponentialCurveTotalLossByHand) {
    const double M = 300, r = 0.05, A = 20, area = 10;
    const double e = std::exp(-r * A);
    const auto v = value_damage({.growth = exponential, .age_years = A, .damaged_area_ha = area,
                                 .price_median_cny_per_tco2e = 20,
                                 .price_quantiles = {{0.05, 8}, {0.95, 45}}});
    EXPECT_NEAR(v.stock_lost_tco2e, area * M * (1 - e), 1e-9);
    EXPECT_NEAR(v.recovery_years, A, 1e-9);
    EXPECT_TRUE(v.recovered);
    EXPECT_NEAR(v.sequestration_forgone_tco2e, area * M * (e - e * e), 1e-9);
    EXPECT_NEAR(v.total_tco2e, area * M * (1 - e * e), 1e-9);
    EXPECT_NEAR(v.carbon_gap_tco2e_years, area * M * (1 - e) * (1 - e) / r, 1e-6);
    EXPECT_NEAR(v.replacement_cost_cny, 20 * v.total_tco2e, 1e-6);
    ASSERT_EQ(v.replacement_cost_range_cny.size(), 2u);
    EXPECT_EQ(v.replacement_cost_range_cny[0].level, 0.05);
    EXPECT_NEAR(v.replacement_cost_range_cny[0].cost_cny, 8 * v.total_tco2e, 1e-6);
    EXPECT_NEAR(v.replacement_cost_range_cny[1].cost_cny, 45 * v.total_tco2e, 1e-6);
}

// A delay d before regrowth: T = d + A; the gap is int_0^d U + int_d^{d+A} (U - stock(t - d)):
//   M [d - e (1 - e^{-rd}) / r] + M [(1 - e) / r - e e^{-rd} (1 - e) / r].
TEST(Damage, DelayedRegrowthByHand) {
    const double M = 300, r = 0.05, A = 20, d = 3;
    const double e = std::exp(-r * A), ed = std::exp(-r * d);
    const auto v = value_damage({.growth = exponential, .age_years = A, .damaged_area_ha = 1,
                                 .regrowth_delay_years = d});
    EXPECT_NEAR(v.recovery_years, d + A, 1e-9);
    EXPECT_NEAR(v.sequestration_forgone_tco2e, M * (1 - std::exp(-r * (2 * A + d))) - M * (1 - e), 1e-9);
    const double gap = M * (d - e * (1 - ed) / r) + M * ((1 - e) / r - e * ed * (1 - e) / r);
    EXPECT_NEAR(v.carbon_gap_tco2e_years, gap, 1e-6);
}

// Half the stock lost: the stand resumes at the age a0 where the curve holds half of U(0), and
// recovers after A - a0 years; a0 = -ln(1 - s/M)/r.
TEST(Damage, PartialLossResumesFromTheEquivalentAge) {
    const double M = 300, r = 0.05, A = 20;
    const double before = M * (1 - std::exp(-r * A));
    const double a0 = -std::log(1 - 0.5 * before / M) / r;
    const auto v = value_damage({.growth = exponential, .age_years = A, .damaged_area_ha = 2, .stock_loss_fraction = 0.5});
    EXPECT_NEAR(v.stock_lost_tco2e, 2 * 0.5 * before, 1e-9);
    EXPECT_NEAR(v.recovery_years, A - a0, 1e-9);
    EXPECT_NEAR(risk::age_at_stock_years(exponential, 0.5 * before), a0, 1e-12);
    // Gap: int_0^T M (e^{-r(a0 + t)} - e^{-r(A + t)}) dt = M (e^{-r a0} - e^{-r A})(1 - e^{-rT}) / r.
    const double T = A - a0;
    EXPECT_NEAR(v.carbon_gap_tco2e_years, 2 * M * (std::exp(-r * a0) - std::exp(-r * A)) * (1 - std::exp(-r * T)) / r, 1e-6);
}

TEST(Damage, CapAndNothingLost) {
    const auto capped = value_damage({.growth = exponential, .age_years = 40, .damaged_area_ha = 1, .max_recovery_years = 25});
    EXPECT_FALSE(capped.recovered);
    EXPECT_EQ(capped.recovery_years, 25.0);
    EXPECT_NEAR(capped.sequestration_forgone_tco2e,
                risk::carbon_stock_tco2e_per_ha(exponential, 65) - risk::carbon_stock_tco2e_per_ha(exponential, 40), 1e-9);
    const auto none = value_damage({.growth = exponential, .age_years = 40, .damaged_area_ha = 1, .stock_loss_fraction = 0});
    EXPECT_EQ(none.stock_lost_tco2e, 0.0);
    EXPECT_EQ(none.recovery_years, 0.0);
    EXPECT_EQ(none.total_tco2e, 0.0);
    EXPECT_EQ(none.carbon_gap_tco2e_years, 0.0);
}

// A Chinese-fir-like curve (shape 2.5): the gap integral against a test-side Simpson rule.
TEST(Damage, ChapmanRichardsGapMatchesSimpson) {
    const risk::GrowthCurve fir{.max_tco2e_per_ha = 420, .rate_per_year = 0.08, .shape = 2.5};
    const double A = 18;
    const auto v = value_damage({.growth = fir, .age_years = A, .damaged_area_ha = 1});
    EXPECT_NEAR(v.recovery_years, A, 1e-9);
    const int n = 20'000;
    const double h = A / n;
    double s = 0;
    for (int i = 0; i <= n; ++i) {
        const double t = i * h;
        const double f = risk::carbon_stock_tco2e_per_ha(fir, A + t) - risk::carbon_stock_tco2e_per_ha(fir, t);
        s += (i == 0 || i == n ? 1 : (i % 2 ? 4 : 2)) * f;
    }
    EXPECT_NEAR(v.carbon_gap_tco2e_years, s * h / 3, 1e-6);
    EXPECT_NEAR(risk::carbon_stock_tco2e_per_ha(fir, 10), 420 * std::pow(1 - std::exp(-0.8), 2.5), 1e-12);
}

std::string field_of(const DamageCase& c) {
    try {
        value_damage(c);
    } catch (const InvalidInput& e) {
        return e.field();
    }
    return "<no throw>";
}

TEST(Damage, ValidationNamesTheBadField) {
    EXPECT_EQ(field_of({.growth = {.max_tco2e_per_ha = 0, .rate_per_year = 0.1}}), "growth.max_tco2e_per_ha");
    EXPECT_EQ(field_of({.growth = exponential, .age_years = -1}), "age_years");
    EXPECT_EQ(field_of({.growth = exponential, .stock_loss_fraction = 1.5}), "stock_loss_fraction");
    EXPECT_EQ(field_of({.growth = exponential, .regrowth = risk::GrowthCurve{.max_tco2e_per_ha = 1, .rate_per_year = -1}}),
              "regrowth.rate_per_year");
    EXPECT_EQ(field_of({.growth = exponential, .price_quantiles = {{1.5, 3}}}), "price_quantiles[0].level");
    EXPECT_EQ(field_of({.growth = exponential, .max_recovery_years = 0}), "max_recovery_years");
}

}  // namespace
}  // namespace tanhui::pricing
