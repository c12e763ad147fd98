// Premiums from simulated annual payouts (CNY): pure premium, risk load by a named principle,
// gross premium, subsidy split, and what a quote reports beside them. DESIGN "Premiums" and the
// quote response of "JSON contract". Statistics of the loss table follow DESIGN "Metrics of a
// loss table" (VaR, TVaR with the fractional share, return periods).
#pragma once

#include "risk/metrics/estimate.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace tanhui::pricing {

// risk/metrics/estimate.hpp's (value, standard error): the one estimate type of risk/ and pricing/.
using risk::Estimate;

enum class Principle : std::uint8_t { expected_value, std_dev, wang, cost_of_capital };
std::optional<Principle> parse_principle(std::string_view name);
std::string_view to_string(Principle principle);

// JSON "premium". `parameter` is theta (expected_value: load = theta E), k (std_dev: k sigma),
// lambda (wang) or the cost-of-capital rate (cost_of_capital: rate (TVaR_alpha - E)).
struct PremiumTerms {
    Principle principle = Principle::expected_value;
    double parameter = 0;
    double tvar_level = 0.995;  // alpha of cost_of_capital
    double expense_ratio = 0;
    double commission = 0;
    double profit_margin = 0;
    double subsidy_share = 0;   // of the gross premium, paid by the government
};

// Throws InvalidInput ("parameter", "tvar_level", "expense_ratio", ...): shares in [0, 1), their
// sum < 1 so that the gross-up denominator is positive, theta, k, rate >= 0, lambda finite.
void validate(const PremiumTerms& terms);

inline constexpr double default_return_periods[] = {10, 100, 200};

struct ReturnPeriodPayout {
    double return_period_years = 0;
    double payout_cny = 0;
    bool beyond_simulation = false;  // T > N: the largest simulated payout is shown (as risk/metrics)
};

struct GrossPremium {
    double gross_premium_cny = 0;  // (pure + load) / (1 - expense - commission - profit margin)
    double subsidy_cny = 0;        // subsidy_share x gross
    double insured_pays_cny = 0;   // gross - subsidy
};

// The premium part of a quote response; field names follow the JSON keys.
struct PremiumQuote {
    std::size_t years = 0;
    double sum_insured_cny = 0;
    double pure_premium_cny = 0;          // mean annual payout
    double pure_premium_se_cny = 0;       // its Monte Carlo standard error, sd / sqrt(N)
    double std_dev_cny = 0;               // sample standard deviation of the annual payout (N - 1)
    double risk_load_cny = 0;
    double risk_load_se_cny = 0;
    double gross_premium_cny = 0;
    double gross_premium_se_cny = 0;
    double subsidy_cny = 0;
    double insured_pays_cny = 0;
    double rate_on_sum_insured = 0;       // gross premium / sum insured
    double probability_of_payout = 0;     // share of years with a payout > 0
    double probability_of_payout_se = 0;  // sqrt(p (1 - p) / N)
    double var_cny = 0;                   // VaR and TVaR of the annual payout at terms.tvar_level
    double tvar_cny = 0;
    std::vector<ReturnPeriodPayout> payout_at_return_period_cny;
};

// The quote from N simulated annual payouts (>= 0, in year order). Standard errors of the load
// and the gross premium are asymptotic (delta method on the principle's influence function:
// Serfling 1980, ch. 8, for the L-statistics behind Wang and TVaR). A return period T > N shows
// the largest payout and is flagged beyond_simulation. Throws InvalidInput ("payouts_cny", "payouts_cny[i]", "sum_insured_cny",
// "return_periods[i]", or a PremiumTerms field).
PremiumQuote quote_premium(std::span<const double> payouts_cny, double sum_insured_cny,
                           const PremiumTerms& terms,
                           std::span<const double> return_periods = default_return_periods);

// The pieces, each on a table of annual payouts (>= 0):
Estimate pure_premium(std::span<const double> payouts_cny);  // mean, sd / sqrt(N)
// The risk load of terms.principle, with its asymptotic standard error.
Estimate risk_load(std::span<const double> payouts_cny, const PremiumTerms& terms);
// (pure + load) grossed up and split; also for risk-neutral prices given as a pure premium.
GrossPremium gross_premium(double pure_premium_cny, double risk_load_cny, const PremiumTerms& terms);

// VaR_a = the ceil(N a)-th smallest annual payout; TVaR_a = the mean of the N (1 - a) largest,
// with a fractional share of the next when N (1 - a) is not whole (N (1 - a) rounded to 1e-9
// first); 0 < a < 1. risk/metrics/order_statistics.hpp with CountRounding::whole_within_1e9.
double value_at_risk(std::span<const double> payouts_cny, double level);
double tail_value_at_risk(std::span<const double> payouts_cny, double level);

// Wang (2000) transform: premium = sum_k x_(k) [g(S_{k-1}) - g(S_k)], x_(1) <= ... <= x_(N),
// S_k = (N - k)/N the empirical survival just above x_(k), g(u) = Phi(Phi^-1(u) + lambda).
// lambda = 0 gives the mean; lambda > 0 loads the tail.
double wang_premium(std::span<const double> payouts_cny, double lambda);

// The T-year payout: the (N/T)-th largest annual payout (N/T rounded to 1e-9; when it is not
// whole, linear between the neighbouring ranks; when N/T < 1, the largest). Throws unless T >= 1.
double payout_at_return_period(std::span<const double> payouts_cny, double return_period_years);

}  // namespace tanhui::pricing
