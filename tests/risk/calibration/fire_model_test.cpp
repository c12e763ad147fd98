// The fire peril's calibration run: a made-up history in (not the store), records out, and the
// records assembled back into the Model's fire models and weather.
#include "risk/calibration/fire_model.hpp"

#include "risk/perils/fire.hpp"
#include "tests/risk/calibration/history_fake.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace tanhui::risk {
namespace {

// Fujian's NBS fire counts and damaged areas 2004-2021 (as in fire_test.cpp) for "35"; made-up
// series for "36" (Fujian's scaled, no forest area: in the weather estimate, not a fire region)
// and "33" (three years: too few for either).
FakeHistory made_up_history() {
    const double fires[] = {1164, 309, 158, 237, 520, 579, 131, 407, 92, 132, 130, 114, 29, 52, 89, 26, 55, 44};
    const double damaged[] = {13589.8, 3428.86, 1316.36, 2119.08, 7967.49, 11010.58, 1448.54, 6503.37, 700.1,
                              1375.57, 1145.13, 1415.57, 221.12,  318.55,  577.53,   217.44,  356.26,  306.61};
    FakeHistory h;
    const double nan = std::nan("");
    for (int i = 0; i < 18; ++i) {
        h.fire["35"].push_back({"35", 2004 + i, fires[i], damaged[i], damaged[i], nan, nan, nan, nan});
        h.fire["36"].push_back({"36", 2004 + i, std::round(fires[(i + 3) % 18] * 0.7), damaged[i], damaged[i], nan, nan, nan, nan});
    }
    for (int i = 0; i < 3; ++i) h.fire["33"].push_back({"33", 2019 + i, 10, 5, 5, nan, nan, nan, nan});
    h.forest_area = {{"35", 8.1e6}, {"33", 6e6}};
    h.province_codes = {"33", "35", "36"};
    h.assumptions = {{"flammability.masson_pine", 1.5}, {"fire_loss_fraction.chinese_fir", 0.4}};
    return h;
}

TEST(FireCalibration, DefaultRegionsAreProvincesWithForestAreaAndFireYears) {
    FakeHistory h = made_up_history();
    const auto records = calibrate_fire(h, {});
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[0].family, fire_family);
    EXPECT_EQ(records[0].scope, "35");
    EXPECT_EQ(records[0].data.size(), 18u * 7);
    EXPECT_EQ(records[0].report.at("region"), Value("35"));
    EXPECT_EQ(records[0].report.at("history_check").at("years").as_list().size(), 18u);
    EXPECT_EQ(records[1].family, weather_family);
    EXPECT_EQ(records[1].scope, "all");
    EXPECT_EQ(records[1].report.at("regions"), Value(std::vector<std::string>{"35", "36"}));
    const double rho = records[1].model.at("cross_region_correlation").as_real();
    EXPECT_TRUE(rho >= 0 && rho <= 1) << rho;
}

TEST(FireCalibration, AssemblyPutsEachRecordWhereTheSimulationReadsIt) {
    FakeHistory h = made_up_history();
    const auto records = calibrate_fire(h, {});
    Model model;
    assemble_fire(model, records, h);
    const FireModels* fire = fire_models(model);
    ASSERT_NE(fire, nullptr);
    ASSERT_EQ(fire->size(), 1u);
    const FireModel& fm = fire->at("35");
    EXPECT_EQ(fm.rate_per_ha_year, records[0].model.at("rate_per_ha_year").as_real());
    EXPECT_EQ(fm.burned_area.sigma, records[0].model.at("burned_area").at("sigma").as_real());
    EXPECT_EQ(fm.flammability[index(ForestType::masson_pine)], 1.5);
    EXPECT_EQ(fm.flammability[index(ForestType::chinese_fir)], 1.0);
    EXPECT_EQ(fm.loss_fraction[index(ForestType::chinese_fir)], 0.4);
    EXPECT_EQ(model.weather.year_factor_shape.at("35"), real_or_special(records[0].model.at("year_factor_shape")));
    EXPECT_EQ(model.weather.cross_region_correlation, records[1].model.at("cross_region_correlation").as_real());
    EXPECT_NO_THROW(validate(fm, "model/fire/35"));
}

TEST(FireCalibration, TooLittleDataIsAnInputError) {
    FakeHistory h = made_up_history();
    try {
        calibrate_fire(h, {.regions = {"33"}});
        FAIL();
    } catch (const InvalidInput& e) {
        EXPECT_EQ(e.field(), "/region");
    }
    EXPECT_THROW(calibrate_fire(h, {.regions = {"35"}, .from_year = 2020, .to_year = 2021}), InvalidInput);
}

TEST(FireCalibration, HistoryRowsAreTheYearsOfTheWindow) {
    FakeHistory h = made_up_history();
    const Value rows = fire_history_rows(h, "35", 2010, 2012, {});
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows.as_list()[0].at("year"), Value(2010));
    EXPECT_EQ(rows.as_list()[0].at("fires"), Value(131.0));
    EXPECT_EQ(rows.as_list()[2].at("forest_damaged_ha"), Value(700.1));
}

}  // namespace
}  // namespace tanhui::risk
