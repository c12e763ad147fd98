#include "risk/calibration/pest_model.hpp"

#include "risk/calibration/fire.hpp"
#include "risk/calibration/pest.hpp"
#include "risk/perils/pest.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <stdexcept>
#include <string>

namespace tanhui::risk {

namespace {

double required_assumption(History& history, const std::string& key) {
    const auto v = history.assumption(key);
    if (!v) throw std::runtime_error("assumption " + key + " is missing from data/historical/assumptions.csv");
    return *v;
}

// The national pest share against Fujian's weather residuals (log observed / expected fire
// counts of a negative-binomial trend fit): the elasticity's estimate when there are enough
// common years, else nothing (null in the report).
std::optional<ElasticityEstimate> weather_elasticity(History& history, const AffectedShare& share) {
    std::vector<int> fy;
    std::vector<double> fc;
    for (const auto& r : history.fire_years("35", 0, 9999)) {
        fy.push_back(r.year);
        fc.push_back(r.fires);
    }
    if (fy.size() < 5) return std::nullopt;
    const auto fit = fit_counts(fy, fc, CountFamily::negative_binomial, true);
    std::vector<int> common;
    std::vector<double> log_g, pest_share;
    for (std::size_t i = 0; i < share.year.size(); ++i)
        for (std::size_t k = 0; k < fit.year.size(); ++k)
            if (fit.year[k] == share.year[i]) {
                common.push_back(share.year[i]);
                log_g.push_back(std::log(std::max(fit.observed[k], 0.5) / fit.expected[k]));
                pest_share.push_back(share.share[i]);
            }
    if (common.size() < 3) return std::nullopt;
    return estimate_pest_weather_elasticity(common, log_g, pest_share);
}

Value elasticity_value(const std::optional<ElasticityEstimate>& e) {
    if (!e) return nullptr;
    Value v;
    v["estimate"] = real_or_special(e->elasticity);
    v["standard_error"] = real_or_special(e->standard_error);
    v["years"] = e->years;
    v["significant"] = e->significant;
    return v;
}

// The national affected share of the forest by year, with the forest area of each year
// interpolated between inventories; `data` gets (year, occurrence, host area) of each year used.
AffectedShare national_share(History& history, const CalibrationScope& scope, std::vector<double>& data) {
    std::vector<int> inventory_year;
    std::vector<double> inventory_area;
    for (const auto& inv : history.forest_area_series("CN")) {
        inventory_year.push_back(inv.reference_year);
        inventory_area.push_back(inv.forest_area_ha);
    }
    std::vector<int> years;
    std::vector<double> occurrence, host;
    for (const auto& r : history.pest_years("CN", "all")) {
        if (r.year < scope.from_year || r.year > scope.to_year) continue;
        years.push_back(r.year);
        occurrence.push_back(r.occurrence_area_ha);
        host.push_back(area_at(inventory_year, inventory_area, r.year));
        data.insert(data.end(), {double(r.year), r.occurrence_area_ha, host.back()});
    }
    if (years.size() < 3) throw InvalidInput("/from", "fewer than 3 years of national pest history in the range");
    return fit_affected_share(years, occurrence, host);
}

}  // namespace

std::vector<CalibrationRecord> calibrate_pest(History& history, const CalibrationScope& scope) {
    std::vector<double> data;
    const AffectedShare share = national_share(history, scope, data);
    const auto elasticity = weather_elasticity(history, share);
    const double e = pest_weather_elasticity(elasticity);

    // Pine wilt: the annual hazard that an uninfected Fujian county unit becomes an epidemic unit
    // (reported: the spread the county prevalence of assemble_pest comes from).
    std::vector<int> pwd_years;
    std::vector<double> pwd_units;
    for (int y : {2014, 2015, 2021})
        if (auto v = history.assumption("pwd.fujian_epidemic_counties." + std::to_string(y))) {
            pwd_years.push_back(y);
            pwd_units.push_back(*v);
            data.insert(data.end(), {double(y), *v});
        }
    const double county_units = static_cast<double>(history.county_count("35"));
    const auto hazard = fit_annual_hazard(pwd_years, pwd_units, county_units);

    // Only what the data give; the labelled assumptions join at assembly (assemble_pest), so
    // that a quote's uncertainty band can re-assemble under each one's low and high value.
    Value model;
    model["occurrence_share"] = share.mean_share;
    model["fire_weather_elasticity"] = e;

    Value report;
    report["affected_share"] = report_value(share.report);
    report["affected_share"]["log_trend_per_year"] = real_or_special(share.log_trend_per_year);
    report["affected_share"]["log_trend_standard_error"] = real_or_special(share.log_trend_standard_error);
    report["pine_wilt_hazard"] = report_value(hazard);
    report["pine_wilt_hazard"]["county_units"] = county_units;
    report["fire_weather_elasticity"] = elasticity_value(elasticity);
    report["fire_weather_elasticity_used"] = e;
    report["scope"] = "general pests: national NBS occurrence share (no provincial series exists); "
                      "pine wilt: Fujian epidemic county units and dead pines (assembled from assumptions.csv)";
    std::vector<CalibrationRecord> out;
    out.push_back({std::string(pest_family), "all", std::move(data), std::move(report), std::move(model)});
    return out;
}

PestModel pest_model_from(double occurrence_share, double weather_elasticity, History& history) {
    PestModel p;
    p.affected_a = required_assumption(history, "pest.affected_beta_a");
    p.affected_b = required_assumption(history, "pest.affected_beta_b");
    p.weather_elasticity = weather_elasticity;
    // General pests: outbreaks reproduce the national occurrence share; stock dies only on the
    // severe part of the occurrence area; the rest of the national growth loss is forgone growth.
    const double severe_share = required_assumption(history, "pest.severe_share");
    const double severe_mortality = required_assumption(history, "pest.severe_mortality");
    const double growth_loss_share = required_assumption(history, "pest.growth_loss_share_of_stock");
    const double p_general = outbreak_probability_from_share(occurrence_share, p.affected_a, p.affected_b);
    for (std::size_t i = 0; i < forest_type_count; ++i) {
        p.probability_per_year[i] = p_general;
        p.mortality[i] = severe_share * severe_mortality;
    }
    p.growth_loss_fraction = occurrence_share > 0 ? std::min(1.0, growth_loss_share / occurrence_share) : 0.0;

    // Pine wilt: the share of Fujian counties that are epidemic units; in them, the dead pines of
    // a season over the host stock they stand in gives the annual dying share d of host stock;
    // infested stands die over stand_death_years, so q E[f] dying_fraction = d.
    const double counties = required_assumption(history, "pwd.fujian_epidemic_counties.2021");
    const double county_units = static_cast<double>(history.county_count("35"));
    PineWiltModel& pw = p.pine_wilt;
    pw.host_share[index(ForestType::masson_pine)] = 1.0;
    pw.county_probability = county_units > 0 ? std::clamp(counties / county_units, 0.0, 1.0) : 0.0;
    const double dead_pines = required_assumption(history, "pwd.fujian_dead_pines_per_year");
    const double pines_per_ha = required_assumption(history, "pwd.pines_per_ha");
    const double pine_area_ha = required_assumption(history, "pwd.fujian_pine_area_ha");
    const double death_years = required_assumption(history, "pwd.stand_death_years");
    const double mortality = required_assumption(history, "pwd_mortality_fraction");
    pw.dying_fraction = death_years > 0 ? std::clamp(mortality / death_years, 0.0, 1.0) : 0.0;
    const double epidemic_area_ha = pine_area_ha * pw.county_probability;
    const double dying_share = epidemic_area_ha > 0 ? dead_pines / pines_per_ha / epidemic_area_ha : 0.0;
    const double mean_infested = p.affected_a / (p.affected_a + p.affected_b);
    pw.stand_probability =
        pw.dying_fraction > 0 ? std::clamp(dying_share / (mean_infested * pw.dying_fraction), 0.0, 1.0) : 0.0;
    return p;
}

void assemble_pest(Model& model, std::span<const CalibrationRecord> calibrations, History& history) {
    for (const CalibrationRecord& c : calibrations) {
        if (c.family != pest_family) continue;
        const Value& m = c.model;
        set_pest_model(model, pest_model_from(m.at("occurrence_share").as_real(), m.at("fire_weather_elasticity").as_real(),
                                              history));
    }
}

Value pest_history_rows(History& history, const std::string& region, int from, int to,
                        const std::map<std::string, std::string>& filters) {
    const auto pest = filters.find("pest");
    Value out = Value::list();
    for (const PestYear& p : history.pest_years(region, pest == filters.end() ? std::string() : pest->second)) {
        if (p.year < from || p.year > to) continue;
        Value row;
        row["region"] = p.region;
        row["year"] = p.year;
        row["pest"] = p.pest;
        row["occurrence_area_ha"] = p.occurrence_area_ha;
        out.push_back(std::move(row));
    }
    return out;
}

}  // namespace tanhui::risk
