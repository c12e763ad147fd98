// POST /v1/reinsurance/layer, `tanhui layer`: a per-occurrence or annual-aggregate excess-of-loss
// layer (pricing/layers.hpp) on an explicit loss table in CNY, or on a portfolio simulated on the
// current model (risk/simulation/event_losses.hpp). docs/products.md "Reinsurance layer".
#pragma once

#include "api/products/outcome.hpp"
#include "data/types.hpp"
#include "pricing/layers.hpp"
#include "risk/metrics/year_table.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tanhui::risk {
struct Model;
}

namespace tanhui::api {

struct LayerRequest {
    pricing::LayerBasis basis = pricing::LayerBasis::occurrence;
    pricing::Layer layer;
    // Either an explicit loss table in CNY ...
    std::optional<risk::LossTable> loss_table;
    // ... or a portfolio simulated on the current model; loss in CNY = tCO2e x price.
    std::vector<Holding> holdings;
    std::vector<std::string> perils;  // absent from the request: risk::default_perils()
    double price_cny_per_tco2e = 0;
    std::uint32_t years = 100'000;
    std::uint64_t seed = 1;
    unsigned threads = 0;
};
Decoded<LayerRequest> decode_layer(const nlohmann::json& body, const ProductLimits& limits = {});

// `model` may be null for an explicit table. Throws InvalidInput; risk::Cancelled once `cancel` is set.
nlohmann::ordered_json compute_layer(const LayerRequest& request, const risk::Model* model,
                                     const std::string& model_version, unsigned default_threads = 0,
                                     risk::CancelFlag cancel = nullptr);

ProductOutcome handle_layer(const nlohmann::json& body, const EndpointContext& context);

}  // namespace tanhui::api
