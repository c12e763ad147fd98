// What every calibration returns: the fitted family, its parameters with standard errors, the
// likelihood and information criteria, goodness-of-fit tests, and where the data came from.
// DESIGN "Calibration". Plain values: the api layer stores and prints them, the model builders
// (risk/calibrate_*.hpp) turn them into risk/model/model.hpp parameters.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tanhui::risk {

// One goodness-of-fit test. `name` is one of "chi_square_pearson", "chi_square_binned",
// "kolmogorov_smirnov", "anderson_darling", "likelihood_ratio" (docs/calibration.md says how each
// p-value is computed and when it is conservative).
struct GofTest {
    std::string name;
    double statistic = 0;
    std::optional<double> degrees_of_freedom;
    double p_value = 0;
    std::string note;  // how the p-value was obtained, e.g. "asymptotic Kolmogorov, parameters estimated"
};

struct FitReport {
    std::string family;  // "poisson", "negative_binomial_trend", "gbm", "ou_merton", ...
    std::vector<std::string> parameter_names;
    std::vector<double> estimates;
    std::vector<double> standard_errors;                // sqrt(diag(covariance)); NaN if not estimable
    std::vector<std::vector<double>> covariance;        // inverse observed information (natural scale)
    double log_likelihood = 0;
    double aic = 0;  // 2 p - 2 ll
    double bic = 0;  // p ln(rows) - 2 ll
    std::vector<GofTest> goodness_of_fit;  // the first is the family's primary test
    std::string data_from;  // first year ("2004") or date ("2016-12-22") used
    std::string data_to;
    std::size_t rows = 0;   // observations entering the likelihood
    std::uint64_t data_hash = 0;  // fnv1a_64 of the data values (see data_hash below)
    std::string optimiser;  // "closed_form", "quantlib_simplex", "quantlib_simplex+bfgs"
    bool converged = true;
    std::vector<std::string> notes;  // assumptions, e.g. "trend: log-linear year effect"
    // Parameters whose estimate sits at a bound of its support or of the searched region
    // (risk/calibration/mle.hpp parameters_at_bound), e.g. "year_sd at 0": their standard errors
    // mean little, and the family may be the wrong one (the bound is often a simpler model).
    std::vector<std::string> at_bound;
};

// Estimate and standard error of a named parameter; throws InvalidInput if absent.
double estimate(const FitReport& report, std::string_view parameter);
double standard_error(const FitReport& report, std::string_view parameter);

// Sets aic and bic from log_likelihood, the number of estimates and rows.
void set_information_criteria(FitReport& report);

// FNV-1a 64-bit over the IEEE-754 bit patterns of the values, each fed as 8 bytes, least
// significant first (so the hash is the same on any platform). Chain calls through `basis` to
// hash several columns; data_hash() does that and also feeds each column's length, so that
// ({1,2},{3}) and ({1},{2,3}) differ. Not cryptographic: the api layer adds SHA-256.
inline constexpr std::uint64_t fnv1a_64_offset_basis = 14695981039346656037ull;
std::uint64_t fnv1a_64(std::span<const double> values, std::uint64_t basis = fnv1a_64_offset_basis);
std::uint64_t data_hash(std::initializer_list<std::span<const double>> columns);
std::string hex_hash(std::uint64_t hash);  // 16 lower-case hex digits

}  // namespace tanhui::risk
