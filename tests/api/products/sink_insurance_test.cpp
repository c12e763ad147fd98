// sink_insurance and the index's sink_loss and franchise through the quote path (decode, price,
// answer) on the made-up model.
#include "api/json/quote_request.hpp"
#include "api/products/quote_engine.hpp"
#include "pricing/sink_insurance.hpp"
#include "tests/risk/made_up_book.hpp"

#include <gtest/gtest.h>

#include <algorithm>

using namespace tanhui;
using namespace tanhui::api;
using nlohmann::json;

namespace {

const risk::Model& model() {
    static const risk::Model m = [] {
        risk::Model x = risk::made_up_model();
        x.version = "made-up";
        return x;
    }();
    return m;
}

json sink_request() {
    return json::parse(R"({
      "product": "sink_insurance",
      "policy": {"id": "GC-1", "start": "2027-01-01", "term_months": 12},
      "holdings": [{"id": "h1", "region": "350802", "forest_type": "chinese_fir", "area_ha": 500, "age_years": 12}],
      "cover": {"perils": ["fire", "pest"], "target": {"tco2e": 3000}, "price_cny_per_tco2e": 35},
      "premium": {"principle": "expected_value", "parameter": 0},
      "simulation": {"years": 20000, "seed": 17, "threads": 2}
    })");
}

json quote(const json& request) {
    auto d = decode_quote(request);
    if (!d.problems.empty()) ADD_FAILURE() << d.problems.front().pointer << ": " << d.problems.front().message;
    return compute_quote(*d.value, QuoteContext{&model(), "made-up", 2});
}

std::vector<std::string> pointers(const json& j) {
    std::vector<std::string> out;
    for (const auto& p : decode_quote(j).problems) out.push_back(p.pointer);
    return out;
}

TEST(SinkInsurance, AnswersWithTheSinkAndTheMarketRates) {
    const json r = quote(sink_request());
    EXPECT_EQ(r["product"], "sink_insurance");
    EXPECT_DOUBLE_EQ(r["sum_insured_cny"].get<double>(), 3000.0 * 35);
    EXPECT_GT(r["pure_premium_cny"].get<double>(), 0.0);
    EXPECT_GT(r["expected_sink_tco2e"].get<double>(), 0.0);
    EXPECT_LT(r["expected_sink_tco2e"].get<double>(), r["expected_sequestration_tco2e"].get<double>());
    EXPECT_DOUBLE_EQ(r["premium_per_ha_cny"].get<double>(), r["gross_premium_cny"].get<double>() / 500);
    EXPECT_DOUBLE_EQ(r["premium_per_mu_cny"].get<double>(), r["gross_premium_cny"].get<double>() / 7500);
    EXPECT_DOUBLE_EQ(r["rate_on_limit"].get<double>(), r["gross_premium_cny"].get<double>() / (3000.0 * 35));
    EXPECT_EQ(r["sum_insured_basis"], "target sink x term years x price");
    EXPECT_TRUE(r["model_used"].contains("sink"));
}

TEST(SinkInsurance, GrowthFractionTargetPricesAsTheTonnesItImplies) {
    const json by_tonnes = quote(sink_request());
    json j = sink_request();
    j["cover"]["target"] = {{"growth_fraction", 3000.0 / by_tonnes["carbon_stock_tco2e"].get<double>()}};
    const json by_share = quote(j);
    EXPECT_NEAR(by_share["target_tco2e"].get<double>(), 3000.0, 1e-9);
    EXPECT_NEAR(by_share["pure_premium_cny"].get<double>(), by_tonnes["pure_premium_cny"].get<double>(), 1e-6);
}

TEST(SinkInsurance, MeasurementCvZeroAndOneYearSettlementChangeNothing) {
    const json base = quote(sink_request());
    json j = sink_request();
    j["cover"]["measurement"] = {{"cv", 0}};
    EXPECT_EQ(quote(j)["pure_premium_cny"], base["pure_premium_cny"]);
    j["cover"]["settlement"] = "term";  // one policy year: the term is the year
    EXPECT_EQ(quote(j)["pure_premium_cny"], base["pure_premium_cny"]);
    j["cover"]["measurement"] = {{"cv", 0.1}};  // basis risk adds payouts
    EXPECT_GT(quote(j)["pure_premium_cny"].get<double>(), base["pure_premium_cny"].get<double>());
}

TEST(SinkInsurance, MultiYearTermsAndTheDroughtScenario) {
    const json one = quote(sink_request());
    json j = sink_request();
    j["policy"]["term_months"] = 36;
    const json annual = quote(j);
    EXPECT_EQ(annual["term_years"], 3);
    EXPECT_DOUBLE_EQ(annual["sum_insured_cny"].get<double>(), 3 * 3000.0 * 35);
    j["cover"]["settlement"] = "term";
    const json term = quote(j);
    EXPECT_LE(term["pure_premium_cny"].get<double>(), annual["pure_premium_cny"].get<double>());  // good years offset
    json d = sink_request();
    d["scenario"] = "drought_2022";
    const json drought = quote(d);
    EXPECT_EQ(drought["scenario"], "drought_2022");
    EXPECT_GT(drought["pure_premium_cny"].get<double>(), one["pure_premium_cny"].get<double>());
}

