// POST /v1/risk/buffer, `tanhui buffer`: the reversal buffer of a project (pricing/buffer.hpp) on
// cumulative reversal paths simulated on the current model (risk/simulation/reversal.hpp).
// docs/products.md "Reversal buffer".
#pragma once

#include "api/products/outcome.hpp"
#include "data/types.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tanhui::risk {
struct Model;
}

namespace tanhui::api {

struct BufferRequest {
    std::string project_id;  // optional, echoed
    std::vector<Holding> holdings;
    std::vector<std::string> perils;  // absent from the request: risk::default_perils()
    std::uint32_t horizon_years = 40;
    double alpha = 0.99;
    std::optional<double> buffer_share;
    std::uint32_t paths = 10'000;
    std::uint64_t seed = 1;
    unsigned threads = 0;
};
Decoded<BufferRequest> decode_buffer(const nlohmann::json& body, const ProductLimits& limits = {});

// risk::Cancelled once `cancel` is set.
nlohmann::ordered_json compute_buffer(const BufferRequest& request, const risk::Model& model,
                                      const std::string& model_version, unsigned default_threads = 0,
                                      risk::CancelFlag cancel = nullptr);

ProductOutcome handle_buffer(const nlohmann::json& body, const EndpointContext& context);

}  // namespace tanhui::api
