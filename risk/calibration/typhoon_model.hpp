// The typhoon peril's calibration as a model version stores it (docs/calibration.md "Typhoon"):
// family "typhoon", scope "all". From the CMA best track (History::typhoon_tracks): the number of
// storms a season in the box (negative binomial by maximum likelihood), the event set's labelled
// constants (seasons, seed, perturbations), the wind field's (typhoon.wind.*), and the
// vulnerability: the threshold and, per forest type, the gust that takes half the stock,
// anchored on typhoon Saomai (2006) in Cangnan county. Assembly rebuilds the event set from the
// same tracks (deterministic from the stored seed) with the regions' seats.
#pragma once

#include "risk/calibration/history.hpp"
#include "risk/model/model.hpp"
#include "risk/model/value.hpp"
#include "risk/perils/typhoon_events.hpp"

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tanhui::risk {

inline constexpr std::string_view typhoon_family = "typhoon";
inline constexpr std::string_view typhoon_families[] = {typhoon_family};

// One "typhoon" record from the seasons of the scope's years (default 1949-2024, every season of
// the best track); none when the history has no best track at all. Throws InvalidInput ("/from")
// when fewer than 10 seasons remain, std::runtime_error when a labelled assumption is missing.
std::vector<CalibrationRecord> calibrate_typhoon(History& history, const CalibrationScope& scope);

// The "typhoon" record's model into the Model's TyphoonModel: the event set built from the tracks
// of its seasons, the seats of the regions.
void assemble_typhoon(Model& model, std::span<const CalibrationRecord> calibrations, History& history);

// Landfalls on the Fujian coast per decade, with the standard error of that rate: for the
// history from the spread of the annual counts over its seasons, for the event set (Monte Carlo)
// over its synthetic seasons.
struct LandfallRate {
    double per_decade = 0;
    double standard_error = 0;
    std::size_t seasons = 0;
    std::size_t landfalls = 0;
};
LandfallRate historical_landfall_rate(std::span<const HistoricalStorm> storms, int first_year, int last_year);
LandfallRate event_set_landfall_rate(const EventSet& events);

// GET /v1/history/typhoon: {storm, year, cma_number, time, lat, lon, pressure_hpa, wind_ms} per
// best-track point of the years, by storm and time: every storm for region CN; else the storms whose
// track passed within `within_km` (filter; default typhoon_history_within_km, the farthest the
// event set looks for a gust) of the region's seat (region_centroids.csv; a county without one
// takes its prefecture's or province's), all of each such storm's points.
inline constexpr std::string_view typhoon_history_filters[] = {"within_km"};
inline constexpr double typhoon_history_within_km = 600;
Value typhoon_history_rows(History& history, const std::string& region, int from_year, int to_year,
                           const std::map<std::string, std::string>& filters);

}  // namespace tanhui::risk
