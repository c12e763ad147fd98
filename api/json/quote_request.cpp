#include "api/json/quote_request.hpp"

#include "api/products/registry.hpp"
#include "risk/perils/registry.hpp"
#include "risk/simulation/sink.hpp"

#include <set>

namespace tanhui::api {

namespace {

using Range = ObjectReader::Range;
constexpr Range non_negative{0, INFINITY};
constexpr Range share{0, 1};

}  // namespace

std::vector<std::string> decode_perils(ObjectReader& r, std::vector<FieldProblem>& problems,
                                       const std::optional<std::vector<std::string>>& when_absent) {
    std::vector<std::string> perils;
    const nlohmann::json* p = r.get("perils");
    const std::vector<std::string> names = risk::peril_names();
    if (!p) {
        if (when_absent) return *when_absent;
        r.problem("perils", "is required (a non-empty array of " + risk::join_names(names, ", ", true) + ")");
        return perils;
    }
    if (!p->is_array() || p->empty()) {
        r.problem("perils", "must be a non-empty array of " + risk::join_names(names, ", ", true));
        return perils;
    }
    std::set<std::string> seen;
    for (std::size_t i = 0; i < p->size(); ++i) {
        const auto& v = (*p)[i];
        const std::string at = r.at("perils") + "/" + std::to_string(i);
        if (!v.is_string() || !risk::find_peril(v.get<std::string>())) {
            problems.push_back({at, "must be " + risk::join_names(names, " or ", true) + ", got " + v.dump()});
            continue;
        }
        if (!seen.insert(v.get<std::string>()).second) {
            problems.push_back({at, "is listed twice"});
            continue;
        }
        perils.push_back(v.get<std::string>());
    }
    return perils;
}

Decoded<Holding> decode_holding(const nlohmann::json& j, const std::string& path) {
    Decoded<Holding> out;
    ObjectReader r(j, path, out.problems);
    Holding h;
    if (auto id = r.string("id", true)) h.id = *id;
    if (auto region = r.string("region", true, 12)) {
        h.region = normalise_region_code(*region);
        if (h.region.find_first_not_of("0123456789") != std::string::npos || h.region.size() < 2)
            r.problem("region", "must be a GB/T 2260 code such as \"350802\", got \"" + *region + "\"");
    }
    if (auto t = r.string("forest_type", true)) {
        if (auto ft = parse_forest_type(*t)) h.forest_type = *ft;
        else r.problem("forest_type", "must be one of chinese_fir, masson_pine, eucalyptus, broadleaf, bamboo, mixed, got \"" + *t + "\"");
    }
    const bool has_ha = r.has("area_ha"), has_mu = r.has("area_mu");
    if (has_ha && has_mu) r.problem("area_mu", "give area_ha or area_mu, not both");
    if (auto a = r.number("area_ha", !has_mu, {0, 1e8, true})) h.area_ha = *a;
    if (auto a = r.number("area_mu", false, {0, 1.5e9, true})) h.area_ha = *a / mu_per_ha;
    if (auto a = r.number("age_years", true, {0, 500})) h.age_years = *a;
    h.carbon_stock_tco2e_per_ha = r.number("carbon_stock_tco2e_per_ha", false, {0, 5000});
    h.sequestration_tco2e_per_ha_yr = r.number("sequestration_tco2e_per_ha_yr", false, {-500, 500});
    h.credits_tco2e = r.number("credits_tco2e", false, non_negative);
    h.latitude = r.number("latitude", false, {-90, 90});
    h.longitude = r.number("longitude", false, {-180, 180});
    if (r.has("latitude") != r.has("longitude"))
        r.problem(r.has("latitude") ? "longitude" : "latitude", "give latitude and longitude together");
    r.finish();
    if (out.problems.empty()) out.value = std::move(h);
    return out;
}

pricing::Fixings decode_fixings(ObjectReader& r, std::vector<FieldProblem>& problems) {
    pricing::Fixings f;
    const nlohmann::json* v = r.get("fixings");
    if (!v) return f;
    if (v->is_string()) {
        const std::string s = v->get<std::string>();
        if (const auto frequency = pricing::parse_fixing_frequency(s)) f.frequency = *frequency;
        else r.problem("fixings", "must be \"monthly\", \"quarterly\", \"at_expiry\" or an array of dates, got \"" + s + "\"");
        return f;
    }
    if (!v->is_array() || v->empty() || v->size() > 400) {
        r.problem("fixings", "must be \"monthly\", \"quarterly\", \"at_expiry\" or an array of 1 to 400 dates");
        return f;
    }
    for (std::size_t i = 0; i < v->size(); ++i) {
        const auto& d = (*v)[i];
        const std::string at = r.at("fixings") + "/" + std::to_string(i);
        if (!d.is_string() || !valid_iso_date(d.get<std::string>())) {
            problems.push_back({at, "must be a date YYYY-MM-DD, got " + d.dump()});
            continue;
        }
        try {
            const pricing::Date date = pricing::parse_date(d.get<std::string>(), at);
            if (!f.dates.empty() && !(date > f.dates.back())) problems.push_back({at, "fixing dates must be strictly increasing"});
            f.dates.push_back(date);
        } catch (const InvalidInput& e) {
            problems.push_back({at, e.what()});
        }
    }
    return f;
}

std::vector<std::string> fixing_texts(const std::vector<pricing::Date>& dates) {
    std::vector<std::string> out;
    out.reserve(dates.size());
    for (const auto& d : dates) out.push_back(pricing::format_date(d));
    return out;
}

nlohmann::json fixings_json(const std::vector<pricing::Date>& dates) { return fixing_texts(dates); }

std::string QuoteRequest::product_name() const { return product ? std::string(product->name) : std::string(); }

namespace {

void decode_policy(ObjectReader& r, QuoteRequest& q, std::vector<FieldProblem>& problems) {
    const auto* p = r.get("policy");
    if (!p) {
        r.problem("policy", "is required");
        return;
    }
    ObjectReader pr(*p, r.at("policy"), problems);
    if (auto id = pr.string("id", true)) q.policy.id = *id;
    if (auto s = pr.date("start", true)) q.policy.start = *s;
    if (auto t = pr.integer("term_months", false, 1, 120)) q.policy.term_months = static_cast<int>(*t);
    pr.finish();
}

void decode_holdings(ObjectReader& r, QuoteRequest& q, const DecodeLimits& limits, std::vector<FieldProblem>& problems) {
    const nlohmann::json* hs = r.get("holdings");
    const bool needs_holdings = !q.product || q.product->needs_holdings;
    if (!hs) {
        if (needs_holdings && q.product) r.problem("holdings", "is required for " + q.product_name());
        return;
    }
    if (!hs->is_array()) return r.problem("holdings", "must be an array of holdings");
    if (hs->size() > limits.max_holdings)
        return r.problem("holdings", "has more than " + std::to_string(limits.max_holdings) + " holdings");
    std::set<std::string> ids;
    for (std::size_t i = 0; i < hs->size(); ++i) {
        const std::string at = r.at("holdings") + "/" + std::to_string(i);
        auto h = decode_holding((*hs)[i], at);
        problems.insert(problems.end(), h.problems.begin(), h.problems.end());
        if (h.value) {
            if (!ids.insert(h.value->id).second) problems.push_back({at + "/id", "duplicate holding id \"" + h.value->id + "\""});
            q.holdings.push_back(std::move(*h.value));
        }
    }
    if (hs->empty() && needs_holdings) r.problem("holdings", "must hold at least one holding");
}

void decode_cover(ObjectReader& r, QuoteRequest& q, std::vector<FieldProblem>& problems) {
    const auto* c = r.get("cover");
    if (!c) {
        if (q.product) r.problem("cover", "is required");
        return;
    }
    ObjectReader cr(*c, r.at("cover"), problems);
    if (q.product) q.cover = q.product->decode_cover(cr, problems);
    else if (c->is_object())
        for (const auto& [key, v] : c->items()) { (void)v; cr.get(key); }  // product already reported
    cr.finish();
}

void decode_premium(ObjectReader& r, pricing::PremiumTerms& premium, std::vector<FieldProblem>& problems) {
    const auto* p = r.get("premium");
    if (!p) return;
    ObjectReader pr(*p, r.at("premium"), problems);
    if (auto s = pr.one_of("principle", false, {"expected_value", "std_dev", "wang", "cost_of_capital"}))
        premium.principle = *pricing::parse_principle(*s);
    if (auto v = pr.number("parameter", false, {0, 100})) premium.parameter = *v;
    if (auto v = pr.number("alpha", false, {0.5, 1, false, true})) premium.tvar_level = *v;
    if (auto v = pr.number("expense_ratio", false, {0, 1, false, true})) premium.expense_ratio = *v;
    if (auto v = pr.number("commission", false, {0, 1, false, true})) premium.commission = *v;
    if (auto v = pr.number("profit_margin", false, {0, 1, false, true})) premium.profit_margin = *v;
    if (auto v = pr.number("subsidy_share", false, share)) premium.subsidy_share = *v;
    if (premium.expense_ratio + premium.commission + premium.profit_margin >= 1)
        pr.problem("expense_ratio", "expense_ratio + commission + profit_margin must be below 1");
    pr.finish();
}

void decode_simulation(ObjectReader& r, SimulationTerms& sim, const DecodeLimits& limits, std::vector<FieldProblem>& problems) {
    const auto* s = r.get("simulation");
    if (!s) return;
    ObjectReader sr(*s, r.at("simulation"), problems);
    if (auto y = sr.integer("years", false, 1, limits.max_years)) sim.years = *y;
    if (auto v = sr.get("seed")) {
        if (!v->is_number_integer() || (v->is_number_integer() && !v->is_number_unsigned() && v->get<long long>() < 0))
            sr.problem("seed", "must be a whole number >= 0, got " + v->dump());
        else sim.seed = v->get<unsigned long long>();
    }
    if (auto t = sr.integer("threads", false, 0, 256)) sim.threads = static_cast<int>(*t);
    sr.finish();
}

void decode_return_periods(ObjectReader& r, std::vector<double>& periods, std::vector<FieldProblem>& problems) {
    const auto* rp = r.get("return_periods");
    if (!rp) return;
    if (!rp->is_array() || rp->empty() || rp->size() > 32)
        return r.problem("return_periods", "must be an array of 1 to 32 numbers > 1");
    periods.clear();
    for (std::size_t i = 0; i < rp->size(); ++i) {
        const auto& v = (*rp)[i];
        if (!v.is_number() || !(v.get<double>() >= 1) || !std::isfinite(v.get<double>()))
            problems.push_back({r.at("return_periods") + "/" + std::to_string(i), "must be a number >= 1, got " + v.dump()});
        else periods.push_back(v.get<double>());
    }
}

}  // namespace

Decoded<QuoteRequest> decode_quote(const nlohmann::json& body, const DecodeLimits& limits, const std::string& base) {
    Decoded<QuoteRequest> out;
    auto& problems = out.problems;
    QuoteRequest q;
    ObjectReader r(body, base, problems);
    if (!r.ok()) return out;
    static const std::vector<std::string> products = product_names();
    if (auto p = r.one_of("product", true, products)) q.product = find_product(*p);
    decode_policy(r, q, problems);
    decode_holdings(r, q, limits, problems);
    decode_cover(r, q, problems);
    decode_premium(r, q.premium, problems);
    decode_simulation(r, q.simulation, limits, problems);
    decode_return_periods(r, q.return_periods, problems);
    if (const auto* m = r.get("model")) q.model = decode_model_overrides(*m, r.at("model"), problems);
    static const std::vector<std::string> scenarios = risk::sink_scenario_names();
    if (auto s = r.one_of("scenario", false, scenarios)) {
        q.scenario = *s;
        if (q.product && !q.product->takes_scenario)
            r.problem("scenario", "applies to a product on the sink; " + q.product_name() + " takes none");
    }
    if (const auto* u = r.get("uncertainty")) {
        if (u->is_boolean())
            q.uncertainty = u->get<bool>();
        else
            r.problem("uncertainty", "must be true or false");
    }
    r.finish();
    if (q.product && q.product->check_request && q.cover.has_value()) q.product->check_request(q, base, problems);
    if (problems.empty()) out.value = std::move(q);
    return out;
}

}  // namespace tanhui::api
