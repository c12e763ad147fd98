// sink_insurance in a batch (issue 17): multi-year terms (term p = batch years pT .. pT + T - 1,
// paid in its last year), the drought scenario, model.sink and the pests' defoliation. A
// one-policy batch is its quote, number for number: the quote's path p is the batch's term p.
#include "api/batch/batch.hpp"
#include "api/batch/portfolio.hpp"
#include "api/products/quote_engine.hpp"
#include "risk/perils/pest.hpp"
#include "tests/data/test_db.hpp"
#include "tests/risk/made_up_book.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

namespace tanhui::api {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using tanhui::testing::TempDir;

// The made-up model with pests that defoliate (forgone growth) besides killing.
const risk::Model& model() {
    static const risk::Model m = [] {
        risk::Model x = risk::made_up_model();
        risk::PestModel pest = *risk::pest_model(x);
        pest.growth_loss_fraction = 0.01;
        risk::set_pest_model(x, pest);
        return x;
    }();
    return m;
}

json sink_request(int term_months, const std::string& settlement) {
    json j = json::parse(R"({"product": "sink_insurance", "policy": {"id": "S", "start": "2027-01-01"},
      "holdings": [{"id": "a", "region": "350802", "forest_type": "chinese_fir", "area_ha": 500, "age_years": 12},
                   {"id": "b", "region": "3507", "forest_type": "masson_pine", "area_ha": 300, "age_years": 20}],
      "cover": {"perils": ["fire", "pest"], "target": {"tco2e": 4000}, "price_cny_per_tco2e": 35},
      "premium": {"principle": "std_dev", "parameter": 0.25, "expense_ratio": 0.15}})");
    j["policy"]["term_months"] = term_months;
    j["cover"]["settlement"] = settlement;
    return j;
}

std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

json batch_results(const json& requests, const fs::path& out, std::uint32_t years) {
    const Portfolio portfolio = parse_portfolio("p.json", requests.dump(), {}, "");
    BatchOptions o;
    o.years = years;
    o.seed = 20270101;
    o.threads = 2;
    o.out = out;
    o.chunk_years = 700;
    o.progress = ProgressStyle::quiet;
    run_batch(portfolio, model(), "made-up", o);
    return json::parse(read(out / "results.json"));
}

json quote_of(json request, std::uint32_t terms) {
    request["simulation"] = {{"years", terms}, {"seed", 20270101}};
    const auto d = decode_quote(request);
    EXPECT_TRUE(d.value) << (d.problems.empty() ? "" : d.problems[0].pointer + ": " + d.problems[0].message);
    return compute_quote(*d.value, {&model(), "made-up", 2});
}

// 12 months, 3 years settled each year and on the term, 5 years with a measurement error, the
// drought scenario and a model.sink override: the batch's numbers are the quote's, bit for bit;
// its expected payout is the term's pure premium spread over the term's years.
TEST(SinkBatch, OnePolicyBatchIsItsQuoteForEveryTerm) {
    std::vector<json> requests{sink_request(12, "annual"), sink_request(36, "annual"), sink_request(36, "term"),
                               sink_request(60, "term")};
    requests[3]["cover"]["measurement"] = {{"cv", 0.05}};
    json drought = sink_request(24, "annual");
    drought["scenario"] = "drought_2022";
    drought["model"] = {{"sink", {{"cv", 0.2}}}};
    requests.push_back(drought);
    for (const json& request : requests) {
        const int t = request["policy"]["term_months"].get<int>() / 12;
        SCOPED_TRACE(request["policy"]["term_months"].dump() + " " + request["cover"]["settlement"].get<std::string>());
        const std::uint32_t terms = 1'200;
        TempDir dir;
        const json batch = batch_results(json::array({request}), dir / "out", terms * static_cast<std::uint32_t>(t)).at(0);
        const json quote = quote_of(request, terms);
        for (const char* key : {"sum_insured_cny", "pure_premium_cny", "pure_premium_se_cny", "risk_load_cny", "gross_premium_cny",
                                "rate_on_sum_insured", "probability_of_payout"})
            EXPECT_EQ(batch[key].get<double>(), quote[key].get<double>()) << key;
        EXPECT_GT(quote["pure_premium_cny"].get<double>(), 0.0);
        // Where the premium comes from: each peril's share of every term's payout by the carbon it
        // lost over the whole term, in the batch as in the quote (summed in another order).
        const json& by_quote = quote["pure_premium_by_peril_cny"];
        for (const auto& [peril, cny] : by_quote.items())
            EXPECT_NEAR(batch["pure_premium_by_peril_cny"][peril].get<double>(), cny.get<double>(),
                        1e-9 * quote["pure_premium_cny"].get<double>() + 1e-9)
                << peril;
        EXPECT_NEAR(batch["expected_payout_cny"].get<double>() * t, quote["pure_premium_cny"].get<double>(),
                    1e-9 * quote["pure_premium_cny"].get<double>());
        if (t > 1) {
            EXPECT_EQ(batch["term_years"], t);
        }
        if (request.contains("scenario")) {
            EXPECT_EQ(batch["scenario"], "drought_2022");
        }
    }
}

// Years that do not make a whole term pay nothing; fewer years than a term are refused by pointer.
TEST(SinkBatch, APartTermPaysNothingAndTooFewYearsAreRefused) {
    TempDir dir;
    const json request = sink_request(36, "annual");
    const json whole = batch_results(json::array({request}), dir / "whole", 3'000).at(0);
    const json more = batch_results(json::array({request}), dir / "more", 3'002).at(0);
    EXPECT_EQ(whole["pure_premium_cny"], more["pure_premium_cny"]);
    EXPECT_NEAR(more["expected_payout_cny"].get<double>() * 3'002, whole["expected_payout_cny"].get<double>() * 3'000,
                1e-9 * whole["expected_payout_cny"].get<double>() * 3'000);
    try {
        batch_results(json::array({sink_request(60, "term")}), dir / "few", 4);
        FAIL() << "no error";
    } catch (const PortfolioError& e) {
        EXPECT_NE(std::string(e.what()).find("/0/policy/term_months: a 5-year term needs at least 5 batch years"), std::string::npos)
            << e.what();
    }
}

// CSV: term_months and the scenario column.
TEST(SinkBatch, CsvTakesTermsAndTheScenario) {
    const std::vector<Holding> holdings = risk::made_up_holdings(4);
    const std::string csv = "policy_id,holding_ids,product,perils,price_cny_per_tco2e,target_growth_fraction,term_months,"
                            "settlement,scenario\n"
                            "S1,made-up-0;made-up-1,sink_insurance,fire;pest,35,0.02,36,term,\n"
                            "S2,made-up-2,sink_insurance,fire,35,0.02,12,annual,drought_2022\n";
    const Portfolio p = parse_portfolio("p.csv", csv, holdings, "holdings.csv");
    ASSERT_EQ(p.policies.size(), 2u);
    EXPECT_EQ(p.policies[0].request.policy.term_months, 36);
    EXPECT_EQ(p.policies[1].request.scenario, std::optional<std::string>("drought_2022"));
    try {
        parse_portfolio("p.csv", csv + "S3,made-up-3,sink_insurance,fire,35,0.02,12,annual,drought_2099\n", holdings, "holdings.csv");
        FAIL() << "no error";
    } catch (const PortfolioError& e) {
        EXPECT_NE(std::string(e.what()).find("p.csv:4: scenario:"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace tanhui::api
