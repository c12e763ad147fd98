// The uncertainty band of a quote (api/service/uncertainty.hpp) on the calibrated shipped data:
// which assumptions take part, and the invariants of common random numbers (a premium that rises
// with an assumption is bracketed by its low and high value).
#include "api/service/uncertainty.hpp"

#include "api/service/calibration.hpp"
#include "api/service/quote_service.hpp"
#include "tests/api/routes/quote_fixtures.hpp"
#include "tests/data/test_db.hpp"

#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <utility>

namespace tanhui::api {
namespace {

using nlohmann::json;
namespace quotes = tanhui::testing::quotes;

json index_request(const json& perils, long long years) {
    json body = json::parse(R"({
      "product": "index_insurance",
      "policy": {"id": "LY-2027-001", "start": "2027-01-01", "term_months": 12},
      "holdings": [
        {"id": "xinluo-fir-1", "region": "350802", "forest_type": "chinese_fir", "area_ha": 2000, "age_years": 18},
        {"id": "xinluo-pine-2", "region": "350802", "forest_type": "masson_pine", "area_ha": 1200, "age_years": 25}],
      "cover": {"form": "per_tonne", "price_cny_per_tco2e": 20, "deductible_tco2e": 50, "limit_cny": 2000000},
      "premium": {"principle": "std_dev", "parameter": 0.25, "expense_ratio": 0.15},
      "uncertainty": true})");
    body["cover"]["perils"] = perils;
    body["simulation"] = {{"years", years}, {"seed", 7}};
    return body;
}

json quote_of(const json& body) {
    testing::TempDir dir;
    const auto path = dir / "q.db";
    quotes::copy_calibrated(path);
    data::Store store(path);
    ModelCache models;
    QuoteOptions options;
    options.store = false;
    options.threads = 2;
    const QuoteOutcome out = quote(store, models, body, options);
    if (out.problem) throw std::runtime_error(out.problem->detail);
    return *out.response;
}

TEST(UncertaintyBand, PestBandListsThePestAssumptionsAndBracketsTheMonotoneOnes) {
    if (!quotes::have_historical()) GTEST_SKIP() << "no data/historical";
    const json q = quote_of(index_request({"pest"}, 20'000));
    const json& u = q.at("uncertainty");
    const double point = q.at("pure_premium_cny").get<double>();
    EXPECT_EQ(u.at("pure_premium_cny").get<double>(), point);
    std::set<std::string> keys;
    for (const json& a : u.at("assumptions")) {
        keys.insert(a.at("key").get<std::string>());
        EXPECT_LE(a.at("low").get<double>(), a.at("high").get<double>());
        EXPECT_GE(a.at("pure_premium_at_low_cny").get<double>(), u.at("range_cny").at("low").get<double>());
        EXPECT_LE(a.at("pure_premium_at_high_cny").get<double>(), u.at("range_cny").at("high").get<double>());
    }
    for (const char* k : {"pest.severe_mortality", "pest.severe_share", "pwd.fujian_dead_pines_per_year"}) {
        ASSERT_TRUE(keys.count(k)) << k;
        // The pest loss of every year is proportional to it (same draws): the premium rises with it.
        for (const json& a : u.at("assumptions"))
            if (a.at("key") == k) {
                EXPECT_LE(a.at("pure_premium_at_low_cny").get<double>(), point) << k;
                EXPECT_GE(a.at("pure_premium_at_high_cny").get<double>(), point) << k;
            }
    }
    EXPECT_FALSE(keys.count("flammability.chinese_fir"));  // fire is not covered
}

// Every fire assumption (flammability, loss fraction) raises the fire loss of every year: all low
// <= point <= all high, each one-at-a-time pair brackets the point.
TEST(UncertaintyBand, AllLowAndAllHighBracketThePointWhereEveryAssumptionRaisesThePremium) {
    if (!quotes::have_historical()) GTEST_SKIP() << "no data/historical";
    const json q = quote_of(index_request({"fire"}, 20'000));
    const json& u = q.at("uncertainty");
    const double point = q.at("pure_premium_cny").get<double>();
    ASSERT_FALSE(u.at("assumptions").empty());
    for (const json& a : u.at("assumptions")) {
        EXPECT_LE(a.at("pure_premium_at_low_cny").get<double>(), point) << a.at("key");
        EXPECT_GE(a.at("pure_premium_at_high_cny").get<double>(), point) << a.at("key");
    }
    EXPECT_LE(u.at("all_low_pure_premium_cny").get<double>(), point);
    EXPECT_GE(u.at("all_high_pure_premium_cny").get<double>(), point);
}

// Freeze's severity is refitted at assembly (issue 16 item 7): its anchors are rows of the band,
// only those of the provinces and forest types the book holds; the loss fraction scales every
// year's freeze loss (same draws), and the audit's orders hold by wide margins (docs/validation.md
// "Freeze: implied long-run loss": k 3.5 / 8 gives -11 % / +112 %, Fujian's 2008 share 0.05 / 0.25
// -56 % / +173 %, T 100 / 30 years -51 % / +74 %).
TEST(UncertaintyBand, FreezeAnchorsAreRowsOnlyForTheProvincesAndTypesHeld) {
    if (!quotes::have_historical()) GTEST_SKIP() << "no data/historical";
    json body = index_request({"freeze"}, 20'000);
    body["cover"]["deductible_tco2e"] = 0;
    const json q = quote_of(body);
    const json& u = q.at("uncertainty");
    const double point = q.at("pure_premium_cny").get<double>();
    ASSERT_GT(point, 0);
    std::map<std::string, std::pair<double, double>> at;
    for (const json& a : u.at("assumptions"))
        at[a.at("key").get<std::string>()] = {a.at("pure_premium_at_low_cny").get<double>(),
                                              a.at("pure_premium_at_high_cny").get<double>()};
    for (const char* k : {"freeze.long_run_over_2008_term", "freeze.affected_share_2008.35", "freeze.return_period_2008_years",
                          "freeze.stock_lost_share_2008", "freeze.damage_rate.chinese_fir", "freeze.damage_rate.masson_pine"})
        EXPECT_TRUE(at.count(k)) << k;
    for (const char* k : {"freeze.affected_share_2008.43", "freeze.damage_rate.bamboo", "freeze.damage_rate.eucalyptus"})
        EXPECT_FALSE(at.count(k)) << k;  // Hunan and types the book does not hold
    const auto [stock_low, stock_high] = at["freeze.stock_lost_share_2008"];
    EXPECT_LE(stock_low, point);
    EXPECT_GE(stock_high, point);
    EXPECT_GT(at["freeze.long_run_over_2008_term"].second, 1.3 * point);
    const auto [fujian_low, fujian_high] = at["freeze.affected_share_2008.35"];
    EXPECT_LT(fujian_low, 0.8 * point);
    EXPECT_GT(fujian_high, 1.3 * point);
    const auto [t_low, t_high] = at["freeze.return_period_2008_years"];  // low T: 2008 comes more often
    EXPECT_GT(t_low, 1.3 * point);
    EXPECT_LT(t_high, 0.8 * point);
}

// The model version pins the labelled assumptions (docs/calibration.md): editing a row of the
// assumptions table changes no answer of the version already made; the next calibration makes a
// new version that reads the new value (here twice the pest mortality, so a higher premium).
TEST(PinnedAssumptions, AnEditedAssumptionTakesEffectOnlyWithTheNextCalibration) {
    if (!quotes::have_historical()) GTEST_SKIP() << "no data/historical";
    testing::TempDir dir;
    quotes::copy_calibrated(dir / "q.db");
    data::Store store(dir / "q.db");
    json body = index_request({"pest"}, 4'000);
    body.erase("uncertainty");
    const auto premium = [&] {
        ModelCache models;  // a fresh cache: the model is built again from the store
        QuoteOptions options;
        options.store = false;
        const QuoteOutcome out = quote(store, models, body, options);
        if (out.problem) throw std::runtime_error(out.problem->detail);
        return std::pair{out.response->at("pure_premium_cny").get<double>(),
                         out.response->at("model_version").get<std::string>()};
    };
    const auto [before, version] = premium();
    ASSERT_GT(before, 0);
    {
        SQLite::Database edit((dir / "q.db").string(), SQLite::OPEN_READWRITE);
        edit.setBusyTimeout(10'000);
        edit.exec("UPDATE assumptions SET value = 2 * value WHERE key = 'pest.severe_mortality'");
    }
    const auto [pinned, same_version] = premium();
    EXPECT_EQ(pinned, before);
    EXPECT_EQ(same_version, version);

    CalibrationRequest growth_only;
    growth_only.peril = "growth";
    store_calibrations(store, run_calibrations(store, growth_only));
    const auto [after, new_version] = premium();
    EXPECT_NE(new_version, version);
    EXPECT_GT(after, before);
}

TEST(UncertaintyBand, AbsentUnlessAsked) {
    if (!quotes::have_historical()) GTEST_SKIP() << "no data/historical";
    json body = index_request({"fire"}, 2'000);
    body.erase("uncertainty");
    EXPECT_FALSE(quote_of(body).contains("uncertainty"));
    body["uncertainty"] = "yes";
    testing::TempDir dir;
    quotes::copy_calibrated(dir / "q.db");
    data::Store store(dir / "q.db");
    ModelCache models;
    QuoteOptions options;
    options.store = false;
    const QuoteOutcome out = quote(store, models, body, options);
    ASSERT_TRUE(out.problem);
    EXPECT_EQ(out.problem->errors.at(0).pointer, "/uncertainty");
}

}  // namespace
}  // namespace tanhui::api
