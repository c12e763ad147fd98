// The one encoder of risk::Metrics as JSON: the metrics endpoint (docs/products.md "Metrics of a
// loss table") and the batch's metrics.json (docs/batch.md) write it.
#pragma once

#include "risk/metrics/metrics.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>

namespace tanhui::api {

enum class MetricsFields : std::uint8_t {
    // {years, aal, aal_se, std, std_se, var, var_se, tvar, tvar_se, aep, aep_se, oep, oep_se
    //  [, beyond_simulation]}: beyond_simulation only when some return period is beyond N.
    endpoint,
    // The same with aep_tvar after aep_se and oep_tvar after oep_se, and beyond_simulation always.
    batch,
};

// Levels and return periods are keyed by api/json/fields.hpp number_key ("0.99", "100").
nlohmann::ordered_json metrics_json(const risk::Metrics& metrics, MetricsFields fields);

}  // namespace tanhui::api
