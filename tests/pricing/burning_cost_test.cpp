// Burning cost on hand-worked historical years.
#include "pricing/burning_cost.hpp"

#include "data/types.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace tanhui::pricing {
namespace {

// 20 CNY/t above 100 t, limit 5,000: losses 0, 50, 150, 400, 1,000 t pay 0, 0, 1,000, 5,000 (6,000
// capped), 5,000. Mean 2,200; squares about it 2 x 2,200^2 + 1,200^2 + 2 x 2,800^2 = 26.8e6 over 4.
TEST(BurningCost, PerTonneHandWorked) {
    const PerTonneCover cover{.price_cny_per_tco2e = 20, .deductible_tco2e = 100, .limit_cny = 5'000};
    const auto b = burning_cost(cover, std::vector<double>{0, 50, 150, 400, 1'000});
    EXPECT_EQ(b.payouts_cny, (std::vector<double>{0, 0, 1'000, 5'000, 5'000}));
    EXPECT_EQ(b.years, 5u);
    EXPECT_DOUBLE_EQ(b.burning_cost_cny.value, 2'200.0);
    EXPECT_NEAR(b.std_dev_cny, std::sqrt(26.8e6 / 4), 1e-9);
    EXPECT_NEAR(b.burning_cost_cny.standard_error, std::sqrt(26.8e6 / 4 / 5), 1e-9);
    EXPECT_DOUBLE_EQ(b.probability_of_payout, 0.6);
}

// Linear on a 10,000 t pool, trigger 5 %, exit 25 %: loss ratios 0.01, 0.15, 0.4 pay 0, 1/2, 1 of
// the sum insured.
TEST(BurningCost, LinearHandWorked) {
    const LinearCover cover{.sum_insured_cny = 1e6, .trigger = 0.05, .exit = 0.25};
    const auto b = burning_cost(cover, std::vector<double>{100, 1'500, 4'000}, 10'000);
    ASSERT_EQ(b.payouts_cny.size(), 3u);
    EXPECT_EQ(b.payouts_cny[0], 0.0);
    EXPECT_NEAR(b.payouts_cny[1], 5e5, 1e-6);
    EXPECT_EQ(b.payouts_cny[2], 1e6);
    EXPECT_NEAR(b.burning_cost_cny.value, 5e5, 1e-6);
}

TEST(BurningCost, Validation) {
    EXPECT_THROW(burning_cost(std::vector<double>{1}), InvalidInput);
    EXPECT_THROW(burning_cost(std::vector<double>{1, -1}), InvalidInput);
    const PerTonneCover cover{.price_cny_per_tco2e = 20};
    try {
        burning_cost(cover, std::vector<double>{1, NAN});
        FAIL();
    } catch (const InvalidInput& e) {
        EXPECT_EQ(e.field(), "loss_tco2e[1]");
    }
}

}  // namespace
}  // namespace tanhui::pricing
