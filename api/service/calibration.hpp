// Calibration runs on the store's history, stored calibrations, model versions, and the
// risk::Model that quotes use. DESIGN "Calibration": a calibration is stored with an id; the
// current model version is the set of calibrations quotes use, and every quote records it.
#pragma once

#include "data/store/store.hpp"
#include "risk/model/model.hpp"

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tanhui::api {

// One stored calibration. `model` holds exactly the parameters the risk model takes from it;
// `report` the fit reports (parameters, SEs, likelihood, AIC/BIC, goodness of fit, data range,
// rows, data hash).
struct Calibration {
    std::string id;      // "<family>-<scope>-<12 hex of SHA-256 of report and model>"
    std::string family;  // fire, fire_weather, pest, price, growth
    std::string scope;   // region code, market code or "all"
    std::string created;
    std::string data_hash;  // SHA-256 of the data rows used
    nlohmann::json report;
    nlohmann::json model;
};

struct CalibrationRequest {
    std::string peril = "all";  // all, fire, pest, price, growth
    std::vector<std::string> regions;  // fire: default Fujian (35) and every province with forest area
    std::vector<std::string> markets;  // price: default every market in the store
    std::optional<int> from_year, to_year;
    // Price: also fit Merton jump versions (slow: up to a minute a market on 2 cores; CEA's many
    // unchanged closes break them). Off by default, so the first use of the service stays quick.
    bool jumps = false;
};

// Runs the fits (pure risk/ code on the store's rows). Throws InvalidInput for an unknown region
// or market or a range without data.
std::vector<Calibration> run_calibrations(data::Store& store, const CalibrationRequest& request);

// Stores the calibrations and makes a new current model version: the current set with each
// (family, scope) replaced by the new one. Returns the version id. One transaction.
std::string store_calibrations(data::Store& store, const std::vector<Calibration>& calibrations);

struct ModelVersion {
    std::string version;
    std::string created;
    std::vector<Calibration> calibrations;
};
std::optional<ModelVersion> current_model_version(data::Store& store);
std::optional<ModelVersion> model_version(data::Store& store, const std::string& version);

// The current version, calibrating everything first when the store has none (first use).
ModelVersion ensure_current_model(data::Store& store);

// The risk model of a version: fire by province, fire-weather correlation, pest, prices by
// market, growth curves, with the labelled assumptions of the store (flammability, loss fractions).
risk::Model build_model(data::Store& store, const ModelVersion& version);

nlohmann::json to_json(const Calibration& c);
// Plain-text report for the terminal.
std::string format_report(const Calibration& c);

}  // namespace tanhui::api
