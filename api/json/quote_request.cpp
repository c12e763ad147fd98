#include "api/json/quote_request.hpp"

#include <set>

namespace tanhui::api {

namespace {

using Range = ObjectReader::Range;
constexpr Range non_negative{0, INFINITY};
constexpr Range positive{0, INFINITY, true};
constexpr Range share{0, 1};

FixingsRequest decode_fixings(ObjectReader& r, std::vector<FieldProblem>& problems) {
    FixingsRequest f;
    const nlohmann::json* v = r.get("fixings");
    if (!v) return f;
    if (v->is_string()) {
        const std::string s = v->get<std::string>();
        if (s != "monthly" && s != "quarterly" && s != "at_expiry")
            r.problem("fixings", "must be \"monthly\", \"quarterly\", \"at_expiry\" or an array of dates, got \"" + s + "\"");
        f.kind = s;
        return f;
    }
    if (!v->is_array() || v->empty() || v->size() > 400) {
        r.problem("fixings", "must be \"monthly\", \"quarterly\", \"at_expiry\" or an array of 1 to 400 dates");
        return f;
    }
    f.kind = "dates";
    for (std::size_t i = 0; i < v->size(); ++i) {
        const auto& d = (*v)[i];
        const std::string at = r.at("fixings") + "/" + std::to_string(i);
        if (!d.is_string() || !valid_iso_date(d.get<std::string>())) {
            problems.push_back({at, "must be a date YYYY-MM-DD, got " + d.dump()});
            continue;
        }
        if (!f.dates.empty() && d.get<std::string>() <= f.dates.back())
            problems.push_back({at, "fixing dates must be strictly increasing"});
        f.dates.push_back(d.get<std::string>());
    }
    return f;
}

}  // namespace

std::vector<std::string> decode_perils(ObjectReader& r, std::vector<FieldProblem>& problems,
                                       const std::optional<std::vector<std::string>>& when_absent) {
    std::vector<std::string> perils;
    const nlohmann::json* p = r.get("perils");
    if (!p) {
        if (when_absent) return *when_absent;
        r.problem("perils", "is required (a non-empty array of \"fire\", \"pest\")");
        return perils;
    }
    if (!p->is_array() || p->empty()) {
        r.problem("perils", "must be a non-empty array of \"fire\", \"pest\"");
        return perils;
    }
    std::set<std::string> seen;
    for (std::size_t i = 0; i < p->size(); ++i) {
        const auto& v = (*p)[i];
        const std::string at = r.at("perils") + "/" + std::to_string(i);
        if (!v.is_string() || (v != "fire" && v != "pest")) {
            problems.push_back({at, "must be \"fire\" or \"pest\", got " + v.dump()});
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
    r.finish();
    if (out.problems.empty()) out.value = std::move(h);
    return out;
}

Decoded<QuoteRequest> decode_quote(const nlohmann::json& body, const DecodeLimits& limits, const std::string& base) {
    Decoded<QuoteRequest> out;
    auto& problems = out.problems;
    QuoteRequest q;
    ObjectReader r(body, base, problems);
    if (!r.ok()) return out;

    if (auto p = r.one_of("product", true, {"index_insurance", "price_insurance", "revenue_insurance"})) q.product = *p;

    if (const auto* p = r.get("policy")) {
        ObjectReader pr(*p, r.at("policy"), problems);
        if (auto id = pr.string("id", true)) q.policy.id = *id;
        if (auto s = pr.date("start", true)) q.policy.start = *s;
        if (auto t = pr.integer("term_months", false, 1, 120)) q.policy.term_months = static_cast<int>(*t);
        pr.finish();
    } else {
        r.problem("policy", "is required");
    }

    const nlohmann::json* hs = r.get("holdings");
    const bool needs_holdings = q.product != "price_insurance";
    if (hs) {
        if (!hs->is_array()) r.problem("holdings", "must be an array of holdings");
        else if (hs->size() > limits.max_holdings) r.problem("holdings", "has more than " + std::to_string(limits.max_holdings) + " holdings");
        else {
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
    } else if (needs_holdings && !q.product.empty()) {
        r.problem("holdings", "is required for " + q.product);
    }

    if (const auto* c = r.get("cover")) {
        ObjectReader cr(*c, r.at("cover"), problems);
        if (q.product == "index_insurance") {
            IndexCoverRequest ic;
            ic.perils = decode_perils(cr, problems);
            if (auto f = cr.one_of("form", true, {"per_tonne", "linear"})) ic.form = *f;
            if (ic.form == "per_tonne") {
                if (auto v = cr.number("price_cny_per_tco2e", true, positive)) ic.price_cny_per_tco2e = *v;
                if (auto v = cr.number("deductible_tco2e", false, non_negative)) ic.deductible_tco2e = *v;
                ic.limit_cny = cr.number("limit_cny", false, positive);
                ic.sum_insured_cny = cr.number("sum_insured_cny", false, positive);
            } else if (ic.form == "linear") {
                ic.sum_insured_cny = cr.number("sum_insured_cny", true, positive);
                auto t = cr.number("trigger", true, {0, 1, false, true});
                auto e = cr.number("exit", true, {0, 1, true, false});
                if (t) ic.trigger = *t;
                if (e) ic.exit = *e;
                if (t && e && !(*e > *t)) cr.problem("exit", "must be greater than trigger");
                if (auto v = cr.number("price_cny_per_tco2e", false, positive)) ic.price_cny_per_tco2e = *v;
            }
            q.index_cover = ic;
        } else if (q.product == "price_insurance") {
            PriceCoverRequest pc;
            if (auto m = cr.string("market", true, 16)) pc.market = *m;
            if (auto v = cr.number("quantity_tco2e", true, positive)) pc.quantity_tco2e = *v;
            if (auto v = cr.number("target_price_cny", true, positive)) pc.target_price_cny = *v;
            pc.fixings = decode_fixings(cr, problems);
            if (auto m = cr.one_of("method", false, {"risk_neutral", "actuarial"})) pc.method = *m;
            if (auto e = cr.one_of("engine", false, {"turnbull_wakeman", "monte_carlo", "geometric"})) {
                if (pc.method != "risk_neutral") cr.problem("engine", "applies to method \"risk_neutral\" only");
                pc.engine = *e;
            }
            q.price_cover = pc;
        } else if (q.product == "revenue_insurance") {
            RevenueCoverRequest rc;
            if (auto m = cr.string("market", true, 16)) rc.market = *m;
            if (auto v = cr.number("quantity_tco2e", true, positive)) rc.quantity_tco2e = *v;
            if (auto v = cr.number("guaranteed_revenue_cny", true, positive)) rc.guaranteed_revenue_cny = *v;
            rc.perils = decode_perils(cr, problems);
            rc.fixings = decode_fixings(cr, problems);
            q.revenue_cover = rc;
        } else {
            for (const auto& [key, v] : c->items()) { (void)v; cr.get(key); }  // product already reported
        }
        cr.finish();
    } else if (!q.product.empty()) {
        r.problem("cover", "is required");
    }

    if (const auto* p = r.get("premium")) {
        ObjectReader pr(*p, r.at("premium"), problems);
        if (auto s = pr.one_of("principle", false, {"expected_value", "std_dev", "wang", "cost_of_capital"})) q.premium.principle = *s;
        if (auto v = pr.number("parameter", false, {0, 100})) q.premium.parameter = *v;
        if (auto v = pr.number("alpha", false, {0.5, 1, false, true})) q.premium.alpha = *v;
        if (auto v = pr.number("expense_ratio", false, {0, 1, false, true})) q.premium.expense_ratio = *v;
        if (auto v = pr.number("commission", false, {0, 1, false, true})) q.premium.commission = *v;
        if (auto v = pr.number("profit_margin", false, {0, 1, false, true})) q.premium.profit_margin = *v;
        if (auto v = pr.number("subsidy_share", false, share)) q.premium.subsidy_share = *v;
        if (q.premium.expense_ratio + q.premium.commission + q.premium.profit_margin >= 1)
            pr.problem("expense_ratio", "expense_ratio + commission + profit_margin must be below 1");
        pr.finish();
    }

    if (const auto* s = r.get("simulation")) {
        ObjectReader sr(*s, r.at("simulation"), problems);
        if (auto y = sr.integer("years", false, 1, limits.max_years)) q.simulation.years = *y;
        if (auto v = sr.get("seed")) {
            if (!v->is_number_integer() || (v->is_number_integer() && !v->is_number_unsigned() && v->get<long long>() < 0))
                sr.problem("seed", "must be a whole number >= 0, got " + v->dump());
            else q.simulation.seed = v->get<unsigned long long>();
        }
        if (auto t = sr.integer("threads", false, 0, 256)) q.simulation.threads = static_cast<int>(*t);
        sr.finish();
    }

    if (const auto* rp = r.get("return_periods")) {
        if (!rp->is_array() || rp->empty() || rp->size() > 32) r.problem("return_periods", "must be an array of 1 to 32 numbers > 1");
        else {
            q.return_periods.clear();
            for (std::size_t i = 0; i < rp->size(); ++i) {
                const auto& v = (*rp)[i];
                if (!v.is_number() || !(v.get<double>() >= 1) || !std::isfinite(v.get<double>()))
                    problems.push_back({r.at("return_periods") + "/" + std::to_string(i), "must be a number >= 1, got " + v.dump()});
                else q.return_periods.push_back(v.get<double>());
            }
        }
    }

    if (const auto* m = r.get("model")) {
        ObjectReader mr(*m, r.at("model"), problems);
        if (const auto* f = mr.get("fire")) {
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
            mr.ok();
            q.model.fire = fire;
        }
        if (const auto* p = mr.get("pest")) {
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
            q.model.pest = pest;
        }
        if (const auto* c = mr.get("carbon")) {
            ObjectReader cr(*c, mr.at("carbon"), problems);
            q.model.stock_tco2e_per_ha = cr.number("stock_tco2e_per_ha", true, {0, 5000});
            cr.finish();
        }
        if (const auto* p = mr.get("price")) {
            ObjectReader pr(*p, mr.at("price"), problems);
            ModelOverrides::Price price;
            if (auto s = pr.one_of("process", false, {"gbm", "ou"})) price.process = *s;
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
            q.model.price = price;
        }
        mr.finish();
    }
    r.finish();

    if (q.product == "index_insurance" && q.index_cover && q.index_cover->form == "per_tonne" &&
        !q.index_cover->limit_cny && !q.index_cover->sum_insured_cny && q.model.stock_tco2e_per_ha.value_or(1) <= 0)
        problems.push_back({base + "/cover/limit_cny", "is required when the carbon stock is 0"});
    if (problems.empty()) out.value = std::move(q);
    return out;
}

}  // namespace tanhui::api
