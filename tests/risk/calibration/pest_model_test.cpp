// The pest peril's calibration run on a made-up history (not the store): the record's model is the
// documented combination of the general process and pine wilt, and assembly reads it back.
#include "risk/calibration/pest_model.hpp"

#include "risk/calibration/pest.hpp"
#include "risk/perils/pest.hpp"
#include "tests/risk/calibration/history_fake.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace tanhui::risk {
namespace {

// Made-up numbers: a national occurrence of 10 Mha a year on 200 Mha of forest (share 5 %),
// 84 Fujian county units of which 21, 24 and 41 epidemic in 2014, 2015, 2021 (the shipped
// counts), and the shipped labelled assumptions.
FakeHistory made_up_history() {
    FakeHistory h;
    for (int y = 2004; y <= 2014; ++y) h.pest["CN"].push_back({"CN", y, "all", 1e7 * (1 + 0.02 * (y - 2009))});
    h.pest["35"].push_back({"35", 2010, "pine_wilt", 100});
    h.pest["35"].push_back({"35", 2011, "insect", 200});
    h.inventories["CN"] = {{2008, 2e8}, {2013, 2e8}};
    h.counties["35"] = 84;
    h.assumptions = {{"pest.affected_beta_a", 2}, {"pest.affected_beta_b", 8}, {"pest_mortality.general", 0.05},
                     {"pwd_mortality_fraction", 0.8}, {"pwd.fujian_epidemic_counties.2014", 21},
                     {"pwd.fujian_epidemic_counties.2015", 24}, {"pwd.fujian_epidemic_counties.2021", 41}};
    return h;
}

TEST(PestCalibration, MassonPineCombinesTheGeneralProcessAndPineWilt) {
    FakeHistory h = made_up_history();
    const auto records = calibrate_pest(h, {});
    ASSERT_EQ(records.size(), 1u);
    const CalibrationRecord& r = records[0];
    EXPECT_EQ(r.family, pest_family);
    EXPECT_EQ(r.scope, "all");
    const Value& m = r.model;
    const double p = m.at("probability_per_year").at("chinese_fir").as_real();
    const double share = r.report.at("affected_share").at("parameters").at("mean_share").at("estimate").as_real();
    EXPECT_NEAR(p, share / 0.2, 1e-12);  // p = share / E[Beta(2, 8)]
    const double h_pwd = r.report.at("pine_wilt_hazard").at("parameters").at("annual_hazard").at("estimate").as_real();
    const double p_pine = m.at("probability_per_year").at("masson_pine").as_real();
    EXPECT_NEAR(p_pine, 1 - (1 - p) * (1 - h_pwd), 1e-15);
    EXPECT_NEAR(m.at("mortality").at("masson_pine").as_real(), (p * 0.05 + h_pwd * 0.8) / (p + h_pwd), 1e-15);
    EXPECT_EQ(m.at("mortality").at("broadleaf"), Value(0.05));
    // Without Fujian fire years the elasticity is not estimated: the documented default.
    EXPECT_TRUE(r.report.at("fire_weather_elasticity").is_null());
    EXPECT_EQ(m.at("fire_weather_elasticity"), Value(default_pest_weather_elasticity));
}

TEST(PestCalibration, AssemblyReadsTheRecordBack) {
    FakeHistory h = made_up_history();
    const auto records = calibrate_pest(h, {});
    Model model;
    assemble_pest(model, records, h);
    const PestModel* pest = pest_model(model);
    ASSERT_NE(pest, nullptr);
    EXPECT_EQ(pest->probability_per_year[index(ForestType::masson_pine)],
              records[0].model.at("probability_per_year").at("masson_pine").as_real());
    EXPECT_EQ(pest->weather_elasticity, default_pest_weather_elasticity);
    EXPECT_EQ(pest->affected_a, 2.0);
    EXPECT_NO_THROW(validate(*pest, "model/pest"));
}

TEST(PestCalibration, TooFewYearsAndMissingAssumptionsAreErrors) {
    FakeHistory h = made_up_history();
    EXPECT_THROW(calibrate_pest(h, {.regions = {}, .from_year = 2013, .to_year = 2014}), InvalidInput);
    h.assumptions.erase("pwd_mortality_fraction");
    EXPECT_THROW(calibrate_pest(h, {}), std::runtime_error);
}

TEST(PestCalibration, HistoryRowsFilterByPestAndYear) {
    FakeHistory h = made_up_history();
    EXPECT_EQ(pest_history_rows(h, "35", 0, 9999, {}).size(), 2u);
    const Value rows = pest_history_rows(h, "35", 0, 9999, {{"pest", "insect"}});
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows.as_list()[0].at("year"), Value(2011));
    EXPECT_EQ(pest_history_rows(h, "35", 2011, 2011, {}).size(), 1u);
}

}  // namespace
}  // namespace tanhui::risk