TEST(SinkInsurance, DecoderNamesEveryBadField) {
    json j = sink_request();
    j["policy"]["term_months"] = 18;
    j["cover"]["target"] = {{"tco2e", 10}, {"growth_fraction", 0.02}};
    j["cover"]["settlement"] = "monthly";
    j["cover"]["measurement"] = {{"cv", -1}};
    const auto p = pointers(j);
    for (const char* expected : {"/policy/term_months", "/cover/target", "/cover/settlement", "/cover/measurement/cv"})
        EXPECT_NE(std::find(p.begin(), p.end(), expected), p.end()) << expected;
    json i = sink_request();
    i["product"] = "index_insurance";
    i["cover"] = {{"perils", {"fire"}}, {"form", "per_tonne"}, {"price_cny_per_tco2e", 20}};
    i["scenario"] = "drought_2022";  // the index takes no scenario
    EXPECT_EQ(pointers(i), std::vector<std::string>{"/scenario"});
}

// model.sink through the quote path: a normal growth factor of a fixed cv, no droughts and no
// peril loss (fire at rate 0) make the pool's sink G ~ N(s, (cv s)^2), s its growth-curve
// sequestration, so the pure premium is price x E[max(0, T - G)] (closed form:
// pricing::expected_shortfall_normal) within 4 SE for several targets; model_used.sink says so.
TEST(SinkInsurance, NormalSinkOverridePricesTheClosedFormShortfall) {
    json j = sink_request();
    j["cover"]["perils"] = {"fire"};
    j["cover"]["limit_cny"] = 1e9;
    j["model"] = json::parse(R"({"fire": {"frequency": {"distribution": "poisson", "rate_per_year": 0}},
                                 "sink": {"distribution": "normal", "cv": 0.1, "drought_probability": 0}})");
    j["simulation"]["years"] = 40000;
    const double s = quote(j)["expected_sequestration_tco2e"].get<double>();
    for (const double share : {0.8, 0.95, 1.0, 1.1}) {
        j["cover"]["target"] = {{"tco2e", share * s}};
        const json r = quote(j);
        EXPECT_EQ(r["model_used"]["sink"]["distribution"], "normal");
        EXPECT_EQ(r["model_used"]["sink"]["cv"], 0.1);
        EXPECT_EQ(r["model_used"]["sink"]["region_correlation"], model().sink.region_correlation);  // not given: kept
        const double expected = 35 * pricing::expected_shortfall_normal(share * s, s, 0.1 * s);
        EXPECT_NEAR(r["pure_premium_cny"].get<double>(), expected, 4 * r["pure_premium_se_cny"].get<double>() + 1e-9)
            << "target " << share << " x the expected sink";
    }
}

TEST(SinkInsurance, SinkOverrideIsDecodedStrictly) {
    json j = sink_request();
    j["model"] = {{"sink", {{"distribution", "gamma"}, {"cv", 3}, {"drought_probability", 1}, {"region_correlation", -0.1},
                            {"colour", "green"}}}};
    const auto p = pointers(j);
    for (const char* expected : {"/model/sink/distribution", "/model/sink/cv", "/model/sink/drought_probability",
                                 "/model/sink/region_correlation", "/model/sink/colour"})
        EXPECT_NE(std::find(p.begin(), p.end(), expected), p.end()) << expected;
    EXPECT_EQ(p.size(), 5u);
    json ok = sink_request();
    ok["model"] = {{"sink", {{"cv", 0.2}}}};
    EXPECT_TRUE(pointers(ok).empty());
    EXPECT_GT(quote(ok)["sink_std_dev_tco2e"].get<double>(), quote(sink_request())["sink_std_dev_tco2e"].get<double>());
}

TEST(IndexInsurance, SinkLossPaysAtLeastStockLossAndAFranchiseCutsSmallYears) {
    json j = sink_request();
    j["product"] = "index_insurance";
    j["cover"] = {{"perils", {"fire", "pest"}}, {"form", "per_tonne"}, {"price_cny_per_tco2e", 20}};
    const json stock = quote(j);
    EXPECT_FALSE(stock.contains("index"));  // a request without the new fields answers as before
    j["cover"]["index"] = "sink_loss";
    const json sink = quote(j);
    EXPECT_EQ(sink["index"], "sink_loss");
    EXPECT_GT(sink["pure_premium_cny"].get<double>(), stock["pure_premium_cny"].get<double>());
    EXPECT_EQ(sink["expected_loss_tco2e"], stock["expected_loss_tco2e"]);  // the same years
    j["cover"]["index"] = "stock_loss";
    j["cover"]["franchise_tco2e"] = 1e9;
    EXPECT_EQ(quote(j)["pure_premium_cny"].get<double>(), 0.0);
}

}  // namespace
