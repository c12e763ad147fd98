// revenue_insurance: pricing/revenue_insurance.hpp on the pool's carbon lost and the market's
// average price of the same simulated year (the price leg of the pool's book).
#include "api/batch/policy.hpp"
#include "api/json/model_used.hpp"
#include "api/products/quote_engine.hpp"
#include "api/products/registry.hpp"
#include "pricing/revenue_insurance.hpp"
#include "risk/metrics/metrics.hpp"

#include <algorithm>
#include <cmath>

namespace tanhui::api {

namespace {

using pricing::RevenueInsuranceTerms;
using Range = ObjectReader::Range;
constexpr Range positive{0, INFINITY, true};

std::any decode_cover(ObjectReader& cr, std::vector<FieldProblem>& problems) {
    RevenueInsuranceTerms t;
    if (auto m = cr.string("market", true, 16)) t.market = *m;
    if (auto v = cr.number("quantity_tco2e", true, positive)) t.quantity_tco2e = *v;
    if (auto v = cr.number("guaranteed_revenue_cny", true, positive)) t.guaranteed_revenue_cny = *v;
    t.perils = decode_perils(cr, problems);
    t.fixings = decode_fixings(cr, problems);
    return t;
}

CoverFacts facts(const std::any& cover) {
    const auto& t = terms_of<RevenueInsuranceTerms>(cover);
    return {t.perils, t.market};
}

nlohmann::json canonical_cover(const std::any& cover) {
    const auto& t = terms_of<RevenueInsuranceTerms>(cover);
    nlohmann::json fixings = t.fixings.dates.empty() ? nlohmann::json(std::string(pricing::to_string(t.fixings.frequency)))
                                                     : fixings_json(t.fixings.dates);
    return {{"market", t.market}, {"quantity_tco2e", t.quantity_tco2e}, {"guaranteed_revenue_cny", t.guaranteed_revenue_cny},
            {"perils", t.perils}, {"fixings", fixings}};
}

SortedJsonWriter quote(const QuoteRequest& q, const QuoteContext& c) {
    require_annual_term(q);
    const auto& terms = terms_of<RevenueInsuranceTerms>(q.cover);
    const risk::PriceModel pm = effective_price_model(*c.model, terms.market, q.model.price);
    const auto dates = policy_fixing_dates(q, terms.fixings);
    const risk::Book book =
        prepare_pool(q, *c.model, terms.perils, risk::PriceLeg{pm, pricing::fixing_times_years(policy_start(q), dates), 0});
    const risk::Simulation sim = simulation_of(q, c);
    std::vector<double> payouts(sim.years), lost(sim.years), averages(sim.years);
    const std::size_t n_perils = terms.perils.size();
    std::vector<double> peril_lost(std::size_t{sim.years} * n_perils);
    risk::simulate(book, sim, [&](const risk::YearResult& y) {
        const std::size_t i = y.year - sim.first_year;
        averages[i] = pricing::average_price(y.price_fixings);
        payouts[i] = pricing::payout_cny(terms, y.total_tco2e, averages[i]);
        lost[i] = y.total_tco2e;
        std::copy(y.peril_loss_tco2e.begin(), y.peril_loss_tco2e.end(), peril_lost.begin() + static_cast<std::ptrdiff_t>(i * n_perils));
    });
    const auto pq = pricing::quote_premium(payouts, terms.guaranteed_revenue_cny, q.premium, q.return_periods);
    SortedJsonWriter r;
    add_quote_answer(r, q, c, pq);
    r.real("expected_loss_tco2e", risk::average_annual_loss(lost));
    add_peril_split(r, terms.perils, peril_lost, lost, payouts, true);  // a fall in price pays without loss
    r.string("market", terms.market);
    r.strings("perils", terms.perils);
    r.real("mean_simulated_average_price", pricing::average_price(averages));
    r.strings("fixings", fixing_texts(dates));
    const nlohmann::json pool = pool_model_used(*c.model, to_risk_overrides(q.model), book, terms.perils);
    SortedJsonWriter used;
    for (const auto& [key, value] : pool.items()) used.json(key, value);
    used.object("price", price_model_used(pm));
    r.object("model_used", used);
    add_market_rates(r, q, terms.guaranteed_revenue_cny, "guaranteed revenue");
    require_finite_answer(r, pm, q);
    return r;
}

// In a batch the payout is the quote's, on the pool loss of the policy's holdings and perils and
// its leg's average price of the same year.
BatchPolicyPlan plan_batch(const QuoteRequest& q, const BatchPolicySetup& setup) {
    require_annual_term(q);
    const auto& terms = terms_of<RevenueInsuranceTerms>(q.cover);
    const risk::PriceModel pm = effective_price_model(setup.model, terms.market, q.model.price);
    const auto dates = policy_fixing_dates(q, terms.fixings);
    BatchPolicyPlan plan;
    plan.sum_insured_cny = terms.guaranteed_revenue_cny;
    plan.carbon_stock_tco2e = setup.pool_stock_tco2e;
    plan.perils = terms.perils;
    plan.leg = PriceLegSpec{pm, pricing::fixing_times_years(policy_start(q), dates)};
    plan.payout_cny = [terms](const PolicyYear& y) {
        return pricing::payout_cny(terms, y.pool_loss_tco2e, pricing::average_price(y.fixings));
    };
    plan.market = terms.market;
    plan.details["market"] = terms.market;
    plan.details["fixings"] = fixings_json(dates);
    return plan;
}

}  // namespace

ProductEntry revenue_insurance_entry() {
    return {.name = "revenue_insurance", .needs_holdings = true, .decode_cover = decode_cover, .check_request = nullptr,
            .facts = facts, .canonical_cover = canonical_cover, .quote = quote, .plan_batch = plan_batch};
}

}  // namespace tanhui::api
