// Severity families against closed forms, R's MASS::fitdistr (tests/reference/severity_fit.R) and
// recovery of known parameters from simulated samples.
#include "risk/calibration/severity.hpp"

#include "data/types.hpp"
#include "risk/random/special.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace tanhui::risk {
namespace {

TEST(CalibrateSeverity, LognormalIsClosedForm) {
    const std::vector<double> x = {2.1, 0.7, 5.4, 1.3, 9.8, 3.3, 0.9, 14.2, 2.6, 4.4};
    double mu = 0;
    for (double v : x) mu += std::log(v);
    mu /= 10;
    double ss = 0;
    for (double v : x) ss += (std::log(v) - mu) * (std::log(v) - mu);
    const double sigma = std::sqrt(ss / 10);
    double ll = 0;
    for (double v : x) {
        const double z = (std::log(v) - mu) / sigma;
        ll += -0.5 * z * z - std::log(sigma * v * std::sqrt(2 * M_PI));
    }
    const FitReport r = fit_lognormal(x);
    EXPECT_NEAR(estimate(r, "mu"), mu, 1e-14);
    EXPECT_NEAR(estimate(r, "sigma"), sigma, 1e-14);
    EXPECT_NEAR(standard_error(r, "mu"), sigma / std::sqrt(10.0), 1e-14);
    EXPECT_NEAR(standard_error(r, "sigma"), sigma / std::sqrt(20.0), 1e-14);
    EXPECT_NEAR(r.log_likelihood, ll, 1e-10);
    EXPECT_EQ(r.goodness_of_fit.at(0).name, "kolmogorov_smirnov");
    EXPECT_EQ(r.goodness_of_fit.at(1).name, "anderson_darling");
    EXPECT_GT(r.goodness_of_fit[1].p_value, 0.05);
}

// tests/reference/severity_fit.R: gamma shape 2.203897577 rate 0.8722551353,
// se 0.7518213614 0.3339955806, loglik -26.72528691, ks.test D 0.09279121161.
TEST(CalibrateSeverity, GammaMatchesFitdistr) {
    const std::vector<double> x = {0.8, 2.3, 1.1, 4.7, 3.2, 0.4, 1.9, 2.8, 6.1, 1.5, 0.9, 3.7, 2.2, 1.3, 5.0};
    const FitReport r = fit_gamma(x);
    EXPECT_NEAR(estimate(r, "shape"), 2.203897577, 1e-5);
    EXPECT_NEAR(1 / estimate(r, "scale"), 0.8722551353, 1e-5);
    EXPECT_NEAR(r.log_likelihood, -26.72528691, 1e-7);
    EXPECT_NEAR(standard_error(r, "shape"), 0.7518213614, 1e-3);
    // SE(rate) = SE(scale) / scale^2 (delta method).
    const double scale = estimate(r, "scale");
    EXPECT_NEAR(standard_error(r, "scale") / (scale * scale), 0.3339955806, 1e-3);
    EXPECT_NEAR(r.goodness_of_fit.at(0).statistic, 0.09279121161, 1e-5);
}

// tests/reference/severity_fit.R: beta a 2.519263805 b 9.939360118, se 0.9697337826 4.121709463,
// loglik 10.40129482, ks.test D 0.1008051845.
TEST(CalibrateSeverity, BetaMatchesFitdistr) {
    const std::vector<double> x = {0.12, 0.31, 0.05, 0.22, 0.18, 0.41, 0.09, 0.27, 0.15, 0.36, 0.08, 0.19};
    const FitReport r = fit_beta(x);
    EXPECT_NEAR(estimate(r, "a"), 2.519263805, 1e-4);
    EXPECT_NEAR(estimate(r, "b"), 9.939360118, 5e-4);
    EXPECT_NEAR(r.log_likelihood, 10.40129482, 1e-7);
    EXPECT_NEAR(standard_error(r, "a"), 0.9697337826, 2e-3);
    EXPECT_NEAR(standard_error(r, "b"), 4.121709463, 1e-2);
    EXPECT_NEAR(r.goodness_of_fit.at(0).statistic, 0.1008051845, 1e-5);
}

TEST(CalibrateSeverity, BetaRecoversSimulatedParameters) {
    // Beta(a, b) = X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b).
    const double a = 2.0, b = 8.0;
    std::mt19937_64 rng(12345);
    std::gamma_distribution<double> ga(a, 1), gb(b, 1);
    std::vector<double> x;
    for (int i = 0; i < 500; ++i) {
        const double u = ga(rng), v = gb(rng);
        x.push_back(u / (u + v));
    }
    const FitReport r = fit_beta(x);
    EXPECT_NEAR(estimate(r, "a"), a, 4 * standard_error(r, "a"));
    EXPECT_NEAR(estimate(r, "b"), b, 4 * standard_error(r, "b"));
    EXPECT_GT(r.goodness_of_fit.at(0).p_value, 0.01);
}

std::vector<double> simulate_gpd(double xi, double beta, int n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0, 1);
    std::vector<double> x;
    for (int i = 0; i < n; ++i) x.push_back(beta / xi * (std::pow(1 - u(rng), -xi) - 1));  // inverse CDF
    return x;
}

TEST(CalibrateSeverity, GpdRecoversSimulatedParameters) {
    const double xi = 0.3, beta = 50;
    const auto x = simulate_gpd(xi, beta, 2000, 2024);
    const FitReport r = fit_gpd(x);
    EXPECT_NEAR(estimate(r, "xi"), xi, 4 * standard_error(r, "xi"));
    EXPECT_NEAR(estimate(r, "beta"), beta, 4 * standard_error(r, "beta"));
    // Large-sample SEs of the GPD MLE (Smith 1985): Var(xi) = (1 + xi)^2 / n.
    EXPECT_NEAR(standard_error(r, "xi"), (1 + xi) / std::sqrt(2000.0), 0.15 * (1 + xi) / std::sqrt(2000.0));
    EXPECT_GT(r.goodness_of_fit.at(0).p_value, 0.01);
}

TEST(CalibrateSeverity, GpdSatisfiesLikelihoodEquation) {
    // At the MLE with theta = xi / beta, xi = (1/n) sum ln(1 + theta x_i) (Grimshaw 1993, eq. 2.3).
    const auto x = simulate_gpd(0.2, 10, 300, 5);
    const FitReport r = fit_gpd(x);
    const double xi = estimate(r, "xi"), theta = xi / estimate(r, "beta");
    double s = 0;
    for (double v : x) s += std::log1p(theta * v);
    EXPECT_NEAR(s / static_cast<double>(x.size()), xi, 1e-5);
}

TEST(CalibrateSeverity, RejectsValuesOutsideTheSupport) {
    EXPECT_THROW(fit_lognormal(std::vector<double>{1, 0, 2}), InvalidInput);
    EXPECT_THROW(fit_beta(std::vector<double>{0.2, 1.0, 0.3}), InvalidInput);
    EXPECT_THROW(fit_gamma(std::vector<double>{1.0}), InvalidInput);
    EXPECT_THROW(fit_gpd(std::vector<double>{1, 2, -1, 3, 4, 5, 6, 7, 8, 9}), InvalidInput);
}

}  // namespace
}  // namespace tanhui::risk
