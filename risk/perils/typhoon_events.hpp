// The typhoon hazard (docs/risk-model.md "Typhoon"): the historical best tracks, a stochastic
// event set of synthetic seasons made from them (each season a negative-binomial number of
// historical tracks drawn at random, each shifted in position and scaled in intensity), and a
// parametric wind field (Holland 1980) that gives the peak 3-second gust of a storm at a place.
// What a quote needs of it is per location: the seasons in which a storm's gust there reaches
// the damaging threshold, with that gust (LocationHazard), computed once per place and cached by
// the EventSet, which the assembled Model shares between quotes.
#pragma once

#include "data/types.hpp"

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace tanhui::risk {

// One best-track point of a storm: position (degrees), central pressure, hours since the storm's
// first point in the box.
struct StormPoint {
    double lat = 0, lon = 0, pressure_hpa = 0, hours = 0;
};
struct HistoricalStorm {
    std::string id;  // "2006-10"
    int year = 0;
    std::vector<StormPoint> points;
    double min_lat = 0, max_lat = 0, min_lon = 0, max_lon = 0;  // bounding box of the points
};
// The storms of best-track points given by storm and time (times "YYYY-MM-DDTHH", UTC).
std::vector<HistoricalStorm> storms_from_tracks(std::span<const TrackPoint> points);

// The wind field's labelled constants (assumptions.csv rows typhoon.wind.*).
struct WindField {
    double air_density_kg_m3 = 1.15;
    double ambient_pressure_hpa = 1010;  // environmental pressure: pressure deficit = ambient - central
    double surface_factor = 0.75;        // gradient wind -> 10 m, 10-minute mean over land
    double gust_factor = 1.5;            // 10-minute mean -> 3-second gust
    double translation_factor = 0.5;     // share of the forward speed added along the cyclonic wind
};
void validate(const WindField& w, const std::string& at);

// Radius of maximum winds (km) from the pressure deficit (hPa) and latitude: Vickery & Wadhera
// (2008), J. Appl. Meteor. Climatol. 47, 2497-2517, eq. 11: ln Rmax = 3.015 - 6.291e-5 dp^2 +
// 0.0337 lat.
double rmax_km(double dp_hpa, double lat_deg);
// Holland's B from Rmax (km) and latitude, Vickery & Wadhera (2008) eq. 15: B = 1.881 -
// 0.00557 Rmax - 0.01097 lat, kept in [0.8, 2.2].
double holland_b(double rmax_km, double lat_deg);
// Holland (1980), Mon. Wea. Rev. 108, 1212-1218, eq. 7: the gradient wind (m/s) at r metres
// from the centre, dp in Pa, Coriolis parameter f (1/s), air density rho (kg/m3):
//   V = sqrt(B/rho (Rmax/r)^B dp exp(-(Rmax/r)^B) + (r f / 2)^2) - r f / 2.
double holland_gradient_wind(double dp_pa, double rmax_m, double b, double r_m, double f, double rho);

// A storm centre at an instant: position, pressure deficit (hPa), forward velocity (m/s, east
// and north).
struct StormState {
    double lat = 0, lon = 0, dp_hpa = 0, vx_ms = 0, vy_ms = 0;
};
// The 3-second gust (m/s) at a site: gust_factor x (surface_factor x Holland gradient wind +
// translation_factor x the forward velocity's component along the cyclonic (anticlockwise)
// wind direction at the site), at least 0. Distances on the local flat earth (fine within the
// 600 km the event set looks).
double surface_gust_ms(const WindField& w, const StormState& s, double site_lat, double site_lon);

// How the synthetic seasons are made (typhoon calibration, assumptions typhoon.events.*).
struct EventSetSpec {
    std::uint64_t seed = 0;           // of the event set's own Philox key (not the quote's seed)
    std::uint32_t seasons = 10000;
    double storms_per_season = 0;     // mean storms in the box a season (fitted)
    double dispersion = std::numeric_limits<double>::infinity();  // negative-binomial size; inf: Poisson
    double position_sd_deg = 0.5;     // sd of the constant shift of a track, degrees each way
    double intensity_sd = 0.1;        // sd of the log factor on the pressure deficit (mean factor 1)
};
void validate(const EventSetSpec& s, const std::string& at);

// A synthetic storm: historical storm `storm` shifted by (dlat, dlon) degrees, its pressure
// deficit multiplied by `intensity`.
struct SyntheticStorm {
    std::uint32_t storm = 0;
    double dlat = 0, dlon = 0, intensity = 1;
};

// The peak 3-second gust (m/s) at a place of storm h shifted and scaled as s says (s.storm is
// not read), over its track interpolated every 5 km or less; points more than 6.5 h apart are
// not joined, and segments farther than 600 km from the place are skipped.
double storm_peak_gust_ms(const HistoricalStorm& h, const SyntheticStorm& s, const WindField& wind, double lat, double lon);

// The seasons in which some storm's gust at a place reaches the threshold, and those gusts:
// the events of season s are gust_ms[season_begin[s] .. season_begin[s + 1]), in storm order;
// storm[e] is the storm's index in its season (EventSet::storms() of the season), the same at
// every place, so that the holdings one storm hits make one event.
struct LocationHazard {
    std::vector<std::uint32_t> season_begin;
    std::vector<double> gust_ms;
    std::vector<std::uint32_t> storm;
};

// The Fujian coastline as a polyline (degrees N, E), south-west to north-east; landfall is a
// track segment crossing it from the sea (east of it) with central pressure <= 995 hPa at
// either end.
std::span<const std::pair<double, double>> fujian_coast();
inline constexpr double landfall_max_pressure_hpa = 995;

class EventSet {
public:
    // Draws the seasons (deterministic from spec.seed). `threshold_ms` is the gust below which a
    // storm does no damage: LocationHazard keeps only storms at or above it.
    EventSet(std::vector<HistoricalStorm> storms, const EventSetSpec& spec, const WindField& wind, double threshold_ms);

    std::uint32_t seasons() const { return spec_.seasons; }
    const EventSetSpec& spec() const { return spec_; }
    const WindField& wind() const { return wind_; }
    double threshold_ms() const { return threshold_ms_; }
    const std::vector<HistoricalStorm>& historical() const { return historical_; }
    // Synthetic storms of season s: storms()[season_begin()[s] .. season_begin()[s + 1]).
    std::span<const std::uint32_t> season_begin() const { return season_begin_; }
    std::span<const SyntheticStorm> storms() const { return storms_; }

    // storm_peak_gust_ms of a synthetic storm.
    double peak_gust_ms(const SyntheticStorm& s, double lat, double lon) const;
    // The hazard at a place, computed on first use and kept (thread-safe; places equal to 1e-4
    // degrees share an entry).
    std::shared_ptr<const LocationHazard> hazard_at(double lat, double lon) const;
    // Whether a synthetic storm makes landfall on the Fujian coast (fujian_coast()).
    bool fujian_landfall(const SyntheticStorm& s) const;

private:
    std::vector<HistoricalStorm> historical_;
    EventSetSpec spec_;
    WindField wind_;
    double threshold_ms_;
    std::vector<std::uint32_t> season_begin_;
    std::vector<SyntheticStorm> storms_;
    mutable std::mutex mutex_;
    mutable std::map<std::pair<long, long>, std::shared_ptr<const LocationHazard>> cache_;
};

// Whether a historical storm (unshifted, unscaled) makes landfall on the Fujian coast.
bool fujian_landfall(const HistoricalStorm& storm);

}  // namespace tanhui::risk
