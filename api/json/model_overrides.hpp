// The request's "model" block (DESIGN "Override semantics"): overrides of the calibrated model,
// decoded with every bad field named, and turned into what risk/ takes. The peril part is
// decoded and applied exactly as before the product registry; the price part keeps every
// calibrated value the request does not give (a partial override replaces exactly its values).
#pragma once

#include "api/json/reader.hpp"
#include "risk/model/model.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace tanhui::api {

struct ModelOverrides {
    struct Fire {
        double rate_per_year = 0;  // fires per year on each holding (Poisson)
        double mu = 0, sigma = 1;  // lognormal burned area per fire, ha
        double loss_fraction = 0.6;
    };
    struct Pest {
        double probability_per_year = 0;
        double a = 2, b = 8;
        double mortality = 0.5;
    };
    // Each value given replaces the calibrated one; the others stay calibrated.
    struct Price {
        std::optional<risk::PriceProcess> process;
        std::optional<double> spot, drift, volatility, risk_free_rate, dividend_yield;
        std::optional<double> mean_reversion, long_run_price;
        std::optional<double> jump_intensity, jump_mean, jump_std;
    };
    std::optional<Fire> fire;
    std::optional<Pest> pest;
    std::optional<double> stock_tco2e_per_ha;
    std::optional<Price> price;
};

// Decodes the object at `m` (pointer `at`), adding every problem found.
ModelOverrides decode_model_overrides(const nlohmann::json& m, const std::string& at, std::vector<FieldProblem>& problems);

// The peril and carbon overrides as risk/ takes them.
risk::ModelOverrides to_risk_overrides(const ModelOverrides& overrides);

// The price model of `market`: the calibrated one with the request's price override on top.
// Without a calibration the override must give spot and volatility. Throws InvalidInput
// ("/cover/market" when the market has no model and the override is not enough; "/model/price/..."
// for a parameter out of its domain).
risk::PriceModel effective_price_model(const risk::Model& model, const std::string& market,
                                       const std::optional<ModelOverrides::Price>& price);

}  // namespace tanhui::api
