// POST /v1/risk/metrics, `tanhui metrics`: risk metrics of a loss table (risk/metrics/metrics.hpp)
// from {years, losses: [{year, event, loss}], levels?, return_periods?}. docs/products.md
// "Metrics of a loss table"; the CSV form of the CLI is api/json/loss_table.hpp.
#pragma once

#include "api/products/outcome.hpp"
#include "risk/metrics/year_table.hpp"

#include <nlohmann/json.hpp>

#include <vector>

namespace tanhui::api {

struct MetricsRequest {
    risk::LossTable table;
    std::vector<double> levels;          // default risk::default_levels
    std::vector<double> return_periods;  // default risk::default_return_periods
};
Decoded<MetricsRequest> decode_metrics(const nlohmann::json& body, const ProductLimits& limits = {});

// api/json/metrics.hpp's endpoint shape of the request's metrics.
nlohmann::ordered_json metrics_json(const MetricsRequest& request);

// Decode, compute, answer: needs neither the store nor the model.
ProductOutcome metrics(const nlohmann::json& body, const ProductLimits& limits = {});
ProductOutcome handle_metrics(const nlohmann::json& body, const EndpointContext& context);

}  // namespace tanhui::api
