#include "api/json/model_used.hpp"

#include "api/json/value.hpp"
#include "risk/perils/registry.hpp"

#include <cmath>
#include <map>
#include <tuple>

namespace tanhui::api {

namespace {

using Json = nlohmann::json;

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
    for (const std::string& name : perils)
        if (const risk::PerilEntry* e = risk::find_peril(name)) by_peril[name] = to_json(e->describe(model, overrides, book.holdings));
    Json weather{{"cross_region_correlation", book.weather.cross_region_correlation()}, {"regions", Json::object()}};
    for (const auto& r : book.weather.regions())
        weather["regions"][r.region] = {{"year_factor_shape", std::isfinite(r.year_factor_shape) ? Json(r.year_factor_shape) : Json()}};
    return {{"perils", by_peril}, {"carbon", carbon_used(book)}, {"weather", weather}};
}

// Member by member rather than from an initializer list, which builds a two-element array for
// every pair before it becomes an object (every price quote carries this; the keys sort alike).
SortedJsonWriter price_model_used(const risk::PriceModel& m) {
    SortedJsonWriter j;
    j.string("market", m.market);
    j.string("process", m.process == risk::PriceProcess::ou ? "ou" : "gbm");
    j.real("spot", m.spot);
    j.string("spot_date", m.spot_date);
    j.real("drift", m.drift);
    j.real("volatility", m.volatility);
    j.real("mean_reversion", m.mean_reversion);
    j.real("long_run_price", std::exp(m.long_run_log_price));
    j.real("jump_intensity", m.jump_intensity);
    j.real("jump_mean", m.jump_mean);
    j.real("jump_std", m.jump_std);
    j.real("risk_free_rate", m.risk_free_rate);
    j.real("dividend_yield", m.dividend_yield);
    j.real("risk_neutral_volatility", m.risk_neutral_volatility);
    j.real("correlation_with_weather", m.correlation_with_weather);
    // Issue 19's families, shown only when in force (a plain GBM/OU answer keeps its bytes).
    if (m.tail_dof > 0) j.real("tail_dof", m.tail_dof);
    if (m.noise_sd > 0) j.real("noise_sd", m.noise_sd);
    return j;
}

nlohmann::json sink_model_used(const risk::SinkModel& m) {
    return {{"distribution", m.distribution == risk::SinkDistribution::normal ? "normal" : "lognormal"},
            {"cv", m.cv},
            {"weather_correlation", m.weather_correlation},
            {"region_correlation", m.region_correlation},
            {"drought_probability", m.drought_probability},
            {"drought_cut", m.drought_cut}};
}

}  // namespace tanhui::api
