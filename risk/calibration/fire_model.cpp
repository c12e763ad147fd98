#include "risk/calibration/fire_model.hpp"

#include "risk/calibration/fire.hpp"
#include "risk/perils/fire.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace tanhui::risk {

namespace {

// The report of a region's fire calibration: the count fits with their trend test, the burned
// area fit, the projection to the policy year and the history check.
Value fire_report(const std::string& region, const CountFit& counts_fit, const CountFit& stationary,
                  const TrendComparison& cmp, const BurnedAreaFit& area_fit, const CountProjection& projection,
                  int last_year, double forest_area_ha) {
    Value report;
    report["region"] = region;
    report["counts"] = report_value(counts_fit.report);
    report["counts_stationary"] = report_value(stationary.report);
    report["trend_selected"] = cmp.trend_selected;
    Value& test = report["trend_test"];
    test["likelihood_ratio"] = real_or_special(cmp.likelihood_ratio.statistic);
    test["p_value"] = real_or_special(cmp.likelihood_ratio.p_value);
    test["aic_stationary"] = real_or_special(cmp.aic_stationary);
    test["aic_trend"] = real_or_special(cmp.aic_trend);
    report["burned_area"] = report_value(area_fit.report);
    report["burned_area"]["used_size_classes"] = area_fit.used_size_classes;
    Value& p = report["projection"];
    p["policy_year_rule"] = "trend held at its last observed year (" + std::to_string(last_year) + ")";
    p["expected_fires_per_year"] = real_or_special(projection.expected_count);
    p["lower_95"] = real_or_special(projection.lower_95);
    p["upper_95"] = real_or_special(projection.upper_95);
    Value& check = report["history_check"];
    check["years"] = counts_fit.year;
    check["observed"] = counts_fit.observed;
    check["expected"] = counts_fit.expected;
    check["outside_95"] = counts_fit.outside_95;
    report["forest_area_ha"] = forest_area_ha;
    return report;
}

Value fire_parameters(const FireModel& fire) {
    Value model;
    model["rate_per_ha_year"] = real_or_special(fire.rate_per_ha_year);
    model["year_factor_shape"] = real_or_special(fire.year_factor_shape);
    Value& b = model["burned_area"];
    b["mu"] = fire.burned_area.mu;
    b["sigma"] = fire.burned_area.sigma;
    b["threshold_ha"] = fire.burned_area.threshold_ha;
    b["tail_probability"] = fire.burned_area.tail_probability;
    b["gpd_xi"] = fire.burned_area.gpd_xi;
    b["gpd_beta"] = fire.burned_area.gpd_beta;
    return model;
}

// Every province with a forest area and at least 5 years with fires (a province with (almost)
// none has no rate to fit).
std::vector<std::string> default_fire_regions(History& history) {
    std::vector<std::string> out;
    for (const std::string& code : history.provinces()) {
        if (!history.forest_area_ha(code)) continue;
        const auto years = history.fire_years(code, 0, 9999);
        if (std::count_if(years.begin(), years.end(), [](const FireYear& y) { return y.fires > 0; }) >= 5)
            out.push_back(code);
    }
    return out;
}

}  // namespace

// Negative binomial counts with a log-linear trend (or without, by AIC), the per-fire damaged
// area, and the province's rate per hectare of forest.
CalibrationRecord calibrate_fire_region(History& history, const std::string& region, int from, int to) {
    const auto rows = history.fire_years(region, from, to);
    if (rows.size() < 5)
        throw InvalidInput("/region", "region " + region + " has " + std::to_string(rows.size()) +
                                          " years of fire history in " + std::to_string(from) + "-" + std::to_string(to) +
                                          "; at least 5 are needed");
    const auto forest_area = history.forest_area_ha(region);
    if (!forest_area || !(*forest_area > 0))
        throw InvalidInput("/region", "region " + region + " has no forest area in data/historical/forest_area.csv, "
                                      "so its fire rate per hectare cannot be derived");
    std::vector<int> years;
    std::vector<double> counts, data;
    AreaPerFireData area;
    for (const auto& r : rows) {
        years.push_back(r.year);
        counts.push_back(r.fires);
        data.insert(data.end(), {double(r.year), r.fires, r.forest_damaged_ha, r.fires_general, r.fires_larger, r.fires_major,
                                 r.fires_extreme});
        if (r.fires > 0 && r.forest_damaged_ha > 0) {
            area.year.push_back(r.year);
            area.fires.push_back(r.fires);
            area.damaged_area_ha.push_back(r.forest_damaged_ha);
            area.size_class_fires.push_back(
                size_classes_from_nbs(r.year, r.fires, r.fires_general, r.fires_larger, r.fires_major, r.fires_extreme));
        }
    }
    const auto stationary = fit_counts(years, counts, CountFamily::negative_binomial, false);
    const auto trend = fit_counts(years, counts, CountFamily::negative_binomial, true);
    const auto cmp = compare_trend(stationary, trend);
    const CountFit& counts_fit = cmp.trend_selected ? trend : stationary;
    const auto area_fit = fit_burned_area(area, production_area_options);

    const int last_year = years.back();
    FireModelOptions options;
    options.policy_year = last_year + 1;
    options.forest_area_ha = *forest_area;
    // The decline is not extrapolated beyond the data: the rate of the last observed year is
    // projected flat to any policy year (docs/risk-model.md, "Trend").
    options.projection.freeze_trend_after_year = last_year;
    const FireModel fire = fire_model_from(counts_fit, &area_fit, options);
    const auto projection = project_count(counts_fit, last_year + 1, options.projection);
    return {std::string(fire_family), region, std::move(data),
            fire_report(region, counts_fit, stationary, cmp, area_fit, projection, last_year, *forest_area),
            fire_parameters(fire)};
}

