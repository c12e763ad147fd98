// The price-insurance answer's bytes, pinned: tests/api/products/price_answers.txt holds, for each
// request below, the compact text of its answer as main (9803b0d) wrote it, by nlohmann's dump of
// the answer's tree, before the answer was written straight to text (docs/performance.md "Issue
// 18 item 5"). One line per request: its name, a tab, the text (or "! " and the 422's message).
// The requests cover each engine and method, each premium principle, the optional parts (return
// periods, beyond-simulation periods, overrides of every price family, explicit fixing dates,
// holdings for the per-area rates) and a price process that overflows.
#include "api/json/quote_request.hpp"
#include "api/json/text.hpp"
#include "api/products/quote_engine.hpp"
#include "tests/api/empty_model.hpp"
#include "tests/paths.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace tanhui::api {
namespace {

using json = nlohmann::json;

using tanhui::testing::empty_model;

json base_request() {
    return json::parse(R"({"product": "price_insurance",
      "policy": {"id": "NP-2027-001", "start": "2027-01-01", "term_months": 12},
      "cover": {"market": "FJEA", "quantity_tco2e": 100000, "target_price_cny": 15.0, "fixings": "monthly",
                "method": "risk_neutral", "engine": "turnbull_wakeman"},
      "premium": {"principle": "expected_value", "parameter": 0.1, "expense_ratio": 0.15, "commission": 0.05,
                  "profit_margin": 0.05},
      "simulation": {"years": 20000, "seed": 20270101},
      "model": {"price": {"spot": 15.5, "volatility": 0.35, "drift": 0.01, "risk_free_rate": 0.02,
                          "dividend_yield": 0.005}}})");
}

// Each case: a name and the changes to the base request (a JSON merge patch).
std::vector<std::pair<std::string, json>> cases() {
    return {
        {"turnbull_wakeman", json::object()},
        {"turnbull_wakeman_std_dev", json::parse(R"({"premium": {"principle": "std_dev", "parameter": 0.3}})")},
        {"turnbull_wakeman_wang", json::parse(R"({"premium": {"principle": "wang", "parameter": 0.25}})")},
        {"turnbull_wakeman_cost_of_capital",
         json::parse(R"({"premium": {"principle": "cost_of_capital", "parameter": 0.1, "alpha": 0.99, "subsidy_share": 0.5}})")},
        {"turnbull_wakeman_return_periods", json::parse(R"({"return_periods": [2.5, 10, 1000, 1e6]})")},
        {"turnbull_wakeman_no_premium", json::parse(R"({"premium": null})")},
        {"geometric_quarterly", json::parse(R"({"cover": {"engine": "geometric", "fixings": "quarterly"}})")},
        {"geometric_at_expiry", json::parse(R"({"cover": {"engine": "geometric", "fixings": "at_expiry"}})")},
        {"turnbull_wakeman_dates",
         json::parse(R"({"cover": {"fixings": ["2027-03-31", "2027-06-30", "2027-09-30", "2027-12-31"]}})")},
        {"monte_carlo", json::parse(R"({"cover": {"engine": "monte_carlo"}, "simulation": {"years": 5000, "seed": 7},
                                        "return_periods": [10, 10000]})")},
        {"monte_carlo_std_dev", json::parse(R"({"cover": {"engine": "monte_carlo"}, "simulation": {"years": 3000},
                                                "premium": {"principle": "std_dev", "parameter": 0.2}})")},
        {"actuarial", json::parse(R"({"cover": {"method": "actuarial", "engine": null}})")},
        {"actuarial_jumps_ou",
         json::parse(R"({"cover": {"method": "actuarial", "engine": null}, "return_periods": [5, 50000],
                         "model": {"price": {"process": "ou", "mean_reversion": 0.8, "long_run_price": 14,
                                             "jump_intensity": 0.5, "jump_mean": -0.1, "jump_std": 0.2}}})")},
        {"actuarial_tail_noise",
         json::parse(R"({"cover": {"method": "actuarial", "engine": null},
                         "model": {"price": {"tail_dof": 4, "noise_sd": 0.05}}})")},
        {"risk_neutral_tail",
         json::parse(R"({"model": {"price": {"tail_dof": 5, "jump_intensity": 0.3, "jump_mean": -0.05, "jump_std": 0.1}}})")},
        {"holdings", json::parse(R"({"holdings": [
            {"id": "h1", "region": "350802", "forest_type": "chinese_fir", "area_ha": 2000, "age_years": 18},
            {"id": "h2", "region": "350802", "forest_type": "masson_pine", "area_mu": 1500, "age_years": 25}]})")},
        {"overflow", json::parse(R"({"cover": {"method": "actuarial", "engine": null},
                                     "model": {"price": {"volatility": 0.4, "jump_intensity": 365, "jump_mean": 5,
                                                         "jump_std": 5}}})")},
    };
}

// The answer's text, or "! " and the message of the 422 it throws.
std::string answer_text(const json& request) {
    const auto d = decode_quote(request);
    if (!d.value) return "! decode: " + d.problems.front().pointer + ": " + d.problems.front().message;
    try {
        const QuoteContext context{&empty_model(), "m-test", 1};
        const std::string text = compute_answer(*d.value, context).text();
        // The tree (tests, uncertainty bands, the CLI) is the same answer.
        EXPECT_EQ(compute_quote(*d.value, context).dump(), text);
        return text;
    } catch (const InvalidInput& e) {
        return std::string("! ") + e.what();
    }
}

std::map<std::string, std::string> pinned() {
    std::ifstream in(std::string(TANHUI_SOURCE_DIR) + "/tests/api/products/price_answers.txt");
    std::map<std::string, std::string> out;
    for (std::string line; std::getline(in, line);) {
        const auto tab = line.find('\t');
        if (tab != std::string::npos) out[line.substr(0, tab)] = line.substr(tab + 1);
    }
    return out;
}

// TANHUI_PRINT_PRICE_ANSWERS=1 prints the lines of price_answers.txt as this build writes them.
TEST(PriceAnswer, EveryByteAsPinned) {
    const auto expected = pinned();
    const bool print = std::getenv("TANHUI_PRINT_PRICE_ANSWERS") != nullptr;
    EXPECT_TRUE(print || expected.size() == cases().size()) << "tests/api/products/price_answers.txt";
    for (const auto& [name, patch] : cases()) {
        SCOPED_TRACE(name);
        json request = base_request();
        request.merge_patch(patch);
        const std::string got = answer_text(request);
        if (print) std::cout << name << '\t' << got << '\n';
        else EXPECT_EQ(got, expected.count(name) ? expected.at(name) : "(not pinned)");
    }
}

}  // namespace
}  // namespace tanhui::api
