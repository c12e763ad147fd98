// A batch prices every product (issue 15, item 4): index, price (actuarial and risk-neutral) and
// revenue insurance in one portfolio, CSV and JSON. A one-policy batch of each product is its
// quote, number for number (leg 0 is the quote's price path; a risk-neutral policy keeps the
// engine's price); the portfolio's CNY loss is the sum of the policies' physical payouts; equal
// legs are simulated once; a request's "simulation" is honoured or refused.
#include "api/batch/batch.hpp"
#include "api/batch/portfolio.hpp"
#include "api/products/quote_engine.hpp"
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

// The made-up model with two made-up markets: an OU market with jumps and a GBM one.
const risk::Model& model() {
    static const risk::Model m = [] {
        risk::Model model = risk::made_up_model();
        risk::PriceModel ou;
        ou.market = "OUX";
        ou.process = risk::PriceProcess::ou;
        ou.spot = 15.5;
        ou.volatility = 0.4;
        ou.mean_reversion = 1.2;
        ou.long_run_log_price = std::log(18.0);
        ou.jump_intensity = 2;
        ou.jump_mean = -0.1;
        ou.jump_std = 0.2;
        ou.risk_neutral_volatility = 0.45;
        model.prices["OUX"] = ou;
        risk::PriceModel gbm;
        gbm.market = "GBX";
        gbm.spot = 80;
        gbm.drift = 0.03;
        gbm.volatility = 0.3;
        model.prices["GBX"] = gbm;
        return model;
    }();
    return m;
}

const char* holdings_json = R"([{"id": "a", "region": "350802", "forest_type": "masson_pine", "area_ha": 800, "age_years": 20},
                                {"id": "b", "region": "3507", "forest_type": "chinese_fir", "area_ha": 1200, "age_years": 15}])";

json index_request(const std::string& id) {
    json j = json::parse(R"({"product": "index_insurance", "policy": {"id": "", "start": "2027-01-01"},
      "cover": {"perils": ["fire", "pest"], "form": "per_tonne", "price_cny_per_tco2e": 20, "deductible_tco2e": 50},
      "premium": {"principle": "std_dev", "parameter": 0.25, "expense_ratio": 0.15}})");
    j["policy"]["id"] = id;
    j["holdings"] = json::parse(holdings_json);
    return j;
}

json price_request(const std::string& id, const std::string& method, const std::string& principle = "std_dev") {
    json j = json::parse(R"({"product": "price_insurance", "policy": {"id": "", "start": "2027-01-01"},
      "cover": {"market": "OUX", "quantity_tco2e": 10000, "target_price_cny": 15, "fixings": "monthly"},
      "premium": {"principle": "", "parameter": 0.2}})");
    j["policy"]["id"] = id;
    j["cover"]["method"] = method;
    j["premium"]["principle"] = principle;
    return j;
}

json revenue_request(const std::string& id) {
    json j = json::parse(R"({"product": "revenue_insurance", "policy": {"id": "", "start": "2027-01-01"},
      "cover": {"market": "OUX", "quantity_tco2e": 20000, "guaranteed_revenue_cny": 300000, "perils": ["fire", "pest"],
                "fixings": "monthly"},
      "premium": {"principle": "cost_of_capital", "parameter": 0.1}})");
    j["policy"]["id"] = id;
    j["holdings"] = json::parse(holdings_json);
    return j;
}

std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

BatchOptions options_for(const fs::path& out, unsigned threads = 2) {
    BatchOptions o;
    o.years = 3'000;
    o.seed = 20270101;
    o.threads = threads;
    o.out = out;
    o.chunk_years = 700;
    o.progress = ProgressStyle::quiet;
    return o;
}

json batch_results(const json& requests, const fs::path& out, unsigned threads = 2) {
    const Portfolio portfolio = parse_portfolio("p.json", requests.dump(), {}, "");
    run_batch(portfolio, model(), "made-up", options_for(out, threads));
    return json::parse(read(out / "results.json"));
}

json quote_of(json request) {
    request["simulation"] = {{"years", 3000}, {"seed", 20270101}};
    const auto d = decode_quote(request);
    EXPECT_TRUE(d.value) << (d.problems.empty() ? "" : d.problems[0].pointer + ": " + d.problems[0].message);
    return compute_quote(*d.value, {&model(), "made-up", 1});
}

void expect_quote_numbers(const json& batch, const json& quote) {
    for (const char* key : {"sum_insured_cny", "pure_premium_cny", "pure_premium_se_cny", "risk_load_cny", "gross_premium_cny",
                            "subsidy_cny", "insured_pays_cny", "rate_on_sum_insured", "probability_of_payout"})
        EXPECT_EQ(batch[key].get<double>(), quote[key].get<double>()) << key;
    for (const auto& [t, v] : quote["payout_at_return_period_cny"].items())
        EXPECT_EQ(batch["payout_at_return_period_cny"][t].get<double>(), v.get<double>()) << t;
}

