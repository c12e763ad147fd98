#include "api/products/burning_cost.hpp"

#include "api/json/fields.hpp"
#include "api/json/quote_request.hpp"
#include "api/service/calibration.hpp"
#include "api/service/quote_service.hpp"
#include "data/store/store.hpp"
#include "pricing/burning_cost.hpp"
#include "pricing/index_insurance.hpp"
#include "risk/calibration/fire_model.hpp"
#include "risk/metrics/metrics.hpp"
#include "risk/model/growth.hpp"
#include "risk/perils/fire.hpp"

#include <algorithm>
#include <stdexcept>

namespace tanhui::api {

namespace {

// "cover": {form: per_tonne, price_cny_per_tco2e, deductible_tco2e?, limit_cny?, sum_insured_cny?}
// or {form: linear, sum_insured_cny, trigger, exit}.
void decode_cover(ObjectReader& r, BurningCostRequest& q, std::vector<FieldProblem>& problems) {
    const auto* c = r.get("cover");
    if (!c) {
        r.problem("cover", "is required: {form: per_tonne | linear, ...}");
        return;
    }
    ObjectReader cr(*c, "/cover", problems);
    std::optional<BurningCostForm> form;
    if (auto f = cr.one_of("form", true, {"per_tonne", "linear"}))
        form = *f == "linear" ? BurningCostForm::linear : BurningCostForm::per_tonne;
    if (form == BurningCostForm::per_tonne) {
        if (auto v = cr.number("price_cny_per_tco2e", true, range::positive)) q.price_cny_per_tco2e = *v;
        if (auto v = cr.number("deductible_tco2e", false, range::non_negative)) q.deductible_tco2e = *v;
        q.limit_cny = cr.number("limit_cny", false, range::positive);
        q.sum_insured_cny = cr.number("sum_insured_cny", false, range::positive);
    } else if (form == BurningCostForm::linear) {
        q.sum_insured_cny = cr.number("sum_insured_cny", true, range::positive);
        const auto t = cr.number("trigger", true, {0, 1, false, true});
        const auto e = cr.number("exit", true, {0, 1, true, false});
        if (t) q.trigger = *t;
        if (e) q.exit = *e;
        if (t && e && !(*e > *t)) cr.problem("exit", "must be greater than trigger");
    } else {
        for (const auto& [key, v] : c->items()) {
            (void)v;
            cr.get(key);  // the form is already reported
        }
    }
    if (form) q.form = *form;
    cr.finish();
}

// The cover priced on the replayed losses; its sum insured.
struct Priced {
    pricing::BurningCost cost;
    double sum_insured_cny = 0;
};

Priced price_cover(const BurningCostRequest& q, std::span<const double> loss, double stock) {
    Priced p;
    if (q.form == BurningCostForm::per_tonne) {
        pricing::PerTonneCover c;
        c.price_cny_per_tco2e = q.price_cny_per_tco2e;
        c.deductible_tco2e = q.deductible_tco2e;
        p.sum_insured_cny = q.sum_insured_cny.value_or(pricing::sum_insured_cny(c, stock));
        c.limit_cny = q.limit_cny.value_or(p.sum_insured_cny);
        p.cost = pricing::burning_cost(c, loss);
        return p;
    }
    if (!(stock > 0)) throw InvalidInput("/holding", "the holding holds no carbon (stock 0 tCO2e)");
    pricing::LinearCover c;
    c.sum_insured_cny = *q.sum_insured_cny;
    c.trigger = q.trigger;
    c.exit = q.exit;
    p.sum_insured_cny = c.sum_insured_cny;
    p.cost = pricing::burning_cost(c, loss, stock);
    return p;
}

nlohmann::ordered_json history_json(const pricing::FireReplay& replay, const pricing::BurningCost& cost) {
    nlohmann::ordered_json rows = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < replay.years.size(); ++i) {
        const pricing::ReplayedYear& y = replay.years[i];
        rows.push_back({{"year", y.year}, {"forest_damaged_ha", y.forest_damaged_ha}, {"trend_factor", y.trend_factor},
                        {"adjusted_damaged_ha", y.adjusted_damaged_ha}, {"holding_burned_ha", y.burned_ha},
                        {"loss_tco2e", y.loss_tco2e}, {"payout_cny", cost.payouts_cny[i]}});
    }
    return rows;
}

nlohmann::ordered_json trend_json(const BurningCostInputs& in, const pricing::FireReplayTerms& terms) {
    return {{"counts_trend_per_year", in.trend.counts_trend_per_year},
            {"burned_area_trend_per_year", in.trend.burned_area_trend_per_year},
            {"total_trend_per_year", terms.trend_per_year},
            {"adjusted_to_year", terms.adjusted_to_year},
            {"calibration_id", in.calibration_id},
            {"rule", "damaged area x exp(total_trend x (adjusted_to_year - year)); the trend is held flat after " +
                         std::to_string(in.trend.last_year) + " as in the fire calibration"}};
}

}  // namespace

