// The freeze peril's calibration (docs/calibration.md "Freeze"): family "freeze", scope "all".
// Per province the event-year probability from the NBS freeze/snow crop index (an event year is
// one whose index reaches a share of the province's largest year: an event-year index, not a
// severity), the affected share of the forest given an event as Beta(a_r, b_r) with (a_r, b_r) set so
// that the province's January-2008 footprint is a once-in-T-years event and the long-run mean
// affected share a year is the 2008 term (footprint / T) times a labelled ratio, the stock lost on the affected area per
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

// Beta(a, b) with mean `mean` (in (0, x)) and P(A > x) = survival: for a fixed mean, P(A > x) rises
// from about `mean` (a -> 0: mass at 0 and 1) to a peak and falls to 0 (a -> infinity); the fit
// takes the root above the peak (the less degenerate shape). When no Beta of that mean reaches
// the survival (the mean is below what the tail needs), it takes the peak: tail_short.
struct BetaFit {
    double a = 0, b = 0;
    bool tail_short = false;
};
BetaFit beta_for_mean_and_survival(double mean, double x, double survival);

std::vector<CalibrationRecord> calibrate_freeze(History& history, const CalibrationScope& scope);
// Needs the fire record assembled first (the weather loading divides by its correlation).
void assemble_freeze(Model& model, std::span<const CalibrationRecord> calibrations, History& history);

// GET /v1/history/freeze: {region, year, freeze_affected_kha} (NBS crop index).
Value freeze_history_rows(History& history, const std::string& region, int from_year, int to_year,
                          const std::map<std::string, std::string>& filters);

}  // namespace tanhui::risk
