#include "api/products/damage.hpp"

#include "api/json/fields.hpp"
#include "api/service/quote_service.hpp"
#include "data/store/store.hpp"
#include "pricing/damage.hpp"
#include "risk/model/growth.hpp"
#include "risk/model/model.hpp"
#include "risk/simulation/price_at_horizon.hpp"

#include <sstream>

namespace tanhui::api {

namespace {

std::string shown(double x) {
    std::ostringstream o;
    o << x;
    return o.str();
}

std::optional<ForestType> decode_forest_type(ObjectReader& reader, bool required) {
    auto t = reader.string("forest_type", required);
    if (!t) return std::nullopt;
    if (auto ft = parse_forest_type(*t)) return ft;
    reader.problem("forest_type", "must be one of chinese_fir, masson_pine, eucalyptus, broadleaf, bamboo, mixed, got \"" +
                                      *t + "\"");
    return std::nullopt;
}

// "regrowth": {forest_type?, delay_years?, max_recovery_years?} and "price": {horizon_years?,
// levels?, paths?, seed?}.
void decode_options(ObjectReader& r, DamageRequest& q, std::vector<FieldProblem>& problems) {
    if (const auto* g = r.get("regrowth")) {
        ObjectReader gr(*g, "/regrowth", problems);
        q.regrowth_forest_type = decode_forest_type(gr, false);
        if (auto d = gr.number("delay_years", false, {0, 100})) q.regrowth_delay_years = *d;
        if (auto m = gr.number("max_recovery_years", false, {0, 500, true})) q.max_recovery_years = *m;
        gr.finish();
    }
    if (const auto* p = r.get("price")) {
        ObjectReader pr(*p, "/price", problems);
        if (auto h = pr.number("horizon_years", false, {0, 50})) q.price_horizon_years = *h;
        if (auto levels = distinct_numbers(pr, "levels", range::open_unit, problems)) q.price_levels = *levels;
        if (auto n = pr.integer("paths", false, 1000, 1'000'000)) q.paths = static_cast<std::uint32_t>(*n);
        if (auto seed = decode_seed(pr)) q.seed = *seed;
        pr.finish();
    }
}

const risk::PriceModel& price_model(const risk::Model& model, const std::string& market) {
    const auto it = model.prices.find(market);
    if (it != model.prices.end()) return it->second;
    std::string known;
    for (const auto& [m, p] : model.prices) known += (known.empty() ? "" : ", ") + m;
    throw InvalidInput("/market", "no calibrated price model for market \"" + market + "\" (calibrated: " + known + ")");
}

risk::GrowthCurve growth_curve(const risk::Model& model, ForestType type, const char* field) {
    const risk::GrowthCurve curve = model.growth[risk::index(type)];
    if (!(curve.max_tco2e_per_ha > 0 && curve.rate_per_year > 0 && curve.shape > 0))
        throw InvalidInput(field, "the model has no growth curve for " + std::string(to_string(type)));
    return curve;
}

// The stand's curve and the regrowing stand's; a measured density scales the stand's curve to pass
// through it (and the regrowth's when it is the same species on the same site).
struct Curves {
    risk::GrowthCurve stand, regrowth;
    ForestType regrowth_type = ForestType::chinese_fir;
    double scale = 1;
};

Curves curves(const DamageRequest& q, const risk::Model& model) {
    Curves c;
    c.stand = growth_curve(model, q.forest_type, "/forest_type");
    c.regrowth_type = q.regrowth_forest_type.value_or(q.forest_type);
    c.regrowth = growth_curve(model, c.regrowth_type, "/regrowth/forest_type");
    if (!q.carbon_stock_tco2e_per_ha) return c;
    const double on_curve = risk::carbon_stock_tco2e_per_ha(c.stand, q.age_years);
    if (!(on_curve > 0))
        throw InvalidInput("/carbon_stock_tco2e_per_ha", "cannot scale the growth curve at age " + shown(q.age_years) +
                                                             " (it holds no carbon there)");
    c.scale = *q.carbon_stock_tco2e_per_ha / on_curve;
    c.stand.max_tco2e_per_ha *= c.scale;
    if (c.regrowth_type == q.forest_type) c.regrowth.max_tco2e_per_ha *= c.scale;
    return c;
}

nlohmann::ordered_json price_json(const DamageRequest& q, const risk::PriceModel& pm, const risk::PriceAtHorizon& price) {
    const bool monte_carlo = price.method == risk::PriceAtHorizonMethod::monte_carlo;
    nlohmann::ordered_json p;
    p["method"] = monte_carlo ? "monte_carlo" : "closed_form";
    p["process"] = pm.process == risk::PriceProcess::ou ? "ou" : "gbm";
    p["jumps"] = pm.jump_intensity > 0;
    if (pm.tail_dof > 0) p["tail_dof"] = pm.tail_dof;
    p["spot_cny_per_tco2e"] = pm.spot;
    p["spot_date"] = pm.spot_date;
    p["horizon_years"] = q.price_horizon_years;
    p["median_cny_per_tco2e"] = price.median.value;
    p["median_se_cny_per_tco2e"] = price.median.standard_error;
    p["quantiles_cny_per_tco2e"] = keyed(price.levels, [&](std::size_t i) { return price.quantiles[i]; });
    if (monte_carlo) {
        p["paths"] = price.paths;
        p["seed"] = q.seed;
    }
    return p;
}

nlohmann::ordered_json damage_json(const DamageRequest& q, const Curves& c, const pricing::DamageValuation& v,
                                   nlohmann::ordered_json price, const std::vector<double>& levels) {
    nlohmann::ordered_json out;
    if (!q.case_id.empty()) out["case_id"] = q.case_id;
    out["region"] = q.region;
    out["forest_type"] = to_string(q.forest_type);
    out["age_years"] = q.age_years;
    out["damaged_area_ha"] = q.damaged_area_ha;
    out["stock_loss_fraction"] = q.stock_loss_fraction;
    out["damage_date"] = q.damage_date;
    out["market"] = q.market;
    out["currency"] = "CNY";
    out["growth_curve"] = {{"max_tco2e_per_ha", c.stand.max_tco2e_per_ha}, {"rate_per_year", c.stand.rate_per_year},
                           {"shape", c.stand.shape}, {"scaled_by", c.scale}};
    out["regrowth"] = {{"forest_type", to_string(c.regrowth_type)}, {"delay_years", q.regrowth_delay_years},
                       {"max_recovery_years", q.max_recovery_years}};
    out["stock_before_tco2e_per_ha"] = risk::carbon_stock_tco2e_per_ha(c.stand, q.age_years);
    out["stock_lost_tco2e"] = v.stock_lost_tco2e;
    out["recovery_years"] = v.recovery_years;
    out["recovered"] = v.recovered;
    out["sequestration_forgone_tco2e"] = v.sequestration_forgone_tco2e;
    out["total_tco2e"] = v.total_tco2e;
    out["carbon_gap_tco2e_years"] = v.carbon_gap_tco2e_years;
    out["price"] = std::move(price);
    out["replacement_cost_cny"] = v.replacement_cost_cny;
    out["replacement_cost_range_cny"] = keyed(levels, [&](std::size_t i) { return v.replacement_cost_range_cny[i].cost_cny; });
    return out;
}

}  // namespace

Decoded<DamageRequest> decode_damage(const nlohmann::json& body) {
    Decoded<DamageRequest> out;
    auto& problems = out.problems;
    ObjectReader r(body, "", problems);
    if (!r.ok()) return out;
    DamageRequest q;
    if (auto id = r.string("case_id", false)) q.case_id = *id;
    if (auto region = r.string("region", true, 12)) {
        q.region = normalise_region_code(*region);
        if (q.region.find_first_not_of("0123456789") != std::string::npos || q.region.size() < 2)
            r.problem("region", "must be a GB/T 2260 code such as \"350802\", got \"" + *region + "\"");
    }
    if (auto ft = decode_forest_type(r, true)) q.forest_type = *ft;
    if (auto a = r.number("age_years", true, {0, 500})) q.age_years = *a;
    const bool has_ha = r.has("damaged_area_ha"), has_mu = r.has("damaged_area_mu");
    if (has_ha && has_mu) r.problem("damaged_area_mu", "give damaged_area_ha or damaged_area_mu, not both");
    if (auto a = r.number("damaged_area_ha", !has_mu, {0, 1e8, true})) q.damaged_area_ha = *a;
    if (auto a = r.number("damaged_area_mu", false, {0, 1.5e9, true})) q.damaged_area_ha = *a / mu_per_ha;
    if (auto f = r.number("stock_loss_fraction", false, range::unit_share)) q.stock_loss_fraction = *f;
    if (auto d = r.date("damage_date", true)) q.damage_date = *d;
    if (auto m = r.string("market", true, 16)) q.market = *m;
    q.carbon_stock_tco2e_per_ha = r.number("carbon_stock_tco2e_per_ha", false, {0, 5000, true});
    decode_options(r, q, problems);
    r.finish();
    if (problems.empty()) out.value = std::move(q);
    return out;
}

nlohmann::ordered_json compute_damage(const DamageRequest& q, const risk::Model& model, const std::string& model_version,
                                      risk::CancelFlag cancel) {
    const risk::PriceModel& pm = price_model(model, q.market);
    const Curves c = curves(q, model);
    const risk::PriceAtHorizon price = risk::price_at_horizon(pm, q.price_horizon_years, q.price_levels, q.paths, q.seed, cancel);

    pricing::DamageCase d;
    d.growth = c.stand;
    d.age_years = q.age_years;
    d.damaged_area_ha = q.damaged_area_ha;
    d.stock_loss_fraction = q.stock_loss_fraction;
    if (q.regrowth_forest_type) d.regrowth = c.regrowth;
    d.regrowth_delay_years = q.regrowth_delay_years;
    d.max_recovery_years = q.max_recovery_years;
    d.price_median_cny_per_tco2e = price.median.value;
    for (std::size_t i = 0; i < price.levels.size(); ++i) d.price_quantiles.push_back({price.levels[i], price.quantiles[i]});
    const pricing::DamageValuation v = pricing::value_damage(d);

    nlohmann::ordered_json out = damage_json(q, c, v, price_json(q, pm, price), price.levels);
    out["model_version"] = model_version;
    return out;
}

ProductOutcome handle_damage(const nlohmann::json& body, const EndpointContext& context) {
    return run_endpoint(body, "damage valuation request", decode_damage, [&](const DamageRequest& q, ProductOutcome&) {
        data::Store& store = context.store();
        const auto market = store.market(q.market);
        if (!market) throw InvalidInput("/market", "unknown market \"" + q.market + "\"; GET /v1/markets lists the markets");
        if (market->currency != "CNY")
            throw InvalidInput("/market", "market " + q.market + " is quoted in " + market->currency +
                                              "; damage valuation needs a CNY market (e.g. FJEA, CEA, CCER)");
        const auto model = context.models.current(store);
        return compute_damage(q, *model.model, model.version, context.cancel);
    });
}

}  // namespace tanhui::api
