// The quote path: the strict decoder and the engine against closed forms and invariants.
#include "api/products/quote_engine.hpp"
#include "api/json/quote_request.hpp"
#include "pricing/asian_put.hpp"
#include "tests/api/empty_model.hpp"

#include <gtest/gtest.h>

#include <cmath>

using namespace tanhui;
using namespace tanhui::api;
using nlohmann::json;

namespace {

json index_request() {
    return json::parse(R"({
      "product": "index_insurance",
      "policy": {"id": "T-1", "start": "2027-01-01", "term_months": 12},
      "holdings": [{"id": "h1", "region": "350802", "forest_type": "chinese_fir", "area_ha": 2000, "age_years": 18}],
      "cover": {"perils": ["fire"], "form": "per_tonne", "price_cny_per_tco2e": 20, "deductible_tco2e": 0,
                "limit_cny": 1e12},
      "premium": {"principle": "expected_value", "parameter": 0},
      "simulation": {"years": 200000, "seed": 11},
      "model": {"fire": {"frequency": {"distribution": "poisson", "rate_per_year": 0.3},
                         "burned_area_ha": {"distribution": "lognormal", "mu": 3.0, "sigma": 1e-6},
                         "loss_fraction": 0.6},
                "carbon": {"stock_tco2e_per_ha": 150}}
    })");
}

QuoteRequest decoded(const json& j) {
    auto d = decode_quote(j);
    if (!d.problems.empty()) ADD_FAILURE() << d.problems.front().pointer << ": " << d.problems.front().message;
    return *d.value;
}

using tanhui::testing::empty_model;

std::vector<std::string> pointers(const json& j) {
    std::vector<std::string> out;
    for (const auto& p : decode_quote(j).problems) out.push_back(p.pointer);
    return out;
}

}  // namespace

TEST(QuoteDecoder, AcceptsTheDesignExample) {
    const auto d = decode_quote(index_request());
    EXPECT_TRUE(d.problems.empty());
    ASSERT_TRUE(d.value);
    EXPECT_EQ(d.value->holdings[0].region, "350802");
    EXPECT_EQ(d.value->simulation.seed, 11u);
}

TEST(QuoteDecoder, NamesEveryBadFieldByJsonPointer) {
    json j = index_request();
    j["policy"]["start"] = "2027-13-01";
    j["holdings"][0]["area_ha"] = -5;
    j["holdings"][0]["forest_type"] = "oak";
    j["cover"]["perils"] = {"fire", "flood"};
    j["simulation"]["years"] = 0;
    j["colour"] = "red";
    const auto p = pointers(j);
    for (const char* expected : {"/policy/start", "/holdings/0/area_ha", "/holdings/0/forest_type", "/cover/perils/1",
                                 "/simulation/years", "/colour"})
        EXPECT_NE(std::find(p.begin(), p.end(), expected), p.end()) << expected;
}

TEST(QuoteDecoder, WrongTypesAndMissingFields) {
    json j = index_request();
    j["holdings"][0]["area_ha"] = "2000";
    j["cover"].erase("price_cny_per_tco2e");
    j["premium"]["parameter"] = nullptr;  // null is "absent": allowed for an optional field
    const auto p = pointers(j);
    EXPECT_EQ(p, (std::vector<std::string>{"/holdings/0/area_ha", "/cover/price_cny_per_tco2e"}));
}

TEST(QuoteDecoder, AreaInMuIsConvertedAndBothAreRejected) {
    json j = index_request();
    j["holdings"][0].erase("area_ha");
    j["holdings"][0]["area_mu"] = 1500;
    EXPECT_DOUBLE_EQ(decoded(j).holdings[0].area_ha, 100);
    j["holdings"][0]["area_ha"] = 100;
    EXPECT_EQ(pointers(j), std::vector<std::string>{"/holdings/0/area_mu"});
}

TEST(QuoteDecoder, ExpensesMustLeaveAPositiveDenominator) {
    json j = index_request();
    j["premium"] = {{"expense_ratio", 0.5}, {"commission", 0.3}, {"profit_margin", 0.2}};
    EXPECT_EQ(pointers(j), std::vector<std::string>{"/premium/expense_ratio"});
}

TEST(QuoteDecoder, ArrayElementsArePrefixed) {
    json j = index_request();
    j["policy"]["term_months"] = 0;
    EXPECT_EQ(decode_quote(j, {}, "/3").problems.front().pointer, "/3/policy/term_months");
}

TEST(QuoteDecoder, NotAnObject) {
    EXPECT_EQ(pointers(json::array()), std::vector<std::string>{""});
    EXPECT_EQ(pointers(json(5)), std::vector<std::string>{""});
}

// Poisson(lambda) fires each burning a = e^mu ha (sigma ~ 0) of stock s at loss fraction f:
// the annual loss is N a s f tCO2e, so E[payout] = lambda a s f price, P(payout > 0) = 1 - e^-lambda
// (no deductible, no binding limit, the area cap 2000 ha far above a = 20 ha).
TEST(IndexQuote, PurePremiumIsTheCompoundPoissonMean) {
    const QuoteRequest q = decoded(index_request());
    const json r = compute_quote(q, {&empty_model(), "test", 2});
    const double a = std::exp(3.0), lambda = 0.3;
    const double expected = lambda * a * 150 * 0.6 * 20;
    EXPECT_NEAR(r["pure_premium_cny"].get<double>(), expected, 4 * r["pure_premium_se_cny"].get<double>());
    EXPECT_NEAR(r["probability_of_payout"].get<double>(), 1 - std::exp(-lambda), 4 * r["probability_of_payout_se"].get<double>());
    EXPECT_DOUBLE_EQ(r["sum_insured_cny"].get<double>(), 2000 * 150 * 20.0);
    EXPECT_NEAR(r["expected_loss_tco2e"].get<double>(), lambda * a * 150 * 0.6, 4 * r["expected_loss_se_tco2e"].get<double>());
}

