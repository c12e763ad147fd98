// Calibration runs on the store's history, stored calibrations, model versions, and the
// risk::Model that quotes use. DESIGN "Calibration": a calibration is stored with an id; the
// current model version is the set of calibrations quotes use, and every quote records it.
#pragma once

#include "data/store/store.hpp"
#include "risk/calibration/assumption_overlay.hpp"
#include "risk/calibration/history.hpp"
#include "risk/model/model.hpp"
#include "risk/perils/registry.hpp"
#include "risk/simulation/cancel.hpp"

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace tanhui::api {

// One stored calibration. `model` holds exactly the parameters the risk model takes from it;
// `report` the fit reports (parameters, SEs, likelihood, AIC/BIC, goodness of fit, data range,
// rows, data hash).
struct Calibration {
    std::string id;      // "<family>-<scope>-<12 hex of SHA-256 of report and model>"
    std::string family;  // a peril's (risk/perils/registry.hpp families: fire, fire_weather, pest), price, growth
    std::string scope;   // region code, market code or "all"
    std::string created;
    std::string data_hash;  // SHA-256 of the data rows used
    nlohmann::json report;
    nlohmann::json model;
};

// The families that are not perils.
inline constexpr std::string_view price_family = "price";
inline constexpr std::string_view growth_family = "growth";
// The labelled assumptions (assumptions.csv) as they were when the version was made: every
// calibration run stores them, so a model version pins the values its perils read and a change
// to assumptions.csv takes effect with the next calibration, as a new version (docs/calibration.md).
inline constexpr std::string_view assumptions_family = "assumptions";

struct CalibrationRequest {
    std::string peril = "all";  // one of calibration_choices()
    std::vector<std::string> regions;  // perils calibrated by region (fire): default every province with forest area
    std::vector<std::string> markets;  // price: default every market in the store
    std::optional<int> from_year, to_year;
    // Price: also fit Merton jump versions (slow: up to a minute a market on 2 cores; CEA's many
    // unchanged closes break them). Off by default, so the first use of the service stays quick.
    bool jumps = false;
    // The request's cancel flag (risk/simulation/cancel.hpp): once set, the run stops within one
    // evaluation of a likelihood and throws risk::Cancelled; nothing is returned or stored.
    risk::CancelFlag cancel = nullptr;
};

// What --peril and POST /v1/calibrations's "peril" take: "all", every peril of the registry that
// calibrates (in its order), "price", "growth".
std::vector<std::string> calibration_choices();

// Runs the fits (pure risk/ code on the store's rows): the perils through the registry
// (risk::PerilEntry::calibrate), then growth and prices. Throws InvalidInput for an unknown
// choice, region or market or a range without data.
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

// The risk model of a version: each peril's parameters and the weather through the registry
// (risk::PerilEntry::assemble, with the labelled assumptions the version pinned), prices by
// market, growth curves.
risk::Model build_model(data::Store& store, const ModelVersion& version);
// `base` with the labelled assumptions (value, low, high) the version pinned; a version made
// before versions pinned them reads base's (the store's current ones).
risk::AssumptionOverlay pinned_assumptions(const ModelVersion& version, risk::History& base);
// The model with the labelled assumptions read from `history` as given (an AssumptionOverlay over
// pinned_assumptions: the model under other values of them).
risk::Model build_model(data::Store& store, const ModelVersion& version, risk::History& history);
// The labelled assumptions (assumptions.csv keys) the assembly of `peril` reads.
std::set<std::string> assumptions_read(const ModelVersion& version, const risk::PerilEntry& peril, risk::History& history);

nlohmann::json to_json(const Calibration& c);
// Plain-text report for the terminal.
std::string format_report(const Calibration& c);

}  // namespace tanhui::api
