#include "api/products/quote_engine.hpp"

#include "api/json/problem.hpp"
#include "api/products/registry.hpp"
#include "api/json/peril_split.hpp"

#include <charconv>
#include <cmath>
#include <stdexcept>

namespace tanhui::api {

nlohmann::json compute_quote(const QuoteRequest& request, const QuoteContext& context) {
    if (!context.model) throw std::logic_error("compute_quote: no model");
    if (!request.product) throw InvalidInput("/product", "unknown product");
    return request.product->quote(request, context);
}

namespace {
// What `std::ostringstream() << t` writes (printf's %g, 6 digits, the C locale), without building
// a stream for each key.
std::string return_period_key(double t) {
    char buffer[64];
    const auto end = std::to_chars(buffer, buffer + sizeof buffer, t, std::chars_format::general, 6).ptr;
    return {buffer, end};
}
}  // namespace

nlohmann::json return_period_json(const pricing::PremiumQuote& pq) {
    nlohmann::json rp = nlohmann::json::object();
    for (const auto& p : pq.payout_at_return_period_cny) rp[return_period_key(p.return_period_years)] = p.payout_cny;
    return rp;
}

nlohmann::json quote_answer(const QuoteRequest& q, const QuoteContext& c, const pricing::PremiumQuote& pq) {
    nlohmann::json r;
    r["product"] = q.product_name();
    r["policy_id"] = q.policy.id;
    r["currency"] = "CNY";
    r["sum_insured_cny"] = pq.sum_insured_cny;
    r["pure_premium_cny"] = pq.pure_premium_cny;
    r["pure_premium_se_cny"] = pq.pure_premium_se_cny;
    r["risk_load_cny"] = pq.risk_load_cny;
    r["risk_load_se_cny"] = pq.risk_load_se_cny;
    r["gross_premium_cny"] = pq.gross_premium_cny;
    r["subsidy_cny"] = pq.subsidy_cny;
    r["insured_pays_cny"] = pq.insured_pays_cny;
    r["rate_on_sum_insured"] = pq.rate_on_sum_insured;
    r["probability_of_payout"] = pq.probability_of_payout;
    r["probability_of_payout_se"] = pq.probability_of_payout_se;
    r["payout_std_dev_cny"] = pq.std_dev_cny;
    r["payout_at_return_period_cny"] = return_period_json(pq);
    // Return periods beyond the simulated years show the largest payout (docs/pricing.md).
    nlohmann::json beyond = nlohmann::json::array();
    for (const auto& p : pq.payout_at_return_period_cny)
        if (p.beyond_simulation) beyond.push_back(return_period_key(p.return_period_years));
    if (!beyond.empty()) r["beyond_simulation"] = std::move(beyond);
    r["premium_principle"] = std::string(pricing::to_string(q.premium.principle));
    r["premium_parameter"] = q.premium.parameter;
    r["model_version"] = c.model_version;
    r["seed"] = q.simulation.seed;
    r["years"] = q.simulation.years;
    return r;
}

void add_market_rates(nlohmann::json& r, const QuoteRequest& q, double limit_cny, std::string_view sum_insured_basis) {
    const double gross_premium_cny = r.at("gross_premium_cny").get<double>();
    double area_ha = 0;
    for (const Holding& h : q.holdings) area_ha += h.area_ha;
    r["rate_on_limit"] = limit_cny > 0 && std::isfinite(limit_cny) ? nlohmann::json(gross_premium_cny / limit_cny) : nlohmann::json();
    r["premium_per_ha_cny"] = area_ha > 0 ? nlohmann::json(gross_premium_cny / area_ha) : nlohmann::json();
    r["premium_per_mu_cny"] = area_ha > 0 ? nlohmann::json(gross_premium_cny / (area_ha * mu_per_ha)) : nlohmann::json();
    r["sum_insured_basis"] = std::string(sum_insured_basis);
}

void add_expected_loss_by_peril(nlohmann::json& r, const std::vector<std::string>& perils, std::span<const double> peril_loss,
                                std::span<const double> loss_tco2e) {
    r["expected_loss_by_peril_tco2e"] = split_by_peril(perils, peril_loss, loss_tco2e, r.at("expected_loss_tco2e").get<double>());
}

void add_pure_premium_by_peril(nlohmann::json& r, const std::vector<std::string>& perils, std::span<const double> peril_loss,
                               std::span<const double> payouts, bool other) {
    r["pure_premium_by_peril_cny"] = split_by_peril(perils, peril_loss, payouts, r.at("pure_premium_cny").get<double>(), other);
}

void add_peril_split(nlohmann::json& r, const std::vector<std::string>& perils, std::span<const double> peril_loss,
                     std::span<const double> loss_tco2e, std::span<const double> payouts, bool other) {
    // Both splits share the peril losses: their ratios are taken once (risk::add_years, which
    // checks the sizes).
    risk::PerilShares loss = risk::peril_shares(perils.size()), paid = risk::peril_shares(perils.size());
    risk::add_years(loss, loss_tco2e, paid, payouts, peril_loss);
    r["expected_loss_by_peril_tco2e"] = split_json(perils, loss, r.at("expected_loss_tco2e").get<double>());
    r["pure_premium_by_peril_cny"] = split_json(perils, paid, r.at("pure_premium_cny").get<double>(), other);
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

namespace {

// The first number of j (depth first) that is not finite, or 0. nlohmann keeps inf and NaN as
// numbers and writes them as null.
double first_non_finite(const nlohmann::json& j) {
    if (j.is_number_float() && !std::isfinite(j.get<double>())) return j.get<double>();
    if (j.is_structured())
        for (const auto& v : j)
            if (const double x = first_non_finite(v); x != 0) return x;
    return 0;
}

}  // namespace

void require_finite_answer(const nlohmann::json& answer, const risk::PriceModel& model, const QuoteRequest& q) {
    if (const auto problem = pricing::overflow_problem(first_non_finite(answer), model))
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
