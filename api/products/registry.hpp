// The product registry (DESIGN "Architecture": registries are the only lists): each quote
// product is its pricing/<product>.{hpp,cpp} (terms, payout, validation), its
// api/products/<product>.cpp (decode its "cover", price it, encode its answer, its part in a
// batch) and one line in api/products/registry.cpp. The quote decoder, the quote route, `tanhui
// quote`, `tanhui batch` and the OpenAPI enum (a test compares them) read this list.
#pragma once

#include "api/json/reader.hpp"
#include "api/json/text.hpp"

#include <nlohmann/json.hpp>

#include <any>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tanhui::api {

struct QuoteRequest;
struct QuoteContext;
struct BatchPolicySetup;
struct BatchPolicyPlan;

// What the rest of a request's processing needs to know of a decoded cover.
struct CoverFacts {
    std::vector<std::string> perils;    // covered perils, as given (empty: none)
    std::optional<std::string> market;  // the reference market (price, revenue)
};

struct ProductEntry {
    std::string_view name;
    bool needs_holdings = true;  // false: a cover on a market alone (holdings optional, unused)
    bool takes_scenario = false; // accepts the request's "scenario" (a stress scenario of the sink)
    // The request's "cover" object into the product's terms (pricing/<product>.hpp), held in
    // QuoteRequest::cover; every bad field is added to `problems` with its JSON pointer.
    std::any (*decode_cover)(ObjectReader& cover, std::vector<FieldProblem>& problems) = nullptr;
    // Checks across the decoded request (e.g. the cover against "model"); may be null.
    void (*check_request)(const QuoteRequest& request, const std::string& base, std::vector<FieldProblem>& problems) = nullptr;
    CoverFacts (*facts)(const std::any& terms) = nullptr;
    // The terms as canonical JSON (batch checkpoints hash it; keys are the request's).
    nlohmann::json (*canonical_cover)(const std::any& terms) = nullptr;
    // The quote answer without quote_id and created, written member by member (its text and its
    // tree both come from it); throws InvalidInput with a JSON pointer.
    SortedJsonWriter (*quote)(const QuoteRequest& request, const QuoteContext& context) = nullptr;
    // One policy of a batch: its price leg and its per-year payout (api/batch/policy.hpp).
    BatchPolicyPlan (*plan_batch)(const QuoteRequest& request, const BatchPolicySetup& setup) = nullptr;
};

// api/products/registry.cpp: the only list of products, in the order the API lists them.
std::span<const ProductEntry> product_registry();
const ProductEntry* find_product(std::string_view name);  // nullptr when unknown
std::vector<std::string> product_names();

// The terms a product's decode_cover stored; throws std::logic_error when the request holds
// another product's terms (a bug: each entry reads only the terms it decoded).
template <class Terms>
const Terms& terms_of(const std::any& cover) {
    const Terms* t = std::any_cast<Terms>(&cover);
    if (!t) throw std::logic_error("a product read another product's terms");
    return *t;
}

}  // namespace tanhui::api
