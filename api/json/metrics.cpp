#include "api/json/metrics.hpp"

#include "api/json/fields.hpp"

namespace tanhui::api {

namespace {

template <class Value>
nlohmann::ordered_json by_level(const std::vector<risk::LevelMetrics>& levels, Value value) {
    nlohmann::ordered_json o = nlohmann::ordered_json::object();
    for (const auto& l : levels) o[number_key(l.level)] = value(l);
    return o;
}

template <class Value>
nlohmann::ordered_json by_period(const std::vector<risk::ReturnPeriodMetrics>& periods, Value value) {
    nlohmann::ordered_json o = nlohmann::ordered_json::object();
    for (const auto& r : periods) o[number_key(r.return_period)] = value(r);
    return o;
}

}  // namespace

nlohmann::ordered_json metrics_json(const risk::Metrics& m, MetricsFields fields) {
    const bool batch = fields == MetricsFields::batch;
    using L = risk::LevelMetrics;
    using R = risk::ReturnPeriodMetrics;
    nlohmann::ordered_json out;
    out["years"] = m.years;
    out["aal"] = m.aal.value;
    out["aal_se"] = m.aal.standard_error;
    out["std"] = m.std.value;
    out["std_se"] = m.std.standard_error;
    out["var"] = by_level(m.levels, [](const L& l) { return l.var.value; });
    out["var_se"] = by_level(m.levels, [](const L& l) { return l.var.standard_error; });
    out["tvar"] = by_level(m.levels, [](const L& l) { return l.tvar.value; });
    out["tvar_se"] = by_level(m.levels, [](const L& l) { return l.tvar.standard_error; });
    out["aep"] = by_period(m.return_periods, [](const R& r) { return r.aep.value; });
    out["aep_se"] = by_period(m.return_periods, [](const R& r) { return r.aep.standard_error; });
    if (batch) out["aep_tvar"] = by_period(m.return_periods, [](const R& r) { return r.aep_tvar.value; });
    out["oep"] = by_period(m.return_periods, [](const R& r) { return r.oep.value; });
    out["oep_se"] = by_period(m.return_periods, [](const R& r) { return r.oep.standard_error; });
    if (batch) out["oep_tvar"] = by_period(m.return_periods, [](const R& r) { return r.oep_tvar.value; });
    nlohmann::ordered_json beyond = nlohmann::ordered_json::array();
    for (const auto& r : m.return_periods)
        if (r.beyond_simulation) beyond.push_back(number_key(r.return_period));
    if (batch || !beyond.empty()) out["beyond_simulation"] = beyond;
    return out;
}

}  // namespace tanhui::api
