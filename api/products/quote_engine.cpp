#include "api/products/quote_engine.hpp"

#include "api/json/problem.hpp"
#include "api/products/registry.hpp"
#include "api/json/peril_split.hpp"

#include <charconv>
#include <cmath>
#include <stdexcept>

namespace tanhui::api {

SortedJsonWriter compute_answer(const QuoteRequest& request, const QuoteContext& context) {
    if (!context.model) throw std::logic_error("compute_quote: no model");
    if (!request.product) throw InvalidInput("/product", "unknown product");
    return request.product->quote(request, context);
}

nlohmann::json compute_quote(const QuoteRequest& request, const QuoteContext& context) {
    return compute_answer(request, context).tree();
}

namespace {
// What `std::ostringstream() << t` writes (printf's %g, 6 digits, the C locale), without building
// a stream for each key.
std::string return_period_key(double t) {
    char buffer[64];
    const auto end = std::to_chars(buffer, buffer + sizeof buffer, t, std::chars_format::general, 6).ptr;
    return {buffer, end};
}

// "payout_at_return_period_cny" keyed by the return period's shortest text ("10", "2.5"). Two
// periods with the same text (10 and 10.0000001) are one key, and the later one's payout is shown.
SortedJsonWriter return_periods(const pricing::PremiumQuote& pq) {
    SortedJsonWriter rp;
    const auto& periods = pq.payout_at_return_period_cny;
    for (auto p = periods.rbegin(); p != periods.rend(); ++p)
        if (const std::string key = return_period_key(p->return_period_years); !rp.contains(key)) rp.real(key, p->payout_cny);
    return rp;
}
}  // namespace

void add_quote_answer(SortedJsonWriter& r, const QuoteRequest& q, const QuoteContext& c, const pricing::PremiumQuote& pq,
                      Distribution distribution) {
    r.string("product", q.product ? q.product->name : std::string_view());
    r.string("policy_id", q.policy.id);
    r.string("currency", "CNY");
    r.real("sum_insured_cny", pq.sum_insured_cny);
    r.real("pure_premium_cny", pq.pure_premium_cny);
    r.real("pure_premium_se_cny", pq.pure_premium_se_cny);
    r.real("risk_load_cny", pq.risk_load_cny);
    r.real("risk_load_se_cny", pq.risk_load_se_cny);
    r.real("gross_premium_cny", pq.gross_premium_cny);
    r.real("subsidy_cny", pq.subsidy_cny);
    r.real("insured_pays_cny", pq.insured_pays_cny);
    r.real("rate_on_sum_insured", pq.rate_on_sum_insured);
    r.real("probability_of_payout", pq.probability_of_payout);
    r.real("probability_of_payout_se", pq.probability_of_payout_se);
    if (distribution == Distribution::simulated) r.real("payout_std_dev_cny", pq.std_dev_cny);
    r.object("payout_at_return_period_cny", return_periods(pq));
    // Return periods beyond the simulated years show the largest payout (docs/pricing.md).
    std::vector<std::string> beyond;
    for (const auto& p : pq.payout_at_return_period_cny)
        if (p.beyond_simulation) beyond.push_back(return_period_key(p.return_period_years));
    if (!beyond.empty()) r.strings("beyond_simulation", beyond);
    r.string("premium_principle", pricing::to_string(q.premium.principle));
    r.real("premium_parameter", q.premium.parameter);
    r.string("model_version", c.model_version);
    r.unsigned_integer("seed", q.simulation.seed);
    if (distribution == Distribution::simulated) r.integer("years", q.simulation.years);
    else r.integer("years", 0);
}

void add_market_rates(SortedJsonWriter& r, const QuoteRequest& q, double limit_cny, std::string_view sum_insured_basis) {
    const double gross_premium_cny = r.real_at("gross_premium_cny");
    double area_ha = 0;
    for (const Holding& h : q.holdings) area_ha += h.area_ha;
    if (limit_cny > 0 && std::isfinite(limit_cny)) r.real("rate_on_limit", gross_premium_cny / limit_cny);
    else r.null("rate_on_limit");
    if (area_ha > 0) {
        r.real("premium_per_ha_cny", gross_premium_cny / area_ha);
        r.real("premium_per_mu_cny", gross_premium_cny / (area_ha * mu_per_ha));
    } else {
        r.null("premium_per_ha_cny");
        r.null("premium_per_mu_cny");
    }
    r.string("sum_insured_basis", sum_insured_basis);
}

void add_expected_loss_by_peril(SortedJsonWriter& r, const std::vector<std::string>& perils, std::span<const double> peril_loss,
                                std::span<const double> loss_tco2e) {
    r.json("expected_loss_by_peril_tco2e", split_by_peril(perils, peril_loss, loss_tco2e, r.real_at("expected_loss_tco2e")));
}

void add_pure_premium_by_peril(SortedJsonWriter& r, const std::vector<std::string>& perils, std::span<const double> peril_loss,
                               std::span<const double> payouts, bool other) {
    r.json("pure_premium_by_peril_cny", split_by_peril(perils, peril_loss, payouts, r.real_at("pure_premium_cny"), other));
}

void add_peril_split(SortedJsonWriter& r, const std::vector<std::string>& perils, std::span<const double> peril_loss,
                     std::span<const double> loss_tco2e, std::span<const double> payouts, bool other) {
    // Both splits share the peril losses: their ratios are taken once (risk::add_years, which
    // checks the sizes).
    risk::PerilShares loss = risk::peril_shares(perils.size()), paid = risk::peril_shares(perils.size());
    risk::add_years(loss, loss_tco2e, paid, payouts, peril_loss);
    r.json("expected_loss_by_peril_tco2e", split_json(perils, loss, r.real_at("expected_loss_tco2e")));
    r.json("pure_premium_by_peril_cny", split_json(perils, paid, r.real_at("pure_premium_cny"), other));
}

risk::Simulation simulation_of(const QuoteRequest& q, const QuoteContext& c) {
    risk::Simulation sim;
    sim.years = static_cast<std::uint32_t>(q.simulation.years);
    sim.seed = q.simulation.seed;
    sim.threads = q.simulation.threads > 0 ? static_cast<unsigned>(q.simulation.threads) : c.default_threads;
    sim.cancel = c.cancel;
    return sim;
}

void require_annual_term(const QuoteRequest& q) {
    if (q.policy.term_months != 12)
        throw InvalidInput("/policy/term_months", "the loss model is annual: " + q.product_name() +
                                                      " needs a 12-month term, got " + std::to_string(q.policy.term_months));
}

pricing::Date policy_start(const QuoteRequest& q) { return pricing::parse_date(q.policy.start, "/policy/start"); }

risk::Book prepare_pool(const QuoteRequest& q, const risk::Model& model, const std::vector<std::string>& perils,
                        std::optional<risk::PriceLeg> price) {
    risk::BookOptions options;
    options.perils = perils;
    options.overrides = to_risk_overrides(q.model);
    options.price = std::move(price);
    return risk::prepare_book(model, q.holdings, options);
}

double pool_stock_tco2e(const risk::Book& book) {
    double stock_tco2e = 0;
    for (const auto& h : book.holdings) stock_tco2e += h.area_ha * h.stock_tco2e_per_ha;
    return stock_tco2e;
}

void require_finite_answer(const SortedJsonWriter& answer, const risk::PriceModel& model, const QuoteRequest& q) {
    if (const auto problem = pricing::overflow_problem(answer.first_non_finite(), model))
        throw InvalidInput(q.model.price ? "/model/price" : "/cover/market", *problem);
}

std::vector<pricing::Date> policy_fixing_dates(const QuoteRequest& q, const pricing::Fixings& fixings) {
    try {
        return pricing::fixing_dates(fixings, policy_start(q), q.policy.term_months);
    } catch (const InvalidInput& e) {
        if (e.field().rfind("fixings", 0) == 0) rethrow_under(e, "/cover");
        throw;
    }
}

std::string message_of(const InvalidInput& e) {
    const std::string what = e.what();
    return what.substr(std::min(what.size(), e.field().size() + 2));
}

void rethrow_under(const InvalidInput& e, std::string_view base) {
    throw InvalidInput(std::string(base) + field_to_pointer(e.field()), message_of(e));
}

}  // namespace tanhui::api
