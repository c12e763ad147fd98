// The cost of a request, known before any work starts (docs/reliability.md "Cost, lanes and
// budgets"): the server refuses a request over its ceiling, picks its lane and charges the key's
// budget from it. One unit is one simulated holding-year; a simulated price path counts each of
// its fixings as one unit (a path of 12 monthly fixings costs 12). What counts is what runs: a
// sink cover's every term year, an uncertainty band's further quotes, an endpoint's second pass
// over the same years. A closed-form quote, a read or a decoding error costs 0 (the handler
// refuses a bad request itself, with its own problem). Read from the raw JSON, without the store:
// cheap enough for the I/O thread.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <string>

namespace tanhui::api {

struct RequestCost {
    double units = 0;    // simulated holding-years and price path fixings
    std::string fields;  // the fields that make it: "/simulation/years, /holdings" ("/0/..." in an array)
    std::string what = "simulated holding-years (years x holdings)";  // how the units were counted
};

// A quote request (POST /v1/quotes: one request or an array, the HTTP batch: its policy-years
// summed over the elements). Per element, with years = simulation.years (default 100000):
//   index and other pool covers   years x holdings (at least 1)
//   sink_insurance                years x holdings x term years (policy.term_months / 12)
//   revenue_insurance             years x (holdings + fixings)
//   price_insurance               years x fixings (actuarial, or a simulated risk-neutral table),
//                                 plus min(years, 1e6) x fixings for the monte_carlo engine; 0
//                                 when closed form throughout (a closed-form engine and the
//                                 expected_value load)
//   "uncertainty": true           x (3 + 2 x banded_assumptions) for a cover with perils: the band
//                                 prices the quote again at each banded assumption's low and high
//                                 and at all low and all high (an upper bound: a cover reads some
//                                 of the server's banded assumptions only)
// fixings: cover.fixings, monthly (default) term_months, quarterly one per 3 months and the end,
// at_expiry 1, or the dates given. An element that is not a valid object, or whose years are
// not an integer in [1, max_years], costs 0: the decoder refuses it.
RequestCost quote_request_cost(const nlohmann::json& body, long long max_years, std::size_t banded_assumptions = 0);

// POST /v1/portfolio/risk and the reinsurance layer on holdings: simulation.years (default
// `default_years`) x holdings (at least 1) x `passes` (the layer simulates its years twice: the
// events, then the losses by peril); 0 when the body has no "simulation" and no "holdings" (a
// layer on an explicit loss table).
RequestCost simulation_request_cost(const nlohmann::json& body, long long max_years, long long default_years = 100'000,
                                    double passes = 1);
// POST /v1/risk/buffer: 2 x simulation.paths (default 10000) x horizon_years (default 40) x
// holdings (1 for "holding"): the reversal shares and then the losses by peril over the same years.
RequestCost buffer_request_cost(const nlohmann::json& body, long long max_years);
// POST /v1/valuations/damage: price.paths (default 100000) price paths of one fixing, simulated
// when the market's price model has jumps (an upper bound: the store is not read here).
RequestCost damage_request_cost(const nlohmann::json& body, long long max_years);

}  // namespace tanhui::api
