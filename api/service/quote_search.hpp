// Finding stored quotes: GET /v1/quotes (docs/api.md "Finding quotes"). Filters by policy id,
// product, API key and time, newest first, a page at a time with an opaque cursor.
#pragma once

#include "api/json/field_problem.hpp"
#include "data/repositories/quotes.hpp"
#include "data/store/store.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tanhui::api {

inline constexpr int default_quote_page = 50;
inline constexpr int max_quote_page = 500;

struct QuoteSearch {
    data::QuoteFilter filter;
    std::vector<FieldProblem> problems;  // /query/<name> of each bad parameter
};

// The query parameters policy_id, product, key_id, from, to (YYYY-MM-DD, or YYYY-MM-DDTHH:MM:SSZ;
// both inclusive: a date `to` is the whole day), cursor and limit (1 to max_quote_page, default
// default_quote_page). Unknown parameters are problems too.
QuoteSearch decode_quote_search(const std::map<std::string, std::string>& query);

// One page: {"quotes": [summary...], "next_cursor": "..." or null}. A summary is the quote's id,
// time, product, policy, key, model version, seed, years and premiums; GET /v1/quotes/{id} has
// the whole quote.
nlohmann::json quote_page(data::Store& store, const data::QuoteFilter& filter);

}  // namespace tanhui::api
