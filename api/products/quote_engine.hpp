// Turns a decoded quote request and a model into the quote response of DESIGN's JSON contract.
// The only place where risk/ simulation and pricing/ products meet for a quote.
#pragma once

#include "api/json/quote_request.hpp"
#include "pricing/premium.hpp"
#include "risk/model/model.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace tanhui::api {

struct QuoteContext {
    const risk::Model* model = nullptr;
    std::string model_version;
    unsigned default_threads = 0;  // when the request does not say; 0 = all cores
};

// The request's "model" overrides and "premium" terms as risk/ and pricing/ take them.
risk::ModelOverrides to_risk_overrides(const ModelOverrides& overrides);
pricing::PremiumTerms to_premium_terms(const PremiumTerms& terms);

// The quote, without quote_id and created (the caller stamps and stores it). Deterministic:
// same request + seed + model = same bits, whatever the thread count. Throws InvalidInput with
// a JSON pointer (e.g. "/holdings/0/region") for a request the model cannot price.
nlohmann::json compute_quote(const QuoteRequest& request, const QuoteContext& context);

}  // namespace tanhui::api
