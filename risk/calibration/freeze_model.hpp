// The freeze peril's calibration (docs/calibration.md "Freeze"): family "freeze", scope "all".
// Per province the event-year probability from the NBS freeze/snow crop index (an event year is
// one whose index reaches a share of the province's largest year: an event-year index, not a
// severity), the affected share of the forest given an event as Beta(a, b_r) with b_r set so that
// a January-2008 footprint is a once-in-T-years event, the stock lost on the affected area per
// forest type from the 2008 national figures and the species damage rates, and the dependence:
// spatial (neighbours' and the shared correlation of the provinces' event scores) and with the
// fire year factor (pooled over the overlapping years).
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

inline constexpr std::string_view freeze_family = "freeze";
inline constexpr std::string_view freeze_families[] = {freeze_family};

// b of Beta(a, b) such that P(A > x) = survival (bisection on ln b); survival in (0, 1).
double beta_b_for_survival(double a, double x, double survival);

std::vector<CalibrationRecord> calibrate_freeze(History& history, const CalibrationScope& scope);
// Needs the fire record assembled first (the weather loading divides by its correlation).
void assemble_freeze(Model& model, std::span<const CalibrationRecord> calibrations, History& history);

// GET /v1/history/freeze: {region, year, freeze_affected_kha} (NBS crop index).
Value freeze_history_rows(History& history, const std::string& region, int from_year, int to_year,
                          const std::map<std::string, std::string>& filters);

}  // namespace tanhui::risk
