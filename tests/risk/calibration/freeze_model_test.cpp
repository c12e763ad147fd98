#include "risk/calibration/freeze_model.hpp"

#include "risk/calibration/landslide_model.hpp"
#include "risk/perils/freeze.hpp"
#include "risk/perils/landslide.hpp"
#include "tests/risk/calibration/history_fake.hpp"

#include <boost/math/special_functions/beta.hpp>
#include <gtest/gtest.h>

#include <cmath>

namespace tanhui::risk {
namespace {

void regional_assumptions(FakeHistory& h) {
    h.assumptions = {{"freeze.event_year_share_of_max", 0.25}, {"freeze.return_period_2008_years", 50},
                     {"freeze.affected_share_2008", 0.25},     {"freeze.affected_share_beta_a", 0.5},
                     {"freeze.stock_lost_share_2008", 0.25},   {"freeze.damage_rate_2008_mean", 0.5},
                     {"landslide.area_per_event_ha", 1},       {"landslide.stock_lost_fraction", 1}};
    for (std::string_view t : forest_type_names) h.assumptions["freeze.damage_rate." + std::string(t)] = 0.4;
}

FakeHistory regional_history() {
    FakeHistory h;
    regional_assumptions(h);
    h.province_codes = {"35", "36", "43"};
    h.neighbours = {{"35", {"36"}}, {"36", {"35", "43"}}, {"43", {"36"}}};
    const double fj[] = {150, 17, 1, 8, 2, 0, 156, 0, 10, 0, 0, 14};
    const double jx[] = {143, 100, 141, 132, 28, 0, 291, 0, 35, 0, 9, 29};
    const double hn[] = {133, 660, 140, 167, 73, 1, 173, 0, 155, 23, 1, 0};
    for (int i = 0; i < 12; ++i) {
        h.disasters["35"].push_back({"35", 2010 + i, fj[i], 0});
        h.disasters["36"].push_back({"36", 2010 + i, jx[i], 0});
        h.disasters["43"].push_back({"43", 2010 + i, hn[i], 0});
    }
    const double counts[] = {900, 6000, 5000, 800, 300, 2000, 400, 350, 900, 150, 700, 300, 250, 120, 200, 90, 60};
    int k = 0;
    for (int y = 2004; y <= 2021; ++y) {
        if (y == 2014) continue;
        for (const char* p : {"35", "36", "43"}) h.geohazards[p].push_back({p, y, counts[k], counts[k] / 2, counts[k] / 4, counts[k] / 4});
        ++k;
    }
    h.forest_area = {{"35", 8e6}, {"36", 1e7}, {"43", 1.05e7}};
    return h;
}

TEST(FreezeCalibration, BetaTailSolvesTheReturnPeriod) {
    for (double s : {0.01, 0.1, 0.4}) {
        const double b = beta_b_for_survival(0.5, 0.25, s);
        EXPECT_NEAR(boost::math::ibetac(0.5, b, 0.25), s, 1e-9);
    }
}

// Event years: Fujian's index reaches a quarter of its largest year twice in 12 (2010, 2016):
// p = 2.5 / 13; the Beta tail puts a 2008 footprint at one year in 50.
TEST(FreezeCalibration, EventYearsAndTheAnchoredTail) {
    FakeHistory h = regional_history();
    const auto records = calibrate_freeze(h, {});
    ASSERT_EQ(records.size(), 1u);
    const Value& fj = records[0].model.at("provinces").at("35");
    const double p = 2.5 / 13;
    EXPECT_DOUBLE_EQ(fj.at("event_probability").as_real(), p);
    EXPECT_NEAR(boost::math::ibetac(0.5, fj.at("affected_b").as_real(), 0.25) * p, 1.0 / 50, 1e-9);
    EXPECT_DOUBLE_EQ(records[0].model.at("loss_fraction").at("chinese_fir").as_real(), 0.25 * 0.4 / 0.5);
    const Value& rep = records[0].report.at("provinces").at("35");
    EXPECT_EQ(rep.at("rows").as_integer(), 12);
    EXPECT_TRUE(rep.find("aic") && rep.find("goodness_of_fit") && rep.find("data_fnv1a64"));
    Model model;
    model.weather.cross_region_correlation = 0.5;
    assemble_freeze(model, records, h);
    ASSERT_NE(freeze_model(model), nullptr);
    EXPECT_DOUBLE_EQ(freeze_model(model)->provinces.at("35").event_probability, p);
    EXPECT_EQ(freeze_model(model)->provinces.at("36").neighbours, (std::vector<std::string>{"35", "43"}));
}

TEST(LandslideCalibration, NegativeBinomialCountsAndAssembly) {
    FakeHistory h = regional_history();
    const auto records = calibrate_landslide(h, {});
    ASSERT_EQ(records.size(), 1u);
    const Value& fj = records[0].model.at("provinces").at("35");
    EXPECT_GT(fj.at("events_per_year").as_real(), 0);
    EXPECT_GT(real_or_special(fj.at("year_factor_shape")), 0);
    EXPECT_EQ(fj.at("forest_area_ha").as_real(), 8e6);
    Model model;
    model.weather.cross_region_correlation = 0.5;
    assemble_landslide(model, records, h);
    ASSERT_NE(landslide_model(model), nullptr);
    EXPECT_EQ(landslide_model(model)->area_per_event_ha, 1);
}

}  // namespace
}  // namespace tanhui::risk
