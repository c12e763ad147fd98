// POST /v1/experience/credibility, `tanhui credibility`: Buhlmann-Straub credibility
// (pricing/credibility.hpp) from {groups: [{id, ratios, weights}]}. docs/products.md "Credibility".
#pragma once

#include "api/products/outcome.hpp"
#include "pricing/credibility.hpp"

#include <nlohmann/json.hpp>

#include <vector>

namespace tanhui::api {

struct CredibilityRequest {
    std::vector<pricing::CredibilityGroup> groups;
};
Decoded<CredibilityRequest> decode_credibility(const nlohmann::json& body);

// {collective_premium, within_variance, between_variance, groups: [{id, credibility_factor,
// premium}], warnings?}: DESIGN's shape exactly; `warnings` only when there is one.
nlohmann::ordered_json credibility_json(const pricing::CredibilityResult& result);

// Decode, compute, answer: needs neither the store nor the model.
ProductOutcome credibility(const nlohmann::json& body);
ProductOutcome handle_credibility(const nlohmann::json& body, const EndpointContext& context);

}  // namespace tanhui::api
