// The landslide peril's calibration (docs/calibration.md "Landslide"): family "landslide", scope
// "all". Per province a negative-binomial fit of the NBS yearly counts of landslides, rock falls
// and debris flows (trend kept when AIC prefers it and held flat after the last year, as fire's
// counts), its size the gamma shape of the province's year factor; the forest area of its latest
// inventory; the forest area lost per event and the stock lost on it as labelled assumptions; the
// dependence: the shared correlation of the provinces' count residuals and their correlation with
// the fire year factor (pooled over the overlapping years), and, reported, with the freeze and
// flood/typhoon indices.
#pragma once

#include "risk/calibration/fire.hpp"
#include "risk/calibration/history.hpp"
#include "risk/model/model.hpp"
#include "risk/model/value.hpp"

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tanhui::risk {

inline constexpr std::string_view landslide_family = "landslide";
inline constexpr std::string_view landslide_families[] = {landslide_family};

// The counts a province's fit reads (landslides + collapses + debris flows) between the years.
void landslide_counts(History& history, const std::string& province, int from, int to, std::vector<int>& year,
                      std::vector<double>& count);
// A province's count fit as the calibration chooses it (nullopt when it has too few events).
std::optional<CountFit> fit_landslide_counts(std::span<const int> year, std::span<const double> count);

std::vector<CalibrationRecord> calibrate_landslide(History& history, const CalibrationScope& scope);
void assemble_landslide(Model& model, std::span<const CalibrationRecord> calibrations, History& history);

// GET /v1/history/landslide: {region, year, landslides, collapses, debris_flows, hazards_total}.
Value landslide_history_rows(History& history, const std::string& region, int from_year, int to_year,
                             const std::map<std::string, std::string>& filters);

}  // namespace tanhui::risk
