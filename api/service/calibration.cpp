#include "api/service/calibration.hpp"

#include "api/json/value.hpp"
#include "api/service/price_choice.hpp"
#include "api/service/store_history.hpp"
#include "data/import/import.hpp"
#include "data/repositories/calibrations.hpp"
#include "risk/calibration/assumption_overlay.hpp"
#include "risk/calibration/price.hpp"
#include "risk/model/growth.hpp"
#include "risk/perils/registry.hpp"

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

nlohmann::json report_json(const risk::FitReport& r) { return to_json(risk::report_value(r)); }

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
    return make(std::string(growth_family), "all", sha_of_doubles(hashed), std::move(report), std::move(model));
}

// ------------------------------------------------------------------------------------------
// Price (issue 19): families of risk::price_families() fitted by exact MLE on traded days; the
// physical model is the family the out-of-sample rolling backtest chose on the shipped history
// (api/service/price_choice.hpp); elsewhere (no choice, or a sub-period asked for) the lowest AIC
// among gbm and ou (and their Merton forms with --jumps). Risk-neutral pricing uses the efficient price's volatility (gbm_noise), so that a thin
// market's bid-ask bounce is not priced as volatility.

nlohmann::json price_model_json(const risk::PriceModel& m) {
    return {{"process", m.process == risk::PriceProcess::ou ? "ou" : "gbm"},
            {"spot", m.spot}, {"spot_date", m.spot_date}, {"drift", num(m.drift)}, {"volatility", num(m.volatility)},
            {"mean_reversion", num(m.mean_reversion)}, {"long_run_log_price", num(m.long_run_log_price)},
            {"jump_intensity", num(m.jump_intensity)}, {"jump_mean", num(m.jump_mean)}, {"jump_std", num(m.jump_std)},
            {"tail_dof", num(m.tail_dof)}, {"noise_sd", num(m.noise_sd)},
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

    // gbm and ou always (the fallback and the report), the Merton forms with --jumps, the family
    // the backtest chose (api/service/price_choice.hpp) and gbm_noise (the risk-neutral volatility).
    const std::optional<std::string> chosen = shipped_price_family(market);
    std::vector<std::string> families{"gbm", "ou"};
    if (jumps) families.insert(families.end(), {"gbm_merton", "ou_merton"});
    for (const std::string& f : {chosen.value_or("gbm"), std::string("gbm_noise")})
        if (std::find(families.begin(), families.end(), f) == families.end()) families.push_back(f);
    struct Candidate { std::string name; risk::PriceFit fit; };
    std::vector<Candidate> fits;
    for (const std::string& family : families) fits.push_back({family, risk::fit_price_family(series, market, family)});
    std::size_t best = 0;
    std::string selection;
    if (chosen && !from_year && !to_year) {
        while (fits[best].name != *chosen) ++best;
        selection = "out-of-sample rolling backtest on the shipped history (tanhui validate, docs/validation.md \"Carbon "
                    "price\"): the best mean 20-step log score among the families passing Kupiec and Christoffersen at "
                    "95 % and 99 % (p >= 0.01); validate's price_families.csv has every family's scores";
    } else {
        for (std::size_t i = 1; i < fits.size(); ++i)
            if ((fits[i].name == "ou" || fits[i].name.ends_with("_merton")) && fits[i].fit.report.converged &&
                std::isfinite(fits[i].fit.report.aic) && fits[i].fit.report.aic < fits[best].fit.report.aic)
                best = i;
        selection = std::string(chosen ? "a sub-period of the history" : "no backtest choice for this market") +
                    ": lowest AIC among " + (jumps ? "gbm, ou, gbm_merton, ou_merton" : "gbm, ou");
    }
    risk::PriceModel model = fits[best].fit.model;
    for (const auto& f : fits)
        if (f.name == "gbm_noise") model.risk_neutral_volatility = f.fit.model.volatility;
    const std::string currency = range ? range->currency : "CNY";
    model.risk_free_rate = store.assumption("risk_free_rate." + currency).value_or(0);
    model.dividend_yield = 0;

    nlohmann::json report;
    report["market"] = market;
    report["currency"] = currency;
    report["traded_observations"] = series.t_years.size();
    report["untraded_days_dropped"] = series.untraded_dropped;
    report["selected"] = fits[best].name;
    report["selection"] = selection;
    for (const auto& f : fits) report[f.name] = report_json(f.fit.report);
    report["risk_neutral_volatility_source"] = "gbm_noise volatility (the efficient price's, bid-ask bounce removed)";
    report["risk_free_rate_source"] = "assumptions.csv risk_free_rate." + currency;
    return make(std::string(price_family), market, sha_of_doubles(hashed), std::move(report), price_model_json(model));
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
    // Absent from calibrations stored before issue 19: normal innovations, no noise.
    p.tail_dof = m.contains("tail_dof") ? get("tail_dof") : 0.0;
    p.noise_sd = m.contains("noise_sd") ? get("noise_sd") : 0.0;
    p.risk_free_rate = get("risk_free_rate");
    p.dividend_yield = get("dividend_yield");
    p.risk_neutral_volatility = get("risk_neutral_volatility");
    return p;
}

// The labelled assumptions as they are now (assumptions.csv): value, low, high by key. The
// model version pins them (assumptions_family); data_hash is the SHA-256 of the model's text.
Calibration calibrate_assumptions(data::Store& store) {
    nlohmann::json model = nlohmann::json::object();
    for (const auto& a : store.labelled_assumptions()) {
        nlohmann::json row{{"value", num(a.value)}};
        if (a.low) row["low"] = num(*a.low);
        if (a.high) row["high"] = num(*a.high);
        model[a.key] = std::move(row);
    }
    nlohmann::json report{{"source", "data/historical/assumptions.csv"},
                          {"rows", model.size()},
                          {"note", "the model reads these values, not the table's current ones: a change to "
                                   "assumptions.csv takes effect with the next calibration, as a new model version"}};
    const std::string hash = data::sha256_hex(model.dump());
    return make(std::string(assumptions_family), "all", hash, std::move(report), std::move(model));
}

// A peril's calibration record as stored: its data hashed, its report and model as JSON.
Calibration from_record(risk::CalibrationRecord&& r) {
    return make(std::move(r.family), std::move(r.scope), sha_of_doubles(r.data), to_json(r.report), to_json(r.model));
}

bool is_peril_choice(const std::string& choice) {
    const risk::PerilEntry* e = risk::find_peril(choice);
    return e && e->calibrate;
}

}  // namespace

