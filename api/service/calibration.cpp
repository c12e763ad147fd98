#include "api/service/calibration.hpp"

#include "data/import/import.hpp"
#include "data/repositories/calibrations.hpp"
#include "risk/calibration/fire.hpp"
#include "risk/calibration/pest.hpp"
#include "risk/calibration/price.hpp"
#include "risk/model/growth.hpp"


#include <algorithm>
#include <cmath>
#include <ctime>
#include <iomanip>
#include <map>
#include <set>
#include <sstream>

namespace tanhui::api {

namespace {

// JSON numbers cannot be NaN or infinite: those become null (and "inf" strings for infinity).
nlohmann::json num(double v) {
    if (std::isnan(v)) return nullptr;
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    return v;
}

double from_num(const nlohmann::json& j) {
    if (j.is_null()) return std::nan("");
    if (j.is_string()) return j.get<std::string>() == "inf" ? INFINITY : -INFINITY;
    return j.get<double>();
}

nlohmann::json report_json(const risk::FitReport& r) {
    nlohmann::json j;
    j["family"] = r.family;
    j["parameters"] = nlohmann::json::object();
    for (std::size_t i = 0; i < r.parameter_names.size(); ++i)
        j["parameters"][r.parameter_names[i]] = {{"estimate", num(r.estimates[i])},
                                                 {"standard_error", num(i < r.standard_errors.size() ? r.standard_errors[i] : NAN)}};
    j["log_likelihood"] = num(r.log_likelihood);
    j["aic"] = num(r.aic);
    j["bic"] = num(r.bic);
    j["goodness_of_fit"] = nlohmann::json::array();
    for (const auto& g : r.goodness_of_fit) {
        nlohmann::json t{{"test", g.name}, {"statistic", num(g.statistic)}, {"p_value", num(g.p_value)}};
        if (g.degrees_of_freedom) t["degrees_of_freedom"] = num(*g.degrees_of_freedom);
        if (!g.note.empty()) t["note"] = g.note;
        j["goodness_of_fit"].push_back(t);
    }
    j["data_from"] = r.data_from;
    j["data_to"] = r.data_to;
    j["rows"] = r.rows;
    j["data_fnv1a64"] = risk::hex_hash(r.data_hash);
    j["optimiser"] = r.optimiser;
    j["converged"] = r.converged;
    j["notes"] = r.notes;
    if (!r.at_bound.empty()) j["at_bound"] = r.at_bound;  // only then: a fit inside its bounds keeps its id
    return j;
}

std::string sha_of_doubles(const std::vector<double>& values) {
    std::string bytes(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(double));
    return data::sha256_hex(bytes);
}

Calibration make(std::string family, std::string scope, std::string data_hash, nlohmann::json report, nlohmann::json model) {
    Calibration c;
    c.family = std::move(family);
    c.scope = std::move(scope);
    c.created = utc_now_iso8601();
    c.data_hash = std::move(data_hash);
    c.report = std::move(report);
    c.model = std::move(model);
    const std::string digest = data::sha256_hex(c.report.dump() + c.model.dump() + c.data_hash);
    c.id = c.family + "-" + c.scope + "-" + digest.substr(0, 12);
    return c;
}

// ------------------------------------------------------------------------------------------
// Fire: negative binomial counts with a log-linear trend (or without, by AIC), the per-fire
// damaged area, and the province's rate per hectare of forest.

Calibration calibrate_fire(data::Store& store, const std::string& region, int from, int to) {
    const auto rows = store.fire_history(region, from, to);
    if (rows.size() < 5)
        throw InvalidInput("/region", "region " + region + " has " + std::to_string(rows.size()) +
                                          " years of fire history in " + std::to_string(from) + "-" + std::to_string(to) +
                                          "; at least 5 are needed");
    const auto forest_area = store.forest_area_ha(region);
    if (!forest_area || !(*forest_area > 0))
        throw InvalidInput("/region", "region " + region + " has no forest area in data/historical/forest_area.csv, "
                                      "so its fire rate per hectare cannot be derived");
    std::vector<int> years;
    std::vector<double> counts, hashed;
    risk::AreaPerFireData area;
    for (const auto& r : rows) {
        years.push_back(r.year);
        counts.push_back(r.fires);
        hashed.insert(hashed.end(), {double(r.year), r.fires, r.forest_damaged_ha, r.fires_general, r.fires_larger,
                                     r.fires_major, r.fires_extreme});
        if (r.fires > 0 && r.forest_damaged_ha > 0) {
            area.year.push_back(r.year);
            area.fires.push_back(r.fires);
            area.damaged_area_ha.push_back(r.forest_damaged_ha);
            area.size_class_fires.push_back(risk::size_classes_from_nbs(r.year, r.fires, r.fires_general, r.fires_larger,
                                                                        r.fires_major, r.fires_extreme));
        }
    }
    const auto stationary = risk::fit_counts(years, counts, risk::CountFamily::negative_binomial, false);
    const auto trend = risk::fit_counts(years, counts, risk::CountFamily::negative_binomial, true);
    const auto cmp = risk::compare_trend(stationary, trend);
    const risk::CountFit& counts_fit = cmp.trend_selected ? trend : stationary;
    const auto area_fit = risk::fit_burned_area(area, {.trend = true, .year_effect = true, .reference_year = std::nullopt});

    const int last_year = years.back();
    risk::FireModelOptions options;
    options.policy_year = last_year + 1;
    options.forest_area_ha = *forest_area;
    // The decline is not extrapolated beyond the data: the rate of the last observed year is
    // projected flat to any policy year (docs/risk-model.md, "Trend").
    options.projection.freeze_trend_after_year = last_year;
    const risk::FireModel fire = risk::fire_model_from(counts_fit, &area_fit, options);
    const auto projection = risk::project_count(counts_fit, last_year + 1, options.projection);

    nlohmann::json report;
    report["region"] = region;
    report["counts"] = report_json(counts_fit.report);
    report["counts_stationary"] = report_json(stationary.report);
    report["trend_selected"] = cmp.trend_selected;
    report["trend_test"] = {{"likelihood_ratio", num(cmp.likelihood_ratio.statistic)},
                            {"p_value", num(cmp.likelihood_ratio.p_value)},
                            {"aic_stationary", num(cmp.aic_stationary)},
                            {"aic_trend", num(cmp.aic_trend)}};
    report["burned_area"] = report_json(area_fit.report);
    report["burned_area"]["used_size_classes"] = area_fit.used_size_classes;
    report["projection"] = {{"policy_year_rule", "trend held at its last observed year (" + std::to_string(last_year) + ")"},
                            {"expected_fires_per_year", num(projection.expected_count)},
                            {"lower_95", num(projection.lower_95)},
                            {"upper_95", num(projection.upper_95)}};
    report["history_check"] = {{"years", counts_fit.year}, {"observed", counts_fit.observed},
                               {"expected", counts_fit.expected}, {"outside_95", counts_fit.outside_95}};
    report["forest_area_ha"] = *forest_area;

    nlohmann::json model{{"rate_per_ha_year", num(fire.rate_per_ha_year)},
                         {"year_factor_shape", num(fire.year_factor_shape)},
                         {"burned_area", {{"mu", fire.burned_area.mu}, {"sigma", fire.burned_area.sigma},
                                          {"threshold_ha", fire.burned_area.threshold_ha},
                                          {"tail_probability", fire.burned_area.tail_probability},
                                          {"gpd_xi", fire.burned_area.gpd_xi}, {"gpd_beta", fire.burned_area.gpd_beta}}}};
    return make("fire", region, sha_of_doubles(hashed), std::move(report), std::move(model));
}

// The fire-weather factor's correlation across provinces, from detrended count residuals of
// Fujian and its neighbours (Zhejiang 33, Jiangxi 36, Guangdong 44).
Calibration calibrate_fire_weather(data::Store& store, int from, int to) {
    std::vector<risk::RegionCounts> regions;
    std::vector<double> hashed;
    for (const char* code : {"35", "33", "36", "44"}) {
        risk::RegionCounts rc;
        rc.region = code;
        for (const auto& r : store.fire_history(code, from, to)) {
            rc.year.push_back(r.year);
            rc.fires.push_back(r.fires);
            hashed.insert(hashed.end(), {double(r.year), r.fires});
        }
        if (rc.year.size() >= 5) regions.push_back(std::move(rc));
    }
    if (regions.size() < 2) throw InvalidInput("/from", "too few years of fire history to estimate the correlation");
    const auto dep = risk::estimate_fire_weather_dependence(regions, true);
    nlohmann::json report;
    report["regions"] = dep.regions;
    report["years"] = dep.years;
    report["correlation"] = dep.correlation;
    report["mean_correlation"] = num(dep.mean_correlation);
    report["mean_correlation_standard_error"] = num(dep.mean_correlation_standard_error);
    report["method"] = "Pearson correlation of log residuals of negative-binomial trend fits";
    // A negative mean is not a credible weather effect between neighbours: floor at 0.
    const double rho = std::clamp(dep.mean_correlation, 0.0, 1.0);
    report["used"] = rho;
    return make("fire_weather", "all", sha_of_doubles(hashed), std::move(report), {{"cross_region_correlation", rho}});
}

// ------------------------------------------------------------------------------------------
// Growth: Chapman-Richards per forest type on the age-group tree carbon densities
// (data/historical/carbon_density_by_age.csv), tC/ha x 44/12 = tCO2e/ha at the age class midpoint.

Calibration calibrate_growth(data::Store& store) {
    struct Point { std::string origin; double from, to, tc; };
    std::map<std::string, std::vector<Point>> by_type;
    std::vector<double> hashed;
    for (const auto& row : store.carbon_density_by_age()) {
        Point p{row.origin, row.age_from_years, row.age_to_years, row.tree_carbon_tc_per_ha};
        by_type[row.forest_type].push_back(p);
        hashed.insert(hashed.end(), {p.from, p.to, p.tc});
    }
    const double co2_per_c = 44.0 / 12.0;
    nlohmann::json report = nlohmann::json::object(), model = nlohmann::json::object();
    std::map<std::string, risk::GrowthCurve> fitted;
    for (const auto& [type, points] : by_type) {
        // Planted stands where the literature has them (most insured carbon is plantation), else natural.
        const bool has_planted = std::any_of(points.begin(), points.end(), [](const Point& p) { return p.origin == "planted"; });
        std::vector<risk::AgeStockPoint> xs;
        nlohmann::json used = nlohmann::json::array();
        for (const auto& p : points) {
            if ((p.origin == "planted") != has_planted) continue;
            // The open last class ("over-mature", no upper bound) is placed 10 years past its start.
            const double age = std::isnan(p.to) ? p.from + 10 : (p.from + p.to) / 2;
            if (!(age > 0)) continue;
            xs.push_back({age, p.tc * co2_per_c, 1});
            used.push_back({{"age_years", age}, {"tco2e_per_ha", p.tc * co2_per_c}});
        }
        if (xs.size() < 3) continue;
        const auto fit = risk::fit_chapman_richards(xs);
        fitted[type] = fit.curve;
        report[type] = {{"origin", has_planted ? "planted" : "natural"}, {"points", used},
                        {"max_tco2e_per_ha", fit.curve.max_tco2e_per_ha}, {"rate_per_year", fit.curve.rate_per_year},
                        {"shape", fit.curve.shape}, {"rmse_tco2e_per_ha", fit.rmse}, {"r_squared", fit.r_squared},
                        {"converged", fit.converged}};
        model[type] = {{"max_tco2e_per_ha", fit.curve.max_tco2e_per_ha}, {"rate_per_year", fit.curve.rate_per_year},
                       {"shape", fit.curve.shape}};
    }
    // Eucalyptus has no age series: the broadleaf curve scaled by the ratio of the labelled
    // eucalyptus tree carbon (assumptions.csv tree_carbon.eucalyptus) to broadleaf's.
    if (!model.contains("eucalyptus") && fitted.count("broadleaf")) {
        const auto euc = store.assumption("tree_carbon.eucalyptus");
        const auto broadleaf_tc = store.tree_carbon_tc_per_ha(ForestType::broadleaf);
        if (euc && broadleaf_tc && *broadleaf_tc > 0) {
            const double ratio = *euc / *broadleaf_tc;
            risk::GrowthCurve g = fitted["broadleaf"];
            g.max_tco2e_per_ha *= ratio;
            report["eucalyptus"] = {{"derived_from", "broadleaf"}, {"scale", ratio},
                                    {"note", "assumptions.csv tree_carbon.eucalyptus / forest_types broadleaf tree carbon"}};
            model["eucalyptus"] = {{"max_tco2e_per_ha", g.max_tco2e_per_ha}, {"rate_per_year", g.rate_per_year}, {"shape", g.shape}};
        }
    }
    report["unit"] = "tree-layer carbon, tCO2e/ha (tC/ha x 44/12), at the age-class midpoint";
    return make("growth", "all", sha_of_doubles(hashed), std::move(report), std::move(model));
}

// ------------------------------------------------------------------------------------------
// Price: GBM, OU, and either with Merton jumps by exact MLE on traded days; the lowest AIC is
// the physical model, and the GBM volatility of all returns serves risk-neutral pricing.

nlohmann::json price_model_json(const risk::PriceModel& m) {
    return {{"process", m.process == risk::PriceProcess::ou ? "ou" : "gbm"},
            {"spot", m.spot}, {"spot_date", m.spot_date}, {"drift", num(m.drift)}, {"volatility", num(m.volatility)},
            {"mean_reversion", num(m.mean_reversion)}, {"long_run_log_price", num(m.long_run_log_price)},
            {"jump_intensity", num(m.jump_intensity)}, {"jump_mean", num(m.jump_mean)}, {"jump_std", num(m.jump_std)},
            {"risk_free_rate", m.risk_free_rate}, {"dividend_yield", m.dividend_yield},
            {"risk_neutral_volatility", num(m.risk_neutral_volatility)}};
}

Calibration calibrate_price(data::Store& store, const std::string& market, std::optional<int> from_year,
                            std::optional<int> to_year, bool jumps) {
    const auto range = store.market(market);
    const std::string from = from_year ? std::to_string(*from_year) + "-01-01" : "";
    const std::string to = to_year ? std::to_string(*to_year) + "-12-31" : "";
    const auto points = store.prices(market, from, to);
    const auto series = risk::traded_log_prices(points);
    std::vector<double> hashed;
    for (std::size_t i = 0; i < series.t_years.size(); ++i) hashed.insert(hashed.end(), {series.t_years[i], series.log_price[i]});

    struct Candidate { std::string name; risk::PriceFit fit; };
    std::vector<Candidate> fits;
    fits.push_back({"gbm", risk::fit_gbm(series, market)});
    fits.push_back({"ou", risk::fit_ou(series, market)});
    if (jumps) {
        fits.push_back({"gbm_merton", risk::fit_merton(series, market, risk::PriceProcess::gbm)});
        fits.push_back({"ou_merton", risk::fit_merton(series, market, risk::PriceProcess::ou)});
    }
    std::size_t best = 0;
    for (std::size_t i = 1; i < fits.size(); ++i)
        if (fits[i].fit.report.converged && std::isfinite(fits[i].fit.report.aic) && fits[i].fit.report.aic < fits[best].fit.report.aic)
            best = i;
    risk::PriceModel model = fits[best].fit.model;
    model.risk_neutral_volatility = fits[0].fit.model.volatility;
    const std::string currency = range ? range->currency : "CNY";
    model.risk_free_rate = store.assumption("risk_free_rate." + currency).value_or(0);
    model.dividend_yield = 0;

    nlohmann::json report;
    report["market"] = market;
    report["currency"] = currency;
    report["traded_observations"] = series.t_years.size();
    report["untraded_days_dropped"] = series.untraded_dropped;
    report["selected"] = fits[best].name;
    report["selection"] = jumps ? "lowest AIC among gbm, ou, gbm_merton, ou_merton" : "lowest AIC among gbm, ou";
    for (const auto& f : fits) report[f.name] = report_json(f.fit.report);
    report["risk_free_rate_source"] = "assumptions.csv risk_free_rate." + currency;
    return make("price", market, sha_of_doubles(hashed), std::move(report), price_model_json(model));
}

risk::PriceModel price_model_from_json(const std::string& market, const nlohmann::json& m) {
    risk::PriceModel p;
    p.market = market;
    p.process = m.at("process") == "ou" ? risk::PriceProcess::ou : risk::PriceProcess::gbm;
    p.spot = m.at("spot").get<double>();
    p.spot_date = m.at("spot_date").get<std::string>();
    auto get = [&m](const char* k) { const double v = from_num(m.at(k)); return std::isfinite(v) ? v : 0.0; };
    p.drift = get("drift");
    p.volatility = get("volatility");
    p.mean_reversion = get("mean_reversion");
    p.long_run_log_price = get("long_run_log_price");
    p.jump_intensity = get("jump_intensity");
    p.jump_mean = get("jump_mean");
    p.jump_std = get("jump_std");
    p.risk_free_rate = get("risk_free_rate");
    p.dividend_yield = get("dividend_yield");
    p.risk_neutral_volatility = get("risk_neutral_volatility");
    return p;
}

// ------------------------------------------------------------------------------------------
// Pests (docs/risk-model.md "Pests"): every forest type has the general outbreak process whose
// probability reproduces the national occurrence share (NBS occurrence area / NFI forest area,
// 2004-2014); masson_pine adds pine wilt disease with the annual hazard of a Fujian county
// becoming an epidemic unit. Beta shape and mortalities are labelled assumptions.

double required_assumption(data::Store& store, const std::string& key) {
    const auto v = store.assumption(key);
    if (!v) throw std::runtime_error("assumption " + key + " is missing from data/historical/assumptions.csv");
    return *v;
}

Calibration calibrate_pest(data::Store& store, int from, int to) {
    const auto rows = store.pest_history("CN", "all");
    std::vector<int> inventory_year;
    std::vector<double> inventory_area;
    for (const auto& inv : store.forest_area_series("CN")) {
        inventory_year.push_back(inv.reference_year);
        inventory_area.push_back(inv.forest_area_ha);
    }
    std::vector<int> years;
    std::vector<double> occurrence, host, hashed;
    for (const auto& r : rows) {
        if (r.year < from || r.year > to) continue;
        years.push_back(r.year);
        occurrence.push_back(r.occurrence_area_ha);
        host.push_back(risk::area_at(inventory_year, inventory_area, r.year));
        hashed.insert(hashed.end(), {double(r.year), r.occurrence_area_ha, host.back()});
    }
    if (years.size() < 3) throw InvalidInput("/from", "fewer than 3 years of national pest history in the range");
    const auto share = risk::fit_affected_share(years, occurrence, host);

    // Fire-weather elasticity: the national pest share against Fujian's fire-weather residuals.
    const auto fire_rows = store.fire_history("35");
    std::vector<int> fy;
    std::vector<double> fc;
    for (const auto& r : fire_rows) { fy.push_back(r.year); fc.push_back(r.fires); }
    std::optional<risk::ElasticityEstimate> elasticity;
    nlohmann::json elasticity_report = nullptr;
    if (fy.size() >= 5) {
        const auto fit = risk::fit_counts(fy, fc, risk::CountFamily::negative_binomial, true);
        std::vector<int> common;
        std::vector<double> log_g, pest_share;
        for (std::size_t i = 0; i < share.year.size(); ++i)
            for (std::size_t k = 0; k < fit.year.size(); ++k)
                if (fit.year[k] == share.year[i]) {
                    common.push_back(share.year[i]);
                    log_g.push_back(std::log(std::max(fit.observed[k], 0.5) / fit.expected[k]));
                    pest_share.push_back(share.share[i]);
                }
        if (common.size() >= 3) {
            elasticity = risk::estimate_pest_fire_weather_elasticity(common, log_g, pest_share);
            elasticity_report = {{"estimate", num(elasticity->elasticity)}, {"standard_error", num(elasticity->standard_error)},
                                 {"years", elasticity->years}, {"significant", elasticity->significant}};
        }
    }
    const double e = risk::pest_fire_weather_elasticity(elasticity);

    // Pine wilt: the annual hazard that an uninfected Fujian county unit becomes an epidemic unit.
    std::vector<int> pwd_years;
    std::vector<double> pwd_units;
    for (int y : {2014, 2015, 2021})
        if (auto v = store.assumption("pwd.fujian_epidemic_counties." + std::to_string(y))) {
            pwd_years.push_back(y);
            pwd_units.push_back(*v);
            hashed.insert(hashed.end(), {double(y), *v});
        }
    const double county_units = static_cast<double>(store.region_count("county", "35"));
    const auto hazard = risk::fit_annual_hazard(pwd_years, pwd_units, county_units);
    const double h = risk::estimate(hazard, "annual_hazard");

    const double a = required_assumption(store, "pest.affected_beta_a");
    const double b = required_assumption(store, "pest.affected_beta_b");
    const double m_general = required_assumption(store, "pest_mortality.general");
    const double m_pwd = required_assumption(store, "pwd_mortality_fraction");
    const double p_general = risk::outbreak_probability_from_share(share.mean_share, a, b);
    // masson_pine: an outbreak of either process; mortality weighted so that p x E[f] x m keeps
    // the sum of the two expected losses.
    const double p_pine = 1 - (1 - p_general) * (1 - h);
    const double m_pine = (p_general * m_general + h * m_pwd) / (p_general + h);

    nlohmann::json probability = nlohmann::json::object(), mortality = nlohmann::json::object();
    for (std::size_t i = 0; i < risk::forest_type_count; ++i) {
        const std::string t(forest_type_names[i]);
        const bool pine = t == "masson_pine";
        probability[t] = pine ? p_pine : p_general;
        mortality[t] = pine ? m_pine : m_general;
    }
    nlohmann::json report;
    report["affected_share"] = report_json(share.report);
    report["affected_share"]["log_trend_per_year"] = num(share.log_trend_per_year);
    report["affected_share"]["log_trend_standard_error"] = num(share.log_trend_standard_error);
    report["pine_wilt_hazard"] = report_json(hazard);
    report["pine_wilt_hazard"]["county_units"] = county_units;
    report["fire_weather_elasticity"] = elasticity_report;
    report["fire_weather_elasticity_used"] = e;
    report["assumptions"] = {{"pest.affected_beta_a", a}, {"pest.affected_beta_b", b},
                             {"pest_mortality.general", m_general}, {"pwd_mortality_fraction", m_pwd}};
    report["scope"] = "general pests: national NBS occurrence share (no provincial series exists); "
                      "pine wilt: Fujian epidemic county units";
    nlohmann::json model{{"probability_per_year", probability}, {"mortality", mortality}, {"affected_a", a},
                         {"affected_b", b}, {"fire_weather_elasticity", e}};
    return make("pest", "all", sha_of_doubles(hashed), std::move(report), std::move(model));
}

risk::PestModel pest_model_from_json(const nlohmann::json& m) {
    risk::PestModel p;
    for (std::size_t i = 0; i < risk::forest_type_count; ++i) {
        const std::string t(forest_type_names[i]);
        p.probability_per_year[i] = m.at("probability_per_year").at(t).get<double>();
        p.mortality[i] = m.at("mortality").at(t).get<double>();
    }
    p.affected_a = m.at("affected_a").get<double>();
    p.affected_b = m.at("affected_b").get<double>();
    p.fire_weather_elasticity = m.at("fire_weather_elasticity").get<double>();
    return p;
}

std::vector<std::string> default_fire_regions(data::Store& store) {
    std::vector<std::string> out;
    for (const auto& r : store.regions("province")) {
        if (!store.forest_area_ha(r.code)) continue;
        const auto history = store.fire_history(r.code);
        // At least 5 years with fires: a province with (almost) none has no rate to fit.
        if (std::count_if(history.begin(), history.end(), [](const FireYear& y) { return y.fires > 0; }) >= 5)
            out.push_back(r.code);
    }
    return out;
}

}  // namespace

nlohmann::json to_json(const Calibration& c) {
    return {{"id", c.id}, {"family", c.family}, {"scope", c.scope}, {"created", c.created},
            {"data_sha256", c.data_hash}, {"report", c.report}, {"model", c.model}};
}

std::vector<Calibration> run_calibrations(data::Store& store, const CalibrationRequest& request) {
    static const std::set<std::string> perils{"all", "fire", "pest", "price", "growth"};
    if (!perils.count(request.peril))
        throw InvalidInput("/peril", "must be one of all, fire, pest, price, growth, got \"" + request.peril + "\"");
    const int from = request.from_year.value_or(0), to = request.to_year.value_or(9999);
    std::vector<Calibration> out;
    const bool all = request.peril == "all";
    if (all || request.peril == "fire") {
        auto regions = request.regions.empty() ? default_fire_regions(store) : request.regions;
        for (auto& r : regions) {
            r = normalise_region_code(r);
            if (!store.region(r)) throw InvalidInput("/region", "unknown region \"" + r + "\"");
            out.push_back(calibrate_fire(store, r, from, to));
        }
        out.push_back(calibrate_fire_weather(store, from, to));
    }
    if (all || request.peril == "growth") out.push_back(calibrate_growth(store));
    if (all || request.peril == "pest") out.push_back(calibrate_pest(store, from, to));
    if (all || request.peril == "price") {
        std::vector<std::string> markets = request.markets;
        if (markets.empty())
            for (const auto& m : store.market_ranges()) markets.push_back(m.market);
        for (const auto& m : markets) {
            if (!store.market(m)) throw InvalidInput("/market", "unknown market \"" + m + "\"");
            out.push_back(calibrate_price(store, m, request.from_year, request.to_year, request.jumps));
        }
    }
    return out;
}

std::string store_calibrations(data::Store& store, const std::vector<Calibration>& calibrations) {
    std::vector<data::StoredCalibration> rows;
    for (const auto& c : calibrations)
        rows.push_back({c.id, c.family, c.scope, c.created, c.data_hash,
                        nlohmann::json{{"report", c.report}, {"model", c.model}}.dump()});
    return data::Calibrations(store).store_version(rows);
}

namespace {

std::optional<ModelVersion> load_version(data::Store& store, const std::optional<data::StoredModelVersion>& stored) {
    if (!stored) return std::nullopt;
    ModelVersion v;
    v.version = stored->version;
    v.created = stored->created;
    for (const auto& id : stored->calibration_ids) {
        const auto c = data::Calibrations(store).find(id);
        if (!c) throw std::runtime_error("model version " + v.version + " names a missing calibration " + id);
        Calibration cal;
        cal.id = c->id;
        cal.family = c->family;
        cal.scope = c->scope;
        cal.created = c->created;
        cal.data_hash = c->data_hash;
        const auto body = nlohmann::json::parse(c->document);
        cal.report = body.at("report");
        cal.model = body.at("model");
        v.calibrations.push_back(std::move(cal));
    }
    return v;
}

}  // namespace

std::optional<ModelVersion> current_model_version(data::Store& store) {
    return load_version(store, data::Calibrations(store).current_version());
}

std::optional<ModelVersion> model_version(data::Store& store, const std::string& version) {
    return load_version(store, data::Calibrations(store).version(version));
}

ModelVersion ensure_current_model(data::Store& store) {
    if (auto v = current_model_version(store)) return *v;
    store_calibrations(store, run_calibrations(store, {}));
    return *current_model_version(store);
}

risk::Model build_model(data::Store& store, const ModelVersion& version) {
    risk::Model model;
    model.version = version.version;
    risk::FireModel base;
    for (std::size_t i = 0; i < risk::forest_type_count; ++i) {
        const std::string t(forest_type_names[i]);
        if (auto f = store.assumption("flammability." + t)) base.flammability[i] = *f;
        if (auto l = store.assumption("fire_loss_fraction." + t)) base.loss_fraction[i] = *l;
    }
    for (const auto& c : version.calibrations) {
        const auto& m = c.model;
        if (c.family == "fire") {
            risk::FireModel f = base;
            f.rate_per_ha_year = from_num(m.at("rate_per_ha_year"));
            f.year_factor_shape = from_num(m.at("year_factor_shape"));
            const auto& b = m.at("burned_area");
            f.burned_area = {b.at("mu").get<double>(), b.at("sigma").get<double>(), b.at("threshold_ha").get<double>(),
                             b.at("tail_probability").get<double>(), b.at("gpd_xi").get<double>(), b.at("gpd_beta").get<double>()};
            model.fire[c.scope] = f;
        } else if (c.family == "fire_weather") {
            model.fire_weather_cross_region_correlation = m.at("cross_region_correlation").get<double>();
        } else if (c.family == "growth") {
            for (std::size_t i = 0; i < risk::forest_type_count; ++i) {
                const std::string t(forest_type_names[i]);
                if (!m.contains(t)) continue;
                model.growth[i] = {m[t].at("max_tco2e_per_ha").get<double>(), m[t].at("rate_per_year").get<double>(),
                                   m[t].at("shape").get<double>()};
            }
        } else if (c.family == "pest") {
            model.pest = pest_model_from_json(m);
        } else if (c.family == "price") {
            model.prices[c.scope] = price_model_from_json(c.scope, m);
        }
    }
    return model;
}

std::string format_report(const Calibration& c) {
    std::ostringstream out;
    out << "calibration " << c.id << "  (" << c.family << ", " << c.scope << ")\n";
    out << "  data sha256 " << c.data_hash << "\n";
    auto fit = [&](const std::string& title, const nlohmann::json& r) {
        out << "  " << title << ": " << r.value("family", "") << "  rows " << r.value("rows", 0) << "  "
            << r.value("data_from", "") << ".." << r.value("data_to", "") << "\n";
        for (const auto& [name, p] : r["parameters"].items())
            out << "    " << std::left << std::setw(18) << name << std::right << std::setw(14) << p["estimate"].dump()
                << "  se " << p["standard_error"].dump() << "\n";
        out << "    log-likelihood " << r["log_likelihood"].dump() << "  AIC " << r["aic"].dump() << "  BIC "
            << r["bic"].dump() << "\n";
        for (const auto& g : r["goodness_of_fit"])
            out << "    " << g.value("test", "") << ": statistic " << g["statistic"].dump() << ", p " << g["p_value"].dump()
                << (g.contains("degrees_of_freedom") ? ", df " + g["degrees_of_freedom"].dump() : "") << "\n";
        for (const auto& b : r.value("at_bound", nlohmann::json::array()))
            out << "    AT A BOUND: " << b.get<std::string>() << " (its standard error means little)\n";
    };
    for (const auto& [key, value] : c.report.items())
        if (value.is_object() && value.contains("family") && value.contains("parameters")) fit(key, value);
    for (const auto& [key, value] : c.report.items())
        if (!(value.is_object() && value.contains("family") && value.contains("parameters")) && key != "history_check")
            out << "  " << key << ": " << value.dump() << "\n";
    out << "  model: " << c.model.dump() << "\n";
    return out.str();
}

}  // namespace tanhui::api
