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

// Three made-up fire years of a province with 1,000,000 ha of forest; total trend -0.15 a year,
// adjusted to 2006. A 1,000 ha holding (share 1e-3) at 100 tCO2e/ha, loss fraction 0.6:
// loss_y = D_y e^{-0.15 (2006 - y)} x 1e-3 x 100 x 0.6.
TEST(BurningCost, FireReplayByHand) {
    const std::vector<DamagedYear> history{{2004, 4000}, {2005, 3000}, {2006, 2000}};
    const FireReplayTerms terms{.trend_per_year = -0.15, .adjusted_to_year = 2006, .province_forest_area_ha = 1e6,
                                .area_ha = 1000, .stock_tco2e_per_ha = 100, .loss_fraction = 0.6};
    const FireReplay r = replay_fire_years(history, terms);
    EXPECT_DOUBLE_EQ(r.share_of_province_forest, 1e-3);
    ASSERT_EQ(r.years.size(), 3u);
    const double factor[] = {std::exp(-0.3), std::exp(-0.15), 1};
    for (std::size_t i = 0; i < 3; ++i) {
        SCOPED_TRACE(i);
        EXPECT_EQ(r.years[i].year, 2004 + static_cast<int>(i));
        EXPECT_NEAR(r.years[i].trend_factor, factor[i], 1e-15);
        EXPECT_NEAR(r.years[i].adjusted_damaged_ha, history[i].forest_damaged_ha * factor[i], 1e-9);
        EXPECT_NEAR(r.years[i].burned_ha, history[i].forest_damaged_ha * factor[i] * 1e-3, 1e-12);
        EXPECT_NEAR(r.years[i].loss_tco2e, history[i].forest_damaged_ha * factor[i] * 1e-3 * 100 * 0.6, 1e-9);
    }
    // Years after the adjusted year are scaled up again: e^{+0.15} for 2007.
    const FireReplay later = replay_fire_years(std::vector<DamagedYear>{{2007, 1000}}, terms);
    EXPECT_NEAR(later.years[0].trend_factor, std::exp(0.15), 1e-15);
}

// The flammability scales the burned share before the cap at the holding's area.
TEST(BurningCost, FlammabilityBeforeTheCapAndPoolSums) {
    FireReplayTerms terms{.trend_per_year = 0, .adjusted_to_year = 2000, .province_forest_area_ha = 1000,
                          .area_ha = 100, .stock_tco2e_per_ha = 10, .loss_fraction = 0.5};
    const std::vector<DamagedYear> history{{1999, 50}, {2000, 800}};
    const FireReplay plain = replay_fire_years(history, terms);
    terms.flammability = 2;
    const FireReplay flammable = replay_fire_years(history, terms);
    EXPECT_EQ(plain.years[0].burned_ha, 5);       // 50 x 0.1
    EXPECT_EQ(flammable.years[0].burned_ha, 10);  // 50 x 0.1 x 2
    EXPECT_EQ(plain.years[1].burned_ha, 80);
    EXPECT_EQ(flammable.years[1].burned_ha, 100);  // 160 capped at the area
    EXPECT_EQ(flammable.years[1].loss_tco2e, 100 * 10 * 0.5);
    const std::vector<FireReplay> pool{plain, flammable};
    EXPECT_EQ(replayed_losses_tco2e(pool), (std::vector<double>{25 + 50, 400 + 500}));
    EXPECT_EQ(replayed_losses_tco2e(std::span<const FireReplay>(&plain, 1)), (std::vector<double>{25, 400}));
    // Replays of different years cannot be pooled; a province without forest cannot be replayed.
    const std::vector<FireReplay> mixed{plain, replay_fire_years(std::vector<DamagedYear>{{2000, 1}}, terms)};
    EXPECT_THROW(replayed_losses_tco2e(mixed), InvalidInput);
    terms.province_forest_area_ha = 0;
    EXPECT_THROW(replay_fire_years(history, terms), InvalidInput);
}

}  // namespace
}  // namespace tanhui::pricing