nlohmann::json to_json(const Calibration& c) {
    return {{"id", c.id}, {"family", c.family}, {"scope", c.scope}, {"created", c.created},
            {"data_sha256", c.data_hash}, {"report", c.report}, {"model", c.model}};
}

std::vector<std::string> calibration_choices() {
    std::vector<std::string> out{"all"};
    for (const risk::PerilEntry& e : risk::peril_registry())
        if (e.calibrate) out.emplace_back(e.name);
    out.insert(out.end(), {std::string(price_family), std::string(growth_family)});
    return out;
}

std::vector<Calibration> run_calibrations(data::Store& store, const CalibrationRequest& request) {
    const auto choices = calibration_choices();
    if (std::find(choices.begin(), choices.end(), request.peril) == choices.end())
        throw InvalidInput("/peril", "must be one of " + risk::join_names(choices, ", ", false) + ", got \"" + request.peril + "\"");
    const int from = request.from_year.value_or(0), to = request.to_year.value_or(9999);
    const bool all = request.peril == "all";
    const risk::CancelScope cancel_scope(request.cancel);  // read by every likelihood evaluation
    std::vector<Calibration> out;
    if (all || is_peril_choice(request.peril)) {
        risk::CalibrationScope scope{request.regions, from, to};
        for (auto& r : scope.regions) {
            r = normalise_region_code(r);
            if (!store.region(r)) throw InvalidInput("/region", "unknown region \"" + r + "\"");
        }
        StoreHistory history(store);
        for (const risk::PerilEntry& e : risk::peril_registry()) {
            if (!e.calibrate || !(all || request.peril == e.name)) continue;
            risk::stop_if_cancelled(request.cancel);
            for (auto& record : e.calibrate(history, scope)) out.push_back(from_record(std::move(record)));
        }
    }
    if (all || request.peril == growth_family) out.push_back(calibrate_growth(store));
    if (all || request.peril == price_family) {
        std::vector<std::string> markets = request.markets;
        if (markets.empty())
            for (const auto& m : store.market_ranges()) markets.push_back(m.market);
        for (const auto& m : markets) {
            if (!store.market(m)) throw InvalidInput("/market", "unknown market \"" + m + "\"");
            risk::stop_if_cancelled(request.cancel);
            out.push_back(calibrate_price(store, m, request.from_year, request.to_year, request.jumps));
        }
    }
    out.push_back(calibrate_assumptions(store));
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

namespace {

std::vector<risk::CalibrationRecord> records_of(const ModelVersion& version, const risk::PerilEntry& e) {
    std::vector<risk::CalibrationRecord> mine;
    for (const auto& c : version.calibrations)
        if (risk::peril_of_family(c.family) == &e) mine.push_back({c.family, c.scope, {}, {}, to_value(c.model)});
    return mine;
}

}  // namespace

std::set<std::string> assumptions_read(const ModelVersion& version, const risk::PerilEntry& peril, risk::History& history) {
    risk::AssumptionOverlay reading(history);
    risk::Model scratch;
    peril.assemble(scratch, records_of(version, peril), reading);
    return reading.read();
}

risk::AssumptionOverlay pinned_assumptions(const ModelVersion& version, risk::History& base) {
    risk::AssumptionOverlay pinned(base);
    for (const auto& c : version.calibrations) {
        if (c.family != assumptions_family) continue;
        for (const auto& [key, row] : c.model.items()) {
            pinned.set(key, from_num(row.at("value")));
            if (row.contains("low") && row.contains("high"))
                pinned.set_range(key, {from_num(row.at("low")), from_num(row.at("high"))});
        }
    }
    return pinned;
}

risk::Model build_model(data::Store& store, const ModelVersion& version) {
    StoreHistory history(store);
    risk::AssumptionOverlay pinned = pinned_assumptions(version, history);
    return build_model(store, version, pinned);
}

risk::Model build_model(data::Store& store, const ModelVersion& version, risk::History& history) {
    (void)store;
    risk::Model model;
    model.version = version.version;
    for (const risk::PerilEntry& e : risk::peril_registry()) e.assemble(model, records_of(version, e), history);
    for (const auto& c : version.calibrations) {
        const auto& m = c.model;
        if (c.family == growth_family) {
            for (std::size_t i = 0; i < risk::forest_type_count; ++i) {
                const std::string t(forest_type_names[i]);
                if (!m.contains(t)) continue;
                model.growth[i] = {m[t].at("max_tco2e_per_ha").get<double>(), m[t].at("rate_per_year").get<double>(),
                                   m[t].at("shape").get<double>()};
            }
        } else if (c.family == price_family) {
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
