#include "risk/calibration/freeze_model.hpp"

#include "risk/calibration/landslide_model.hpp"
#include "risk/perils/freeze.hpp"
#include "risk/perils/landslide.hpp"
#include "tests/risk/calibration/history_fake.hpp"

#include <boost/math/special_functions/beta.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

namespace tanhui::risk {
namespace {

void regional_assumptions(FakeHistory& h) {
    h.assumptions = {{"freeze.event_year_share_of_max", 0.25}, {"freeze.return_period_2008_years", 50},
                     {"freeze.affected_share_2008", 0.25},     {"freeze.long_run_over_2008_term", 4},
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

// The fitted Beta has the asked mean exactly and the asked tail, over the shapes the calibration
// meets (event probabilities 0.04-0.9 with T 30-100, 2008 shares 0.05-0.43, ratios 3.5-8).
TEST(FreezeCalibration, BetaFitHoldsTheMeanAndTheTail) {
    for (double survival : {0.011, 0.05, 0.1, 0.2, 0.29})
        for (double x : {0.05, 0.1, 0.25, 0.43})
            for (double ratio : {3.5, 4.0, 8.0}) {
                const double mean = std::min(ratio * x * survival, 0.9 * x);
                const BetaFit fit = beta_for_mean_and_survival(mean, x, survival);
                ASSERT_FALSE(fit.tail_short) << survival << " " << x << " " << ratio;
                EXPECT_NEAR(fit.a / (fit.a + fit.b), mean, 1e-12 * mean);
                EXPECT_NEAR(boost::math::ibetac(fit.a, fit.b, x), survival, 1e-9);
            }
}

// Below the floor (a mean the tail cannot have: the 2008 term alone) the fit says so and keeps
// the mean; the peak it takes has the largest tail of any shape of that mean.
TEST(FreezeCalibration, BetaFitBelowTheFloorIsTailShort) {
    const double x = 0.1, survival = 0.1, mean = 1.0 * x * survival;
    const BetaFit fit = beta_for_mean_and_survival(mean, x, survival);
    EXPECT_TRUE(fit.tail_short);
    EXPECT_NEAR(fit.a / (fit.a + fit.b), mean, 1e-12 * mean);
    const double peak = boost::math::ibetac(fit.a, fit.b, x);
    EXPECT_LT(peak, survival);
    for (double a : {0.01, 0.1, 0.5, 2.0}) EXPECT_LE(boost::math::ibetac(a, a * (1 - mean) / mean, x), peak * 1.01);
}

// The long-run mean a year is the 2008 term times the ratio, and rises with the ratio; the tail
// stays at 1/T whatever the ratio.
TEST(FreezeCalibration, MeanIsTheRatioTimesThe2008TermAndMonotone) {
    double last = 0;
    for (double ratio : {3.5, 4.0, 5.0, 8.0}) {
        FakeHistory h = regional_history();
        h.assumptions["freeze.long_run_over_2008_term"] = ratio;
        h.assumptions["freeze.affected_share_2008.43"] = 0.43;
        const auto records = calibrate_freeze(h, {});
        for (const char* code : {"35", "43"}) {
            const Value& m = records[0].model.at("provinces").at(code);
            const double p = m.at("event_probability").as_real(), a = m.at("affected_a").as_real(),
                         b = m.at("affected_b").as_real();
            const double x = std::string(code) == "43" ? 0.43 : 0.25;
            EXPECT_NEAR(p * a / (a + b), ratio * x / 50, 1e-12) << code;
            EXPECT_NEAR(p * boost::math::ibetac(a, b, x), 1.0 / 50, 1e-9) << code;
        }
        const Value& fj = records[0].model.at("provinces").at("35");
        const double mean = fj.at("affected_a").as_real() / (fj.at("affected_a").as_real() + fj.at("affected_b").as_real());
        EXPECT_GT(mean, last);
        last = mean;
    }
}

// Event years: Fujian's index reaches a quarter of its largest year twice in 12 (2010, 2016):
// p = 2.5 / 13; the Beta tail puts a 2008 footprint at one year in 50 and the mean at 4 times
// the 2008 term.
TEST(FreezeCalibration, EventYearsAndTheAnchoredTail) {
    FakeHistory h = regional_history();
    const auto records = calibrate_freeze(h, {});
    ASSERT_EQ(records.size(), 1u);
    const Value& fj = records[0].model.at("provinces").at("35");
    const double p = 2.5 / 13;
    EXPECT_DOUBLE_EQ(fj.at("event_probability").as_real(), p);
    const double a = fj.at("affected_a").as_real(), b = fj.at("affected_b").as_real();
    EXPECT_NEAR(boost::math::ibetac(a, b, 0.25) * p, 1.0 / 50, 1e-9);
    EXPECT_NEAR(a / (a + b) * p, 4 * 0.25 / 50, 1e-12);
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
