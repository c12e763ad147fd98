// The pest peril's calibration run on a made-up history (not the store): the record holds the
// data's occurrence share, and assembly combines it with the labelled assumptions (closed forms).
#include "risk/calibration/pest_model.hpp"

#include "risk/calibration/pest.hpp"
#include "risk/perils/pest.hpp"
#include "tests/risk/calibration/history_fake.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

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
    h.assumptions = {{"pest.affected_beta_a", 2},
                     {"pest.affected_beta_b", 8},
                     {"pest.severe_share", 0.095},
                     {"pest.severe_mortality", 0.1},
                     {"pest.growth_loss_share_of_stock", 0.0011},
                     {"pwd_mortality_fraction", 1.0},
                     {"pwd.fujian_dead_pines_per_year", 789000},
                     {"pwd.pines_per_ha", 1200},
                     {"pwd.fujian_pine_area_ha", 44e6 / 15},
                     {"pwd.stand_death_years", 4},
                     {"pwd.fujian_epidemic_counties.2014", 21},
                     {"pwd.fujian_epidemic_counties.2015", 24},
                     {"pwd.fujian_epidemic_counties.2021", 41}};
    return h;
}

PestModel assembled(FakeHistory& h) {
    const auto records = calibrate_pest(h, {});
    Model model;
    assemble_pest(model, records, h);
    const PestModel* pest = pest_model(model);
    if (!pest) throw std::runtime_error("no pest model");
    return *pest;
}

TEST(PestCalibration, TheRecordHoldsOnlyWhatTheDataGive) {
    FakeHistory h = made_up_history();
    const auto records = calibrate_pest(h, {});
    ASSERT_EQ(records.size(), 1u);
    const CalibrationRecord& r = records[0];
    EXPECT_EQ(r.family, pest_family);
    EXPECT_EQ(r.scope, "all");
    const double share = r.report.at("affected_share").at("parameters").at("mean_share").at("estimate").as_real();
    EXPECT_EQ(r.model.at("occurrence_share").as_real(), share);
    EXPECT_NEAR(share, 0.05, 1e-12);
    // Without Fujian fire years the elasticity is not estimated: the documented default.
    EXPECT_TRUE(r.report.at("fire_weather_elasticity").is_null());
    EXPECT_EQ(r.model.at("fire_weather_elasticity"), Value(default_pest_weather_elasticity));
}

// General pests: p E[f] = occurrence share; stock lost = share x severe share x severe mortality
// (0.05 x 0.095 x 0.1 = 4.75e-4 of the stock a year), within the national growth-loss figure
// (17 M m3 a year, about 0.11 % of the stock; forest_disaster_literature.csv pest_growth_loss_cn),
// and the forgone growth on the affected area reproduces that figure: share x growth fraction.
TEST(PestCalibration, GeneralPestsStayWithinThePublishedNationalBounds) {
    FakeHistory h = made_up_history();
    const PestModel m = assembled(h);
    for (std::size_t t = 0; t < forest_type_count; ++t) {
        EXPECT_NEAR(m.probability_per_year[t] * 0.2, 0.05, 1e-12);
        EXPECT_NEAR(m.mortality[t], 0.095 * 0.1, 1e-15);
        const double stock_loss_share = m.probability_per_year[t] * 0.2 * m.mortality[t];
        EXPECT_NEAR(stock_loss_share, 4.75e-4, 1e-12);
        EXPECT_LE(stock_loss_share, 0.0011);
    }
    EXPECT_NEAR(0.05 * m.growth_loss_fraction, 0.0011, 1e-15);
    EXPECT_EQ(m.weather_elasticity, default_pest_weather_elasticity);
    EXPECT_NO_THROW(validate(m, "model/pest"));
}

// Pine wilt: county probability = 41 / 84; in an epidemic county the annual dying share of host
// stock d = 789,000 / 1,200 / (2.933 Mha x 41/84), and q E[f] dying_fraction = d.
TEST(PestCalibration, PineWiltReproducesTheFujianDeadPines) {
    FakeHistory h = made_up_history();
    const PestModel m = assembled(h);
    const PineWiltModel& pw = m.pine_wilt;
    EXPECT_DOUBLE_EQ(pw.county_probability, 41.0 / 84.0);
    EXPECT_DOUBLE_EQ(pw.dying_fraction, 0.25);
    EXPECT_EQ(pw.host_share[index(ForestType::masson_pine)], 1.0);
    EXPECT_EQ(pw.host_share[index(ForestType::chinese_fir)], 0.0);
    const double d = 789000.0 / 1200.0 / (44e6 / 15 * 41.0 / 84.0);
    EXPECT_NEAR(pw.stand_probability * 0.2 * pw.dying_fraction, d, 1e-15);
    // The expected annual pine-wilt loss share of a host holding is the province's dead pines
    // over its pine stock, whatever the stand death years and the infested share.
    EXPECT_NEAR(pw.county_probability * pw.stand_probability * 0.2 * pw.dying_fraction,
                789000.0 / 1200.0 / (44e6 / 15), 1e-15);
}

TEST(PestCalibration, AnAssumptionChangedInTheHistoryMovesTheAssembledModel) {
    FakeHistory h = made_up_history();
    const auto records = calibrate_pest(h, {});
    h.assumptions["pest.severe_mortality"] = 0.2;
    Model model;
    assemble_pest(model, records, h);
    EXPECT_NEAR(pest_model(model)->mortality[0], 0.095 * 0.2, 1e-15);
}

TEST(PestCalibration, TooFewYearsAndMissingAssumptionsAreErrors) {
    FakeHistory h = made_up_history();
    EXPECT_THROW(calibrate_pest(h, {.regions = {}, .from_year = 2013, .to_year = 2014}), InvalidInput);
    const auto records = calibrate_pest(h, {});
    h.assumptions.erase("pwd_mortality_fraction");
    Model model;
    EXPECT_THROW(assemble_pest(model, records, h), std::runtime_error);
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