// Leg 0 of a one-policy portfolio is its quote's price path (and its holdings the quote's book):
// revenue and actuarial price policies get their quotes' numbers exactly.
TEST(MixedBatch, OnePolicyOfEachSimulatedProductIsItsQuote) {
    for (const json& request : {revenue_request("R"), price_request("P", "actuarial")}) {
        SCOPED_TRACE(request["product"].get<std::string>());
        TempDir dir;
        const json batch = batch_results(json::array({request}), dir / "out").at(0);
        const json quote = quote_of(request);
        expect_quote_numbers(batch, quote);
        EXPECT_EQ(batch["payout_std_dev_cny"].get<double>(), quote["payout_std_dev_cny"].get<double>());
        EXPECT_EQ(batch["expected_payout_cny"].get<double>(), quote["pure_premium_cny"].get<double>());
    }
}

// A risk-neutral policy's premium is its quote's (the engine's price; the closed-form
// distribution, or the simulated risk-neutral table); its physical payouts fill its column.
TEST(MixedBatch, RiskNeutralPolicyKeepsItsQuotesNumbers) {
    for (const std::string principle : {"expected_value", "std_dev"}) {
        SCOPED_TRACE(principle);
        const json request = price_request("RN", "risk_neutral", principle);
        TempDir dir;
        const json batch = batch_results(json::array({request}), dir / "out").at(0);
        const json quote = quote_of(request);
        expect_quote_numbers(batch, quote);
        if (principle == "expected_value") {
            EXPECT_TRUE(batch["payout_std_dev_cny"].is_null());  // closed form: none
        }
        EXPECT_EQ(batch["engine"], "turnbull_wakeman");
        // The column is physical: its mean is the actuarial quote's pure premium.
        const json actuarial = quote_of(price_request("A", "actuarial", principle));
        EXPECT_EQ(batch["expected_payout_cny"].get<double>(), actuarial["pure_premium_cny"].get<double>());
    }
}

// The whole portfolio: its CNY AAL is the sum of the policies' expected payouts (not of the
// risk-neutral pure premiums); the three OUX policies share one leg; same bytes at 1 and 2 threads.
TEST(MixedBatch, PortfolioAddsUpAndLegsAreShared) {
    const json requests = json::array({index_request("I"), price_request("PA", "actuarial"), price_request("PR", "risk_neutral"),
                                       revenue_request("R")});
    TempDir dir;
    const json results = batch_results(requests, dir / "one", 1);
    batch_results(requests, dir / "two", 2);
    for (const char* f : {"results.csv", "results.json", "metrics.json", "ylt_cny.csv", "ept_cny.csv"})
        EXPECT_EQ(read(dir / "one" / f), read(dir / "two" / f)) << f;
    const json metrics = json::parse(read(dir / "one" / "metrics.json"));
    double sum = 0;
    for (const auto& r : results) sum += r["expected_payout_cny"].get<double>();
    EXPECT_NEAR(sum, metrics["cny"]["aal"].get<double>(), 1e-9 * sum);
    ASSERT_EQ(metrics["price_legs"].size(), 1u);
    EXPECT_EQ(metrics["price_legs"][0]["policies"], 3);
    EXPECT_EQ(results[1]["expected_payout_cny"], results[2]["expected_payout_cny"]);  // same leg, same payout
    EXPECT_EQ(metrics["holdings"], 2);  // the price policies add no holdings
    const std::string csv = read(dir / "one" / "results.csv");
    EXPECT_NE(csv.find(",tvar_contribution_cny,market,method,engine,expected_payout_cny,expected_payout_se_cny,"
                       "premium_principle,model_version,seed,years,beyond_simulation,mc_error_flag\n"), std::string::npos);
    EXPECT_NE(csv.find("\nPR,price_insurance,,,0,0,150000,"), std::string::npos) << csv;
}

TEST(MixedBatch, PricePoliciesAloneNeedNoHoldings) {
    TempDir dir;
    const json results = batch_results(json::array({price_request("P1", "actuarial"), price_request("P2", "risk_neutral")}), dir / "out");
    EXPECT_EQ(results.size(), 2u);
    const json metrics = json::parse(read(dir / "out" / "metrics.json"));
    EXPECT_EQ(metrics["tco2e"]["aal"], 0.0);
    EXPECT_GT(metrics["cny"]["aal"].get<double>(), 0.0);
}

