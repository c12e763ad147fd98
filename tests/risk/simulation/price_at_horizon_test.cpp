// risk/simulation/price_at_horizon.hpp: the closed forms of the log-normal price at a horizon, and
// the Monte Carlo with jumps against them.
#include "risk/simulation/price_at_horizon.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace tanhui::risk {
namespace {

// Made-up markets (not calibrated).
PriceModel gbm() {
    PriceModel m;
    m.market = "GBM";
    m.spot = 30;
    m.spot_date = "2025-12-31";
    m.drift = 0.02;
    m.volatility = 0.3;
    return m;
}

PriceModel ou() {
    PriceModel m = gbm();
    m.market = "OU";
    m.process = PriceProcess::ou;
    m.mean_reversion = 0.8;
    m.long_run_log_price = std::log(40.0);
    m.volatility = 0.4;
    return m;
}

// Phi^-1(0.95). risk::normal_quantile is good to about 1e-9 relative, so quantiles far out
// (sd x z near 1.3) are compared at 1e-8.
constexpr double z95 = 1.6448536269514722;

void expect_rel(double got, double expected, double rel) { EXPECT_NEAR(got, expected, rel * std::abs(expected)); }

// GBM at h = 2: ln S ~ N(ln 30 + (0.02 - 0.3^2 / 2) 2, 0.3^2 2).
TEST(PriceAtHorizon, GbmClosedForm) {
    const std::vector<double> levels{0.05, 0.5, 0.95};
    const PriceAtHorizon p = price_at_horizon(gbm(), 2, levels, 0, 0);
    EXPECT_EQ(p.method, PriceAtHorizonMethod::closed_form);
    const double median = 30 * std::exp((0.02 - 0.045) * 2), sd = 0.3 * std::sqrt(2.0);
    expect_rel(p.median.value, median, 1e-14);
    EXPECT_EQ(p.median.standard_error, 0);
    ASSERT_EQ(p.quantiles.size(), 3u);
    expect_rel(p.quantiles[0], median * std::exp(-sd * z95), 1e-9);
    expect_rel(p.quantiles[1], median, 1e-12);
    expect_rel(p.quantiles[2], median * std::exp(sd * z95), 1e-9);
    EXPECT_EQ(p.levels, levels);
}

// OU at h = 1: ln S ~ N(theta + (ln 30 - theta) e^-0.8, 0.4^2 (1 - e^-1.6) / 1.6); without
// reversion, a driftless random walk in ln S.
TEST(PriceAtHorizon, OrnsteinUhlenbeckClosedForm) {
    const std::vector<double> levels{0.95};
    const PriceAtHorizon p = price_at_horizon(ou(), 1, levels, 0, 0);
    const double theta = std::log(40.0), mean = theta + (std::log(30.0) - theta) * std::exp(-0.8);
    const double sd = 0.4 * std::sqrt((1 - std::exp(-1.6)) / 1.6);
    expect_rel(p.median.value, std::exp(mean), 1e-14);
    expect_rel(p.quantiles[0], std::exp(mean + sd * z95), 1e-9);
    PriceModel still = ou();
    still.mean_reversion = 0;
    const PriceAtHorizon w = price_at_horizon(still, 4, levels, 0, 0);
    expect_rel(w.median.value, 30, 1e-14);
    expect_rel(w.quantiles[0], 30 * std::exp(0.4 * 2 * z95), 1e-8);
}

// With jumps the price is simulated on risk::PricePath. With a negligible jump intensity the
// simulated quantiles must agree with the closed forms: the median within 4 standard errors, the
// 5 % and 95 % quantiles within 2 %.
TEST(PriceAtHorizon, MonteCarloAgreesWithTheClosedFormWithoutJumps) {
    for (const PriceModel& exact : {gbm(), ou()}) {
        SCOPED_TRACE(exact.market);
        PriceModel jumpy = exact;
        jumpy.jump_intensity = 1e-12;
        const std::vector<double> levels{0.05, 0.95};
        const auto closed = price_at_horizon(exact, 1.5, levels, 0, 0);
        const auto mc = price_at_horizon(jumpy, 1.5, levels, 200'000, 11);
        ASSERT_EQ(mc.method, PriceAtHorizonMethod::monte_carlo);
        EXPECT_EQ(mc.paths, 200'000u);
        EXPECT_GT(mc.median.standard_error, 0);
        EXPECT_NEAR(mc.median.value, closed.median.value, 4 * mc.median.standard_error);
        for (std::size_t i = 0; i < levels.size(); ++i)
            EXPECT_NEAR(mc.quantiles[i], closed.quantiles[i], 0.02 * closed.quantiles[i]);
        // Quantiles rise with the level; the same seed gives the same bits.
        EXPECT_LT(mc.quantiles[0], mc.median.value);
        EXPECT_GT(mc.quantiles[1], mc.median.value);
        EXPECT_EQ(price_at_horizon(jumpy, 1.5, levels, 2'000, 11).quantiles,
                  price_at_horizon(jumpy, 1.5, levels, 2'000, 11).quantiles);
    }
}

}  // namespace
}  // namespace tanhui::risk
