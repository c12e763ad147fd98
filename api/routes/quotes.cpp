// Quote, calibration, model and portfolio routes of `tanhui serve`. DESIGN "Interfaces (api/)".
#include "api/service/quote_service.hpp"
#include "api/routes/routes.hpp"
#include "api/json/problem.hpp"
#include "api/json/quote_request.hpp"
#include "api/service/calibration.hpp"

#include "risk/metrics/metrics.hpp"
#include "risk/perils/registry.hpp"
#include "risk/simulation/simulate.hpp"

#include <sstream>

namespace tanhui::api {

namespace {

Response problem_of(const Problem& p) { return problem_response(p); }

std::string key_of(double v) {
    std::ostringstream o;
    o << v;
    return o.str();
}

// POST /v1/portfolio/risk: {"holdings": [...], "perils"? (default: the registry's default cover), "simulation": {years, seed},
// "price_cny_per_tco2e"?, "levels"?, "return_periods"?} -> metrics in tCO2e (and CNY) with Euler
// TVaR contributions per holding.
Response portfolio_risk(data::Store& store, ModelCache& models, const nlohmann::json& body, std::uint64_t max_years,
                        const std::atomic<bool>* cancel) {
    std::vector<FieldProblem> problems;
    ObjectReader r(body, "", problems);
    std::vector<Holding> holdings;
    if (const auto* hs = r.get("holdings"); hs && hs->is_array() && !hs->empty() && hs->size() <= 100'000) {
        for (std::size_t i = 0; i < hs->size(); ++i) {
            auto h = decode_holding((*hs)[i], "/holdings/" + std::to_string(i));
            problems.insert(problems.end(), h.problems.begin(), h.problems.end());
            if (h.value) holdings.push_back(*h.value);
        }
    } else {
        r.problem("holdings", "must be an array of 1 to 100000 holdings");
    }
    const std::vector<std::string> perils = decode_perils(r, problems, risk::default_perils());
    risk::Simulation sim;
    sim.years = 100'000;
    sim.seed = 1;
    sim.threads = 1;
    sim.cancel = cancel;
    if (const auto* s = r.get("simulation")) {
        ObjectReader sr(*s, "/simulation", problems);
        if (auto y = sr.integer("years", false, 1, static_cast<long long>(max_years))) sim.years = static_cast<std::uint32_t>(*y);
        if (auto seed = sr.integer("seed", false, 0, (1LL << 62))) sim.seed = static_cast<std::uint64_t>(*seed);
        sr.finish();
    }
    const auto price = r.number("price_cny_per_tco2e", false, {0, 1e6, true});
    risk::MetricOptions options;
    if (const auto* l = r.get("levels")) {
        if (!l->is_array() || l->empty()) r.problem("levels", "must be a non-empty array of numbers in (0, 1)");
        else {
            options.levels.clear();
            for (std::size_t i = 0; i < l->size(); ++i) {
                const auto& v = (*l)[i];
                if (!v.is_number() || !(v.get<double>() > 0 && v.get<double>() < 1)) problems.push_back({"/levels/" + std::to_string(i), "must be a number in (0, 1)"});
                else options.levels.push_back(v.get<double>());
            }
        }
    }
    if (const auto* t = r.get("return_periods")) {
        if (!t->is_array() || t->empty()) r.problem("return_periods", "must be a non-empty array of numbers >= 1");
        else {
            options.return_periods.clear();
            for (std::size_t i = 0; i < t->size(); ++i) {
                const auto& v = (*t)[i];
                if (!v.is_number() || !(v.get<double>() >= 1)) problems.push_back({"/return_periods/" + std::to_string(i), "must be a number >= 1"});
                else options.return_periods.push_back(v.get<double>());
            }
        }
    }
    r.finish();
    if (!problems.empty()) return problem_of(make_problem(400, "invalid portfolio risk request", problems));

    const auto model = models.current(store);
    risk::BookOptions book_options;
    book_options.perils = perils;
    try {
        const risk::Book book = risk::prepare_book(*model.model, holdings, book_options);
        const auto losses = risk::simulate_year_losses(book, sim);
        const auto m = risk::compute_metrics(losses.total_tco2e, losses.max_event_tco2e, options);
        const double top_level = options.levels.empty() ? 0.99 : *std::max_element(options.levels.begin(), options.levels.end());
        const auto euler = risk::euler_tvar_tco2e(book, sim, losses.total_tco2e, top_level);
        auto metrics_json = [&](double scale) {
            nlohmann::json j;
            j["aal"] = m.aal.value * scale;
            j["aal_se"] = m.aal.standard_error * scale;
            j["std"] = m.std.value * scale;
            for (const auto& lv : m.levels) {
                j["var"][key_of(lv.level)] = lv.var.value * scale;
                j["tvar"][key_of(lv.level)] = lv.tvar.value * scale;
                j["var_se"][key_of(lv.level)] = lv.var.standard_error * scale;
                j["tvar_se"][key_of(lv.level)] = lv.tvar.standard_error * scale;
            }
            for (const auto& rp : m.return_periods) {
                j["aep"][key_of(rp.return_period)] = rp.aep.value * scale;
                j["oep"][key_of(rp.return_period)] = rp.oep.value * scale;
            }
            return j;
        };
        nlohmann::json out;
        out["model_version"] = model.version;
        out["seed"] = sim.seed;
        out["years"] = sim.years;
        out["perils"] = perils;
        out["tco2e"] = metrics_json(1);
        if (price) out["cny"] = metrics_json(*price);
        out["euler_tvar_level"] = top_level;
        out["euler_tvar_tco2e"] = nlohmann::json::array();
        for (std::size_t i = 0; i < holdings.size(); ++i)
            out["euler_tvar_tco2e"].push_back({{"holding", holdings[i].id}, {"contribution", euler[i]}});
        return json_response(out);
    } catch (const InvalidInput& e) {
        return invalid_input_problem(e);
    }
}

}  // namespace

void register_quote_routes(Router& router, ServiceContext& ctx, std::shared_ptr<ModelCache> models) {
    add_quote_post_route(router, ctx, models);
    add_quote_read_routes(router, ctx, models);
    router.add("GET", "/v1/models/current", Role::underwriter, [&ctx](const Request&) {
        const ModelVersion v = ensure_current_model(ctx.store());
        nlohmann::json out{{"model_version", v.version}, {"created", v.created}, {"calibrations", nlohmann::json::array()}};
        for (const auto& c : v.calibrations)
            out["calibrations"].push_back({{"id", c.id}, {"family", c.family}, {"scope", c.scope}, {"created", c.created},
                                           {"data_sha256", c.data_hash}, {"model", c.model}});
        return json_response(out);
    });
    router.add("POST", "/v1/calibrations", Role::actuary, [&ctx, models](const Request& req) {
        nlohmann::json body;
        if (auto problem = parse_json_body(req, body)) return *problem;
        std::vector<FieldProblem> problems;
        ObjectReader r(body, "", problems);
        CalibrationRequest c;
        if (auto p = r.one_of("peril", false, calibration_choices())) c.peril = *p;
        for (const char* list : {"regions", "markets"}) {
            if (const auto* v = r.get(list)) {
                if (!v->is_array()) { r.problem(list, "must be an array of strings"); continue; }
                for (std::size_t i = 0; i < v->size(); ++i) {
                    if (!(*v)[i].is_string()) problems.push_back({"/" + std::string(list) + "/" + std::to_string(i), "must be a string"});
                    else (std::string(list) == "regions" ? c.regions : c.markets).push_back((*v)[i].get<std::string>());
                }
            }
        }
        c.cancel = req.cancel.get();
        if (auto y = r.integer("from", false, 1900, 2100)) c.from_year = static_cast<int>(*y);
        if (auto y = r.integer("to", false, 1900, 2100)) c.to_year = static_cast<int>(*y);
        if (const auto* j = r.get("jumps")) {
            if (!j->is_boolean()) r.problem("jumps", "must be true or false");
            else c.jumps = j->get<bool>();
        }
        r.finish();
        if (!problems.empty()) return problem_of(make_problem(400, "invalid calibration request", problems));
        try {
            const auto calibrations = run_calibrations(ctx.store(), c);
            const std::string version = store_calibrations(ctx.store(), calibrations);
            models->forget_current();
            nlohmann::json out{{"model_version", version}, {"calibrations", nlohmann::json::array()}};
            for (const auto& cal : calibrations) out["calibrations"].push_back(to_json(cal));
            return json_response(out, 201);
        } catch (const InvalidInput& e) {
            return invalid_input_problem(e);
        }
    }, {.expensive = true});  // fits and the typhoon event set take seconds: never the cheap lane's price quotes' threads
    router.add("POST", "/v1/portfolio/risk", Role::actuary, [&ctx, models](const Request& req) {
        nlohmann::json body;
        if (auto problem = parse_json_body(req, body)) return *problem;
        return portfolio_risk(ctx.store(), *models, body, ctx.max_years(), req.cancel.get());
    }, {.cost = [&ctx](const Request& req) {
        return simulation_request_cost(request_json(req), static_cast<long long>(ctx.max_years()));
    }});
}

}  // namespace tanhui::api
