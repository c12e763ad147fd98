// sink_insurance (碳汇(目标)保险, issue 17): pricing/sink_insurance.hpp on the pool's stochastic
// sink (risk/simulation/sink.hpp) net of the carbon its covered perils destroyed; the Longli
// (target growth), Gaochun (sink at expiry) and Fuding (annual incremental sink) forms.
#include "api/batch/policy.hpp"
#include "api/json/model_used.hpp"
#include "api/products/quote_engine.hpp"
#include "api/products/registry.hpp"
#include "api/products/sink_pool.hpp"
#include "pricing/sink_insurance.hpp"
#include "risk/metrics/metrics.hpp"
#include "risk/perils/registry.hpp"
#include "risk/simulation/sink.hpp"

#include <cmath>
#include <memory>

namespace tanhui::api {

namespace {

using pricing::SinkInsuranceTerms;
using Range = ObjectReader::Range;
constexpr Range non_negative{0, INFINITY};
constexpr Range positive{0, INFINITY, true};

void decode_target(ObjectReader& cr, SinkInsuranceTerms& t, std::vector<FieldProblem>& problems) {
    const nlohmann::json* j = cr.get("target");
    if (!j) return cr.problem("target", "is required: {\"tco2e\": X} or {\"growth_fraction\": f}");
    ObjectReader tr(*j, cr.at("target"), problems);
    if (tr.ok() && tr.has("tco2e") == tr.has("growth_fraction"))
        cr.problem("target", "needs exactly one of tco2e and growth_fraction");
    t.target.tco2e = tr.number("tco2e", false, positive);
    t.target.growth_fraction = tr.number("growth_fraction", false, {0, 1, true, false});
    tr.finish();
}

std::any decode_cover(ObjectReader& cr, std::vector<FieldProblem>& problems) {
    SinkInsuranceTerms t;
    static const std::vector<std::string> default_cover = risk::default_perils();  // the peril registry's
    t.perils = decode_perils(cr, problems, default_cover);
    decode_target(cr, t, problems);
    if (auto v = cr.number("price_cny_per_tco2e", true, positive)) t.price_cny_per_tco2e = *v;
    t.limit_cny = cr.number("limit_cny", false, positive);
    if (auto v = cr.number("deductible_tco2e", false, non_negative)) t.deductible_tco2e = *v;
    if (auto s = cr.one_of("settlement", false, {"annual", "term"})) t.settlement = *pricing::parse_settlement(*s);
    if (const nlohmann::json* m = cr.get("measurement")) {
        ObjectReader mr(*m, cr.at("measurement"), problems);
        if (auto v = mr.number("cv", true, {0, 2})) t.measurement_cv = *v;
        mr.finish();
    }
    return t;
}

void check_request(const QuoteRequest& q, const std::string& base, std::vector<FieldProblem>& problems) {
    const int m = q.policy.term_months;
    if (m < 12 || m > 60 || m % 12 != 0)
        problems.push_back({base + "/policy/term_months", "sink_insurance runs whole policy years: 12, 24, 36, 48 or 60, got " +
                                                              std::to_string(m)});
}

CoverFacts facts(const std::any& cover) { return {terms_of<SinkInsuranceTerms>(cover).perils, std::nullopt}; }

nlohmann::json canonical_cover(const std::any& cover) {
    const auto& c = terms_of<SinkInsuranceTerms>(cover);
    nlohmann::json target = nlohmann::json::object();
    if (c.target.tco2e) target["tco2e"] = *c.target.tco2e;
    if (c.target.growth_fraction) target["growth_fraction"] = *c.target.growth_fraction;
    nlohmann::json j{{"perils", c.perils}, {"target", target}, {"price_cny_per_tco2e", c.price_cny_per_tco2e},
                     {"deductible_tco2e", c.deductible_tco2e}, {"settlement", std::string(pricing::to_string(c.settlement))},
                     {"measurement", {{"cv", c.measurement_cv}}}};
    if (c.limit_cny) j["limit_cny"] = *c.limit_cny;
    return j;
}

pricing::SinkPolicy policy_on(const SinkInsuranceTerms& terms, double stock_tco2e, int term_months) {
    try {
        return pricing::sink_policy(terms, stock_tco2e, term_months);
    } catch (const InvalidInput& e) {
        if (e.field() == "term_months") rethrow_under(e, "/policy");
        rethrow_under(e, "/cover");
    }
}

// The measured sinks of one term whose first simulated year is `first`: the sinks themselves,
// or with the measurement error (annual: each year measured; term: the term's total measured
// once, at its last year). The quote and the batch measure through it.
void measure_term(std::span<double> sink, const pricing::SinkPolicy& p, std::uint64_t seed, std::size_t first) {
    if (!(p.measurement_cv > 0)) return;
    const std::size_t t_years = sink.size();
    if (p.settlement == pricing::Settlement::annual) {
        for (std::size_t t = 0; t < t_years; ++t)
            sink[t] *= risk::SinkSampler::measurement_factor(seed, static_cast<std::uint32_t>(first + t), p.measurement_cv);
        return;
    }
    const double f = risk::SinkSampler::measurement_factor(seed, static_cast<std::uint32_t>(first + t_years - 1), p.measurement_cv);
    for (std::size_t t = 0; t < t_years; ++t) sink[t] *= f;
}

// Every term of the simulated years measured (paths of term_years years).
void measure(std::span<double> sink, const pricing::SinkPolicy& p, std::uint64_t seed) {
    if (!(p.measurement_cv > 0)) return;
    const auto t_years = static_cast<std::size_t>(p.term_years);
    for (std::size_t first = 0; first < sink.size(); first += t_years)
        measure_term(std::span<double>(sink.data() + first, t_years), p, seed, first);
}

// Mean and sample standard deviation of the pool's annual sink (which may be negative: a year
// can lose more carbon than it grows).
struct SinkStats {
    double mean = 0, sd = 0;
};
SinkStats sink_stats(std::span<const double> sink) {
    SinkStats s;
    for (const double x : sink) s.mean += x;
    s.mean /= static_cast<double>(sink.size());
    for (const double x : sink) s.sd += (x - s.mean) * (x - s.mean);
    s.sd = sink.size() > 1 ? std::sqrt(s.sd / static_cast<double>(sink.size() - 1)) : 0.0;
    return s;
}

// Where the loss and the premium come from: each simulated year's carbon lost by peril, and each
// path's payout shared by the carbon each peril lost over its term (a path can pay on a poor growth
// alone: "other"). Reads the answer's expected_loss_tco2e and pure_premium_cny. by_year: the
// pool sink's losses by peril (PoolSinkYears::peril_tco2e: the same book, seed and years).
void add_split(SortedJsonWriter& r, std::span<const double> by_year, const std::vector<std::string>& perils,
               std::span<const double> stock_loss, std::span<const double> payouts, std::size_t term_years) {
    const std::size_t n = perils.size();
    std::vector<double> by_path(payouts.size() * n, 0.0);
    for (std::size_t i = 0; i < payouts.size(); ++i)
        for (std::size_t t = 0; t < term_years; ++t)
            for (std::size_t p = 0; p < n; ++p) by_path[i * n + p] += by_year[(i * term_years + t) * n + p];
    add_expected_loss_by_peril(r, perils, by_year, stock_loss);
    add_pure_premium_by_peril(r, perils, by_path, payouts, true);
}

SortedJsonWriter quote(const QuoteRequest& q, const QuoteContext& c) {
    const auto& terms = terms_of<SinkInsuranceTerms>(q.cover);
    const risk::Book book = prepare_pool(q, *c.model, terms.perils);
    const double stock_tco2e = pool_stock_tco2e(book);
    const pricing::SinkPolicy policy = policy_on(terms, stock_tco2e, q.policy.term_months);
    const auto term_years = static_cast<std::size_t>(policy.term_years);
    std::vector<double> seq;
    try {
        seq = risk::sequestration_by_policy_year(book, q.holdings, *c.model, term_years);
    } catch (const InvalidInput& e) {
        rethrow_under(e, "");
    }
    risk::Simulation sim = simulation_of(q, c);
    if (std::uint64_t{sim.years} * term_years > 0xffffffffu) throw InvalidInput("/simulation/years", "years x term years must stay below 2^32");
    sim.years = static_cast<std::uint32_t>(sim.years * term_years);
    std::optional<risk::SinkScenario> scenario;
    if (q.scenario) scenario = risk::sink_scenario(*q.scenario);
    const risk::SinkModel sink_model = effective_sink(*c.model, to_risk_overrides(q.model));
    const risk::SinkSampler sampler(book, sink_model, scenario);
    risk::PoolSinkYears years = risk::simulate_pool_sink(book, sampler, sim, seq, term_years, true, {.sink_loss = false});
    const SinkStats sink = sink_stats(years.sink_tco2e);
    measure(years.sink_tco2e, policy, sim.seed);
    std::vector<double> payouts(sim.years / term_years);
    pricing::term_payouts_cny(policy, years.sink_tco2e, payouts);
    const auto pq = pricing::quote_premium(payouts, policy.sum_insured_cny, q.premium, q.return_periods);
    SortedJsonWriter r;
    add_quote_answer(r, q, c, pq);
    double expected_seq = 0;
    for (const double s : seq) expected_seq += s;
    r.real("expected_loss_tco2e", risk::average_annual_loss(years.stock_loss_tco2e));
    add_split(r, years.peril_tco2e, terms.perils, years.stock_loss_tco2e, payouts, term_years);
    r.real("expected_sink_tco2e", sink.mean);
    r.real("expected_sink_se_tco2e", sink.sd / std::sqrt(static_cast<double>(years.sink_tco2e.size())));
    r.real("sink_std_dev_tco2e", sink.sd);
    r.real("expected_sequestration_tco2e", expected_seq / static_cast<double>(term_years));
    r.real("expected_defoliation_tco2e", risk::average_annual_loss(years.defoliation_tco2e));
    r.real("target_tco2e", policy.target_tco2e);
    r.integer("term_years", policy.term_years);
    r.string("settlement", pricing::to_string(policy.settlement));
    r.real("measurement_cv", policy.measurement_cv);
    r.real("limit_cny", policy.limit_cny);
    r.real("carbon_stock_tco2e", stock_tco2e);
    r.strings("perils", terms.perils);
    if (q.scenario) r.string("scenario", *q.scenario);
    nlohmann::json used = pool_model_used(*c.model, to_risk_overrides(q.model), book, terms.perils);
    used["sink"] = sink_model_used(sink_model);
    r.json("model_used", used);
    add_market_rates(r, q, policy.settlement == pricing::Settlement::term ? policy.limit_cny : policy.limit_cny * policy.term_years,
                     "target sink x term years x price");
    return r;
}

// In a batch a T-year term is T consecutive batch years: term p is years pT .. pT + T - 1 (the
// quote's path p), its payout falls in its last year (0 in the others), and a last T - 1 or fewer
// years that do not make a whole term pay nothing. The pool's sink of a year is drawn from its
// holdings' addresses in the portfolio; the earlier years of a term are regenerated on the
// pool's own perils (api/products/sink_pool.hpp). The premium is a term's, from the column's
// term payouts; the column's mean stays the payout a year.
BatchPolicyPlan plan_batch(const QuoteRequest& q, const BatchPolicySetup& setup) {
    const auto& terms = terms_of<SinkInsuranceTerms>(q.cover);
    const pricing::SinkPolicy policy = policy_on(terms, setup.pool_stock_tco2e, q.policy.term_months);
    const auto t_years = static_cast<std::size_t>(policy.term_years);
    if (setup.years < t_years)
        throw InvalidInput("/policy/term_months", "a " + std::to_string(t_years) + "-year term needs at least " +
                                                      std::to_string(t_years) + " batch years, got " + std::to_string(setup.years));
    std::optional<risk::SinkScenario> scenario;
    if (q.scenario) scenario = risk::sink_scenario(*q.scenario);
    const auto pool = std::make_shared<const SinkPool>(setup, effective_sink(setup.model, *setup.overrides), terms.perils,
                                                       t_years, scenario);
    BatchPolicyPlan plan;
    plan.sum_insured_cny = policy.sum_insured_cny;
    plan.carbon_stock_tco2e = setup.pool_stock_tco2e;
    plan.perils = terms.perils;
    plan.needs_holding_losses = true;
    plan.payout_cny = [policy, pool, t_years](const PolicyYear& y) {
        if (t_years == 1) {
            double sink = pool->year(y.seed, y.year, y.holding_loss_tco2e).sink_tco2e;
            if (policy.measurement_cv > 0) sink *= risk::SinkSampler::measurement_factor(y.seed, y.year, policy.measurement_cv);
            return pricing::shortfall_payout_cny(policy, policy.target_tco2e, sink);
        }
        if ((std::size_t{y.year} + 1) % t_years != 0) return 0.0;
        thread_local std::vector<double> sinks;
        sinks.resize(t_years);
        pool->term_sinks(y.seed, y.year, y.holding_loss_tco2e, sinks);
        measure_term(sinks, policy, y.seed, std::size_t{y.year} + 1 - t_years);
        return pricing::term_payout_cny(policy, sinks);
    };
    plan.term_years = static_cast<std::uint32_t>(t_years);
    if (t_years > 1)
        plan.add_earlier_term_losses = [pool](std::uint64_t seed, std::uint32_t last_year, std::span<double> by_peril) {
            pool->add_earlier_term_losses(seed, last_year, by_peril);
        };
    if (t_years > 1)
        plan.quote = [policy, premium = q.premium, t_years](std::span<const double> column, std::span<const double> rps) {
            std::vector<double> payouts;
            for (std::size_t i = t_years - 1; i < column.size(); i += t_years) payouts.push_back(column[i]);
            return pricing::quote_premium(payouts, policy.sum_insured_cny, premium, rps);
        };
    plan.details["target_tco2e"] = policy.target_tco2e;
    plan.details["settlement"] = std::string(pricing::to_string(policy.settlement));
    if (t_years > 1) plan.details["term_years"] = policy.term_years;
    if (q.scenario) plan.details["scenario"] = *q.scenario;
    return plan;
}

}  // namespace

ProductEntry sink_insurance_entry() {
    return {.name = "sink_insurance", .needs_holdings = true, .takes_scenario = true, .decode_cover = decode_cover,
            .check_request = check_request, .facts = facts, .canonical_cover = canonical_cover, .quote = quote,
            .plan_batch = plan_batch};
}

}  // namespace tanhui::api
