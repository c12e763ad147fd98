// The quote request of DESIGN's JSON contract (v1), decoded and validated. One schema for HTTP,
// `tanhui quote` and batch.
#pragma once

#include "api/json/model_overrides.hpp"
#include "api/json/reader.hpp"
#include "data/types.hpp"
#include "pricing/premium.hpp"
#include "pricing/price_insurance.hpp"

#include <nlohmann/json.hpp>

#include <any>
#include <optional>
#include <string>
#include <vector>

namespace tanhui::api {

struct PolicyTerms {
    std::string id;
    std::string start;  // YYYY-MM-DD
    int term_months = 12;
};

struct SimulationTerms {
    long long years = 100'000;
    unsigned long long seed = 20270101;
    int threads = 0;  // 0 = all cores
};

struct ProductEntry;

struct QuoteRequest {
    const ProductEntry* product = nullptr;  // its entry in api/products/registry.hpp
    PolicyTerms policy;
    std::vector<Holding> holdings;
    // The product's terms (pricing/<product>.hpp, e.g. pricing::IndexInsuranceTerms), decoded by
    // its entry; read with terms_of<T>(cover) (api/products/registry.hpp).
    std::any cover;
    pricing::PremiumTerms premium;
    SimulationTerms simulation;
    ModelOverrides model;
    std::vector<double> return_periods{10, 100, 200};
    // A named stress scenario of the sink (risk/simulation/sink.hpp, "drought_2022"); only a
    // product with ProductEntry::takes_scenario accepts one.
    std::optional<std::string> scenario;
    // The answer adds the pure premium under the low and high value of each labelled assumption
    // its perils use (api/service/uncertainty.hpp).
    bool uncertainty = false;

    std::string product_name() const;  // "" when the product is unknown
};

struct DecodeLimits {
    long long max_years = 1'000'000;
    std::size_t max_holdings = 100'000;
};

// `base` prefixes every pointer (e.g. "/3" for the fourth request of an array).
Decoded<QuoteRequest> decode_quote(const nlohmann::json& body, const DecodeLimits& limits = {},
                                   const std::string& base = "");
Decoded<Holding> decode_holding(const nlohmann::json& j, const std::string& path);
// The "perils" array of an object: each a name of the peril registry (risk/perils/registry.hpp),
// once. Absent: `when_absent`, or a problem when that is empty.
std::vector<std::string> decode_perils(ObjectReader& r, std::vector<FieldProblem>& problems,
                                       const std::optional<std::vector<std::string>>& when_absent = std::nullopt);
// The "fixings" of an object: "monthly" (absent), "quarterly", "at_expiry" or strictly
// increasing dates.
pricing::Fixings decode_fixings(ObjectReader& r, std::vector<FieldProblem>& problems);
// Fixing dates as the answer lists them.
nlohmann::json fixings_json(const std::vector<pricing::Date>& dates);
std::vector<std::string> fixing_texts(const std::vector<pricing::Date>& dates);  // the same dates, "YYYY-MM-DD"

}  // namespace tanhui::api
