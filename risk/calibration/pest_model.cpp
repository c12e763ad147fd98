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

    // Pine wilt: the annual hazard that an uninfected Fujian county unit becomes an epidemic unit.
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
    const double h = estimate(hazard, "annual_hazard");

    const double a = required_assumption(history, "pest.affected_beta_a");
    const double b = required_assumption(history, "pest.affected_beta_b");
    const double m_general = required_assumption(history, "pest_mortality.general");
    const double m_pwd = required_assumption(history, "pwd_mortality_fraction");
    const double p_general = outbreak_probability_from_share(share.mean_share, a, b);
    // masson_pine: an outbreak of either process; mortality weighted so that p x E[f] x m keeps
    // the sum of the two expected losses.
    const double p_pine = 1 - (1 - p_general) * (1 - h);
    const double m_pine = (p_general * m_general + h * m_pwd) / (p_general + h);

    Value model;
    for (std::size_t i = 0; i < forest_type_count; ++i) {
        const bool pine = static_cast<ForestType>(i) == ForestType::masson_pine;
        model["probability_per_year"][forest_type_names[i]] = pine ? p_pine : p_general;
        model["mortality"][forest_type_names[i]] = pine ? m_pine : m_general;
    }
    model["affected_a"] = a;
    model["affected_b"] = b;
    model["fire_weather_elasticity"] = e;

    Value report;
    report["affected_share"] = report_value(share.report);
    report["affected_share"]["log_trend_per_year"] = real_or_special(share.log_trend_per_year);
    report["affected_share"]["log_trend_standard_error"] = real_or_special(share.log_trend_standard_error);
    report["pine_wilt_hazard"] = report_value(hazard);
    report["pine_wilt_hazard"]["county_units"] = county_units;
    report["fire_weather_elasticity"] = elasticity_value(elasticity);
    report["fire_weather_elasticity_used"] = e;
    Value& assumptions = report["assumptions"];
    assumptions["pest.affected_beta_a"] = a;
    assumptions["pest.affected_beta_b"] = b;
    assumptions["pest_mortality.general"] = m_general;
    assumptions["pwd_mortality_fraction"] = m_pwd;
    report["scope"] = "general pests: national NBS occurrence share (no provincial series exists); "
                      "pine wilt: Fujian epidemic county units";
    std::vector<CalibrationRecord> out;
    out.push_back({std::string(pest_family), "all", std::move(data), std::move(report), std::move(model)});
    return out;
}

void assemble_pest(Model& model, std::span<const CalibrationRecord> calibrations, History& history) {
    (void)history;
    for (const CalibrationRecord& c : calibrations) {
        if (c.family != pest_family) continue;
        const Value& m = c.model;
        PestModel p;
        for (std::size_t i = 0; i < forest_type_count; ++i) {
            p.probability_per_year[i] = m.at("probability_per_year").at(forest_type_names[i]).as_real();
            p.mortality[i] = m.at("mortality").at(forest_type_names[i]).as_real();
        }
        p.affected_a = m.at("affected_a").as_real();
        p.affected_b = m.at("affected_b").as_real();
        p.weather_elasticity = m.at("fire_weather_elasticity").as_real();
        set_pest_model(model, p);
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
