// The fire peril's calibration as a model version stores it (docs/model-assembly.md): from the
// history to calibration records, and from stored records back into a Model. The fits themselves
// are risk/calibration/fire.hpp's. Two families:
//   "fire"          one per province: counts (negative binomial, trend by AIC), burned area per
//                   fire, the rate per ha of forest, and the shape of the province's year factor;
//   "fire_weather"  "all": the cross-region correlation of the weather factor, from fire counts.
// The family names, keys and number kinds are part of the model version (a hash over the stored
// JSON): they stay as they are even where the C++ names say "weather".
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

inline constexpr std::string_view fire_family = "fire";
inline constexpr std::string_view weather_family = "fire_weather";
inline constexpr std::string_view fire_families[] = {fire_family, weather_family};

// A "fire" record per region of the scope (default: every province with a forest area and at
// least 5 years with fires) and one "fire_weather" record. Throws InvalidInput ("/region",
// "/from") when a region or the years have too little data.
std::vector<CalibrationRecord> calibrate_fire(History& history, const CalibrationScope& scope);
CalibrationRecord calibrate_fire_region(History& history, const std::string& region, int from_year, int to_year);
CalibrationRecord calibrate_weather(History& history, int from_year, int to_year);

// Each "fire" record's model into the region's FireModel (flammability and loss fraction by
// forest type from the labelled assumptions) and the weather's year factor shape; the
// "fire_weather" record's correlation into Model::weather.
void assemble_fire(Model& model, std::span<const CalibrationRecord> calibrations, History& history);

// GET /v1/history/fire: {region, year, fires, burned_area_ha, forest_damaged_ha} per year.
Value fire_history_rows(History& history, const std::string& region, int from_year, int to_year,
                        const std::map<std::string, std::string>& filters);

}  // namespace tanhui::risk
