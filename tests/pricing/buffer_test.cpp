// Reversal buffer: quantile of cumulative reversal shares, and exhaustion probability.
#include "pricing/buffer.hpp"

#include "data/types.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace tanhui::pricing {
namespace {

// 100 paths reversing 0.00, 0.01, ..., 0.99 of their credits: at alpha = 0.99 the buffer is the
// 99th smallest, 0.98, which exactly one path (0.99) exceeds: 1 % = 1 - alpha.
TEST(ReversalBuffer, HandWorkedHundredPaths) {
    std::vector<double> shares;
    for (int i = 0; i < 100; ++i) shares.push_back(i / 100.0);
    std::shuffle(shares.begin(), shares.end(), std::mt19937_64(1));  // order must not matter
    const auto r = reversal_buffer(shares, {.buffer_share = 0.5});
    EXPECT_EQ(r.paths, 100u);
    EXPECT_EQ(r.horizon_years, 40.0);  // defaults
    EXPECT_EQ(r.alpha, 0.99);
    EXPECT_DOUBLE_EQ(r.buffer_share.value, 0.98);
    // 49 paths reverse more than 0.5.
    ASSERT_TRUE(r.probability_exhausted.has_value());
    EXPECT_DOUBLE_EQ(r.probability_exhausted->value, 0.49);
    EXPECT_NEAR(r.probability_exhausted->standard_error, std::sqrt(0.49 * 0.51 / 100), 1e-15);
    EXPECT_NEAR(r.mean_reversal_share.value, 0.495, 1e-12);
    EXPECT_DOUBLE_EQ(r.probability_of_any_reversal, 0.99);  // every path but the one at 0
    // The buffer found is never exceeded by more than N (1 - alpha) paths.
    const auto at90 = reversal_buffer(shares, {.alpha = 0.9, .buffer_share = 0.89});
    EXPECT_DOUBLE_EQ(at90.buffer_share.value, 0.89);
    EXPECT_LE(at90.probability_exhausted->value, 0.1 + 1e-12);
}

// Uniform(0, 1) shares: the alpha-quantile is alpha, and the sample quantile's standard error is
// sqrt(alpha (1 - alpha) / N) / f = sqrt(0.99 x 0.01 / N) (density f = 1).
TEST(ReversalBuffer, UniformSharesQuantileAndItsError) {
    std::mt19937_64 rng(40);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<double> shares(200'000);
    for (auto& s : shares) s = u(rng);
    const auto r = reversal_buffer(shares, {.buffer_share = 0.95});
    const double theory_se = std::sqrt(0.99 * 0.01 / 200'000.0);
    EXPECT_NEAR(r.buffer_share.standard_error, theory_se, 0.2 * theory_se);
    EXPECT_NEAR(r.buffer_share.value, 0.99, 4 * theory_se);
    EXPECT_NEAR(r.probability_exhausted->value, 0.05, 4 * r.probability_exhausted->standard_error);
}

std::string field_of(const auto& f) {
    try {
        f();
    } catch (const InvalidInput& e) {
        return e.field();
    }
    return "<no throw>";
}

TEST(ReversalBuffer, ValidationNamesTheBadField) {
    const std::vector<double> ok = {0.1, 0.2, 0.3};
    EXPECT_EQ(field_of([&] { reversal_buffer(std::vector<double>{0.1, 1.2}); }), "cumulative_reversal_share[1]");
    EXPECT_EQ(field_of([&] { reversal_buffer(std::vector<double>{0.1, NAN}); }), "cumulative_reversal_share[1]");
    EXPECT_EQ(field_of([&] { reversal_buffer(std::vector<double>{0.1}); }), "cumulative_reversal_share");
    EXPECT_EQ(field_of([&] { reversal_buffer(ok, {.alpha = 1.0}); }), "alpha");
    EXPECT_EQ(field_of([&] { reversal_buffer(ok, {.horizon_years = 0}); }), "horizon_years");
    EXPECT_EQ(field_of([&] { reversal_buffer(ok, {.buffer_share = -0.1}); }), "buffer_share");
}

}  // namespace
}  // namespace tanhui::pricing
