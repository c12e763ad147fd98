#include "risk/calibration/typhoon_model.hpp"

#include "risk/calibration/fire.hpp"
#include "risk/calibration/fit_report.hpp"
#include "risk/perils/typhoon.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>
#include <string>

namespace tanhui::risk {

namespace {

double required_assumption(History& history, const std::string& key) {
    const auto v = history.assumption(key);
    if (!v) throw std::runtime_error("assumption " + key + " is missing from data/historical/assumptions.csv");
    return *v;
}

WindField wind_from_assumptions(History& history) {
    WindField w;
    w.air_density_kg_m3 = required_assumption(history, "typhoon.wind.air_density_kg_m3");
    w.ambient_pressure_hpa = required_assumption(history, "typhoon.wind.ambient_pressure_hpa");
    w.surface_factor = required_assumption(history, "typhoon.wind.surface_factor");
    w.gust_factor = required_assumption(history, "typhoon.wind.gust_factor");
    w.translation_factor = required_assumption(history, "typhoon.wind.translation_factor");
    return w;
}

Value wind_value(const WindField& w) {
    Value v;
    v["air_density_kg_m3"] = w.air_density_kg_m3;
    v["ambient_pressure_hpa"] = w.ambient_pressure_hpa;
    v["surface_factor"] = w.surface_factor;
    v["gust_factor"] = w.gust_factor;
    v["translation_factor"] = w.translation_factor;
    return v;
}

WindField wind_of(const Value& v) {
    WindField w;
    w.air_density_kg_m3 = v.at("air_density_kg_m3").as_real();
    w.ambient_pressure_hpa = v.at("ambient_pressure_hpa").as_real();
    w.surface_factor = v.at("surface_factor").as_real();
    w.gust_factor = v.at("gust_factor").as_real();
    w.translation_factor = v.at("translation_factor").as_real();
    return w;
}

// Storms a season, every season from first to last (a season without a storm counts 0).
std::vector<double> season_counts(std::span<const HistoricalStorm> storms, int first, int last) {
    std::vector<double> n(static_cast<std::size_t>(last - first + 1), 0.0);
    for (const HistoricalStorm& s : storms)
        if (s.year >= first && s.year <= last) n[static_cast<std::size_t>(s.year - first)] += 1;
    return n;
}

// The Saomai anchor: the gust at Cangnan's seat from the unshifted best track of CMA 0608, and
// the half-damage gust that makes the model's share lost there the observed one.
Value saomai_anchor(History& history, std::span<const TrackPoint> tracks, const WindField& wind, double threshold,
                    double& half_anchor) {
    std::vector<TrackPoint> saomai;
    for (const TrackPoint& p : tracks)
        if (p.cma_number == "0608" && p.year == 2006) saomai.push_back(p);
    if (saomai.empty()) throw std::runtime_error("typhoon calibration: Saomai (CMA 0608) is not in the best track");
    const auto storms = storms_from_tracks(saomai);
    const double lat = required_assumption(history, "typhoon.saomai.cangnan_latitude");
    const double lon = required_assumption(history, "typhoon.saomai.cangnan_longitude");
    const double damaged = required_assumption(history, "typhoon.saomai.cangnan_damaged_forest_ha");
    const double forest = required_assumption(history, "typhoon.saomai.cangnan_forest_ha");
    const double lost = required_assumption(history, "typhoon.saomai.stock_lost_on_damaged_area");
    const double gust = storm_peak_gust_ms(storms.front(), SyntheticStorm{}, wind, lat, lon);
    const double share = std::clamp(damaged / forest * lost, 1e-6, 0.999);
    // share = vn^3 / (1 + vn^3)  =>  vn = (share / (1 - share))^(1/3); half = threshold + (gust - threshold) / vn.
    const double vn = std::cbrt(share / (1 - share));
    if (!(gust > threshold)) throw std::runtime_error("typhoon calibration: the Saomai gust at Cangnan is below the threshold");
    half_anchor = threshold + (gust - threshold) / vn;
    Value v;
    v["gust_ms"] = gust;
    v["share_lost"] = share;
    v["half_damage_ms"] = half_anchor;
    v["damaged_share"] = damaged / forest;
    return v;
}

// Pearson correlation of Fujian's landfalls a season with Fujian's fire weather residuals (log
// observed / expected fire counts): the data behind item 5's dependence, reported, not used.
Value weather_dependence(History& history, std::span<const HistoricalStorm> storms) {
    std::vector<int> fy;
    std::vector<double> fc;
    for (const auto& r : history.fire_years("35", 0, 9999)) {
        fy.push_back(r.year);
        fc.push_back(r.fires);
    }
    Value v;
    v["used"] = 0.0;
    if (fy.size() < 5) return v;
    const auto fit = fit_counts(fy, fc, CountFamily::negative_binomial, true);
    std::map<int, double> landfalls;
    for (int y : fit.year) landfalls[y] = 0;
    for (const HistoricalStorm& s : storms)
        if (landfalls.count(s.year) && fujian_landfall(s)) landfalls[s.year] += 1;
    std::vector<double> x, y;
    for (std::size_t k = 0; k < fit.year.size(); ++k) {
        x.push_back(landfalls[fit.year[k]]);
        y.push_back(std::log(std::max(fit.observed[k], 0.5) / fit.expected[k]));
    }
    const double n = double(x.size());
    double mx = 0, my = 0;
    for (std::size_t k = 0; k < x.size(); ++k) mx += x[k], my += y[k];
    mx /= n, my /= n;
    double sxy = 0, sxx = 0, syy = 0;
    for (std::size_t k = 0; k < x.size(); ++k) {
        sxy += (x[k] - mx) * (y[k] - my);
        sxx += (x[k] - mx) * (x[k] - mx);
        syy += (y[k] - my) * (y[k] - my);
    }
    const double r = sxx > 0 && syy > 0 ? sxy / std::sqrt(sxx * syy) : 0.0;
    v["correlation_fujian_landfalls_fire_residual"] = r;
    v["standard_error"] = std::sqrt((1 - r * r) / (n - 2));
    v["years"] = x.size();
    v["from"] = fit.year.front();
    v["to"] = fit.year.back();
    return v;
}

EventSetSpec spec_of(const Value& m) {
    EventSetSpec s;
    s.seed = static_cast<std::uint64_t>(m.at("event_seed").as_integer());
    s.seasons = static_cast<std::uint32_t>(m.at("seasons").as_integer());
    s.storms_per_season = m.at("storms_per_season").as_real();
    s.dispersion = real_or_special(m.at("dispersion"));
    s.position_sd_deg = m.at("position_sd_deg").as_real();
    s.intensity_sd = m.at("intensity_sd").as_real();
    return s;
}

}  // namespace

LandfallRate historical_landfall_rate(std::span<const HistoricalStorm> storms, int first, int last) {
    std::vector<double> n(static_cast<std::size_t>(last - first + 1), 0.0);
    LandfallRate out;
    for (const HistoricalStorm& s : storms)
        if (s.year >= first && s.year <= last && fujian_landfall(s)) {
            n[static_cast<std::size_t>(s.year - first)] += 1;
            ++out.landfalls;
        }
    out.seasons = n.size();
    const double mean = double(out.landfalls) / double(n.size());
    double ss = 0;
    for (double c : n) ss += (c - mean) * (c - mean);
    out.per_decade = 10 * mean;
    out.standard_error = 10 * std::sqrt(ss / double(n.size() - 1) / double(n.size()));
    return out;
}

LandfallRate event_set_landfall_rate(const EventSet& events) {
    LandfallRate out;
    out.seasons = events.seasons();
    double ss = 0;
    std::vector<double> n(out.seasons, 0.0);
    for (std::uint32_t s = 0; s < events.seasons(); ++s)
        for (std::uint32_t j = events.season_begin()[s]; j < events.season_begin()[s + 1]; ++j)
            if (events.fujian_landfall(events.storms()[j])) {
                n[s] += 1;
                ++out.landfalls;
            }
    const double mean = double(out.landfalls) / double(out.seasons);
    for (double c : n) ss += (c - mean) * (c - mean);
    out.per_decade = 10 * mean;
    out.standard_error = out.seasons > 1 ? 10 * std::sqrt(ss / double(out.seasons - 1) / double(out.seasons)) : 0.0;
    return out;
}

std::vector<CalibrationRecord> calibrate_typhoon(History& history, const CalibrationScope& scope) {
    const int first = std::max(scope.from_year, 1949), last = std::min(scope.to_year, 2024);
    const std::vector<TrackPoint> tracks = history.typhoon_tracks(first, last);
    // A store built before the best track was shipped has none: no typhoon calibration (a quote
    // naming typhoon then says so), rather than no model at all.
    if (tracks.empty() && history.typhoon_tracks(0, 9999).empty()) return {};
    if (last - first + 1 < 10 || tracks.empty())
        throw InvalidInput("/from", "fewer than 10 seasons of typhoon best track in the range");
    const auto storms = storms_from_tracks(tracks);
    std::vector<int> years;
    for (int y = first; y <= last; ++y) years.push_back(y);
    const std::vector<double> counts = season_counts(storms, first, last);
    const CountFit fit = fit_counts(years, counts, CountFamily::negative_binomial, false);

    const WindField wind = wind_from_assumptions(history);
    const double threshold = required_assumption(history, "typhoon.vulnerability.threshold_ms");
    double half_anchor = 0;
    const Value anchor = saomai_anchor(history, tracks, wind, threshold, half_anchor);

    Value model;
    model["first_year"] = first;
    model["last_year"] = last;
    model["seasons"] = static_cast<std::int64_t>(required_assumption(history, "typhoon.events.seasons"));
    model["event_seed"] = static_cast<std::int64_t>(required_assumption(history, "typhoon.events.seed"));
    model["storms_per_season"] = std::exp(fit.log_mean);
    model["dispersion"] = real_or_special(fit.size);
    model["position_sd_deg"] = required_assumption(history, "typhoon.events.position_sd_deg");
    model["intensity_sd"] = required_assumption(history, "typhoon.events.intensity_sd");
    model["wind_field"] = wind_value(wind);
    model["vulnerability"]["threshold_ms"] = threshold;
    for (std::size_t i = 0; i < forest_type_count; ++i) {
        const std::string t(forest_type_names[i]);
        model["vulnerability"]["half_damage_ms"][t] =
            threshold + (half_anchor - threshold) * required_assumption(history, "typhoon.vulnerability.relative_half." + t);
    }

    std::vector<double> data;
    for (const TrackPoint& p : tracks) data.insert(data.end(), {double(p.year), p.lat, p.lon, p.pressure_hpa});
    Value report;
    report["storms_per_season"] = report_value(fit.report);
    report["saomai_anchor"] = anchor;
    const LandfallRate hist = historical_landfall_rate(storms, first, last);
    report["fujian_landfalls_per_decade"] = hist.per_decade;
    report["fujian_landfalls_standard_error"] = hist.standard_error;
    report["weather_dependence"] = weather_dependence(history, storms);
    report["scope"] = "CMA best track inside 15-35 N, 108-132 E; seasons " + std::to_string(first) + "-" + std::to_string(last);
    std::vector<CalibrationRecord> out;
    out.push_back({std::string(typhoon_family), "all", std::move(data), std::move(report), std::move(model)});
    return out;
}

void assemble_typhoon(Model& model, std::span<const CalibrationRecord> calibrations, History& history) {
    for (const CalibrationRecord& c : calibrations) {
        if (c.family != typhoon_family) continue;
        const Value& m = c.model;
        const int first = static_cast<int>(m.at("first_year").as_integer());
        const int last = static_cast<int>(m.at("last_year").as_integer());
        TyphoonModel t;
        t.vulnerability.threshold_ms = m.at("vulnerability").at("threshold_ms").as_real();
        for (std::size_t i = 0; i < forest_type_count; ++i)
            t.vulnerability.half_damage_ms[i] = m.at("vulnerability").at("half_damage_ms").at(forest_type_names[i]).as_real();
        for (const RegionPoint& p : history.region_centroids()) t.seats[p.region] = {p.latitude, p.longitude};
        const auto tracks = history.typhoon_tracks(first, last);
        t.events = std::make_shared<const EventSet>(storms_from_tracks(tracks), spec_of(m), wind_of(m.at("wind_field")),
                                                    t.vulnerability.threshold_ms);
        set_typhoon_model(model, std::move(t));
    }
}

namespace {

// Great-circle distance (haversine, mean earth radius 6371.0 km).
double great_circle_km(double lat1, double lon1, double lat2, double lon2) {
    constexpr double rad = 3.14159265358979323846 / 180.0;
    const double a = std::sin((lat2 - lat1) * rad / 2), b = std::sin((lon2 - lon1) * rad / 2);
    const double h = a * a + std::cos(lat1 * rad) * std::cos(lat2 * rad) * b * b;
    return 2 * 6371.0 * std::asin(std::min(1.0, std::sqrt(h)));
}

double within_km_filter(const std::map<std::string, std::string>& filters) {
    const auto f = filters.find("within_km");
    if (f == filters.end()) return typhoon_history_within_km;
    std::size_t used = 0;
    double km = 0;
    try {
        km = std::stod(f->second, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != f->second.size() || !(km > 0 && km <= 5000))
        throw InvalidInput("query/within_km", "must be a distance in km in (0, 5000], got \"" + f->second + "\"");
    return km;
}

// The points of the storms that passed within km of the region's seat.
std::vector<TrackPoint> near_storms(History& history, std::vector<TrackPoint> points, const std::string& region,
                                    double km) {
    std::map<std::string, std::pair<double, double>> seats;
    for (const RegionPoint& p : history.region_centroids()) seats[p.region] = {p.latitude, p.longitude};
    const std::string seat = region_key(seats, region);
    if (seat.empty()) throw InvalidInput("query/region", "no seat coordinates for region \"" + region + "\"");
    const auto [lat, lon] = seats.at(seat);
    std::set<std::string> near;
    for (const TrackPoint& p : points)
        if (great_circle_km(lat, lon, p.lat, p.lon) <= km) near.insert(p.storm);
    std::erase_if(points, [&](const TrackPoint& p) { return !near.count(p.storm); });
    return points;
}

}  // namespace

Value typhoon_history_rows(History& history, const std::string& region, int from, int to,
                           const std::map<std::string, std::string>& filters) {
    const double km = within_km_filter(filters);
    std::vector<TrackPoint> points = history.typhoon_tracks(from, to);
    if (region != "CN") points = near_storms(history, std::move(points), region, km);
    Value out = Value::list();
    for (const TrackPoint& p : points) {
        Value row;
        row["storm"] = p.storm;
        row["year"] = p.year;
        row["cma_number"] = p.cma_number;
        row["time"] = p.time;
        row["lat"] = p.lat;
        row["lon"] = p.lon;
        row["pressure_hpa"] = p.pressure_hpa;
        row["wind_ms"] = p.wind_ms;
        out.push_back(std::move(row));
    }
    return out;
}

}  // namespace tanhui::risk