TEST(IndexQuote, SameBitsForOneAndManyThreads) {
    json j = index_request();
    j["simulation"]["years"] = 20000;
    j["cover"]["perils"] = {"fire", "pest"};
    j["model"]["pest"] = {{"probability_per_year", 0.1}, {"affected_fraction", {{"a", 2}, {"b", 8}}}, {"mortality", 0.5}};
    const QuoteRequest q = decoded(j);
    const std::string one = compute_quote(q, {&empty_model(), "test", 1}).dump();
    EXPECT_EQ(compute_quote(q, {&empty_model(), "test", 2}).dump(), one);
    EXPECT_EQ(compute_quote(q, {&empty_model(), "test", 8}).dump(), one);
}

TEST(IndexQuote, PremiumFallsAsTheDeductibleRises) {
    json j = index_request();
    j["simulation"]["years"] = 20000;
    j["model"]["fire"]["burned_area_ha"]["sigma"] = 1.0;
    double last = INFINITY;
    for (double deductible : {0.0, 1000.0, 3000.0, 10000.0}) {
        j["cover"]["deductible_tco2e"] = deductible;
        const double p = compute_quote(decoded(j), {&empty_model(), "test", 2})["pure_premium_cny"].get<double>();
        EXPECT_LE(p, last) << deductible;
        last = p;
    }
}

TEST(IndexQuote, LinearPremiumFallsAsTheTriggerRises) {
    json j = index_request();
    j["simulation"]["years"] = 20000;
    j["model"]["fire"]["burned_area_ha"]["sigma"] = 1.5;
    j["cover"] = {{"perils", {"fire"}}, {"form", "linear"}, {"sum_insured_cny", 1e6}, {"trigger", 0.0}, {"exit", 0.05}};
    double last = INFINITY;
    for (double trigger : {0.0, 0.001, 0.01, 0.04}) {
        j["cover"]["trigger"] = trigger;
        const double p = compute_quote(decoded(j), {&empty_model(), "test", 2})["pure_premium_cny"].get<double>();
        EXPECT_LE(p, last) << trigger;
        last = p;
    }
}

TEST(IndexQuote, AHoldingWithoutAModelIsA422Field) {
    json j = index_request();
    j["model"].erase("fire");
    try {
        compute_quote(decoded(j), {&empty_model(), "test", 1});
        FAIL() << "priced without a fire model";
    } catch (const InvalidInput& e) {
        EXPECT_NE(std::string(e.field()).find("holdings"), std::string::npos) << e.field();
    }
}

// Risk-neutral price insurance: the pure premium is Q x the discounted Asian put of pricing/.
TEST(PriceQuote, RiskNeutralPureIsQuantityTimesTheAsianPut) {
    const json j = json::parse(R"({
      "product": "price_insurance",
      "policy": {"id": "NP-1", "start": "2027-01-01", "term_months": 12},
      "cover": {"market": "TEST", "quantity_tco2e": 1000, "target_price_cny": 15, "fixings": "monthly",
                "method": "risk_neutral", "engine": "geometric"},
      "simulation": {"years": 20000, "seed": 3},
      "model": {"price": {"spot": 15.5, "volatility": 0.35, "risk_free_rate": 0.02, "dividend_yield": 0}}
    })");
    const json r = compute_quote(decoded(j), {&empty_model(), "test", 1});
    pricing::AsianOption option;
    option.strike = 15;
    option.fixing_dates = pricing::fixing_schedule(pricing::parse_date("2027-01-01"), 12, pricing::FixingFrequency::monthly);
    pricing::BlackScholesMarket market;
    market.valuation_date = pricing::parse_date("2027-01-01");
    market.spot = 15.5;
    market.volatility = 0.35;
    market.risk_free_rate = 0.02;
    const auto put = pricing::price_asian(option, market, "geometric");
    EXPECT_DOUBLE_EQ(r["pure_premium_cny"].get<double>(), 1000 * put.value);
    EXPECT_EQ(r["pure_premium_se_cny"].get<double>(), 0.0);
    EXPECT_EQ(r["fixings"].size(), 12u);
}

TEST(PriceQuote, ActuarialPremiumRisesWithTheTarget) {
    json j = json::parse(R"({
      "product": "price_insurance",
      "policy": {"id": "NP-2", "start": "2027-01-01"},
      "cover": {"market": "TEST", "quantity_tco2e": 1000, "target_price_cny": 10, "method": "actuarial"},
      "simulation": {"years": 20000, "seed": 3},
      "model": {"price": {"spot": 15.5, "volatility": 0.35, "drift": 0}}
    })");
    double last = -1;
    for (double k : {10.0, 13.0, 15.5, 18.0}) {
        j["cover"]["target_price_cny"] = k;
        const double p = compute_quote(decoded(j), {&empty_model(), "test", 1})["pure_premium_cny"].get<double>();
        EXPECT_GE(p, last) << k;
        last = p;
    }
}
