#include "risk/calibration/landslide_model.hpp"

#include "risk/calibration/fit_report.hpp"
#include "risk/calibration/regional.hpp"
#include "risk/perils/landslide.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace tanhui::risk {

void landslide_counts(History& history, const std::string& province, int from, int to, std::vector<int>& year,
                      std::vector<double>& count) {
    for (const GeoHazardYear& g : history.geological_hazard_years(province)) {
        if (g.year < from || g.year > to) continue;
        year.push_back(g.year);
        count.push_back(g.landslides + g.collapses + g.debris_flows);
    }
}

std::optional<CountFit> fit_landslide_counts(std::span<const int> year, std::span<const double> count) {
    if (year.size() < 5 || std::count_if(count.begin(), count.end(), [](double c) { return c > 0; }) < 3) return std::nullopt;
    try {
        CountFit stationary = fit_counts(year, count, CountFamily::negative_binomial, false);
        CountFit trend = fit_counts(year, count, CountFamily::negative_binomial, true);
        return compare_trend(stationary, trend).trend_selected ? trend : stationary;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

namespace {

std::map<std::string, YearSeries> scores_of(const std::map<std::string, YearSeries>& raw) {
    std::map<std::string, YearSeries> out;
    for (const auto& [p, s] : raw) out[p] = normal_scores(s);
    return out;
}

// Mean correlation of the provinces' residual scores over all pairs: the shared correlation.
PooledCorrelation shared_correlation(const std::map<std::string, YearSeries>& scores) {
    std::map<std::string, YearSeries> a, b;
    for (auto i = scores.begin(); i != scores.end(); ++i)
        for (auto j = std::next(i); j != scores.end(); ++j) {
            a[i->first + "-" + j->first] = i->second;
            b[i->first + "-" + j->first] = j->second;
        }
    return pooled_correlation(a, b);
}

}  // namespace

std::vector<CalibrationRecord> calibrate_landslide(History& history, const CalibrationScope& scope) {
    const double area_per_event = required_assumption_value(history, "landslide.area_per_event_ha");
    const double stock_lost = required_assumption_value(history, "landslide.stock_lost_fraction");
    Value model, report;
    std::vector<double> data;
    std::map<std::string, YearSeries> residuals, freeze, flood;
    for (const std::string& p : scope.regions.empty() ? history.provinces() : scope.regions) {
        std::vector<int> year;
        std::vector<double> count;
        landslide_counts(history, p, scope.from_year, scope.to_year, year, count);
        const auto fit = fit_landslide_counts(year, count);
        const auto area = history.forest_area_ha(p);
        if (!fit || !area || !(*area > 0)) continue;
        for (std::size_t i = 0; i < year.size(); ++i) data.insert(data.end(), {std::stod(p), double(year[i]), count[i]});
        const int last = fit->year.back();
        Value& m = model["provinces"][p];
        m["events_per_year"] = expected_count(*fit, last);
        m["year_factor_shape"] = real_or_special(fit->size);
        m["forest_area_ha"] = *area;
        report["provinces"][p] = report_value(fit->report);
        report["provinces"][p]["trend_selected"] = fit->trend;
        report["provinces"][p]["projected_from_year"] = last;
        const std::vector<double> r = log_residuals(*fit);
        for (std::size_t i = 0; i < fit->year.size(); ++i) residuals[p][fit->year[i]] = r[i];
        for (const DisasterYear& d : history.disaster_years(p)) {
            freeze[p][d.year] = d.freeze_affected_kha;
            flood[p][d.year] = d.flood_geo_typhoon_affected_kha;
        }
    }
    if (residuals.empty()) throw InvalidInput("/from", "no province has enough geological-hazard years in the range");
    const auto scores = scores_of(residuals);
    const PooledCorrelation shared = shared_correlation(scores);
    const PooledCorrelation fire = pooled_correlation(scores, fire_residuals(history, history.provinces()));
    const PooledCorrelation with_freeze = pooled_correlation(scores, scores_of(freeze));
    const PooledCorrelation with_flood = pooled_correlation(scores, scores_of(flood));
    model["area_per_event_ha"] = area_per_event;
    model["stock_lost_fraction"] = stock_lost;
    model["shared_correlation"] = std::clamp(std::isnan(shared.estimate) ? 0.0 : shared.estimate, 0.0, 1.0);
    model["fire_year_correlation"] = std::isnan(fire.estimate) ? 0.0 : fire.estimate;
    report["dependence"]["between_provinces"] = correlation_value(shared, "count residual scores, all pairs of provinces");
    report["dependence"]["fire_year"] = correlation_value(fire, "count residual vs fire count residual, normal scores");
    report["dependence"]["freeze_index"] = correlation_value(with_freeze, "count residual vs NBS freeze index (reported)");
    report["dependence"]["flood_geo_typhoon_index"] =
        correlation_value(with_flood, "count residual vs NBS flood/geological/typhoon crop index (reported; "
                                      "the index includes geological hazards)");
    report["assumptions"]["landslide.area_per_event_ha"] = area_per_event;
    report["assumptions"]["landslide.stock_lost_fraction"] = stock_lost;
    report["scope"] = "NBS geological hazards by province: landslides + rock falls + debris flows";
    std::vector<CalibrationRecord> out;
    out.push_back({std::string(landslide_family), "all", std::move(data), std::move(report), std::move(model)});
    return out;
}

void assemble_landslide(Model& model, std::span<const CalibrationRecord> calibrations, History& history) {
    (void)history;
    for (const CalibrationRecord& c : calibrations) {
        if (c.family != landslide_family) continue;
        const Value& m = c.model;
        LandslideModel l;
        for (const auto& [code, p] : m.at("provinces").as_record())
            l.provinces[code] = {p.at("events_per_year").as_real(), real_or_special(p.at("year_factor_shape")),
                                 p.at("forest_area_ha").as_real()};
        l.area_per_event_ha = m.at("area_per_event_ha").as_real();
        l.stock_lost_fraction = m.at("stock_lost_fraction").as_real();
        const double rho = model.weather.cross_region_correlation;
        const double r = m.at("fire_year_correlation").as_real();
        const double load = rho > 0 ? std::clamp(r / std::sqrt(rho), -0.95, 0.95) : 0.0;
        l.dependence.weather_loading = load;
        // The provinces' correlation load^2 + (1 - load^2) rho_shared is what was measured.
        l.dependence.shared_correlation =
            std::clamp((m.at("shared_correlation").as_real() - load * load) / (1 - load * load), 0.0, 1.0);
        set_landslide_model(model, std::move(l));
    }
}

Value landslide_history_rows(History& history, const std::string& region, int from, int to,
                             const std::map<std::string, std::string>& filters) {
    (void)filters;
    Value out = Value::list();
    for (const GeoHazardYear& g : history.geological_hazard_years(region)) {
        if (g.year < from || g.year > to) continue;
        Value row;
        row["region"] = g.region;
        row["year"] = g.year;
        row["landslides"] = g.landslides;
        row["collapses"] = g.collapses;
        row["debris_flows"] = g.debris_flows;
        row["hazards_total"] = g.hazards_total;
        out.push_back(std::move(row));
    }
    return out;
}

}  // namespace tanhui::risk
