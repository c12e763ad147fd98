// Calibrations and model versions (tables calibrations, model_versions). DESIGN "Calibration": a
// calibration is stored under its id; a model version is a set of calibrations, one per (family,
// scope), named by the hash of their ids; exactly one version is current. The calibration
// document (fit report and model parameters) is JSON text that api/ writes and reads.
#pragma once

#include "data/repositories/repository.hpp"

#include <optional>
#include <span>
#include <string>
#include <vector>

namespace tanhui::data {

struct StoredCalibration {
    std::string id;
    std::string family;  // fire, fire_weather, pest, price, growth
    std::string scope;   // region code, market code or "all"
    std::string created;
    std::string data_hash;
    std::string document;  // JSON text {"report": ..., "model": ...}
};

struct StoredModelVersion {
    std::string version;  // "m-<12 hex>"
    std::string created;
    std::vector<std::string> calibration_ids;  // as stored (store_version sorts them)
    bool current = false;
};

class Calibrations : public Repository {
public:
    explicit Calibrations(Store& store) : Repository(store) {}

    // In one IMMEDIATE transaction: stores the calibrations (an id already stored keeps its row)
    // and makes current the version made of the current one's calibrations with each (family,
    // scope) replaced by the new one. Its name is "m-" and the first 12 hex digits of the SHA-256
    // of the sorted ids, each followed by a newline, so the same set always has the same name.
    // Returns it. On any error nothing is written.
    std::string store_version(std::span<const StoredCalibration> calibrations);

    std::optional<StoredModelVersion> current_version();
    std::optional<StoredModelVersion> version(const std::string& version);
    // Every version, oldest first (ties by name).
    std::vector<StoredModelVersion> versions();
    std::optional<StoredCalibration> find(const std::string& id);
};

}  // namespace tanhui::data
