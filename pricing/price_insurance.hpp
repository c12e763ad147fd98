// Carbon-sink price insurance (碳汇价格保险, the Nanping "碳汇保" form): quantity Q, target price K,
// fixings on a reference market; payout = Q x max(0, K - A), A the arithmetic average of the
// fixings (DESIGN "Products"). Priced `risk_neutral` (an Asian put, pricing/asian_put.hpp, with
// the payout's distribution from the same risk-neutral GBM) or `actuarial` (the expected payout
// under the calibrated physical process plus a risk load, pricing/premium.hpp). Plain values in
// and out; the price paths themselves are risk/simulation/price_path.hpp.
#pragma once

#include "pricing/asian_put.hpp"
#include "pricing/premium.hpp"
#include "risk/model/model.hpp"
#include "risk/simulation/price_path.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tanhui::pricing {

enum class PriceMethod : std::uint8_t { risk_neutral, actuarial };
std::optional<PriceMethod> parse_price_method(std::string_view name);
std::string_view to_string(PriceMethod method);
std::string_view to_string(FixingFrequency frequency);

// When the policy fixes its reference price: a frequency over the term (fixing_schedule), or
// explicit dates.
struct Fixings {
    FixingFrequency frequency = FixingFrequency::monthly;
    std::vector<Date> dates;  // explicit, strictly increasing; when not empty `frequency` is unused
};

// The fixing dates of a policy starting on `start` for term_months. Throws InvalidInput
// ("fixings[i]") for an explicit date before the start.
std::vector<Date> fixing_dates(const Fixings& fixings, Date start, int term_months);
// Years from `start` to each date, Actual/365 Fixed (the contract's convention).
std::vector<double> fixing_times_years(Date start, std::span<const Date> dates);
// A = the arithmetic mean of the fixings, summed in order; 0 when there are none.
double average_price(std::span<const double> fixings);

struct PriceInsuranceTerms {
    std::string market;
    double quantity_tco2e = 0;
    double target_price_cny = 0;  // K, CNY/tCO2e
    Fixings fixings;
    PriceMethod method = PriceMethod::risk_neutral;
    const AsianEngineEntry* engine = nullptr;  // risk_neutral only; nullptr = turnbull_wakeman
};
// Throws InvalidInput ("quantity_tco2e", "target_price_cny", "engine") for terms out of domain.
void validate(const PriceInsuranceTerms& terms);
const AsianEngineEntry& engine_of(const PriceInsuranceTerms& terms);
double sum_insured_cny(const PriceInsuranceTerms& terms);  // Q x K

// One year's payout: discount_factor x Q x max(0, K - A). The risk-neutral table is discounted
// from the last fixing (the engine's factor); the actuarial one is not (factor 1).
double payout_cny(const PriceInsuranceTerms& terms, double average_price_cny, double discount_factor = 1);

// What overflowed when a number computed from a price model is not finite (exp of a log price
// beyond a double's range: extreme jumps or volatility): the model's parameters named with their
// values. nullopt when `value` is finite.
std::optional<std::string> overflow_problem(double value, const risk::PriceModel& model);

// ---- risk-neutral -----------------------------------------------------------------------------

// The risk-neutral market of a price model on the valuation date: flat r and q from the model;
// the volatility is the total volatility of log returns (`risk_neutral_volatility`, a GBM fit
// of all returns) unless the request gave one, or the model has none.
BlackScholesMarket risk_neutral_market(const risk::PriceModel& model, Date valuation_date, bool volatility_given);
// The same market as a price model to simulate: GBM with drift r - q and the market's
// volatility, no jumps, no correlation with the weather.
risk::PriceModel risk_neutral_model(const risk::PriceModel& physical, const BlackScholesMarket& market);

// The Asian put of the terms under `market` with their engine; Monte Carlo takes min(years,
// 1,000,000) paths and seed (0 becomes 1: QuantLib seeds 0 from the clock); `cancel` stops it
// (risk/simulation/cancel.hpp).
AsianPrice price_risk_neutral(const PriceInsuranceTerms& terms, std::span<const Date> dates,
                              const BlackScholesMarket& market, std::uint64_t years, std::uint64_t seed,
                              risk::CancelFlag cancel = nullptr);

// Turnbull & Wakeman (1991): the arithmetic average A of GBM prices S(t_i), growth rate
// mu = r - q, taken as lognormal with A's first two moments,
//   E[A]   = (1/n) sum_i S0 e^{mu t_i},
//   E[A^2] = (1/n^2) sum_i sum_j S0^2 e^{mu (t_i + t_j) + sigma^2 min(t_i, t_j)},
// ln A ~ N(m, s^2) with s^2 = ln(E[A^2] / E[A]^2), m = ln E[A] - s^2 / 2.
struct LognormalAverage {
    double mean = 0;           // E[A]
    double second_moment = 0;  // E[A^2]
    double log_mean = 0;       // m
    double log_sd = 0;         // s (0 when rounding makes s^2 negative)
};
LognormalAverage lognormal_average(double spot, double growth_rate, double volatility, std::span<const double> times_years);
// P(A < level): the probability that the policy pays.
double probability_below(const LognormalAverage& average, double level);
// The average exceeded with probability 1 - p: exp(m + s Phi^-1(p)).
double average_quantile(const LognormalAverage& average, double p);

// Whether the risk-neutral quote is closed form throughout: the expected_value load needs no
// distribution and the engine is not Monte Carlo; then the payout's distribution is the
// lognormal average's.
bool closed_form_applies(const PremiumTerms& premium, const AsianEngineEntry& engine);

// The closed-form quote: pure premium Q x the engine's value (SE 0), load theta x pure, gross-up,
// rate on Q x K, P(A < K), and at each return period T the discounted payout at the average
// exceeded with probability 1 - 1/T.
PremiumQuote closed_form_quote(const PriceInsuranceTerms& terms, const AsianPrice& price, const LognormalAverage& average,
                               const PremiumTerms& premium, std::span<const double> return_periods);

// The payouts of years 0..years-1 of one price path (weather normal 0), and the mean average.
// `cancel` is checked every risk::items_per_cancel_check years (risk/simulation/cancel.hpp).
struct SimulatedPayouts {
    std::vector<double> payouts_cny;
    double mean_average_price = 0;
};
SimulatedPayouts simulate_payouts(const PriceInsuranceTerms& terms, const risk::PricePath& path, std::uint64_t seed,
                                  std::uint32_t years, double discount_factor = 1, risk::CancelFlag cancel = nullptr);

// A simulated quote with a risk-neutral price as its pure premium: the load keeps the
// principle on the simulated table; gross, subsidy and rate follow the new pure premium.
void use_price_as_pure_premium(PremiumQuote& quote, const AsianPrice& price, double quantity_tco2e,
                               const PremiumTerms& premium);

}  // namespace tanhui::pricing
