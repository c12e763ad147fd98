#include "risk/model/growth.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace tanhui::risk {
namespace {

const GrowthCurve curve{.max_tco2e_per_ha = 300, .rate_per_year = 0.05, .shape = 2};

TEST(ChapmanRichards, StockByHand) {
    // 300 (1 - e^-1)^2 at age 20, worked out with a calculator (Python: 300*(1-exp(-1))**2).
    EXPECT_NEAR(carbon_stock_tco2e_per_ha(curve, 20), 119.8729202681184, 1e-12);
    EXPECT_EQ(carbon_stock_tco2e_per_ha(curve, 0), 0.0);
    EXPECT_NEAR(carbon_stock_tco2e_per_ha(curve, 1000), 300.0, 1e-9);
}

TEST(ChapmanRichards, SequestrationIsTheDerivative) {
    for (double age : {1.0, 5.0, 20.0, 60.0}) {
        const double h = 1e-4;
        const double numeric = (carbon_stock_tco2e_per_ha(curve, age + h) - carbon_stock_tco2e_per_ha(curve, age - h)) / (2 * h);
        EXPECT_NEAR(sequestration_tco2e_per_ha_yr(curve, age), numeric, 1e-6) << "age " << age;
    }
}

TEST(ChapmanRichards, AgeAtStockInvertsAndRegrowthCountsYears) {
    for (double age : {0.5, 10.0, 35.0, 80.0})
        EXPECT_NEAR(age_at_stock_years(curve, carbon_stock_tco2e_per_ha(curve, age)), age, 1e-9);
    EXPECT_EQ(age_at_stock_years(curve, 0), 0.0);
    EXPECT_TRUE(std::isinf(age_at_stock_years(curve, 300)));
    const double s20 = carbon_stock_tco2e_per_ha(curve, 20), s35 = carbon_stock_tco2e_per_ha(curve, 35);
    EXPECT_NEAR(regrowth_years(curve, s20), 20, 1e-9);      // stand-replacing fire: from 0
    EXPECT_NEAR(regrowth_years(curve, s35, s20), 15, 1e-9);  // partial damage
    EXPECT_EQ(regrowth_years(curve, s20, s35), 0.0);
    EXPECT_TRUE(std::isinf(regrowth_years(curve, 400)));
}

TEST(HoldingCarbon, OverridesTakePrecedence) {
    std::array<GrowthCurve, forest_type_count> growth{};
    growth[index(ForestType::chinese_fir)] = curve;
    Holding h;
    h.id = "a";
    h.region = "350802";
    h.area_ha = 10;
    h.age_years = 20;
    HoldingCarbon c = holding_carbon(h, growth);
    EXPECT_NEAR(c.stock_tco2e_per_ha, 119.8729202681184, 1e-12);
    EXPECT_NEAR(c.stock_tco2e, 1198.729202681184, 1e-10);
    ASSERT_TRUE(c.sequestration_tco2e_per_ha_yr);
    EXPECT_NEAR(*c.sequestration_tco2e_per_ha_yr, sequestration_tco2e_per_ha_yr(curve, 20), 1e-12);

    h.carbon_stock_tco2e_per_ha = 150;
    h.sequestration_tco2e_per_ha_yr = 4;
    c = holding_carbon(h, growth);
    EXPECT_EQ(c.stock_tco2e_per_ha, 150);
    EXPECT_EQ(*c.sequestration_tco2e_per_ha_yr, 4);
    c = holding_carbon(h, growth, CarbonOverride{.stock_tco2e_per_ha = 90});
    EXPECT_EQ(c.stock_tco2e_per_ha, 90);

    Holding bamboo;
    bamboo.id = "b";
    bamboo.region = "3507";
    bamboo.forest_type = ForestType::bamboo;
    bamboo.area_ha = 1;
    bamboo.age_years = 5;
    try {
        holding_carbon(bamboo, growth, {}, "holdings/3");
        FAIL() << "no curve, no stock";
    } catch (const InvalidInput& e) {
        EXPECT_EQ(e.field(), "holdings/3/carbon_stock_tco2e_per_ha");
    }
    bamboo.carbon_stock_tco2e_per_ha = 80;
    c = holding_carbon(bamboo, growth);
    EXPECT_EQ(c.stock_tco2e_per_ha, 80);
    EXPECT_FALSE(c.sequestration_tco2e_per_ha_yr);
}

TEST(FitChapmanRichards, RecoversParametersOfPointsOnTheCurve) {
    const GrowthCurve truth{.max_tco2e_per_ha = 250, .rate_per_year = 0.04, .shape = 1.8};
    std::vector<AgeStockPoint> points;
    for (double age = 5; age <= 80; age += 5) points.push_back({age, carbon_stock_tco2e_per_ha(truth, age), 1});
    const GrowthFit fit = fit_chapman_richards(points);
    EXPECT_NEAR(fit.curve.max_tco2e_per_ha / truth.max_tco2e_per_ha, 1, 1e-5);
    EXPECT_NEAR(fit.curve.rate_per_year / truth.rate_per_year, 1, 1e-5);
    EXPECT_NEAR(fit.curve.shape / truth.shape, 1, 1e-5);
    EXPECT_LT(fit.rmse, 1e-6);
    EXPECT_NEAR(fit.r_squared, 1, 1e-12);
    EXPECT_EQ(fit.points, points.size());
}

// Five age groups (young, middle-aged, near-mature, mature, over-mature) as in the forest
// inventory tables, with unequal weights: the fit still recovers the curve.
TEST(FitChapmanRichards, RecoversFromFiveWeightedAgeGroups) {
    const GrowthCurve truth{.max_tco2e_per_ha = 420, .rate_per_year = 0.07, .shape = 2.6};
    std::vector<AgeStockPoint> points;
    const double ages[] = {5, 13, 18, 25, 35};
    const double weights[] = {3, 5, 2, 1, 0.5};
    for (int i = 0; i < 5; ++i) points.push_back({ages[i], carbon_stock_tco2e_per_ha(truth, ages[i]), weights[i]});
    const GrowthFit fit = fit_chapman_richards(points);
    EXPECT_NEAR(fit.curve.max_tco2e_per_ha / truth.max_tco2e_per_ha, 1, 1e-4);
    EXPECT_NEAR(fit.curve.rate_per_year / truth.rate_per_year, 1, 1e-4);
    EXPECT_NEAR(fit.curve.shape / truth.shape, 1, 1e-4);
}

TEST(FitChapmanRichards, RejectsTooFewAges) {
    const std::vector<AgeStockPoint> points{{10, 50, 1}, {20, 90, 1}, {20, 95, 1}};
    EXPECT_THROW(fit_chapman_richards(points), InvalidInput);
    const std::vector<AgeStockPoint> bad{{10, 50, 1}, {-1, 90, 1}, {30, 95, 1}};
    EXPECT_THROW(fit_chapman_richards(bad), InvalidInput);
}

}  // namespace
}  // namespace tanhui::risk