std::string_view to_string(BurningCostForm form) { return form == BurningCostForm::linear ? "linear" : "per_tonne"; }

Decoded<BurningCostRequest> decode_burning_cost(const nlohmann::json& body) {
    Decoded<BurningCostRequest> out;
    auto& problems = out.problems;
    ObjectReader r(body, "", problems);
    if (!r.ok()) return out;
    BurningCostRequest q;
    if (const auto* h = r.get("holding")) {
        auto d = decode_holding(*h, "/holding");
        problems.insert(problems.end(), d.problems.begin(), d.problems.end());
        if (d.value) q.holding = std::move(*d.value);
    } else {
        r.problem("holding", "is required");
    }
    decode_cover(r, q, problems);
    if (auto y = r.integer("policy_year", false, 1900, 2200)) q.policy_year = static_cast<int>(*y);
    if (auto y = r.integer("from_year", false, 1900, 2200)) q.from_year = static_cast<int>(*y);
    if (auto y = r.integer("to_year", false, 1900, 2200)) q.to_year = static_cast<int>(*y);
    if (q.from_year && q.to_year && *q.from_year > *q.to_year) r.problem("from_year", "must not be after to_year");
    r.finish();
    if (problems.empty()) out.value = std::move(q);
    return out;
}

FireTrend fire_trend_from_report(const nlohmann::json& report) {
    const auto estimate = [&](const char* family) {
        const auto& params = report.at(family).at("parameters");
        const auto it = params.find("trend_per_year");
        if (it == params.end() || !(*it).contains("estimate") || !(*it)["estimate"].is_number()) return 0.0;
        return (*it)["estimate"].get<double>();
    };
    const auto year = [](const nlohmann::json& v) {
        if (v.is_number_integer()) return v.get<int>();
        if (v.is_number()) return static_cast<int>(v.get<double>());
        return std::stoi(v.get<std::string>().substr(0, 4));
    };
    FireTrend t;
    t.counts_trend_per_year = estimate("counts");
    t.burned_area_trend_per_year = report.contains("burned_area") ? estimate("burned_area") : 0.0;
    t.first_year = year(report.at("counts").at("data_from"));
    t.last_year = year(report.at("counts").at("data_to"));
    return t;
}

const Calibration* fire_calibration(const ModelVersion& version, const std::string& code) {
    const Calibration* fire = nullptr;
    for (std::size_t len : {code.size(), std::size_t{4}, std::size_t{2}}) {
        if (fire || len > code.size()) continue;
        for (const auto& c : version.calibrations)
            if (c.family == risk::fire_family && c.scope == code.substr(0, len)) fire = &c;
    }
    return fire;
}

