// The request's "model" block (DESIGN "Override semantics"): overrides of the calibrated model,
// decoded with every bad field named, and turned into what risk/ takes. A partial override
// replaces exactly the values it gives; every other value stays calibrated. Each peril's block
// (model.<peril>) is decoded by its registry entry (risk/perils/registry.hpp); carbon, sink and price
// here.
#pragma once

#include "api/json/reader.hpp"
#include "risk/model/model.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace tanhui::api {

struct ModelOverrides {
    // Each value given replaces the calibrated one; the others stay calibrated.
    struct Price {
        std::optional<risk::PriceProcess> process;
        std::optional<double> spot, drift, volatility, risk_free_rate, dividend_yield;
        std::optional<double> mean_reversion, long_run_price;
        std::optional<double> jump_intensity, jump_mean, jump_std;
        // Issue 19's families: Student-t innovations and observation noise. A request that names
        // `process` without them gets them at 0 (normal, no noise): a full GBM/OU override keeps
        // the answer it had before the calibration chose a fat-tailed or noisy family.
        std::optional<double> tail_dof, noise_sd;
    };
    risk::ModelOverrides risk;  // the perils' blocks (each its own type), carbon and sink
    std::optional<Price> price;
};

// Decodes the object at `m` (pointer `at`), adding every problem found.
ModelOverrides decode_model_overrides(const nlohmann::json& m, const std::string& at, std::vector<FieldProblem>& problems);

// The peril, carbon and sink overrides as risk/ takes them.
inline const risk::ModelOverrides& to_risk_overrides(const ModelOverrides& overrides) { return overrides.risk; }

// The price model of `market`: the calibrated one with the request's price override on top.
// Without a calibration the override must give spot and volatility. Throws InvalidInput
// ("/cover/market" when the market has no model and the override is not enough; "/model/price/..."
// for a parameter out of its domain).
risk::PriceModel effective_price_model(const risk::Model& model, const std::string& market,
                                       const std::optional<ModelOverrides::Price>& price);

}  // namespace tanhui::api