// CSV: the columns price and revenue policies need; bad cells named FILE:LINE: column.
TEST(MixedBatch, CsvPortfolioWithEveryProduct) {
    const std::vector<Holding> holdings = risk::made_up_holdings(8);
    const std::string head = "policy_id,holding_ids,product,perils,form,price_cny_per_tco2e,market,quantity_tco2e,target_price_cny,"
                             "fixings,method,engine,guaranteed_revenue_cny\n";
    const std::string good = head + "I,made-up-0;made-up-1,index_insurance,fire;pest,per_tonne,20,,,,,,,\n"
                                    "P,,price_insurance,,,,GBX,1000,75,quarterly,risk_neutral,geometric,\n"
                                    "Q,,price_insurance,,,,GBX,1000,75,2027-06-30;2027-12-31,actuarial,,\n"
                                    "R,made-up-2,revenue_insurance,fire,,,OUX,5000,,monthly,,,60000\n";
    const Portfolio p = parse_portfolio("p.csv", good, holdings, "holdings.csv");
    ASSERT_EQ(p.policies.size(), 4u);
    EXPECT_EQ(p.holdings.size(), 3u);
    TempDir dir;
    run_batch(p, model(), "made-up", options_for(dir / "out"));
    EXPECT_EQ(json::parse(read(dir / "out" / "results.json")).size(), 4u);

    const std::string bad = head + "P,,price_insurance,,,,GBX,1000,75,weekly,actuarial,,\n"
                                   "Q,,price_insurance,,,,GBX,1000,75,monthly,actuarial,geometric,\n"
                                   "R,made-up-2,revenue_insurance,fire,,,OUX,5000,,monthly,,,\n"
                                   "S,made-up-3,index_insurance,fire,linear,20,,,,,,,\n";
    try {
        parse_portfolio("p.csv", bad, holdings, "holdings.csv");
        FAIL() << "no error";
    } catch (const PortfolioError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("p.csv:2: fixings: must be \"monthly\""), std::string::npos) << what;
        EXPECT_NE(what.find("p.csv:3: engine: applies to method \"risk_neutral\" only"), std::string::npos) << what;
        EXPECT_NE(what.find("p.csv:4: guaranteed_revenue_cny: is required"), std::string::npos) << what;
        EXPECT_NE(what.find("p.csv:5: sum_insured_cny: is required"), std::string::npos) << what;
    }
}

// A JSON request's "simulation" is the batch's or absent; anything else is refused by pointer.
TEST(MixedBatch, RequestSimulationIsHonouredOrRefused) {
    json same = index_request("I");
    same["simulation"] = {{"years", 3000}, {"seed", 20270101}, {"threads", 4}};
    json other = price_request("P", "actuarial");
    other["simulation"] = {{"years", 100000}, {"seed", 20270101}};
    const PortfolioChecks checks{3000, 20270101, nullptr};
    EXPECT_NO_THROW(parse_portfolio("p.json", json::array({same, price_request("Q", "actuarial")}).dump(), {}, "", checks));
    try {
        parse_portfolio("p.json", json::array({same, other}).dump(), {}, "", checks);
        FAIL() << "no error";
    } catch (const PortfolioError& e) {
        EXPECT_NE(std::string(e.what()).find("p.json: /1/simulation: years 100000 and seed 20270101 differ from the batch's "
                                             "--years 3000 --seed 20270101"),
                  std::string::npos)
            << e.what();
    }
}

// Checked against the store's reference data when given: unknown region and market, EUR market.
TEST(MixedBatch, ReferencesAreChecked) {
    ReferenceData refs;
    refs.region_exists = [](const std::string& r) { return r != "999999"; };
    refs.market_currency = [](const std::string& m) -> std::optional<std::string> {
        if (m == "EUA") return "EUR";
        if (m == "OUX") return "CNY";
        return std::nullopt;
    };
    json bad_region = index_request("I");
    bad_region["holdings"][1]["region"] = "999999";
    json eua = price_request("E", "actuarial");
    eua["cover"]["market"] = "EUA";
    json nasdaq = price_request("N", "actuarial");
    nasdaq["cover"]["market"] = "NASDAQ";
    try {
        parse_portfolio("p.json", json::array({bad_region, eua, nasdaq}).dump(), {}, "", PortfolioChecks{std::nullopt, std::nullopt, &refs});
        FAIL() << "no error";
    } catch (const PortfolioError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("p.json: /0/holdings/1/region: unknown region \"999999\""), std::string::npos) << what;
        EXPECT_NE(what.find("p.json: /1/cover/market: market EUA is quoted in EUR"), std::string::npos) << what;
        EXPECT_NE(what.find("p.json: /2/cover/market: unknown market \"NASDAQ\""), std::string::npos) << what;
    }
}

// A leg whose prices overflow would pay nothing without a word: every policy on it is named.
TEST(MixedBatch, AnOverflowingLegIsNamedBeforeAnythingIsWritten) {
    json p = price_request("P", "actuarial");
    p["model"] = json::parse(R"({"price": {"process": "gbm", "spot": 15.5, "volatility": 0.4, "jump_intensity": 365,
                                          "jump_mean": 5, "jump_std": 5}})");
    const Portfolio portfolio = parse_portfolio("p.json", json::array({p}).dump(), {}, "");
    TempDir dir;
    try {
        run_batch(portfolio, model(), "made-up", options_for(dir / "out"));
        FAIL() << "no error";
    } catch (const PortfolioError& e) {
        EXPECT_NE(std::string(e.what()).find("p.json: /0/model/price: the price process overflows"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(fs::exists(dir / "out"));
}

}  // namespace
}  // namespace tanhui::api
