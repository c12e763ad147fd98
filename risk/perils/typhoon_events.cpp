#include "risk/perils/typhoon_events.hpp"

#include "risk/model/model.hpp"
#include "risk/random/draws.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <stdexcept>

namespace tanhui::risk {

namespace {

constexpr double pi = 3.14159265358979323846;
constexpr double km_per_degree = 111.195;  // mean earth radius 6371.0 km
constexpr double omega = 7.2921e-5;        // earth's rotation, rad/s
constexpr double cutoff_km = 600;          // no storm is looked at farther than this from a place
constexpr double max_join_hours = 6.5;     // points farther apart in time are not joined
constexpr double step_km = 5;              // interpolation step along a track segment
constexpr double max_dp_hpa = 140;         // central pressure >= 870 hPa after scaling

// Hours since 1949-01-01 of "YYYY-MM-DDTHH".
double hours_of(const std::string& t) {
    if (t.size() != 13) throw std::invalid_argument("typhoon track time \"" + t + "\" is not YYYY-MM-DDTHH");
    const int y = std::stoi(t.substr(0, 4)), m = std::stoi(t.substr(5, 2)), d = std::stoi(t.substr(8, 2));
    const int h = std::stoi(t.substr(11, 2));
    const std::chrono::sys_days day{std::chrono::year{y} / std::chrono::month{static_cast<unsigned>(m)} /
                                    std::chrono::day{static_cast<unsigned>(d)}};
    return double(day.time_since_epoch().count()) * 24.0 + h;
}

// Site relative to a centre on the local flat earth, km east and north.
void offset_km(double lat0, double lon0, double lat, double lon, double& dx, double& dy) {
    const double c = std::cos((lat0 + lat) * 0.5 * pi / 180.0);
    dx = (lon - lon0) * km_per_degree * c;
    dy = (lat - lat0) * km_per_degree;
}

// The cross product (b - a) x (p - a) in degrees (lon as x): < 0 when p is right of a -> b.
double side(std::pair<double, double> a, std::pair<double, double> b, double lat, double lon) {
    return (b.second - a.second) * (lat - a.first) - (b.first - a.first) * (lon - a.second);
}

// Whether the segment p0 -> p1 crosses the Fujian coast from the sea.
bool crosses_coast(double lat0, double lon0, double lat1, double lon1) {
    const auto coast = fujian_coast();
    for (std::size_t i = 0; i + 1 < coast.size(); ++i) {
        const auto a = coast[i], b = coast[i + 1];
        const double s0 = side(a, b, lat0, lon0), s1 = side(a, b, lat1, lon1);
        if (!(s0 < 0 && s1 >= 0)) continue;
        // The coast segment's ends on either side of the track segment.
        const std::pair<double, double> q0{lat0, lon0}, q1{lat1, lon1};
        const double t0 = side(q0, q1, a.first, a.second), t1 = side(q0, q1, b.first, b.second);
        if ((t0 <= 0 && t1 >= 0) || (t0 >= 0 && t1 <= 0)) return true;
    }
    return false;
}

template <class Point>
bool landfall(const std::vector<StormPoint>& points, Point&& at) {
    for (std::size_t i = 0; i + 1 < points.size(); ++i) {
        if (points[i + 1].hours - points[i].hours > max_join_hours) continue;
        double lat0, lon0, p0, lat1, lon1, p1;
        at(points[i], lat0, lon0, p0);
        at(points[i + 1], lat1, lon1, p1);
        if (std::min(p0, p1) > landfall_max_pressure_hpa) continue;
        if (crosses_coast(lat0, lon0, lat1, lon1)) return true;
    }
    return false;
}

}  // namespace

std::span<const std::pair<double, double>> fujian_coast() {
    // Approximate mainland coast (0.05-0.1 degree), Guangdong border to Zhejiang border: Zhao'an,
    // Zhangpu, Xiamen, Shishi, Meizhou Bay, Fuqing, the Min estuary, Lianjiang, Xiapu, Fuding.
    static const std::array<std::pair<double, double>, 10> coast{{{23.55, 117.10},
                                                                  {24.00, 117.80},
                                                                  {24.45, 118.15},
                                                                  {24.75, 118.75},
                                                                  {25.20, 119.10},
                                                                  {25.50, 119.50},
                                                                  {26.00, 119.65},
                                                                  {26.40, 119.80},
                                                                  {26.70, 120.10},
                                                                  {27.15, 120.45}}};
    return coast;
}

std::vector<HistoricalStorm> storms_from_tracks(std::span<const TrackPoint> points) {
    std::vector<HistoricalStorm> out;
    double first_hours = 0;
    for (const TrackPoint& p : points) {
        if (out.empty() || out.back().id != p.storm) {
            out.push_back({p.storm, p.year, {}, p.lat, p.lat, p.lon, p.lon});
            first_hours = hours_of(p.time);
        }
        HistoricalStorm& s = out.back();
        s.points.push_back({p.lat, p.lon, p.pressure_hpa, hours_of(p.time) - first_hours});
        s.min_lat = std::min(s.min_lat, p.lat);
        s.max_lat = std::max(s.max_lat, p.lat);
        s.min_lon = std::min(s.min_lon, p.lon);
        s.max_lon = std::max(s.max_lon, p.lon);
    }
    return out;
}

void validate(const WindField& w, const std::string& at) {
    require_parameter(w.air_density_kg_m3 > 0 && w.air_density_kg_m3 < 2, at + "/air_density_kg_m3", "in (0, 2)",
                      w.air_density_kg_m3);
    require_parameter(w.ambient_pressure_hpa > 950 && w.ambient_pressure_hpa < 1050, at + "/ambient_pressure_hpa",
                      "in (950, 1050)", w.ambient_pressure_hpa);
    require_parameter(w.surface_factor > 0 && w.surface_factor <= 1, at + "/surface_factor", "in (0, 1]", w.surface_factor);
    require_parameter(w.gust_factor >= 1 && w.gust_factor < 3, at + "/gust_factor", "in [1, 3)", w.gust_factor);
    require_parameter(w.translation_factor >= 0 && w.translation_factor <= 1, at + "/translation_factor", "in [0, 1]",
                      w.translation_factor);
}

void validate(const EventSetSpec& s, const std::string& at) {
    require_parameter(s.seasons >= 1, at + "/seasons", ">= 1", s.seasons);
    require_parameter(s.storms_per_season >= 0 && s.storms_per_season < 200, at + "/storms_per_season", "in [0, 200)",
                      s.storms_per_season);
    require_parameter(s.dispersion > 0, at + "/dispersion", "> 0 (infinity: Poisson)", s.dispersion);
    require_parameter(s.position_sd_deg >= 0 && s.position_sd_deg <= 5, at + "/position_sd_deg", "in [0, 5]",
                      s.position_sd_deg);
    require_parameter(s.intensity_sd >= 0 && s.intensity_sd <= 1, at + "/intensity_sd", "in [0, 1]", s.intensity_sd);
}

double rmax_km(double dp_hpa, double lat_deg) {
    return std::exp(3.015 - 6.291e-5 * dp_hpa * dp_hpa + 0.0337 * lat_deg);
}

double holland_b(double rmax, double lat_deg) {
    return std::clamp(1.881 - 0.00557 * rmax - 0.01097 * lat_deg, 0.8, 2.2);
}

double holland_gradient_wind(double dp_pa, double rmax_m, double b, double r_m, double f, double rho) {
    const double x = std::pow(rmax_m / r_m, b);
    const double rf2 = r_m * f / 2;
    return std::sqrt(b / rho * x * dp_pa * std::exp(-x) + rf2 * rf2) - rf2;
}

double surface_gust_ms(const WindField& w, const StormState& s, double site_lat, double site_lon) {
    if (!(s.dp_hpa > 0)) return 0;
    double dx, dy;
    offset_km(s.lat, s.lon, site_lat, site_lon, dx, dy);
    const double r_km = std::max(std::hypot(dx, dy), 0.1);
    const double rm = rmax_km(s.dp_hpa, s.lat);
    const double b = holland_b(rm, s.lat);
    const double f = 2 * omega * std::sin(std::fabs(s.lat) * pi / 180.0);
    const double vg = holland_gradient_wind(s.dp_hpa * 100.0, rm * 1000.0, b, r_km * 1000.0, f, w.air_density_kg_m3);
    // Cyclonic (anticlockwise) direction at the site: (-dy, dx) / r.
    const double along = (s.vx_ms * -dy + s.vy_ms * dx) / r_km;
    return std::max(0.0, w.gust_factor * (w.surface_factor * vg + w.translation_factor * along));
}

// Random numbers of the event set, stream holding_perils, holding word 0xfffffffe, peril word
// typhoon, year word = season, key = spec.seed: block 0x7fff word 0 the season's count (after
// the gamma of blocks 0x8000.. when negative binomial); storm j blocks 1 + 2j (words 0 the
// historical storm, 2-3 the latitude shift's normal) and 2 + 2j (words 0-1 the longitude
// shift's normal, 2-3 the intensity's normal).
EventSet::EventSet(std::vector<HistoricalStorm> storms, const EventSetSpec& spec, const WindField& wind, double threshold_ms)
    : historical_(std::move(storms)), spec_(spec), wind_(wind), threshold_ms_(threshold_ms) {
    validate(spec_, "model/typhoon/event_set");
    validate(wind_, "model/typhoon/wind_field");
    season_begin_.reserve(spec_.seasons + 1);
    season_begin_.push_back(0);
    if (historical_.empty() && spec_.storms_per_season > 0)
        throw std::invalid_argument("typhoon event set: no historical storms to draw from");
    const double n_hist = double(historical_.size());
    const double half_var = 0.5 * spec_.intensity_sd * spec_.intensity_sd;
    for (std::uint32_t s = 0; s < spec_.seasons; ++s) {
        const DrawAddress at{spec_.seed, Stream::holding_perils, s, 0xfffffffeu, static_cast<std::uint16_t>(PerilId::typhoon)};
        double mean = spec_.storms_per_season;
        if (std::isfinite(spec_.dispersion) && mean > 0)
            mean *= gamma_marsaglia_tsang(spec_.dispersion, [&](int b) { return at(static_cast<std::uint16_t>(0x8000 + b)); }) /
                    spec_.dispersion;
        const std::uint64_t count =
            mean > 0 ? std::min<std::uint64_t>(poisson_inversion(uniform32(at(0x7fff)[0]), mean), 0x3fff) : 0;
        for (std::uint64_t j = 0; j < count; ++j) {
            const Words a = at(static_cast<std::uint16_t>(1 + 2 * j)), b = at(static_cast<std::uint16_t>(2 + 2 * j));
            SyntheticStorm st;
            st.storm = std::min(static_cast<std::uint32_t>(uniform32(a[0]) * n_hist), static_cast<std::uint32_t>(n_hist - 1));
            st.dlat = spec_.position_sd_deg * normal_from_words(a[2], a[3]);
            st.dlon = spec_.position_sd_deg * normal_from_words(b[0], b[1]);
            st.intensity = std::exp(spec_.intensity_sd * normal_from_words(b[2], b[3]) - half_var);
            storms_.push_back(st);
        }
        season_begin_.push_back(static_cast<std::uint32_t>(storms_.size()));
    }
}

double EventSet::peak_gust_ms(const SyntheticStorm& s, double lat, double lon) const {
    return storm_peak_gust_ms(historical_[s.storm], s, wind_, lat, lon);
}

double storm_peak_gust_ms(const HistoricalStorm& h, const SyntheticStorm& s, const WindField& wind, double lat, double lon) {
    const double margin_deg = cutoff_km / km_per_degree;
    if (lat < h.min_lat + s.dlat - margin_deg || lat > h.max_lat + s.dlat + margin_deg) return 0;
    const double lon_margin = margin_deg / std::max(0.2, std::cos(lat * pi / 180.0));
    if (lon < h.min_lon + s.dlon - lon_margin || lon > h.max_lon + s.dlon + lon_margin) return 0;
    double peak = 0;
    const auto& p = h.points;
    auto dp_of = [&](double pressure) {
        return std::min(std::max(wind.ambient_pressure_hpa - pressure, 0.0) * s.intensity, max_dp_hpa);
    };
    for (std::size_t i = 0; i + 1 < p.size(); ++i) {
        const double dt = p[i + 1].hours - p[i].hours;
        if (dt <= 0 || dt > max_join_hours) continue;
        const double lat0 = p[i].lat + s.dlat, lon0 = p[i].lon + s.dlon;
        const double lat1 = p[i + 1].lat + s.dlat, lon1 = p[i + 1].lon + s.dlon;
        double ex, ey, sx, sy;
        offset_km(lat0, lon0, lat1, lon1, ex, ey);  // the segment
        offset_km(lat0, lon0, lat, lon, sx, sy);    // the site
        const double len2 = ex * ex + ey * ey;
        const double t = len2 > 0 ? std::clamp((sx * ex + sy * ey) / len2, 0.0, 1.0) : 0.0;
        if (std::hypot(sx - t * ex, sy - t * ey) > cutoff_km) continue;
        const double vx = ex * 1000.0 / (dt * 3600.0), vy = ey * 1000.0 / (dt * 3600.0);
        const double dp0 = dp_of(p[i].pressure_hpa), dp1 = dp_of(p[i + 1].pressure_hpa);
        const int steps = std::max(1, static_cast<int>(std::ceil(std::sqrt(len2) / step_km)));
        for (int k = 0; k <= steps; ++k) {
            const double u = double(k) / steps;
            const StormState st{lat0 + u * (lat1 - lat0), lon0 + u * (lon1 - lon0), dp0 + u * (dp1 - dp0), vx, vy};
            peak = std::max(peak, surface_gust_ms(wind, st, lat, lon));
        }
    }
    return peak;
}

std::shared_ptr<const LocationHazard> EventSet::hazard_at(double lat, double lon) const {
    const std::pair<long, long> key{std::lround(lat * 1e4), std::lround(lon * 1e4)};
    {
        const std::lock_guard<std::mutex> lock(mutex_);
        if (const auto it = cache_.find(key); it != cache_.end()) return it->second;
    }
    auto h = std::make_shared<LocationHazard>();
    h->season_begin.reserve(spec_.seasons + 1);
    h->season_begin.push_back(0);
    for (std::uint32_t s = 0; s < spec_.seasons; ++s) {
        for (std::uint32_t j = season_begin_[s]; j < season_begin_[s + 1]; ++j) {
            const double g = peak_gust_ms(storms_[j], lat, lon);
            if (g >= threshold_ms_) {
                h->gust_ms.push_back(g);
                h->storm.push_back(j - season_begin_[s]);
            }
        }
        h->season_begin.push_back(static_cast<std::uint32_t>(h->gust_ms.size()));
    }
    const std::lock_guard<std::mutex> lock(mutex_);
    return cache_.try_emplace(key, std::move(h)).first->second;
}

bool EventSet::fujian_landfall(const SyntheticStorm& s) const {
    return landfall(historical_[s.storm].points, [&](const StormPoint& p, double& lat, double& lon, double& pressure) {
        lat = p.lat + s.dlat;
        lon = p.lon + s.dlon;
        pressure = wind_.ambient_pressure_hpa -
                   std::min(std::max(wind_.ambient_pressure_hpa - p.pressure_hpa, 0.0) * s.intensity, max_dp_hpa);
    });
}

bool fujian_landfall(const HistoricalStorm& storm) {
    return landfall(storm.points, [](const StormPoint& p, double& lat, double& lon, double& pressure) {
        lat = p.lat;
        lon = p.lon;
        pressure = p.pressure_hpa;
    });
}

}  // namespace tanhui::risk
