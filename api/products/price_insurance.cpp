// price_insurance (碳汇价格保险, the Nanping "碳汇保" form): pricing/price_insurance.hpp on the
// reference market's price model (calibrated, with the request's overrides on top).
#include "api/json/model_used.hpp"
#include "api/products/quote_engine.hpp"
#include "api/batch/policy.hpp"
#include "api/products/registry.hpp"
#include "pricing/price_insurance.hpp"

#include <cmath>
#include <limits>

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

// What a policy's price is computed from: the market's model and the schedule.
struct Schedule {
    std::vector<pricing::Date> dates;
    std::vector<double> times;
};

Schedule schedule_of(const QuoteRequest& q, const pricing::PriceInsuranceTerms& terms) {
    Schedule s;
    s.dates = policy_fixing_dates(q, terms.fixings);
    s.times = pricing::fixing_times_years(policy_start(q), s.dates);
    return s;
}

// The risk-neutral quote: the engine's price is the pure premium; the payout's distribution
// (load, probability, return periods) is the lognormal average's when closed_form_applies, else
// a simulated table of the risk-neutral GBM (years, seed). Quote and batch share it, so a
// batch's risk-neutral policy has its quote's numbers.
struct RiskNeutral {
    pricing::AsianPrice price;
    pricing::PremiumQuote premium;
    risk::PriceModel model;  // the risk-neutral GBM
    bool closed_form = false;
    double mean_average_price = 0;  // of the simulated table
};

RiskNeutral risk_neutral(const QuoteRequest& q, const PriceInsuranceTerms& terms, const risk::PriceModel& physical,
                         const Schedule& s, std::uint32_t years, std::uint64_t seed,
                         std::span<const double> closed_form_periods, std::span<const double> simulated_periods,
                         risk::CancelFlag cancel = nullptr) {
    RiskNeutral rn;
    const bool vol_given = q.model.price && q.model.price->volatility;
    const auto market = pricing::risk_neutral_market(physical, policy_start(q), vol_given);
    rn.price = pricing::price_risk_neutral(terms, s.dates, market, years, seed, cancel);
    rn.model = pricing::risk_neutral_model(physical, market);
    rn.closed_form = pricing::closed_form_applies(q.premium, pricing::engine_of(terms));
    if (rn.closed_form) {
        const risk::PriceModel& m = rn.model;
        const auto average = pricing::lognormal_average(m.spot, m.risk_free_rate - m.dividend_yield, m.volatility, s.times);
        rn.premium = pricing::closed_form_quote(terms, rn.price, average, q.premium, closed_form_periods);
        return rn;
    }
    const risk::PricePath path(rn.model, s.times, 0);
    const auto simulated = pricing::simulate_payouts(terms, path, seed, years, rn.price.discount_factor, cancel);
    rn.premium = pricing::quote_premium(simulated.payouts_cny, pricing::sum_insured_cny(terms), q.premium, simulated_periods);
    pricing::use_price_as_pure_premium(rn.premium, rn.price, terms.quantity_tco2e, q.premium);
    rn.mean_average_price = simulated.mean_average_price;
    return rn;
}

void add_risk_neutral_fields(SortedJsonWriter& r, const PriceInsuranceTerms& terms, const pricing::AsianPrice& price) {
    r.string("engine", pricing::engine_of(terms).name);
    r.real("option_value_per_tco2e", price.value);
    r.real("option_value_se_per_tco2e", price.standard_error);
    r.real("discount_factor", price.discount_factor);
    r.real("expected_average_price", price.expected_average);
}

