// A made-up typhoon hazard with known gusts (not a calibration), shared by the typhoon peril's
// tests and the per-occurrence layer's: one historical track moving due west along a latitude,
// replayed without perturbation, so that every storm of every season has the same peak gust at a
// place and a holding loses a closed-form share of what is left to each.
#pragma once

#include "risk/model/model.hpp"
#include "risk/perils/typhoon.hpp"
#include "risk/random/draws.hpp"

#include <cstdint>
#include <memory>
#include <vector>

namespace tanhui::risk {

// A storm moving due west along `lat` from 124 E at 5 m/s (about 0.39 degree a 6 h), 950 hPa.
inline HistoricalStorm westward_storm(double lat = 25.0) {
    HistoricalStorm h{"2000-01", 2000, {}, lat, lat, 0, 0};
    for (int k = 0; k <= 20; ++k) h.points.push_back({lat, 124.0 - 0.39 * k, 950.0, 6.0 * k});
    h.min_lon = h.points.back().lon;
    h.max_lon = h.points.front().lon;
    return h;
}

// The place 30 km south of the track, where the one track's gust is well above 25 m/s.
inline constexpr double one_track_lat = 25.0 - 30.0 / 111.195, one_track_lon = 119.0;

// `seasons` seasons of on average `storms_per_season` copies of westward_storm() (Poisson),
// threshold 25 m/s, half damage at 85 m/s for every forest type.
inline Model one_track_model(std::uint32_t seasons, double storms_per_season, std::uint64_t event_seed = 3) {
    EventSetSpec spec;
    spec.seed = event_seed;
    spec.seasons = seasons;
    spec.storms_per_season = storms_per_season;
    spec.position_sd_deg = 0;
    spec.intensity_sd = 0;
    TyphoonModel t;
    t.vulnerability.threshold_ms = 25;
    t.vulnerability.half_damage_ms = {85, 85, 85, 85, 85, 85};
    t.events = std::make_shared<EventSet>(std::vector<HistoricalStorm>{westward_storm()}, spec, WindField{}, 25.0);
    Model m;
    set_typhoon_model(m, t);
    return m;
}

// The share of what is left that each storm takes at (one_track_lat, one_track_lon).
inline double one_track_share(const Model& m) {
    const EventSet& events = *typhoon_model(m)->events;
    return typhoon_share_lost(storm_peak_gust_ms(events.historical()[0], SyntheticStorm{}, WindField{}, one_track_lat, one_track_lon),
                              25, 85);
}

// The number of storms of the season simulated year `year` of `seed` plays.
inline std::uint32_t one_track_count(const Model& m, std::uint64_t seed, std::uint32_t year) {
    const EventSet& events = *typhoon_model(m)->events;
    const std::uint32_t season = typhoon_season(
        draw_words(seed, 0, year, typhoon_season_word, static_cast<std::uint16_t>(PerilId::typhoon), 0)[0], events.seasons());
    return events.season_begin()[season + 1] - events.season_begin()[season];
}

}  // namespace tanhui::risk
