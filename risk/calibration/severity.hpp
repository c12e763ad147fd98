// Continuous severity families for calibration (DESIGN "Perils"): lognormal (burned area per
// fire), gamma, beta (affected fractions) and the generalised Pareto tail. Each returns a
// FitReport with the Kolmogorov-Smirnov and Anderson-Darling tests on the fitted transforms.
// data_from / data_to are left empty: the caller knows the dates of a sample.
#pragma once

#include "risk/calibration/fit_report.hpp"

#include <span>

namespace tanhui::risk {

// Closed form: mu = mean of ln x, sigma^2 = mean squared deviation (divisor n);
// SE(mu) = sigma / sqrt(n), SE(sigma) = sigma / sqrt(2n). Parameters "mu", "sigma".
// AD p-value: normal with estimated mean and variance (Stephens), on ln x.
FitReport fit_lognormal(std::span<const double> x);

// MLE (Simplex from the method of moments). Parameters "shape", "scale" (mean = shape x scale).
FitReport fit_gamma(std::span<const double> x);

// MLE on values strictly inside (0, 1) (Simplex from the method of moments). Parameters "a", "b".
FitReport fit_beta(std::span<const double> x);

// Generalised Pareto MLE of excesses over a threshold (x >= 0): F(x) = 1 - (1 + xi x / beta)^(-1/xi).
// xi is restricted to > -1 (the likelihood is unbounded below that); the usual asymptotics hold
// for xi > -0.5 (Smith 1985). Start: Hosking & Wallis (1987) moment estimators.
// Parameters "xi", "beta". Use where a per-fire dataset has enough fires above a threshold, or
// take (xi, beta) from the literature (calibrate_fire.hpp with_gpd_tail).
FitReport fit_gpd(std::span<const double> excesses);

}  // namespace tanhui::risk
