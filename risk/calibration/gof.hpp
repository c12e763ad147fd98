// Goodness-of-fit tests of calibration (docs/calibration.md, "Goodness of fit").
// Continuous families are tested on probability integral transforms u_i = F(x_i; fitted), which
// are U(0, 1) under the model; counts with Pearson chi-square statistics.
#pragma once

#include "risk/calibration/fit_report.hpp"

#include <cstddef>
#include <span>
#include <vector>

namespace tanhui::risk {

// D_n = sup |F_n(u) - u| of the transforms u (any order; all in [0, 1]).
double ks_statistic(std::vector<double> u);
// KS test; p = 1 - K((sqrt(n) + 0.12 + 0.11 / sqrt(n)) D_n), Stephens' (1970) finite-n form of
// the asymptotic Kolmogorov distribution. With estimated parameters the p-value is conservative
// (too large: Lilliefors); the note says so when parameters_estimated is set.
GofTest kolmogorov_smirnov(std::vector<double> u, bool parameters_estimated);

// A^2 = -n - (1/n) sum (2i - 1) [ln u_(i) + ln(1 - u_(n+1-i))].
double anderson_darling_statistic(std::vector<double> u);
// Case 0 (F fully specified): p from Marsaglia & Marsaglia (2004). With estimated parameters it
// is conservative; the note says so when parameters_estimated is set.
GofTest anderson_darling(std::vector<double> u, bool parameters_estimated);
// Normal (or lognormal on the log scale) with mean and variance estimated: Stephens' modified
// A* = A^2 (1 + 0.75/n + 2.25/n^2) and the p-value formulas of D'Agostino & Stephens (1986),
// Goodness-of-Fit Techniques, Table 4.9.
GofTest anderson_darling_normal_estimated(std::vector<double> u);

// Pearson X^2 = sum (o_i - e_i)^2 / v_i over single observations with fitted mean e_i and model
// variance v_i, compared with chi2(n - estimated_parameters): the GLM goodness-of-fit statistic
// (McCullagh & Nelder 1989, sec. 4.4.5); for a Poisson with v = e it is the dispersion test.
GofTest pearson_chi_square(std::span<const double> observed, std::span<const double> expected,
                           std::span<const double> variance, std::size_t estimated_parameters);

// Binned chi-square: adjacent bins are pooled left to right until each expected count is at
// least min_expected (a short last group joins its neighbour); df = bins - 1 - estimated
// parameters (the Chernoff-Lehmann bounds put the truth between that and bins - 1).
// If df < 1, the p-value is NaN and the note says why.
GofTest binned_chi_square(std::span<const double> observed, std::span<const double> expected,
                          std::size_t estimated_parameters, double min_expected = 5);

// 2 (ll_full - ll_restricted) against chi2(df) (Wilks).
GofTest likelihood_ratio_test(double log_likelihood_restricted, double log_likelihood_full, double df);

}  // namespace tanhui::risk
