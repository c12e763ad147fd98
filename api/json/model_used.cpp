#include "api/json/model_used.hpp"

#include <cmath>
#include <map>
#include <tuple>

namespace tanhui::api {

namespace {

using Json = nlohmann::json;

Json number_or_null(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

Json burned_area_json(const risk::BurnedAreaModel& b) {
    return {{"distribution", "lognormal"}, {"mu", b.mu}, {"sigma", b.sigma}, {"threshold_ha", b.threshold_ha},
            {"tail_probability", b.tail_probability}, {"gpd_xi", b.gpd_xi}, {"gpd_beta", b.gpd_beta}};
}

// Fire as risk/perils/fire.cpp prepares it: an override replaces the calibrated value exactly.
Json fire_used(const risk::Model& model, const risk::FireOverride& o, const risk::Book& book) {
    std::map<std::tuple<std::string, std::size_t>, int> groups;
    for (const auto& h : book.holdings) ++groups[{h.fire_region, risk::index(h.forest_type)}];
    Json out = Json::array();
    for (const auto& [key, holdings] : groups) {
        const auto& [region, t] = key;
        const risk::FireModel* fm = region.empty() ? nullptr : &model.fire.at(region);
        Json g{{"region", region.empty() ? Json(nullptr) : Json(region)},
               {"forest_type", std::string(forest_type_names[t])}, {"holdings", holdings}};
        if (o.frequency) g["frequency"] = {{"distribution", "poisson"}, {"rate_per_year", o.frequency->rate_per_year}};
        else if (fm) g["frequency"] = {{"rate_per_ha_year", fm->rate_per_ha_year}, {"flammability", fm->flammability[t]},
                                       {"year_factor_shape", number_or_null(fm->year_factor_shape)}};
        if (o.burned_area_ha) g["burned_area_ha"] = burned_area_json(*o.burned_area_ha);
        else if (fm) g["burned_area_ha"] = burned_area_json(fm->burned_area);
        if (o.loss_fraction) g["loss_fraction"] = *o.loss_fraction;
        else if (fm) g["loss_fraction"] = fm->loss_fraction[t];
        out.push_back(std::move(g));
    }
    return out;
}

// Pests as risk/perils/pest.cpp prepares them.
Json pest_used(const risk::PestModel& m, const risk::PestOverride& o, const risk::Book& book) {
    std::map<std::size_t, int> groups;
    for (const auto& h : book.holdings) ++groups[risk::index(h.forest_type)];
    Json out = Json::array();
    for (const auto& [t, holdings] : groups) {
        const auto ab = o.affected_fraction ? *o.affected_fraction : risk::BetaDistribution{m.affected_a, m.affected_b};
        out.push_back({{"forest_type", std::string(forest_type_names[t])}, {"holdings", holdings},
                       {"probability_per_year", o.probability_per_year ? *o.probability_per_year : m.probability_per_year[t]},
                       {"fire_weather_elasticity", o.probability_per_year ? 0.0 : m.fire_weather_elasticity},
                       {"affected_fraction", {{"distribution", "beta"}, {"a", ab.a}, {"b", ab.b}}},
                       {"mortality", o.mortality ? *o.mortality : m.mortality[t]}});
    }
    return out;
}

Json carbon_used(const risk::Book& book) {
    struct Group {
        int holdings = 0;
        double area_ha = 0, stock_tco2e = 0, min = INFINITY, max = -INFINITY;
    };
    std::map<std::size_t, Group> groups;
    for (const auto& h : book.holdings) {
        Group& g = groups[risk::index(h.forest_type)];
        ++g.holdings;
        g.area_ha += h.area_ha;
        g.stock_tco2e += h.area_ha * h.stock_tco2e_per_ha;
        g.min = std::min(g.min, h.stock_tco2e_per_ha);
        g.max = std::max(g.max, h.stock_tco2e_per_ha);
    }
    Json out = Json::array();
    for (const auto& [t, g] : groups)
        out.push_back({{"forest_type", std::string(forest_type_names[t])}, {"holdings", g.holdings}, {"area_ha", g.area_ha},
                       {"stock_tco2e_per_ha", g.area_ha > 0 ? g.stock_tco2e / g.area_ha : g.min},
                       {"min_stock_tco2e_per_ha", g.min}, {"max_stock_tco2e_per_ha", g.max}});
    return out;
}

}  // namespace

Json pool_model_used(const risk::Model& model, const risk::ModelOverrides& overrides, const risk::Book& book,
                     const std::vector<std::string>& perils) {
    Json by_peril = Json::object();
    bool fire = false;
    for (const std::string& name : perils) {
        const auto* entry = [&]() -> const risk::PerilEntry* {
            for (const auto& e : risk::peril_registry())
                if (e.name == name) return &e;
            return nullptr;
        }();
        if (!entry) continue;
        fire = fire || entry->id == risk::PerilId::fire;
        if (entry->id == risk::PerilId::fire) by_peril[name] = fire_used(model, overrides.fire, book);
        else if (entry->id == risk::PerilId::pest) by_peril[name] = pest_used(model.pest, overrides.pest, book);
    }
    Json out{{"perils", by_peril}, {"carbon", carbon_used(book)}};
    if (fire) out["fire_weather_cross_region_correlation"] = model.fire_weather_cross_region_correlation;
    return out;
}

Json price_model_used(const risk::PriceModel& m) {
    return {{"market", m.market}, {"process", m.process == risk::PriceProcess::ou ? "ou" : "gbm"}, {"spot", m.spot},
            {"spot_date", m.spot_date}, {"drift", m.drift}, {"volatility", m.volatility}, {"mean_reversion", m.mean_reversion},
            {"long_run_price", std::exp(m.long_run_log_price)}, {"jump_intensity", m.jump_intensity}, {"jump_mean", m.jump_mean},
            {"jump_std", m.jump_std}, {"risk_free_rate", m.risk_free_rate}, {"dividend_yield", m.dividend_yield},
            {"risk_neutral_volatility", m.risk_neutral_volatility},
            {"correlation_with_fire_weather", m.correlation_with_fire_weather}};
}

}  // namespace tanhui::api
