// Generic maximum likelihood for calibration: QuantLib's Nelder-Mead Simplex (restarted until it
// stops improving) on transformed parameters, standard errors from the inverse observed
// information (numerical Hessian of the log-likelihood at the optimum). DESIGN "Calibration".
#pragma once

#include "risk/calibration/fit_report.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace tanhui::risk {

// Where a parameter lives. The optimiser works on phi with theta = phi (real), exp(phi)
// (positive) or 1 / (1 + exp(-phi)) (unit_interval), so every step stays feasible.
enum class Support : std::uint8_t { real, positive, unit_interval };

struct MleParameter {
    std::string name;
    double start = 0;               // natural scale, inside the support
    Support support = Support::real;
    double step = 0.5;              // initial simplex size on the transformed scale
};

// Log-likelihood at natural-scale parameters; may return -inf or NaN outside the model.
using LogLikelihood = std::function<double(std::span<const double>)>;

struct MleOptions {
    std::size_t max_iterations = 20'000;  // per Simplex run
    int max_restarts = 8;
    double root_epsilon = 1e-12;          // Simplex size at which a run stops (transformed scale)
};

struct MleResult {
    std::vector<std::string> names;
    std::vector<double> estimates;  // natural scale
    std::vector<double> standard_errors;
    std::vector<std::vector<double>> covariance;
    double log_likelihood = 0;
    bool converged = false;
    bool information_positive_definite = false;  // false: standard errors are NaN
    std::string optimiser;
    // Parameters whose estimate sits at a bound (parameters_at_bound), e.g. "year_sd at 0".
    std::vector<std::string> at_bound;
};

MleResult maximise_log_likelihood(std::span<const MleParameter> parameters, const LogLikelihood& log_likelihood,
                                  const MleOptions& options = {});

// Covariance of natural-scale parameters: the inverse of minus the Hessian of the log-likelihood
// on the transformed scale, mapped by the delta method (equal to the natural-scale inverse
// information at an interior optimum, and better conditioned). Sets positive_definite.
std::vector<std::vector<double>> inverse_observed_information(std::span<const MleParameter> parameters,
                                                              const LogLikelihood& log_likelihood,
                                                              std::span<const double> estimates,
                                                              bool& positive_definite);

// The parameters whose estimate sits at a bound, each as "<name> at <bound>":
// - of its support ("at 0", "at 1", "at infinity"): moving it e^2 times nearer that bound on the
//   optimiser's scale (a factor 7.4 for a positive parameter, the odds for a share) costs less
//   than 1e-6 of log-likelihood. The data then put the estimate at the bound: the Simplex walks
//   towards it and stops only where the likelihood has gone flat (e.g. a year effect of sd -> 0,
//   a negative binomial size -> infinity, i.e. Poisson). Its standard error means little.
// - of the region where the log-likelihood is finite ("at the edge of the searched region"): a
//   step of the Hessian's size on either side leaves it. This is an optimiser's box written as
//   -inf outside (e.g. the OU mean reversion floor of risk/calibration/price.cpp).
std::vector<std::string> parameters_at_bound(std::span<const MleParameter> parameters, const LogLikelihood& log_likelihood,
                                             std::span<const double> estimates);

// A FitReport from an MLE result: names, estimates, SEs, covariance, ll, AIC/BIC, at_bound.
FitReport report_from(std::string family, const MleResult& result, std::size_t rows);

}  // namespace tanhui::risk
