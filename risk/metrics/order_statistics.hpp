// Order statistics of a sample of N years (or paths): the one home of the quantile rule of DESIGN
// "Metrics of a loss table", used by risk/metrics, pricing/premium, pricing/buffer, risk/backtest
// and risk/simulation/price_at_horizon.
//
//   VaR_a (any quantile)  the ceil(N a)-th smallest value, the rank clamped to 1..N.
//   TVaR_a                the mean of the m = N (1 - a) largest: the floor(m) largest in full and
//                         the next with weight m - floor(m) (Acerbi & Tasche 2002).
//   T-year loss           the (N / T)-th largest; N / T not whole: linear between the neighbouring
//                         ranks; N / T < 1 (T beyond the simulation): the largest, flagged.
//   Standard errors       the rank of the p-quantile is binomial with sd d = sqrt(N p (1 - p)); the
//                         SE is half the distance between the order statistics d ranks either side
//                         (David & Nagaraja, Order Statistics, 3rd ed., sec. 7.1).
//
// N a is rounded before the ceiling, because 10,000 x 0.99 is 100.00000000000009 in floating
// point and must count as 100. Two roundings are in use and both stay, so that every result keeps
// its bits (issue 15): they agree on every whole count, and differ only in the last bits of a
// fractional count (a TVaR weight, an interpolated return period) or for a count within
// [5e-10, 1e-9 N a] of a whole number. Unifying them is a decision that changes answers.
#pragma once

#include "risk/metrics/estimate.hpp"

#include <cstddef>
#include <cstdint>
#include <span>

namespace tanhui::risk {

enum class CountRounding : std::uint8_t {
    nearest_1e9,       // round(x 1e9) / 1e9: risk/metrics (the metrics endpoint, the batch, Euler allocation)
    whole_within_1e9,  // x within 1e-9 max(1, |x|) of a whole number is that number, else x itself:
                       // premiums, buffers, backtest quantiles, prices at a horizon
};
double rounded_count(double x, CountRounding rounding);

// A sample of N values read by rank from either end. It views the caller's sorted values
// (which must outlive it) and never copies them.
class OrderStatistics {
public:
    // Values sorted from the largest down. The n - size() values past them are 0: pricing keeps
    // only the positive payouts of a loss table where most years pay nothing.
    static OrderStatistics largest_first(std::span<const double> descending, std::size_t n);
    static OrderStatistics largest_first(std::span<const double> descending) {
        return largest_first(descending, descending.size());
    }
    // Values sorted from the smallest up.
    static OrderStatistics smallest_first(std::span<const double> ascending);

    std::size_t size() const { return n_; }
    double largest(std::size_t rank) const;   // rank 1 = the largest, 1..N
    double smallest(std::size_t rank) const;  // rank 1 = the smallest, 1..N
    std::size_t clamp(std::ptrdiff_t rank) const;  // to 1..N

private:
    OrderStatistics(std::span<const double> values, std::size_t n, bool descending)
        : values_(values), n_(n), descending_(descending) {}
    std::span<const double> values_;
    std::size_t n_ = 0;
    bool descending_ = true;
};

// The (floor(N p) + 1)-th smallest, clamped to N, N p not rounded: the rule of the quantile
// tables behind the validation report's figures (buffer_quantiles.csv), kept for their bits.
double quantile_above(const OrderStatistics& x, double p);

// ceil(rounded N a), clamped to 1..N: the rank from the smallest of the a-quantile (VaR_a).
std::size_t quantile_rank(std::size_t n, double level, CountRounding rounding);
// The value at quantile_rank.
double quantile(const OrderStatistics& x, double level, CountRounding rounding);

// The quantile with the SE of the band around its real rank: the floor(N a - d)-th and
// ceil(N a + d)-th smallest, N a rounded (buffers, prices at a horizon).
Estimate quantile_with_real_band(const OrderStatistics& x, double level, CountRounding rounding);
// The quantile with the SE of the band around its whole rank r: the (r - ceil(d))-th and
// (r + ceil(d))-th smallest (risk/metrics VaR).
Estimate quantile_with_whole_band(const OrderStatistics& x, double level, CountRounding rounding);

// The mean of the m largest (m > 0, at most N): the floor(m) largest in full and the next with
// weight m - floor(m). Sums run from the largest down.
double tail_mean(const OrderStatistics& x, double m);
// TVaR_a: tail_mean with m = rounded N (1 - a).
double tail_value_at_risk(const OrderStatistics& x, double level, CountRounding rounding);
// tail_mean with the Manistre & Hancock (2005) standard error ("Variance of the CTE estimator",
// NAAJ 9(2)): SE^2 = (s_tail^2 + a (TVaR - VaR)^2) / m, s_tail^2 the weighted variance of the m
// largest about TVaR, `boundary` the VaR. m <= 0 gives the largest value with SE 0.
Estimate tail_mean_with_error(const OrderStatistics& x, double m, double level, double boundary);

// The T-year value: the (N / T)-th largest, N / T rounded; linear between neighbouring ranks when
// it is not whole; the largest, beyond_simulation, when N / T < 1.
struct ReturnPeriodValue {
    double rank = 0;  // rounded N / T
    double value = 0;
    bool beyond_simulation = false;
};
ReturnPeriodValue return_period_value(const OrderStatistics& x, double return_period, CountRounding rounding);
// The SE of a T-year value: the band of ceil(d) ranks, d = sqrt(r (1 - r / N)), around the rank
// r = max(1, rounded N / T) rounded to the nearest whole (risk/metrics AEP and OEP).
double return_period_standard_error(const OrderStatistics& x, double rank);

}  // namespace tanhui::risk
