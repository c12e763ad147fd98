// Where the premium comes from (issue 16 item 6) through the quote, layer and buffer paths: the
// answer's objects by peril name exactly the covered perils and, added in key order as a reader
// of the printed JSON adds them, give the answer's totals bit for bit.
#include "api/json/quote_request.hpp"
#include "api/products/buffer.hpp"
#include "api/products/layer.hpp"
#include "api/products/quote_engine.hpp"
#include "api/service/quote_service.hpp"
#include "data/store/store.hpp"
#include "tests/api/routes/quote_fixtures.hpp"
#include "tests/risk/made_up_book.hpp"
#include "tests/paths.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <set>
#include <string>

using namespace tanhui;
using namespace tanhui::api;
using nlohmann::json;

namespace {

const risk::Model& made_up() {
    static const risk::Model m = [] {
        risk::Model x = risk::made_up_model();
        x.version = "made-up";
        return x;
    }();
    return m;
}

json quote_on(const risk::Model& model, const json& request) {
    auto d = decode_quote(request);
    if (!d.problems.empty()) ADD_FAILURE() << d.problems.front().pointer << ": " << d.problems.front().message;
    return compute_quote(*d.value, QuoteContext{&model, model.version, 2});
}

// The answer as a reader sees it: printed, parsed back, the object's values added in key order.
double printed_sum(const json& answer, const std::string& key) {
    const json back = json::parse(answer.dump());
    double s = 0;
    for (const auto& [k, v] : back.at(key).items()) s += v.get<double>();
    return s;
}
double printed(const json& answer, const std::string& key) { return json::parse(answer.dump()).at(key).get<double>(); }

std::set<std::string> keys(const json& object) {
    std::set<std::string> out;
    for (const auto& [k, v] : object.items()) out.insert(k);
    return out;
}

json index_request(const json& perils, long long years = 5000) {
    json j = json::parse(R"({
      "product": "index_insurance",
      "policy": {"id": "S-1", "start": "2027-01-01", "term_months": 12},
      "holdings": [{"id": "h1", "region": "350802", "forest_type": "chinese_fir", "area_ha": 2000, "age_years": 18},
                   {"id": "h2", "region": "350802", "forest_type": "masson_pine", "area_ha": 1200, "age_years": 25}],
      "cover": {"form": "per_tonne", "price_cny_per_tco2e": 20, "deductible_tco2e": 50},
      "premium": {"principle": "std_dev", "parameter": 0.25},
      "simulation": {"seed": 11, "threads": 2}
    })");
    j["cover"]["perils"] = perils;
    j["simulation"]["years"] = years;
    return j;
}

void expect_exact_split(const json& r) {
    ASSERT_TRUE(r.contains("expected_loss_by_peril_tco2e")) << r.dump();
    ASSERT_TRUE(r.contains("pure_premium_by_peril_cny")) << r.dump();
    EXPECT_EQ(printed_sum(r, "expected_loss_by_peril_tco2e"), printed(r, "expected_loss_tco2e"));
    EXPECT_EQ(printed_sum(r, "pure_premium_by_peril_cny"), printed(r, "pure_premium_cny"));
}

TEST(PerilSplitAnswer, IndexQuoteSplitSumsExactlyAndNamesTheCoveredPerils) {
    for (const long long seed : {1, 2, 3, 4, 5, 6, 7, 8}) {
        json j = index_request({"fire", "pest"}, 2000);
        j["simulation"]["seed"] = seed;
        const json r = quote_on(made_up(), j);
        expect_exact_split(r);
        EXPECT_EQ(keys(r["pure_premium_by_peril_cny"]), (std::set<std::string>{"fire", "pest"}));
        EXPECT_EQ(keys(r["expected_loss_by_peril_tco2e"]), (std::set<std::string>{"fire", "pest"}));
    }
}

// A peril absent from `perils` is no key and contributes nothing: the fire-only answer's
// expected loss is the fire share of the fire-and-pest answer (same draws, fire's own word).
TEST(PerilSplitAnswer, APerilAbsentFromThePerilsContributesNothing) {
    const json both = quote_on(made_up(), index_request({"fire", "pest"}));
    const json fire = quote_on(made_up(), index_request({"fire"}));
    EXPECT_EQ(keys(fire["expected_loss_by_peril_tco2e"]), std::set<std::string>{"fire"});
    EXPECT_EQ(fire["expected_loss_by_peril_tco2e"]["fire"].get<double>(), fire["expected_loss_tco2e"].get<double>());
    EXPECT_EQ(fire["pure_premium_by_peril_cny"]["fire"].get<double>(), fire["pure_premium_cny"].get<double>());
    EXPECT_NEAR(both["expected_loss_by_peril_tco2e"]["fire"].get<double>(), fire["expected_loss_tco2e"].get<double>(),
                1e-9 * fire["expected_loss_tco2e"].get<double>());
}

