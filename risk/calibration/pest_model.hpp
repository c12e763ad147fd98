// The pest peril's calibration as a model version stores it (docs/model-assembly.md, "Pests"):
// family "pest", scope "all". Every forest type has the general outbreak process whose
// probability reproduces the national occurrence share (NBS occurrence area / NFI forest area);
// masson_pine adds pine wilt disease with the annual hazard of a Fujian county becoming an
// epidemic unit; the elasticity to the weather factor from Fujian's fire-count residuals. Beta
// shape and mortalities are labelled assumptions. The fits are risk/calibration/pest.hpp's. The
// stored keys (e.g. "fire_weather_elasticity") are part of the model version: they stay.
#pragma once

#include "risk/calibration/history.hpp"
#include "risk/model/model.hpp"
#include "risk/model/value.hpp"

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tanhui::risk {

inline constexpr std::string_view pest_family = "pest";
inline constexpr std::string_view pest_families[] = {pest_family};

// One "pest" record from the national series between the scope's years. Throws InvalidInput
// ("/from") when fewer than 3 years remain, std::runtime_error when a labelled assumption is missing.
std::vector<CalibrationRecord> calibrate_pest(History& history, const CalibrationScope& scope);

// The "pest" record's model into the Model's PestModel.
void assemble_pest(Model& model, std::span<const CalibrationRecord> calibrations, History& history);

// GET /v1/history/pest: {region, year, pest, occurrence_area_ha} per year and pest; the filter
// "pest" (all, disease, insect, rodent, pine_wilt ...) keeps one pest.
inline constexpr std::string_view pest_history_filters[] = {"pest"};
Value pest_history_rows(History& history, const std::string& region, int from_year, int to_year,
                        const std::map<std::string, std::string>& filters);

}  // namespace tanhui::risk