nlohmann::ordered_json compute_burning_cost(const BurningCostRequest& q, const BurningCostInputs& in,
                                            const std::string& model_version) {
    if (!(in.province_forest_area_ha > 0))
        throw InvalidInput("/holding/region", "province " + in.province + " has no forest area");
    std::vector<FireYear> history = in.history;
    std::sort(history.begin(), history.end(), [](const FireYear& a, const FireYear& b) { return a.year < b.year; });
    if (history.size() < 2)
        throw InvalidInput("/from_year", "province " + in.province + " has " + std::to_string(history.size()) +
                                             " fire year(s) in the range; burning cost needs at least 2");
    const int policy_year = q.policy_year.value_or(in.trend.last_year + 1);
    pricing::FireReplayTerms terms;
    terms.trend_per_year = in.trend.counts_trend_per_year + in.trend.burned_area_trend_per_year;
    // The calibration holds the trend flat after its last year (api/service/calibration.cpp): so does the replay.
    terms.adjusted_to_year = std::min(policy_year, in.trend.last_year);
    terms.province_forest_area_ha = in.province_forest_area_ha;
    terms.area_ha = q.holding.area_ha;
    terms.stock_tco2e_per_ha = in.stock_tco2e_per_ha;
    terms.loss_fraction = in.loss_fraction;
    std::vector<pricing::DamagedYear> damaged;
    for (const FireYear& f : history) damaged.push_back({f.year, f.forest_damaged_ha});
    const pricing::FireReplay replay = pricing::replay_fire_years(damaged, terms);
    const std::vector<double> loss = pricing::replayed_losses_tco2e({&replay, 1});
    const double stock = terms.area_ha * terms.stock_tco2e_per_ha;
    const Priced p = price_cover(q, loss, stock);

    nlohmann::ordered_json out;
    out["holding_id"] = q.holding.id;
    out["region"] = q.holding.region;
    out["province"] = in.province;
    out["forest_type"] = to_string(q.holding.forest_type);
    out["area_ha"] = terms.area_ha;
    out["carbon_stock_tco2e"] = stock;
    out["form"] = to_string(q.form);
    out["currency"] = "CNY";
    out["sum_insured_cny"] = p.sum_insured_cny;
    out["policy_year"] = policy_year;
    out["trend"] = trend_json(in, terms);
    out["province_forest_area_ha"] = in.province_forest_area_ha;
    out["holding_share_of_province_forest"] = replay.share_of_province_forest;
    out["loss_fraction"] = in.loss_fraction;
    out["years"] = p.cost.years;
    out["first_year"] = history.front().year;
    out["last_year"] = history.back().year;
    out["burning_cost_cny"] = p.cost.burning_cost_cny.value;
    out["burning_cost_se_cny"] = p.cost.burning_cost_cny.standard_error;
    out["std_dev_cny"] = p.cost.std_dev_cny;
    out["probability_of_payout"] = p.cost.probability_of_payout;
    out["rate_on_sum_insured"] = p.sum_insured_cny > 0 ? p.cost.burning_cost_cny.value / p.sum_insured_cny : 0.0;
    out["expected_loss_tco2e"] = risk::average_annual_loss(loss);
    out["history"] = history_json(replay, p.cost);
    out["model_version"] = model_version;
    return out;
}

ProductOutcome handle_burning_cost(const nlohmann::json& body, const EndpointContext& context) {
    const auto compute = [&](const BurningCostRequest& q, ProductOutcome&) {
        data::Store& store = context.store();
        const auto model = context.models.current(store);
        const auto version = model_version(store, model.version);
        if (!version) throw std::runtime_error("model version " + model.version + " is not in the store");
        const Calibration* fire = fire_calibration(*version, q.holding.region);
        const risk::FireModels* fire_models = risk::fire_models(*model.model);
        if (!fire || !fire_models || !fire_models->count(fire->scope))
            throw InvalidInput("/holding/region", "model version " + model.version + " has no fire calibration for region " +
                                                      q.holding.region + " or its province");
        BurningCostInputs in;
        in.province = fire->scope;
        in.calibration_id = fire->id;
        in.trend = fire_trend_from_report(fire->report);
        in.history = store.fire_history(in.province, q.from_year.value_or(in.trend.first_year),
                                        q.to_year.value_or(in.trend.last_year));
        if (fire->report.contains("forest_area_ha") && fire->report["forest_area_ha"].is_number())
            in.province_forest_area_ha = fire->report["forest_area_ha"].get<double>();
        else in.province_forest_area_ha = store.forest_area_ha(in.province).value_or(0.0);
        in.stock_tco2e_per_ha = risk::holding_carbon(q.holding, model.model->growth, {}, "/holding").stock_tco2e_per_ha;
        in.loss_fraction = fire_models->at(in.province).loss_fraction[risk::index(q.holding.forest_type)];
        return compute_burning_cost(q, in, model.version);
    };
    return run_endpoint(body, "burning cost request", decode_burning_cost, compute);
}

}  // namespace tanhui::api