TEST(PerilSplitAnswer, SinkLossIndexAndFranchiseSplitToo) {
    json j = index_request({"fire", "pest"}, 2000);
    j["cover"]["index"] = "sink_loss";
    j["cover"]["franchise_tco2e"] = 100;
    expect_exact_split(quote_on(made_up(), j));
}

TEST(PerilSplitAnswer, SinkQuoteSplitsEachTermsPayout) {
    const json r = quote_on(made_up(), json::parse(R"({
      "product": "sink_insurance",
      "policy": {"id": "GC-1", "start": "2027-01-01", "term_months": 36},
      "holdings": [{"id": "h1", "region": "350802", "forest_type": "chinese_fir", "area_ha": 500, "age_years": 12}],
      "cover": {"perils": ["fire", "pest"], "target": {"tco2e": 3000}, "price_cny_per_tco2e": 35},
      "premium": {"principle": "expected_value", "parameter": 0},
      "simulation": {"years": 3000, "seed": 17, "threads": 2}
    })"));
    expect_exact_split(r);
    auto k = keys(r["pure_premium_by_peril_cny"]);
    k.erase("other");  // a poor growth alone pays
    EXPECT_EQ(k, (std::set<std::string>{"fire", "pest"}));
}

// On the shipped data: the Longyan policy as written (examples/quotes/longyan-index.json: fire,
// freeze, landslide) gets a positive share of its loss and premium from each peril.
TEST(PerilSplitAnswer, LongyanAsWrittenOnTheShippedDataHasAPositiveShareForEachPeril) {
    if (!tanhui::testing::quotes::have_historical()) GTEST_SKIP() << "data/historical is not there";
    data::Store store(tanhui::testing::quotes::calibrated_database());
    ModelCache cache;
    const auto model = cache.current(store);
    std::ifstream in(std::string(TANHUI_SOURCE_DIR) + "/examples/quotes/longyan-index.json");
    json j = json::parse(std::string(std::istreambuf_iterator<char>(in), {}));
    j["simulation"]["years"] = 20000;
    EXPECT_EQ(j["cover"]["perils"], json({"fire", "freeze", "landslide"}));
    auto d = decode_quote(j);
    ASSERT_TRUE(d.problems.empty());
    const json r = compute_quote(*d.value, QuoteContext{model.model.get(), model.version, 2});
    expect_exact_split(r);
    for (const char* peril : {"fire", "freeze", "landslide"}) {
        EXPECT_GT(r["expected_loss_by_peril_tco2e"][peril].get<double>(), 0) << peril;
        EXPECT_GT(r["pure_premium_by_peril_cny"][peril].get<double>(), 0) << peril;
    }
    EXPECT_EQ(keys(r["pure_premium_by_peril_cny"]), (std::set<std::string>{"fire", "freeze", "landslide"}));
}

TEST(PerilSplitAnswer, LayerAndBufferOnASimulatedPortfolioSplitExactly) {
    const json holdings = json::parse(R"([{"id": "h1", "region": "350802", "forest_type": "chinese_fir", "area_ha": 2000, "age_years": 18}])");
    for (const char* basis : {"occurrence", "aggregate"}) {
        json body = {{"holdings", holdings}, {"perils", {"fire", "pest"}}, {"price_cny_per_tco2e", 20},
                     {"simulation", {{"years", 3000}, {"seed", 3}}},
                     {"layer", {{"basis", basis}, {"attachment_cny", 1000}, {"limit_cny", 100000}}}};
        auto d = decode_layer(body, ProductLimits{});
        ASSERT_TRUE(d.value);
        const json r = compute_layer(*d.value, &made_up(), "made-up", 2);
        EXPECT_EQ(printed_sum(r, "expected_subject_loss_by_peril_cny"), printed(r, "expected_subject_loss_cny")) << basis;
        EXPECT_EQ(printed_sum(r, "expected_layer_loss_by_peril_cny"), printed(r, "expected_layer_loss_cny")) << basis;
        EXPECT_EQ(keys(r["expected_layer_loss_by_peril_cny"]), (std::set<std::string>{"fire", "pest"}));
    }
    json body = {{"holdings", holdings}, {"perils", {"fire", "pest"}}, {"horizon_years", 20},
                 {"simulation", {{"paths", 500}, {"seed", 3}}}};
    auto d = decode_buffer(body, ProductLimits{});
    ASSERT_TRUE(d.value);
    const json r = compute_buffer(*d.value, made_up(), "made-up", 2);
    EXPECT_EQ(printed_sum(r, "mean_reversal_share_by_peril"), printed(r, "mean_reversal_share"));
    EXPECT_EQ(keys(r["mean_reversal_share_by_peril"]), (std::set<std::string>{"fire", "pest"}));
}

}  // namespace
