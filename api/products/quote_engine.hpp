// Turns a decoded quote request and a model into the quote answer of DESIGN's JSON contract:
// compute_quote asks the request's product (api/products/registry.hpp); the helpers below are
// what the products' files share (the answer's common fields, the simulation, the pool).
#pragma once

#include "api/json/quote_request.hpp"
#include "api/json/text.hpp"
#include "pricing/price_insurance.hpp"
#include "pricing/premium.hpp"
#include "risk/model/model.hpp"
#include "risk/simulation/simulate.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tanhui::api {

struct QuoteContext {
    const risk::Model* model = nullptr;
    std::string model_version;
    unsigned default_threads = 0;  // when the request does not say; 0 = all cores
    // Stops the request's simulations between blocks of years (risk::Simulation::cancel).
    const std::atomic<bool>* cancel = nullptr;
};

// The quote, without quote_id and created (the caller stamps and stores it), as the product
// wrote it: its members, ready to be stamped and written to text (compute_answer), or the same
// as a tree (compute_quote: tests, uncertainty bands). Deterministic: same request + seed + model
// = same bits, whatever the thread count. Throws InvalidInput with a JSON pointer (e.g.
// "/holdings/0/region") for a request the model cannot price.
SortedJsonWriter compute_answer(const QuoteRequest& request, const QuoteContext& context);
nlohmann::json compute_quote(const QuoteRequest& request, const QuoteContext& context);

// ---- shared by the products' files ------------------------------------------------------------

// How a quote's payout distribution was found: simulated over the request's years, or in closed
// form (no simulation: years 0 and no payout_std_dev_cny).
enum class Distribution : std::uint8_t { simulated, closed_form };

// The fields every quote answer carries: the premium statistics, the premium terms, model
// version, seed and years.
void add_quote_answer(SortedJsonWriter& answer, const QuoteRequest& q, const QuoteContext& c, const pricing::PremiumQuote& pq,
                      Distribution distribution = Distribution::simulated);
// Rates a market can compare (issue 17), on every quote answer: rate_on_limit (gross premium /
// the most the policy pays in a settlement), premium_per_ha_cny and premium_per_mu_cny (over the
// insured area; null without holdings) and sum_insured_basis, what the sum insured is.
// Reads the answer's gross_premium_cny.
void add_market_rates(SortedJsonWriter& answer, const QuoteRequest& q, double limit_cny, std::string_view sum_insured_basis);

// Where the answer's loss and premium come from (issue 16 item 6): expected_loss_by_peril_tco2e
// (each year's loss_tco2e shared among the perils in proportion to their loss that year) and
// pure_premium_by_peril_cny (each year's payout, likewise), objects keyed by the covered perils
// (0 for one that lost nothing) whose values, added in key order, give the answer's
// expected_loss_tco2e and pure_premium_cny exactly (api/json/peril_split.hpp; read from the
// answer). peril_loss_tco2e holds one row of `perils.size()` values per year (book order =
// `perils`). A payout in a year without peril loss goes under other_key when `other` is set (a
// cover that pays on the price or the sink alone), else it is a logic error.
void add_peril_split(SortedJsonWriter& answer, const std::vector<std::string>& perils, std::span<const double> peril_loss_tco2e,
                     std::span<const double> loss_tco2e, std::span<const double> payouts_cny, bool other = false);
// The two halves, for a cover whose payouts are not one per loss year (a sink cover pays per term).
void add_expected_loss_by_peril(SortedJsonWriter& answer, const std::vector<std::string>& perils,
                                std::span<const double> peril_loss_tco2e, std::span<const double> loss_tco2e);
void add_pure_premium_by_peril(SortedJsonWriter& answer, const std::vector<std::string>& perils,
                               std::span<const double> peril_loss_tco2e, std::span<const double> payouts_cny, bool other = false);


risk::Simulation simulation_of(const QuoteRequest& q, const QuoteContext& c);
// Throws InvalidInput("/policy/term_months") unless the term is 12 months (the loss model is annual).
void require_annual_term(const QuoteRequest& q);
pricing::Date policy_start(const QuoteRequest& q);

// The request's holdings prepared with the covered perils, its overrides and an optional price leg.
risk::Book prepare_pool(const QuoteRequest& q, const risk::Model& model, const std::vector<std::string>& perils,
                        std::optional<risk::PriceLeg> price = std::nullopt);
double pool_stock_tco2e(const risk::Book& book);

// Throws InvalidInput (a 422) naming the price model's parameters when a number of the answer is
// not finite (an overflowing price process): at /model/price when the request overrides the
// price, else at /cover/market.
void require_finite_answer(const SortedJsonWriter& answer, const risk::PriceModel& model, const QuoteRequest& q);

// The policy's fixing dates; an explicit date before the start is named under /cover/fixings.
std::vector<pricing::Date> policy_fixing_dates(const QuoteRequest& q, const pricing::Fixings& fixings);

// The message of an InvalidInput without its "field: " prefix.
std::string message_of(const InvalidInput& e);
// Throws `e` again with its field as a JSON pointer under `base` ("/cover" + "fixings[2]" ->
// "/cover/fixings/2"), the message unchanged: pricing/ names fields by their JSON keys.
[[noreturn]] void rethrow_under(const InvalidInput& e, std::string_view base);

}  // namespace tanhui::api
