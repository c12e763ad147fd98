// price_insurance (碳汇价格保险, the Nanping "碳汇保" form): pricing/price_insurance.hpp on the
// reference market's price model (calibrated, with the request's overrides on top).
#include "api/products/quote_engine.hpp"
#include "api/products/registry.hpp"
#include "pricing/price_insurance.hpp"

#include <cmath>

namespace tanhui::api {

namespace {

using pricing::PriceInsuranceTerms;
using Range = ObjectReader::Range;
constexpr Range positive{0, INFINITY, true};

std::vector<std::string> engine_names() {
    std::vector<std::string> names;
    for (const auto& e : pricing::asian_engines()) names.emplace_back(e.name);
    return names;
}

std::any decode_cover(ObjectReader& cr, std::vector<FieldProblem>& problems) {
    PriceInsuranceTerms t;
    if (auto m = cr.string("market", true, 16)) t.market = *m;
    if (auto v = cr.number("quantity_tco2e", true, positive)) t.quantity_tco2e = *v;
    if (auto v = cr.number("target_price_cny", true, positive)) t.target_price_cny = *v;
    t.fixings = decode_fixings(cr, problems);
    if (auto m = cr.one_of("method", false, {"risk_neutral", "actuarial"})) t.method = *pricing::parse_price_method(*m);
    static const std::vector<std::string> engines = engine_names();
    if (auto e = cr.one_of("engine", false, engines)) {
        if (t.method != pricing::PriceMethod::risk_neutral) cr.problem("engine", "applies to method \"risk_neutral\" only");
        t.engine = pricing::find_asian_engine(*e);
    }
    return t;
}

CoverFacts facts(const std::any& cover) { return {{}, terms_of<PriceInsuranceTerms>(cover).market}; }

nlohmann::json canonical_cover(const std::any& cover) {
    const auto& t = terms_of<PriceInsuranceTerms>(cover);
    nlohmann::json fixings = t.fixings.dates.empty() ? nlohmann::json(std::string(pricing::to_string(t.fixings.frequency)))
                                                     : fixings_json(t.fixings.dates);
    return {{"market", t.market}, {"quantity_tco2e", t.quantity_tco2e}, {"target_price_cny", t.target_price_cny},
            {"fixings", fixings}, {"method", std::string(pricing::to_string(t.method))},
            {"engine", std::string(pricing::engine_of(t).name)}};
}

// The fixing dates of the policy; an explicit date before the start is named under /cover.
std::vector<pricing::Date> dates_of(const QuoteRequest& q, const pricing::Fixings& fixings) {
    try {
        return pricing::fixing_dates(fixings, policy_start(q), q.policy.term_months);
    } catch (const InvalidInput& e) {
        if (e.field().rfind("fixings", 0) == 0) rethrow_under(e, "/cover");
        throw;
    }
}

// The answer's fields of a closed-form risk-neutral quote (no simulation: years 0).
nlohmann::json closed_form_answer(const QuoteRequest& q, const QuoteContext& c, const pricing::PremiumQuote& pq) {
    nlohmann::json r = quote_answer(q, c, pq);
    r.erase("payout_std_dev_cny");
    r["years"] = 0;
    r["distribution"] = "lognormal average (Turnbull-Wakeman moments), no simulation";
    return r;
}

nlohmann::json quote(const QuoteRequest& q, const QuoteContext& c) {
    const auto& terms = terms_of<PriceInsuranceTerms>(q.cover);
    risk::PriceModel pm = effective_price_model(*c.model, terms.market, q.model.price);
    const auto dates = dates_of(q, terms.fixings);
    const auto times = pricing::fixing_times_years(policy_start(q), dates);
    const risk::Simulation sim = simulation_of(q, c);
    const bool risk_neutral = terms.method == pricing::PriceMethod::risk_neutral;

    nlohmann::json extra;
    std::optional<pricing::AsianPrice> rn;
    double discount = 1;
    if (risk_neutral) {
        const bool vol_given = q.model.price && q.model.price->volatility;
        const auto market = pricing::risk_neutral_market(pm, policy_start(q), vol_given);
        rn = pricing::price_risk_neutral(terms, dates, market, static_cast<std::uint64_t>(q.simulation.years), q.simulation.seed);
        discount = rn->discount_factor;
        // The distribution of the discounted payout under the same risk-neutral GBM gives the
        // load, the payout probability and the return-period payouts.
        pm = pricing::risk_neutral_model(pm, market);
        extra["engine"] = std::string(pricing::engine_of(terms).name);
        extra["option_value_per_tco2e"] = rn->value;
        extra["option_value_se_per_tco2e"] = rn->standard_error;
        extra["discount_factor"] = rn->discount_factor;
        extra["expected_average_price"] = rn->expected_average;
    }
    nlohmann::json r;
    if (rn && pricing::closed_form_applies(q.premium, pricing::engine_of(terms))) {
        const auto average = pricing::lognormal_average(pm.spot, pm.risk_free_rate - pm.dividend_yield, pm.volatility, times);
        r = closed_form_answer(q, c, pricing::closed_form_quote(terms, *rn, average, q.premium, q.return_periods));
    } else {
        const risk::PricePath path(pm, times, 0);
        const auto simulated = pricing::simulate_payouts(terms, path, sim.seed, sim.years, discount);
        auto pq = pricing::quote_premium(simulated.payouts_cny, pricing::sum_insured_cny(terms), q.premium, return_periods_within(q));
        if (rn) pricing::use_price_as_pure_premium(pq, *rn, terms.quantity_tco2e, q.premium);
        r = quote_answer(q, c, pq);
        r["mean_simulated_average_price"] = simulated.mean_average_price;
    }
    r["expected_loss_tco2e"] = 0.0;
    r["method"] = std::string(pricing::to_string(terms.method));
    r["market"] = terms.market;
    r["spot_cny_per_tco2e"] = pm.spot;
    r["volatility"] = pm.volatility;
    r["fixings"] = fixings_json(dates);
    for (auto& [k, v] : extra.items()) r[k] = v;
    return r;
}

}  // namespace

ProductEntry price_insurance_entry() {
    return {.name = "price_insurance", .needs_holdings = false, .decode_cover = decode_cover, .check_request = nullptr,
            .facts = facts, .canonical_cover = canonical_cover, .quote = quote, .plan_batch = nullptr};
}

}  // namespace tanhui::api
