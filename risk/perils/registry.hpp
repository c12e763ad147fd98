// The peril registry (DESIGN "Architecture": registries are the only lists). Each entry carries
// everything the rest of the program needs of a peril, so that a new peril is its file pair
// (risk/perils/<p>.*), its calibration (risk/calibration/<p>_model.*) and one line in
// registry.cpp: request decoding, the "model" override codec, model_used, calibration dispatch,
// model assembly, the history routes, the OpenAPI enums and the CLI choices all read it.
#pragma once

#include "risk/calibration/history.hpp"
#include "risk/model/model.hpp"
#include "risk/model/record_reader.hpp"
#include "risk/model/value.hpp"
#include "risk/perils/peril.hpp"

#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tanhui::risk {

using MakePeril = std::unique_ptr<Peril> (*)(const PerilSetup&);
// Decodes the quote's model.<name> block at pointer `at` into overrides.perils (its own type),
// adding every problem found (RecordReader's messages).
using DecodeOverride = void (*)(const Value& block, const std::string& at, ModelOverrides& overrides,
                                std::vector<FieldProblem>& problems);
// The effective parameters the peril uses for these holdings after the overrides, compact (one
// entry per distinct region and forest type): a quote's model_used.perils.<name>.
using DescribeUsed = Value (*)(const Model& model, const ModelOverrides& overrides, std::span<const PreparedHolding> holdings);
// Fits the peril to the history: one record per family and scope.
using CalibratePeril = std::vector<CalibrationRecord> (*)(History& history, const CalibrationScope& scope);
// Puts the parameters of the peril's stored calibrations (records of its families, with their
// `model`) into `model`; labelled assumptions come from the history.
using AssemblePeril = void (*)(Model& model, std::span<const CalibrationRecord> calibrations, History& history);
// Rows of GET /v1/history/<name> for a region and years, `filters` the peril's own query
// parameters (history_filters) that were given.
using HistoryRows = Value (*)(History& history, const std::string& region, int from_year, int to_year,
                              const std::map<std::string, std::string>& filters);

struct PerilEntry {
    std::string_view name;  // in requests, answers, overrides and paths
    PerilId id;             // its random-number peril word (risk/random/draws.hpp)
    bool default_cover;     // in the default "perils" of the layer, buffer and portfolio-risk requests
    MakePeril make;
    DecodeOverride decode_override;
    DescribeUsed describe;
    // Calibration: the families it stores (the first is the peril's own), how it fits and how its
    // records become model parameters.
    std::span<const std::string_view> families;
    CalibratePeril calibrate;
    AssemblePeril assemble;
    // History route: nullptr when the peril has no history to show.
    HistoryRows history;
    std::span<const std::string_view> history_filters;
};

// risk/perils/registry.cpp: the only list of perils, in the order answers list them.
std::span<const PerilEntry> peril_registry();
// The entry of a peril, nullptr when `name` is none.
const PerilEntry* find_peril(std::string_view name);
// The entry whose families include `family`, nullptr when none does.
const PerilEntry* peril_of_family(std::string_view family);
// The registry's names ("fire", "pest"); of the entries with a history; of the default cover.
std::vector<std::string> peril_names();
std::vector<std::string> history_peril_names();
std::vector<std::string> default_perils();
// The names for a message: join_names({"fire", "pest", "freeze"}, " or ", true) is
// "\"fire\", \"pest\" or \"freeze\""; with ", " and false, "fire, pest, freeze".
std::string join_names(const std::vector<std::string>& names, std::string_view last_separator, bool quoted);
// Throws InvalidInput("perils", ...) naming the known perils when `name` is not one of them.
std::unique_ptr<Peril> make_peril(std::string_view name, const PerilSetup& setup);

}  // namespace tanhui::risk
