#include "api/json/model_overrides.hpp"

#include "api/json/value.hpp"
#include "risk/perils/registry.hpp"

#include <cmath>

namespace tanhui::api {

namespace {

using Range = ObjectReader::Range;
constexpr Range positive{0, INFINITY, true};

std::optional<ModelOverrides::Price> decode_price(ObjectReader& mr, std::vector<FieldProblem>& problems) {
    const auto* p = mr.get("price");
    if (!p) return std::nullopt;
    ObjectReader pr(*p, mr.at("price"), problems);
    ModelOverrides::Price price;
    if (auto s = pr.one_of("process", false, {"gbm", "ou"}))
        price.process = *s == "ou" ? risk::PriceProcess::ou : risk::PriceProcess::gbm;
    price.spot = pr.number("spot", false, positive);
    price.drift = pr.number("drift", false, {-5, 5});
    price.volatility = pr.number("volatility", false, {0, 5});
    price.risk_free_rate = pr.number("risk_free_rate", false, {-0.5, 1});
    price.dividend_yield = pr.number("dividend_yield", false, {-1, 1});
    price.mean_reversion = pr.number("mean_reversion", false, {0, 100});
    price.long_run_price = pr.number("long_run_price", false, positive);
    price.jump_intensity = pr.number("jump_intensity", false, {0, 365});
    price.jump_mean = pr.number("jump_mean", false, {-5, 5});
    price.jump_std = pr.number("jump_std", false, {0, 5});
    price.tail_dof = pr.number("tail_dof", false, {0, 1e6});
    if (price.tail_dof && *price.tail_dof != 0 && !(*price.tail_dof > 2))
        problems.push_back({pr.at("tail_dof"), "must be 0 (normal innovations) or above 2, got " + std::to_string(*price.tail_dof)});
    price.noise_sd = pr.number("noise_sd", false, {0, 2});
    pr.finish();
    return price;
}

// model.sink: the growth factor's parameters (risk::SinkModel), each in its domain.
void decode_sink(ObjectReader& mr, risk::SinkOverride& sink, std::vector<FieldProblem>& problems) {
    const auto* j = mr.get("sink");
    if (!j) return;
    ObjectReader sr(*j, mr.at("sink"), problems);
    if (auto d = sr.one_of("distribution", false, {"lognormal", "normal"}))
        sink.distribution = *d == "normal" ? risk::SinkDistribution::normal : risk::SinkDistribution::lognormal;
    sink.cv = sr.number("cv", false, {0, 2});
    sink.weather_correlation = sr.number("weather_correlation", false, {-1, 1});
    sink.region_correlation = sr.number("region_correlation", false, {0, 1});
    sink.drought_probability = sr.number("drought_probability", false, {0, 1, false, true});
    sink.drought_cut = sr.number("drought_cut", false, {0, 1});
    sr.finish();
}

}  // namespace

ModelOverrides decode_model_overrides(const nlohmann::json& m, const std::string& at, std::vector<FieldProblem>& problems) {
    ModelOverrides o;
    ObjectReader mr(m, at, problems);
    for (const risk::PerilEntry& e : risk::peril_registry())
        if (const auto* block = mr.get(e.name)) e.decode_override(to_value(*block), mr.at(e.name), o.risk, problems);
    if (const auto* c = mr.get("carbon")) {
        ObjectReader cr(*c, mr.at("carbon"), problems);
        o.risk.carbon.stock_tco2e_per_ha = cr.number("stock_tco2e_per_ha", true, {0, 5000});
        cr.finish();
    }
    decode_sink(mr, o.risk.sink, problems);
    o.price = decode_price(mr, problems);
    mr.finish();
    return o;
}

risk::PriceModel effective_price_model(const risk::Model& model, const std::string& market,
                                       const std::optional<ModelOverrides::Price>& o) {
    risk::PriceModel pm;
    const auto it = model.prices.find(market);
    if (it != model.prices.end()) pm = it->second;
    else if (!o || !o->spot || !o->volatility) {
        std::string known;
        for (const auto& [m, p] : model.prices) known += (known.empty() ? "" : ", ") + m;
        throw InvalidInput("/cover/market", "no calibrated price model for market \"" + market + "\" (calibrated: " +
                                                known + "); or give model.price.spot and model.price.volatility");
    }
    pm.market = market;
    if (o) {
        if (o->process) {
            pm.process = *o->process;
            pm.tail_dof = 0;
            pm.noise_sd = 0;
        }
        if (o->spot) pm.spot = *o->spot;
        if (o->drift) pm.drift = *o->drift;
        if (o->volatility) pm.volatility = *o->volatility;
        if (o->risk_free_rate) pm.risk_free_rate = *o->risk_free_rate;
        if (o->dividend_yield) pm.dividend_yield = *o->dividend_yield;
        if (o->mean_reversion) pm.mean_reversion = *o->mean_reversion;
        if (o->long_run_price) pm.long_run_log_price = std::log(*o->long_run_price);
        if (o->jump_intensity) pm.jump_intensity = *o->jump_intensity;
        if (o->jump_mean) pm.jump_mean = *o->jump_mean;
        if (o->jump_std) pm.jump_std = *o->jump_std;
        if (o->tail_dof) pm.tail_dof = *o->tail_dof;
        if (o->noise_sd) pm.noise_sd = *o->noise_sd;
    }
    risk::validate(pm, "/model/price");
    return pm;
}

}  // namespace tanhui::api
