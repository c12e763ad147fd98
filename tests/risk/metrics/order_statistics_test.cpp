// risk/metrics/order_statistics.hpp against tables worked by hand, the 1e-9 edge DESIGN names,
// and its invariants (TVaR >= VaR, both monotone in the level).
#include "risk/metrics/order_statistics.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <random>
#include <vector>

namespace tanhui::risk {
namespace {

constexpr CountRounding both[] = {CountRounding::nearest_1e9, CountRounding::whole_within_1e9};

// Ten annual losses; sorted from the smallest: 0, 0, 0, 0, 0, 6, 15, 40, 60, 100.
std::vector<double> ascending() { return {0, 0, 0, 0, 0, 6, 15, 40, 60, 100}; }
std::vector<double> descending() { return {100, 60, 40, 15, 6, 0, 0, 0, 0, 0}; }

TEST(OrderStatistics, RanksFromEitherEnd) {
    const auto a = ascending();
    const auto d = descending();
    const auto up = OrderStatistics::smallest_first(a);
    const auto down = OrderStatistics::largest_first(d);
    for (std::size_t k = 1; k <= 10; ++k) {
        EXPECT_EQ(up.smallest(k), a[k - 1]) << k;
        EXPECT_EQ(up.largest(k), d[k - 1]) << k;
        EXPECT_EQ(down.smallest(k), a[k - 1]) << k;
        EXPECT_EQ(down.largest(k), d[k - 1]) << k;
    }
    EXPECT_EQ(up.clamp(-3), 1u);
    EXPECT_EQ(up.clamp(11), 10u);
    // Only the positive values stored: the other five are zeros.
    const std::vector<double> positive{100, 60, 40, 15, 6};
    const auto sparse = OrderStatistics::largest_first(positive, 10);
    EXPECT_EQ(sparse.size(), 10u);
    for (std::size_t k = 1; k <= 10; ++k) EXPECT_EQ(sparse.largest(k), d[k - 1]) << k;
}

TEST(OrderStatistics, HandWorkedQuantilesTailMeansAndReturnPeriods) {
    const auto a = ascending();
    const auto x = OrderStatistics::smallest_first(a);
    for (const CountRounding r : both) {
        // VaR_a: the ceil(10 a)-th smallest.
        EXPECT_EQ(quantile_rank(10, 0.75, r), 8u);
        EXPECT_EQ(quantile(x, 0.75, r), 40);   // ceil(7.5) = 8th
        EXPECT_EQ(quantile(x, 0.85, r), 60);   // ceil(8.5) = 9th
        EXPECT_EQ(quantile(x, 0.9, r), 60);    // 10 x 0.9 = 9 exactly: 9th
        EXPECT_EQ(quantile(x, 0.95, r), 100);  // ceil(9.5) = 10th
        EXPECT_EQ(quantile(x, 0.0, r), 0);     // rank 0 clamped to 1
        // TVaR_a: the m = 10 (1 - a) largest, a share of the next when m is not whole.
        EXPECT_DOUBLE_EQ(tail_value_at_risk(x, 0.75, r), (100 + 60 + 0.5 * 40) / 2.5);  // 72
        EXPECT_DOUBLE_EQ(tail_value_at_risk(x, 0.85, r), (100 + 0.5 * 60) / 1.5);
        EXPECT_DOUBLE_EQ(tail_value_at_risk(x, 0.9, r), 100);
        EXPECT_DOUBLE_EQ(tail_value_at_risk(x, 0.5, r), (100 + 60 + 40 + 15 + 6) / 5.0);
        // The T-year value: the (10 / T)-th largest, interpolated; beyond 10 years the largest.
        EXPECT_EQ(return_period_value(x, 5, r).value, 60);
        EXPECT_EQ(return_period_value(x, 4, r).value, 60 + 0.5 * (40 - 60));  // rank 2.5
        EXPECT_EQ(return_period_value(x, 10, r).value, 100);
        EXPECT_FALSE(return_period_value(x, 10, r).beyond_simulation);
        const ReturnPeriodValue beyond = return_period_value(x, 20, r);
        EXPECT_EQ(beyond.value, 100);
        EXPECT_TRUE(beyond.beyond_simulation);
        EXPECT_EQ(beyond.rank, 0.5);
    }
}

TEST(OrderStatistics, HandWorkedStandardErrors) {
    const auto a = ascending();
    const auto x = OrderStatistics::smallest_first(a);
    constexpr auto r = CountRounding::whole_within_1e9;
    // Median, real band: rank 5, d = sqrt(10 x 0.25) = 1.58: the floor(3.42) = 3rd (0) and the
    // ceil(6.58) = 7th (15) smallest.
    const Estimate median = quantile_with_real_band(x, 0.5, r);
    EXPECT_EQ(median.value, 0);
    EXPECT_EQ(median.standard_error, 7.5);
    // 75 %, whole band: rank 8, d = sqrt(10 x 0.75 x 0.25) = 1.37, c = 2: the 6th (6) and the 10th (100).
    const Estimate q75 = quantile_with_whole_band(x, 0.75, r);
    EXPECT_EQ(q75.value, 40);
    EXPECT_EQ(q75.standard_error, 47);
    // Manistre-Hancock at a = 0.75, m = 2.5, VaR 40: TVaR 72, tail variance
    // ((100 - 72)^2 + (60 - 72)^2 + 0.5 (40 - 72)^2) / 2.5 = 576, SE^2 = (576 + 0.75 x 32^2) / 2.5.
    const Estimate tvar = tail_mean_with_error(x, 2.5, 0.75, 40);
    EXPECT_DOUBLE_EQ(tvar.value, 72);
    EXPECT_DOUBLE_EQ(tvar.standard_error, std::sqrt((576 + 0.75 * 32 * 32) / 2.5));
    EXPECT_EQ(tail_mean_with_error(x, 0, 0.99, 0).value, 100);  // no tail mass: the largest
    // T = 5: rank 2, d = sqrt(2 (1 - 0.2)) = 1.26, c = 2: the largest (100) and the 4th largest (15).
    EXPECT_EQ(return_period_standard_error(x, 2), 42.5);
}

// DESIGN: 10,000 x (1 - 0.99) is 100.00000000000009 in floating point and must count as 100.
TEST(OrderStatistics, CountsOnTheOneBillionthEdge) {
    const double raw = 10'000 * (1 - 0.99);
    ASSERT_NE(raw, 100.0);
    ASSERT_EQ(std::floor(raw), 100.0);
    std::vector<double> values(10'000);
    std::iota(values.begin(), values.end(), 1.0);  // the k-th smallest is k
    const auto x = OrderStatistics::smallest_first(values);
    for (const CountRounding r : both) {
        EXPECT_EQ(rounded_count(raw, r), 100.0);
        EXPECT_EQ(quantile_rank(10'000, 0.99, r), 9'900u);
        EXPECT_EQ(quantile(x, 0.99, r), 9'900);
        EXPECT_EQ(tail_value_at_risk(x, 0.99, r), 9'950.5);  // (9,901 + ... + 10,000) / 100
        EXPECT_EQ(return_period_value(x, 100, r).value, 9'901);  // the 100th largest
    }
    // Unrounded, a rank taken by its ceiling would be the 101st.
    EXPECT_EQ(std::ceil(raw), 101.0);
    for (const CountRounding r : both) EXPECT_EQ(std::ceil(rounded_count(raw, r)), 100.0);
    // The two roundings agree on every whole count and differ within [5e-10, 1e-9 x]:
    EXPECT_EQ(rounded_count(100.0000000005, CountRounding::whole_within_1e9), 100.0);
    EXPECT_EQ(rounded_count(100.0000000005, CountRounding::nearest_1e9), 100.000000001);
    // ... and in the last bits of a fractional count.
    EXPECT_EQ(rounded_count(12.34 + 1e-14, CountRounding::nearest_1e9), 12.34);
    EXPECT_EQ(rounded_count(12.34 + 1e-14, CountRounding::whole_within_1e9), 12.34 + 1e-14);
}

TEST(OrderStatistics, TailValueAtRiskAtLeastValueAtRiskAndBothMonotone) {
    std::mt19937_64 rng(15);
    std::lognormal_distribution<double> severity(1.0, 1.5);
    std::bernoulli_distribution loss_year(0.3);
    std::vector<double> values(5'000);
    for (double& v : values) v = loss_year(rng) ? severity(rng) : 0.0;
    std::sort(values.begin(), values.end());
    const auto x = OrderStatistics::smallest_first(values);
    for (const CountRounding r : both) {
        double var_before = -1, tvar_before = -1;
        for (double level = 0.0; level < 0.9995; level += 0.0125) {
            SCOPED_TRACE(::testing::Message() << "level " << level);
            const double var = quantile(x, level, r), tvar = tail_value_at_risk(x, level, r);
            EXPECT_GE(tvar, var);
            EXPECT_GE(var, var_before);
            EXPECT_GE(tvar, tvar_before);
            var_before = var;
            tvar_before = tvar;
        }
    }
}

// Pricing stores only the positive payouts: the same answers as the whole sample.
TEST(OrderStatistics, ImplicitZerosGiveTheSameBitsAsTheWholeSample) {
    std::vector<double> whole{0, 3.5, 0, 0, 12.25, 0, 7, 0, 0, 0, 1, 0};
    std::sort(whole.begin(), whole.end(), std::greater<>());
    const std::vector<double> positive(whole.begin(), whole.begin() + 4);
    const auto full = OrderStatistics::largest_first(whole);
    const auto sparse = OrderStatistics::largest_first(positive, whole.size());
    for (const CountRounding r : both)
        for (const double level : {0.1, 0.5, 0.7, 0.75, 0.9, 0.95, 0.99}) {
            EXPECT_EQ(quantile(full, level, r), quantile(sparse, level, r)) << level;
            EXPECT_EQ(tail_value_at_risk(full, level, r), tail_value_at_risk(sparse, level, r)) << level;
            const double t = 1 / (1 - level);
            EXPECT_EQ(return_period_value(full, t, r).value, return_period_value(sparse, t, r).value) << level;
        }
}

// The plotting rule of the validation report's quantile tables: the (floor(N p) + 1)-th smallest.
TEST(OrderStatistics, QuantileAboveIsTheFloorRankPlusOne) {
    std::vector<double> values(10);
    std::iota(values.begin(), values.end(), 1.0);
    const auto x = OrderStatistics::smallest_first(values);
    EXPECT_EQ(quantile_above(x, 0.25), 3);   // floor(2.5) + 1
    EXPECT_EQ(quantile_above(x, 0.3), 4);    // 10 x 0.3 = 3 exactly: the 4th
    EXPECT_EQ(quantile_above(x, 0.001), 1);
    EXPECT_EQ(quantile_above(x, 0.999), 10);
}

}  // namespace
}  // namespace tanhui::risk
