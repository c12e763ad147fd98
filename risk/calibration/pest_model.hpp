// The pest peril's calibration as a model version stores it (docs/calibration.md, "Pests"):
// family "pest", scope "all", holding only what the data give: the national occurrence share
// (NBS occurrence area / NFI forest area) and the elasticity to the weather factor from Fujian's
// fire-count residuals (its report adds the pine-wilt county hazard). Assembly turns them into a
// PestModel with the labelled assumptions (severe share and mortality of general pests, the
// national growth loss, pine wilt's epidemic counties, dead pines and stand death), read through
// History so that a perturbed assumption re-assembles the model (the quote's uncertainty band).
// The fits are risk/calibration/pest.hpp's.
#pragma once

#include "risk/calibration/history.hpp"
#include "risk/model/model.hpp"
#include "risk/perils/pest.hpp"
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

// The pest model of a national occurrence share and weather elasticity (the record's data
// part) and the labelled assumptions read from `history` (docs/calibration.md "Pests").
PestModel pest_model_from(double occurrence_share, double weather_elasticity, History& history);

// The "pest" record's model into the Model's PestModel, with the labelled assumptions of `history`.
void assemble_pest(Model& model, std::span<const CalibrationRecord> calibrations, History& history);

// GET /v1/history/pest: {region, year, pest, occurrence_area_ha} per year and pest; the filter
// "pest" (all, disease, insect, rodent, pine_wilt ...) keeps one pest.
inline constexpr std::string_view pest_history_filters[] = {"pest"};
Value pest_history_rows(History& history, const std::string& region, int from_year, int to_year,
                        const std::map<std::string, std::string>& filters);

}  // namespace tanhui::risk
