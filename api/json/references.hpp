// What the store knows that a quote request names: regions (GB/T 2260) and markets with their
// currency. A request is checked against them whether or not "model" overrides would let it be
// priced (issue 15, item 8): an unknown region or market is a 400 naming the field, and so is a
// market quoted in another currency than the cover's CNY (the rule of the damage valuation).
#pragma once

#include "api/json/field_problem.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace tanhui::api {

struct QuoteRequest;

struct ReferenceData {
    std::function<bool(const std::string& region)> region_exists;                       // normalised code
    std::function<std::optional<std::string>(const std::string& market)> market_currency;  // nullopt: unknown
};

// Every holding's region is in the regions table; the cover's market (if any) is a market quoted
// in CNY. Pointers are prefixed with `base`.
std::vector<FieldProblem> check_references(const QuoteRequest& request, const ReferenceData& references,
                                           const std::string& base = "");

// The problem of a market that is not quoted in CNY, or nullopt (shared by every CNY product).
std::optional<std::string> cny_market_problem(const std::string& market, const std::string& currency);

}  // namespace tanhui::api
