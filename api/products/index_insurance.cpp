// index_insurance (林业碳汇指数保险): the cover of pricing/index_insurance.hpp on the carbon lost
// by the insured pool from the covered perils (DESIGN "Products").
#include "api/batch/policy.hpp"
#include "api/json/model_used.hpp"
#include "api/products/quote_engine.hpp"
#include "api/products/registry.hpp"
#include "api/products/sink_pool.hpp"
#include "pricing/index_insurance.hpp"
#include "risk/metrics/metrics.hpp"
#include "risk/simulation/sink.hpp"

#include <cmath>
#include <memory>
#include <span>

namespace tanhui::api {

namespace {

using pricing::IndexInsuranceTerms;
using Range = ObjectReader::Range;
constexpr Range non_negative{0, INFINITY};
constexpr Range positive{0, INFINITY, true};

std::any decode_cover(ObjectReader& cr, std::vector<FieldProblem>& problems) {
    IndexInsuranceTerms t;
    t.perils = decode_perils(cr, problems);
    if (auto index = cr.one_of("index", false, {"stock_loss", "sink_loss"})) t.index = *pricing::parse_index_basis(*index);
    if (auto v = cr.number("franchise_tco2e", false, non_negative)) t.franchise_tco2e = *v;
    const auto form = cr.one_of("form", true, {"per_tonne", "linear"});
    if (form) t.form = *pricing::parse_index_form(*form);
    if (form && t.form == pricing::IndexForm::per_tonne) {
        if (auto v = cr.number("price_cny_per_tco2e", true, positive)) t.price_cny_per_tco2e = *v;
        if (auto v = cr.number("deductible_tco2e", false, non_negative)) t.deductible_tco2e = *v;
        t.limit_cny = cr.number("limit_cny", false, positive);
        t.sum_insured_cny = cr.number("sum_insured_cny", false, positive);
    } else if (form) {
        t.sum_insured_cny = cr.number("sum_insured_cny", true, positive);
        auto trigger = cr.number("trigger", true, {0, 1, false, true});
        auto exit = cr.number("exit", true, {0, 1, true, false});
        if (trigger) t.trigger = *trigger;
        if (exit) t.exit = *exit;
        if (trigger && exit && !(*exit > *trigger)) cr.problem("exit", "must be greater than trigger");
        if (auto v = cr.number("price_cny_per_tco2e", false, positive)) t.price_cny_per_tco2e = *v;
    }
    return t;
}

// Without a limit or a sum insured, a per_tonne cover is bounded by the pool's stock: a
// "model.carbon" override of 0 leaves it unbounded.
void check_request(const QuoteRequest& q, const std::string& base, std::vector<FieldProblem>& problems) {
    const auto& t = terms_of<IndexInsuranceTerms>(q.cover);
    if (t.form == pricing::IndexForm::per_tonne && !t.limit_cny && !t.sum_insured_cny && q.model.risk.carbon.stock_tco2e_per_ha.value_or(1) <= 0)
        problems.push_back({base + "/cover/limit_cny", "is required when the carbon stock is 0"});
}

CoverFacts facts(const std::any& cover) { return {terms_of<IndexInsuranceTerms>(cover).perils, std::nullopt}; }

nlohmann::json canonical_cover(const std::any& cover) {
    const auto& c = terms_of<IndexInsuranceTerms>(cover);
    nlohmann::json j{{"perils", c.perils}, {"form", std::string(pricing::to_string(c.form))},
                     {"price_cny_per_tco2e", c.price_cny_per_tco2e}, {"deductible_tco2e", c.deductible_tco2e},
                     {"trigger", c.trigger}, {"exit", c.exit}};
    if (c.limit_cny) j["limit_cny"] = *c.limit_cny;
    if (c.sum_insured_cny) j["sum_insured_cny"] = *c.sum_insured_cny;
    // Only when not the default, so that the batch checkpoints of older covers keep their hashes.
    if (c.index != pricing::IndexBasis::stock_loss) j["index"] = std::string(pricing::to_string(c.index));
    if (c.franchise_tco2e > 0) j["franchise_tco2e"] = c.franchise_tco2e;
    return j;
}

// The terms on the pool; a pool without carbon is named at /holdings, a cover field under /cover.
pricing::IndexPolicy policy_on(const IndexInsuranceTerms& terms, double stock_tco2e) {
    try {
        return pricing::index_policy(terms, stock_tco2e);
    } catch (const InvalidInput& e) {
        rethrow_under(e, e.field() == "holdings" ? "" : "/cover");
    }
}

// The index by simulated year: the carbon lost (stock_loss), or that plus the sequestration
// forgone on the lost area (sink_loss, on the stochastic sink).
// peril_tco2e: each year's loss by covered peril (risk::YearLosses::peril_tco2e).
// The series are views of the simulation's own output (stock_loss's year losses or sink_loss's
// pool sink), which the struct keeps: nothing is copied. Move-only (PoolSinkYears is): the views
// follow their buffers when it moves.
struct IndexYears {
    risk::YearLosses stock;     // the stock_loss index
    risk::PoolSinkYears sink;   // the sink_loss index
    std::span<const double> index_tco2e;
    std::span<const double> loss_tco2e;
    std::span<const double> peril_tco2e;
    std::span<const double> index() const { return index_tco2e; }
};
IndexYears index_years(const QuoteRequest& q, const QuoteContext& c, const risk::Book& book, pricing::IndexBasis basis) {
    const risk::Simulation sim = simulation_of(q, c);
    if (basis == pricing::IndexBasis::stock_loss) {
        // The index is the year's total: no occurrence figures are needed.
        IndexYears y;
        y.stock = risk::simulate_year_losses(book, sim, true, false);
        y.index_tco2e = y.loss_tco2e = y.stock.total_tco2e;
        y.peril_tco2e = y.stock.peril_tco2e;
        return y;
    }
    std::vector<double> seq;
    try {
        seq = risk::sequestration_by_policy_year(book, q.holdings, *c.model, 1);
    } catch (const InvalidInput& e) {
        rethrow_under(e, "");
    }
    const risk::SinkSampler sampler(book, effective_sink(*c.model, to_risk_overrides(q.model)));
    IndexYears y;
    y.sink = risk::simulate_pool_sink(book, sampler, sim, seq, 1, true, {.sink = false, .defoliation = false});
    y.index_tco2e = y.sink.sink_loss_tco2e;
    y.loss_tco2e = y.sink.stock_loss_tco2e;
    y.peril_tco2e = y.sink.peril_tco2e;
    return y;
}

SortedJsonWriter quote(const QuoteRequest& q, const QuoteContext& c) {
    require_annual_term(q);
    const auto& terms = terms_of<IndexInsuranceTerms>(q.cover);
    const risk::Book book = prepare_pool(q, *c.model, terms.perils);
    const double stock_tco2e = pool_stock_tco2e(book);
    const pricing::IndexPolicy policy = policy_on(terms, stock_tco2e);
    const IndexYears years = index_years(q, c, book, terms.index);
    std::vector<double> payouts(years.index().size());
    pricing::payouts_cny(policy, years.index(), payouts);
    const auto pq = pricing::quote_premium(payouts, policy.sum_insured_cny, q.premium, q.return_periods);
    SortedJsonWriter r;
    add_quote_answer(r, q, c, pq);
    const risk::Estimate el = risk::average_annual_loss_with_error(years.loss_tco2e);
    r.real("expected_loss_tco2e", el.value);
    r.real("expected_loss_se_tco2e", el.standard_error);
    if (terms.index != pricing::IndexBasis::stock_loss || terms.franchise_tco2e > 0) {
        r.string("index", pricing::to_string(terms.index));
        r.real("franchise_tco2e", terms.franchise_tco2e);
        r.real("expected_index_tco2e", risk::average_annual_loss(years.index()));
    }
    add_peril_split(r, terms.perils, years.peril_tco2e, years.loss_tco2e, payouts);
    r.real("carbon_stock_tco2e", stock_tco2e);
    r.strings("perils", terms.perils);
    r.string("form", pricing::to_string(terms.form));
    r.json("model_used", pool_model_used(*c.model, to_risk_overrides(q.model), book, terms.perils));
    const bool stated = terms.form == pricing::IndexForm::linear || terms.sum_insured_cny;
    add_market_rates(r, q, terms.form == pricing::IndexForm::linear ? policy.sum_insured_cny : policy.per_tonne.limit_cny,
                     stated ? "as agreed" : "carbon stock x price");
    return r;
}

// In a batch the payout is the quote's, on the pool loss of the policy's holdings and perils.
BatchPolicyPlan plan_batch(const QuoteRequest& q, const BatchPolicySetup& setup) {
    require_annual_term(q);
    const auto& terms = terms_of<IndexInsuranceTerms>(q.cover);
    const pricing::IndexPolicy policy = policy_on(terms, setup.pool_stock_tco2e);
    BatchPolicyPlan plan;
    plan.sum_insured_cny = policy.sum_insured_cny;
    plan.carbon_stock_tco2e = setup.pool_stock_tco2e;
    plan.form = std::string(pricing::to_string(terms.form));
    plan.perils = terms.perils;
    if (terms.index == pricing::IndexBasis::stock_loss) {
        plan.payout_cny = [policy](const PolicyYear& y) { return pricing::payout_cny(policy, y.pool_loss_tco2e); };
        return plan;
    }
    const auto pool = std::make_shared<const SinkPool>(setup, effective_sink(setup.model, *setup.overrides), terms.perils);
    plan.needs_holding_losses = true;
    plan.payout_cny = [policy, pool](const PolicyYear& y) {
        return pricing::payout_cny(policy, y.pool_loss_tco2e + pool->year(y.seed, y.year, y.holding_loss_tco2e).forgone_tco2e);
    };
    plan.details["index"] = "sink_loss";
    return plan;
}

}  // namespace

ProductEntry index_insurance_entry() {
    return {.name = "index_insurance", .needs_holdings = true, .decode_cover = decode_cover, .check_request = check_request,
            .facts = facts, .canonical_cover = canonical_cover, .quote = quote, .plan_batch = plan_batch};
}

}  // namespace tanhui::api