// The weather factor's correlation across provinces, from detrended count residuals of Fujian
// and its neighbours (Zhejiang 33, Jiangxi 36, Guangdong 44).
CalibrationRecord calibrate_weather(History& history, int from, int to) {
    std::vector<RegionCounts> regions;
    std::vector<double> data;
    for (const char* code : {"35", "33", "36", "44"}) {
        RegionCounts rc;
        rc.region = code;
        for (const auto& r : history.fire_years(code, from, to)) {
            rc.year.push_back(r.year);
            rc.fires.push_back(r.fires);
            data.insert(data.end(), {double(r.year), r.fires});
        }
        if (rc.year.size() >= 5) regions.push_back(std::move(rc));
    }
    if (regions.size() < 2) throw InvalidInput("/from", "too few years of fire history to estimate the correlation");
    const auto dep = estimate_weather_dependence(regions, true);
    Value report;
    report["regions"] = dep.regions;
    report["years"] = dep.years;
    report["correlation"] = dep.correlation;
    report["mean_correlation"] = real_or_special(dep.mean_correlation);
    report["mean_correlation_standard_error"] = real_or_special(dep.mean_correlation_standard_error);
    report["method"] = "Pearson correlation of log residuals of negative-binomial trend fits";
    // A negative mean is not a credible weather effect between neighbours: floor at 0.
    const double rho = std::clamp(dep.mean_correlation, 0.0, 1.0);
    report["used"] = rho;
    Value model;
    model["cross_region_correlation"] = rho;
    return {std::string(weather_family), "all", std::move(data), std::move(report), std::move(model)};
}

std::vector<CalibrationRecord> calibrate_fire(History& history, const CalibrationScope& scope) {
    std::vector<CalibrationRecord> out;
    for (const std::string& region : scope.regions.empty() ? default_fire_regions(history) : scope.regions)
        out.push_back(calibrate_fire_region(history, region, scope.from_year, scope.to_year));
    out.push_back(calibrate_weather(history, scope.from_year, scope.to_year));
    return out;
}

void assemble_fire(Model& model, std::span<const CalibrationRecord> calibrations, History& history) {
    FireModel base;
    for (std::size_t i = 0; i < forest_type_count; ++i) {
        const std::string t(forest_type_names[i]);
        if (auto f = history.assumption("flammability." + t)) base.flammability[i] = *f;
        if (auto l = history.assumption("fire_loss_fraction." + t)) base.loss_fraction[i] = *l;
    }
    for (const CalibrationRecord& c : calibrations) {
        const Value& m = c.model;
        if (c.family == fire_family) {
            FireModel f = base;
            f.rate_per_ha_year = real_or_special(m.at("rate_per_ha_year"));
            f.year_factor_shape = real_or_special(m.at("year_factor_shape"));
            const Value& b = m.at("burned_area");
            f.burned_area = {b.at("mu").as_real(),           b.at("sigma").as_real(),  b.at("threshold_ha").as_real(),
                             b.at("tail_probability").as_real(), b.at("gpd_xi").as_real(), b.at("gpd_beta").as_real()};
            add_fire_model(model, c.scope, f);
        } else if (c.family == weather_family) {
            model.weather.cross_region_correlation = m.at("cross_region_correlation").as_real();
        }
    }
}

Value fire_history_rows(History& history, const std::string& region, int from, int to,
                        const std::map<std::string, std::string>& filters) {
    (void)filters;
    Value out = Value::list();
    for (const FireYear& f : history.fire_years(region, from, to)) {
        Value row;
        row["region"] = f.region;
        row["year"] = f.year;
        row["fires"] = f.fires;
        row["burned_area_ha"] = f.burned_area_ha;
        row["forest_damaged_ha"] = f.forest_damaged_ha;
        out.push_back(std::move(row));
    }
    return out;
}

}  // namespace tanhui::risk
