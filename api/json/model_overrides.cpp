#include "api/json/model_overrides.hpp"

#include <cmath>

namespace tanhui::api {

namespace {

using Range = ObjectReader::Range;
constexpr Range positive{0, INFINITY, true};
constexpr Range share{0, 1};

std::optional<ModelOverrides::Fire> decode_fire(ObjectReader& mr, std::vector<FieldProblem>& problems) {
    const auto* f = mr.get("fire");
    if (!f) return std::nullopt;
    ObjectReader fr(*f, mr.at("fire"), problems);
    ModelOverrides::Fire fire;
    if (const auto* freq = fr.get("frequency")) {
        ObjectReader qr(*freq, fr.at("frequency"), problems);
        qr.one_of("distribution", false, {"poisson"});
        if (auto v = qr.number("rate_per_year", true, {0, 1000})) fire.rate_per_year = *v;
        qr.finish();
    } else fr.problem("frequency", "is required");
    if (const auto* ba = fr.get("burned_area_ha")) {
        ObjectReader br(*ba, fr.at("burned_area_ha"), problems);
        br.one_of("distribution", false, {"lognormal"});
        if (auto v = br.number("mu", true, {-50, 50})) fire.mu = *v;
        if (auto v = br.number("sigma", true, {0, 10, true})) fire.sigma = *v;
        br.finish();
    } else fr.problem("burned_area_ha", "is required");
    if (auto v = fr.number("loss_fraction", false, share)) fire.loss_fraction = *v;
    fr.finish();
    return fire;
}

std::optional<ModelOverrides::Pest> decode_pest(ObjectReader& mr, std::vector<FieldProblem>& problems) {
    const auto* p = mr.get("pest");
    if (!p) return std::nullopt;
    ObjectReader pr(*p, mr.at("pest"), problems);
    ModelOverrides::Pest pest;
    if (auto v = pr.number("probability_per_year", true, share)) pest.probability_per_year = *v;
    if (const auto* af = pr.get("affected_fraction")) {
        ObjectReader ar(*af, pr.at("affected_fraction"), problems);
        ar.one_of("distribution", false, {"beta"});
        if (auto v = ar.number("a", true, {0, 1e4, true})) pest.a = *v;
        if (auto v = ar.number("b", true, {0, 1e4, true})) pest.b = *v;
        ar.finish();
    }
    if (auto v = pr.number("mortality", false, share)) pest.mortality = *v;
    pr.finish();
    return pest;
}

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
    pr.finish();
    return price;
}

}  // namespace

ModelOverrides decode_model_overrides(const nlohmann::json& m, const std::string& at, std::vector<FieldProblem>& problems) {
    ModelOverrides o;
    ObjectReader mr(m, at, problems);
    o.fire = decode_fire(mr, problems);
    if (o.fire) mr.ok();
    o.pest = decode_pest(mr, problems);
    if (const auto* c = mr.get("carbon")) {
        ObjectReader cr(*c, mr.at("carbon"), problems);
        o.stock_tco2e_per_ha = cr.number("stock_tco2e_per_ha", true, {0, 5000});
        cr.finish();
    }
    o.price = decode_price(mr, problems);
    mr.finish();
    return o;
}

risk::ModelOverrides to_risk_overrides(const ModelOverrides& m) {
    risk::ModelOverrides o;
    if (m.fire) {
        o.fire.frequency = risk::PoissonFrequency{m.fire->rate_per_year};
        risk::BurnedAreaModel b;
        b.mu = m.fire->mu;
        b.sigma = m.fire->sigma;
        o.fire.burned_area_ha = b;
        o.fire.loss_fraction = m.fire->loss_fraction;
    }
    if (m.pest) {
        o.pest.probability_per_year = m.pest->probability_per_year;
        o.pest.affected_fraction = risk::BetaDistribution{m.pest->a, m.pest->b};
        o.pest.mortality = m.pest->mortality;
    }
    o.carbon.stock_tco2e_per_ha = m.stock_tco2e_per_ha;
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
        if (o->process) pm.process = *o->process;
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
    }
    risk::validate(pm, "/model/price");
    return pm;
}

}  // namespace tanhui::api
