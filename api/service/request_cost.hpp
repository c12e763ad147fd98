// The cost of a request, known before any work starts (docs/reliability.md "Cost, lanes and
// budgets"): the server refuses a request over its ceiling, picks its lane and charges the key's
// budget from it. One unit is one simulated holding-year (a market-only simulation: one price
// path-year); a closed-form quote, a read or a decoding error costs 0 (the handler refuses a bad
// request itself, with its own problem). Read from the raw JSON, without the store: cheap enough
// for the I/O thread.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <string>

namespace tanhui::api {

struct RequestCost {
    double units = 0;    // simulated holding-years
    std::string fields;  // the fields that make it: "/simulation/years, /holdings" ("/0/..." in an array)
};

// A quote request (POST /v1/quotes: one request or an array): the sum over its elements of
// simulation.years (default 100000) x its holdings (at least 1); 0 for a price_insurance quote
// that is closed form throughout (risk_neutral, a closed-form engine, the expected_value load).
// An element that is not a valid object, or whose years are not an integer in [1, max_years],
// costs 0: the decoder refuses it.
RequestCost quote_request_cost(const nlohmann::json& body, long long max_years);

// Any other simulating request (POST /v1/portfolio/risk, the product endpoints): simulation.years
// (default `default_years`; 0 when the body has no "simulation" and no "holdings") x holdings
// (at least 1).
RequestCost simulation_request_cost(const nlohmann::json& body, long long max_years, long long default_years = 100'000);

}  // namespace tanhui::api
