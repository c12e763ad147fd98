// Carbon-sink price insurance (碳汇价格保险, the Nanping "碳汇保" form), risk-neutral: a discrete
// arithmetic-average Asian put, payout per tonne max(0, K - A), A the average of the fixings.
// DESIGN "Products" (price insurance) and "JSON contract" (quote response).
//
// Conventions: time in years is Actual/365 Fixed from the valuation date (the policy start);
// the price is discounted from the last fixing date; the underlying follows GBM under the
// risk-neutral measure with flat continuously compounded rates and a flat volatility. QuantLib
// prices it (pricing/engines.cpp); nothing here exposes QuantLib.
#pragma once

#include "risk/simulation/cancel.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tanhui::pricing {

using Date = std::chrono::year_month_day;

// "YYYY-MM-DD" <-> Date; parse throws InvalidInput(field) for anything else or an invalid day.
Date parse_date(std::string_view text, const std::string& field = "date");
std::string format_date(Date date);

enum class FixingFrequency : std::uint8_t { monthly, quarterly, at_expiry };
std::optional<FixingFrequency> parse_fixing_frequency(std::string_view name);

// Fixing dates of a policy of term_months from start, on Chinese exchanges' calendar
// (pricing/china_calendar.hpp):
// start + k months (k = 1..term for monthly; 3, 6, ... and always the term's end for quarterly;
// the term's end alone for at_expiry), each moved to the next business day (Following). A start
// on a month's last day keeps the day number where the month has it (Jan 31 -> Feb 28 -> Mar 31).
std::vector<Date> fixing_schedule(Date start, int term_months, FixingFrequency frequency);

// Year fraction convention. The contract is Actual/365 Fixed; Actual/360 and Actual/364 exist
// only to reproduce published tables whose fixing times are whole 360ths or 364ths of a year.
enum class DayCount : std::uint8_t { actual_365_fixed, actual_360, actual_364 };
double year_fraction(Date from, Date to, DayCount day_count = DayCount::actual_365_fixed);

enum class OptionType : std::uint8_t { put, call };  // products use put; call is for parity checks

// The risk-neutral market of the reference carbon price (risk::PriceModel supplies these).
struct BlackScholesMarket {
    Date valuation_date{};        // the policy start
    double spot = 0;              // CNY/tCO2e on valuation_date
    double volatility = 0;        // per sqrt(year), > 0
    double risk_free_rate = 0;    // continuously compounded, per year
    double dividend_yield = 0;    // convenience yield, continuously compounded, per year
    DayCount day_count = DayCount::actual_365_fixed;
};

struct AsianOption {
    OptionType type = OptionType::put;
    double strike = 0;                  // target price K, CNY/tCO2e, > 0
    std::vector<Date> fixing_dates;     // all fixings of the policy, strictly increasing
    // Prices already fixed: one per fixing date before the valuation date, in date order (a
    // running accumulator). A fixing on the valuation date is the spot, so it is not past.
    std::vector<double> past_fixings;
};

// Monte Carlo settings of the "monte_carlo" engine (QuantLib's MCDiscreteArithmeticAPEngine,
// pseudo-random Mersenne Twister, geometric-average control variate).
struct MonteCarloSettings {
    std::uint64_t paths = 100'000;  // samples; with antithetic each sample is a pair of paths
    std::uint64_t seed = 20270101;  // must be non-zero: QuantLib seeds 0 from the clock
    bool antithetic = false;
    bool control_variate = true;
    // Checked every risk::items_per_cancel_check paths priced (risk/simulation/cancel.hpp): once
    // set, the engine stops with risk::Cancelled. No effect on the price of a run not cancelled.
    risk::CancelFlag cancel = nullptr;
};

struct AsianPrice {
    double value = 0;            // per tonne, CNY/tCO2e, at the valuation date
    double standard_error = 0;   // Monte Carlo error estimate; 0 for closed forms
    std::string engine;          // "turnbull_wakeman", "monte_carlo" or "geometric"
    double discount_factor = 0;  // valuation date -> last fixing
    double expected_average = 0; // risk-neutral E[A], past fixings included
    double time_to_last_fixing_years = 0;
};

// Prices the option with a named engine of pricing/engines.cpp:
//   "turnbull_wakeman"  Turnbull & Wakeman (1991) two-moment lognormal match (QuantLib
//                       TurnbullWakemanAsianEngine): fast, close for carbon-price volatilities.
//   "monte_carlo"       QuantLib MCDiscreteArithmeticAPEngine with the geometric control variate;
//                       returns its standard error.
//   "geometric"         Kemna & Vorst (1990) closed form of the *geometric* average option
//                       (QuantLib AnalyticDiscreteGeometricAveragePriceAsianEngine). Since
//                       G <= A, the geometric put is worth at least the arithmetic put: a
//                       conservative, exact-to-rounding bound, not the arithmetic price.
// Throws InvalidInput for bad fields ("spot", "volatility", "strike", "fixing_dates[i]",
// "past_fixings", "engine", "monte_carlo.seed", ...), and when the valuation date is after the
// last fixing (the policy has expired).
AsianPrice price_asian(const AsianOption& option, const BlackScholesMarket& market,
                       std::string_view engine, const MonteCarloSettings& mc = {});

// What an engine prices once validation has split past from future fixings.
struct AsianProblem {
    OptionType type = OptionType::put;
    double strike = 0;
    BlackScholesMarket market;
    std::vector<Date> future_fixing_dates;  // >= valuation date, increasing, not empty
    Date last_fixing_date{};                // the payment date the price is discounted from
    double past_sum = 0;                    // sum of past fixings (arithmetic accumulator)
    double past_log_sum = 0;                // sum of their logs (geometric accumulator)
    std::size_t past_count = 0;
};

// pricing/engines.cpp: the only list of Asian engines.
using AsianEngineFn = AsianPrice (*)(const AsianProblem& problem, const MonteCarloSettings& mc);
struct AsianEngineEntry {
    std::string_view name;
    bool closed_form = false;
    AsianEngineFn price = nullptr;
};
std::span<const AsianEngineEntry> asian_engines();
const AsianEngineEntry* find_asian_engine(std::string_view name);  // nullptr when unknown

}  // namespace tanhui::pricing
