// Statistics of model validation (issue 10, docs/validation.md): probability integral
// transforms of forecasts, interval coverage, and the VaR backtests of Kupiec (1995) and
// Christoffersen (1998). Pure functions of plain values; the backtests that use them are
// risk/backtest/fire.hpp and risk/backtest/price.hpp.
#pragma once

#include "risk/metrics/estimate.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace tanhui::risk {

// Randomised PIT of a discrete observation y (Brockwell 2007; Czado, Gneiting & Held 2009):
// u = F(y - 1) + v (F(y) - F(y - 1)), v ~ U(0, 1) independent of y. Under the forecast
// distribution u is exactly U(0, 1). cdf_below = F(y - 1) (0 for y = 0), cdf_at = F(y).
double randomized_pit(double cdf_below, double cdf_at, double v);

// The v of a randomised PIT: a uniform in (0, 1) addressed by (seed, a, b) with Philox
// (risk/random/draws.hpp, stream 0x7a11), so the PIT of one observation never depends on the others.
double pit_uniform(std::uint64_t seed, std::uint32_t a, std::uint32_t b);

// Two-sided exact binomial test of H0: P(success) = p, as R's binom.test: the p-value is the
// total probability of outcomes no more likely than the one observed (relative tolerance 1e-7).
double binomial_two_sided_p_value(std::size_t successes, std::size_t trials, double p);

// Coverage of central prediction intervals: an observation is inside the central `nominal`
// interval iff its (randomised) PIT lies in [(1 - nominal) / 2, (1 + nominal) / 2].
struct CoverageTest {
    double nominal = 0;
    std::size_t trials = 0;
    std::size_t inside = 0;
    double observed = 0;          // inside / trials
    double binomial_p_value = 0;  // exact binomial, observations taken as independent
};
CoverageTest interval_coverage(std::span<const double> pit, double nominal);

// Kupiec (1995) proportion-of-failures test. With x exceedances in n trials and the VaR's tail
// probability p (0.01 for a 99 % VaR), LR_uc = -2 ln[(1 - p)^(n - x) p^x] + 2 ln[(1 - x/n)^(n - x) (x/n)^x]
// ~ chi2(1) (0 ln 0 = 0).
struct KupiecTest {
    std::size_t trials = 0;
    std::size_t exceedances = 0;
    double expected_rate = 0;  // p
    double observed_rate = 0;  // x / n
    double statistic = 0;
    double p_value = 1;
};
KupiecTest kupiec_pof(std::span<const std::uint8_t> exceedance, double tail_probability);

// Christoffersen (1998) independence test: a first-order Markov chain of exceedances against an
// independent one. n_ij = transitions from state i to j; pi01 = n01 / (n00 + n01),
// pi11 = n11 / (n10 + n11), pi = (n01 + n11) / (n00 + n01 + n10 + n11);
// LR_ind = -2 ln[(1 - pi)^(n00 + n10) pi^(n01 + n11)] + 2 ln[(1 - pi01)^n00 pi01^n01 (1 - pi11)^n10 pi11^n11]
// ~ chi2(1). Fewer than 2 observations, or no exceedance, give statistic 0 and p 1.
struct ChristoffersenTest {
    std::size_t n00 = 0, n01 = 0, n10 = 0, n11 = 0;
    double pi01 = 0, pi11 = 0;
    double statistic = 0;
    double p_value = 1;
};
ChristoffersenTest christoffersen_independence(std::span<const std::uint8_t> exceedance);

// The gap between two independent estimates in standard errors: (a - b) / sqrt(se_a^2 + se_b^2)
// (a two-sample z statistic), and its two-sided normal p-value 2 (1 - Phi(|z|)), 0 when z is not
// finite. `tanhui validate` compares the replayed burning cost with the model's this way.
double gap_in_standard_errors(const Estimate& a, const Estimate& b);
double two_sided_normal_p_value(double z);

// The k-th smallest of x (1-based, clamped to 1..n) with k = ceil(n q), n q rounded to 1e-9 first:
// DESIGN's VaR rule (risk/metrics/order_statistics.hpp), used for the historical-simulation quantile.
double empirical_quantile(std::vector<double> x, double q);

}  // namespace tanhui::risk