SortedJsonWriter quote(const QuoteRequest& q, const QuoteContext& c) {
    const auto& terms = terms_of<PriceInsuranceTerms>(q.cover);
    const risk::PriceModel physical = effective_price_model(*c.model, terms.market, q.model.price);
    risk::PriceModel pm = physical;
    SortedJsonWriter used;
    used.object("price", price_model_used(physical));
    const Schedule s = schedule_of(q, terms);
    const risk::Simulation sim = simulation_of(q, c);
    SortedJsonWriter r;
    if (terms.method == pricing::PriceMethod::risk_neutral) {
        const RiskNeutral rn =
            risk_neutral(q, terms, pm, s, sim.years, sim.seed, q.return_periods, q.return_periods, sim.cancel);
        pm = rn.model;
        SortedJsonWriter rates;
        rates.real("volatility", rn.model.volatility);
        rates.real("risk_free_rate", rn.model.risk_free_rate);
        rates.real("dividend_yield", rn.model.dividend_yield);
        used.object("risk_neutral", rates);
        if (rn.closed_form) {
            // No simulation: years 0.
            add_quote_answer(r, q, c, rn.premium, Distribution::closed_form);
            r.string("distribution", "lognormal average (Turnbull-Wakeman moments), no simulation");
        } else {
            add_quote_answer(r, q, c, rn.premium);
            r.real("mean_simulated_average_price", rn.mean_average_price);
        }
        add_risk_neutral_fields(r, terms, rn.price);
    } else {
        const risk::PricePath path(pm, s.times, 0);
        const auto simulated = pricing::simulate_payouts(terms, path, sim.seed, sim.years, 1, sim.cancel);
        add_quote_answer(r, q, c, pricing::quote_premium(simulated.payouts_cny, pricing::sum_insured_cny(terms), q.premium,
                                                         q.return_periods));
        r.real("mean_simulated_average_price", simulated.mean_average_price);
    }
    r.real("expected_loss_tco2e", 0.0);
    r.string("method", pricing::to_string(terms.method));
    r.string("market", terms.market);
    r.real("spot_cny_per_tco2e", pm.spot);
    r.real("volatility", pm.volatility);
    r.strings("fixings", fixing_texts(s.dates));
    r.object("model_used", used);
    add_market_rates(r, q, pricing::sum_insured_cny(terms), "quantity x target price");
    require_finite_answer(r, physical, q);
    return r;
}

// In a batch the policy pays Q x max(0, K - A) on its leg's physical path (actuarial or not:
// the portfolio's tables are physical). Its premium is its quote's: actuarial on that column,
// risk_neutral the engine's price with its risk-neutral distribution (docs/batch.md).
BatchPolicyPlan plan_batch(const QuoteRequest& q, const BatchPolicySetup& setup) {
    const auto& terms = terms_of<PriceInsuranceTerms>(q.cover);
    const risk::PriceModel pm = effective_price_model(setup.model, terms.market, q.model.price);
    const Schedule s = schedule_of(q, terms);
    BatchPolicyPlan plan;
    plan.sum_insured_cny = pricing::sum_insured_cny(terms);
    plan.leg = PriceLegSpec{pm, s.times};
    plan.payout_cny = [terms](const PolicyYear& y) { return pricing::payout_cny(terms, pricing::average_price(y.fixings)); };
    plan.market = terms.market;
    plan.method = std::string(pricing::to_string(terms.method));
    plan.details["market"] = terms.market;
    plan.details["method"] = plan.method;
    plan.details["fixings"] = fixings_json(s.dates);
    if (terms.method == pricing::PriceMethod::risk_neutral) {
        plan.engine = std::string(pricing::engine_of(terms).name);
        plan.details["engine"] = plan.engine;
        plan.quote = [q, terms, pm, s, setup_years = setup.years, seed = setup.seed](std::span<const double>,
                                                                                     std::span<const double> periods) {
            RiskNeutral rn = risk_neutral(q, terms, pm, s, setup_years, seed, periods, periods);
            // The closed form has no standard deviation of the payout: none is reported.
            if (rn.closed_form) rn.premium.std_dev_cny = std::numeric_limits<double>::quiet_NaN();
            return rn.premium;
        };
    }
    return plan;
}

}  // namespace

ProductEntry price_insurance_entry() {
    return {.name = "price_insurance", .needs_holdings = false, .decode_cover = decode_cover, .check_request = nullptr,
            .facts = facts, .canonical_cover = canonical_cover, .quote = quote, .plan_batch = plan_batch};
}

}  // namespace tanhui::api
