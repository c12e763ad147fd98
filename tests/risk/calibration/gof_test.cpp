// Goodness-of-fit statistics and distributions on hand-worked samples and published values.
#include "risk/calibration/gof.hpp"

#include "data/types.hpp"
#include "risk/random/special.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace tanhui::risk {
namespace {

// Critical values of the Kolmogorov distribution (e.g. Smirnov 1948, Table 1; Stephens 1974):
// P(K <= 1.2238) = 0.90, P(K <= 1.3581) = 0.95, P(K <= 1.6276) = 0.99.
TEST(GoodnessOfFit, KolmogorovDistributionAtKnownPoints) {
    EXPECT_NEAR(kolmogorov_cdf(1.2238), 0.90, 5e-5);
    EXPECT_NEAR(kolmogorov_cdf(1.3581), 0.95, 5e-5);
    EXPECT_NEAR(kolmogorov_cdf(1.36), 0.95, 1e-3);
    EXPECT_NEAR(kolmogorov_cdf(1.6276), 0.99, 5e-5);
    // The two series agree where the implementation switches (x = 1.18).
    const double left = std::sqrt(2 * M_PI) / 1.18 *
                        (std::exp(-M_PI * M_PI / (8 * 1.18 * 1.18)) + std::exp(-9 * M_PI * M_PI / (8 * 1.18 * 1.18)));
    EXPECT_NEAR(kolmogorov_cdf(1.18), left, 1e-9);
    EXPECT_EQ(kolmogorov_cdf(0), 0);
}

// Hand-worked: u = (0.1, 0.4, 0.7), n = 3. D+ = max(1/3 - 0.1, 2/3 - 0.4, 1 - 0.7) = 0.3;
// D- = max(0.1, 0.4 - 1/3, 0.7 - 2/3) = 0.1; D = 0.3.
TEST(GoodnessOfFit, KsStatisticHandWorked) {
    EXPECT_NEAR(ks_statistic({0.7, 0.1, 0.4}), 0.3, 1e-15);
    EXPECT_NEAR(ks_statistic({0.5}), 0.5, 1e-15);
    const GofTest t = kolmogorov_smirnov({0.1, 0.4, 0.7}, false);
    const double lambda = (std::sqrt(3.0) + 0.12 + 0.11 / std::sqrt(3.0)) * 0.3;
    EXPECT_NEAR(t.p_value, 1 - kolmogorov_cdf(lambda), 1e-15);
    EXPECT_THROW(ks_statistic({0.2, 1.2}), InvalidInput);
}

// Hand-worked: u = (0.1, 0.4, 0.7), n = 3:
// A^2 = -3 - (1/3) [1 (ln 0.1 + ln 0.3) + 3 (ln 0.4 + ln 0.6) + 5 (ln 0.7 + ln 0.9)].
TEST(GoodnessOfFit, AndersonDarlingStatisticHandWorked) {
    const double expected =
        -3 - (std::log(0.1) + std::log(0.3) + 3 * (std::log(0.4) + std::log(0.6)) + 5 * (std::log(0.7) + std::log(0.9))) / 3;
    EXPECT_NEAR(anderson_darling_statistic({0.4, 0.7, 0.1}), expected, 1e-14);
}

// Asymptotic percentage points of A^2, case 0 (Anderson & Darling 1954; Stephens 1974, Table 1A):
// 1.933 (90 %), 2.492 (95 %), 3.857 (99 %). Marsaglia & Marsaglia's approximation is within 2e-6 of
// the exact asymptotic distribution; the table has 4 digits.
TEST(GoodnessOfFit, AndersonDarlingAsymptoticPercentagePoints) {
    EXPECT_NEAR(anderson_darling_asymptotic_cdf(1.933), 0.90, 5e-4);
    EXPECT_NEAR(anderson_darling_asymptotic_cdf(2.492), 0.95, 5e-4);
    EXPECT_NEAR(anderson_darling_asymptotic_cdf(3.857), 0.99, 5e-4);
    // The finite-n correction vanishes as n grows.
    EXPECT_NEAR(anderson_darling_cdf(2.492, 1e6), anderson_darling_asymptotic_cdf(2.492), 1e-6);
}

TEST(GoodnessOfFit, AndersonDarlingOnUniformGridIsSmall) {
    // u_i = (i - 1/2) / n is the most uniform sample possible: A^2 is small and p near 1.
    std::vector<double> u;
    for (int i = 1; i <= 50; ++i) u.push_back((i - 0.5) / 50);
    const GofTest t = anderson_darling(u, false);
    EXPECT_LT(t.statistic, 0.1);
    EXPECT_GT(t.p_value, 0.99);
}

// Chi-square quantiles (Abramowitz & Stegun, Table 26.8): chi2_1 0.95 = 3.841459,
// chi2_15 0.95 = 24.99579, chi2_15 0.99 = 30.57791; chi2_2 has P(X > x) = exp(-x/2).
TEST(GoodnessOfFit, ChiSquareSurvivalAtKnownQuantiles) {
    EXPECT_NEAR(chi_square_sf(3.841459, 1), 0.05, 1e-7);
    EXPECT_NEAR(chi_square_sf(3.841, 1), 0.05, 1e-4);
    EXPECT_NEAR(chi_square_sf(24.99579, 15), 0.05, 1e-6);
    EXPECT_NEAR(chi_square_sf(30.57791, 15), 0.01, 1e-6);
    EXPECT_NEAR(chi_square_sf(7.3, 2), std::exp(-3.65), 1e-14);
    EXPECT_NEAR(chi_square_sf(200, 2), std::exp(-100), 1e-55);
}

TEST(GoodnessOfFit, PearsonAndBinnedChiSquare) {
    const std::vector<double> o = {3, 5, 9}, e = {4, 5, 8}, v = {4, 5, 8};
    const GofTest p = pearson_chi_square(o, e, v, 1);
    EXPECT_NEAR(p.statistic, 1.0 / 4 + 0 + 1.0 / 8, 1e-15);
    EXPECT_EQ(*p.degrees_of_freedom, 2.0);
    EXPECT_NEAR(p.p_value, std::exp(-p.statistic / 2), 1e-14);
    // Pooling: expected (2, 3, 6, 1, 8) with min 5 -> groups (2+3), (6), (1+8); observed (5, 7, 8).
    const std::vector<double> bo = {1, 4, 7, 0, 8}, be = {2, 3, 6, 1, 8};
    const GofTest b = binned_chi_square(bo, be, 0, 5);
    EXPECT_NEAR(b.statistic, 0.0 + 1.0 / 6 + 1.0 / 9, 1e-15);
    EXPECT_EQ(*b.degrees_of_freedom, 2.0);
    EXPECT_TRUE(std::isnan(binned_chi_square(bo, be, 2, 5).p_value));
}

TEST(GoodnessOfFit, LikelihoodRatio) {
    const GofTest t = likelihood_ratio_test(-10.0, -8.0794, 1);
    EXPECT_NEAR(t.statistic, 3.8412, 1e-12);
    EXPECT_NEAR(t.p_value, 0.05, 1e-4);
}

TEST(SpecialFunctions, IncompleteBetaAndNegativeBinomial) {
    // I_x(1, b) = 1 - (1 - x)^b; I_x(a, 1) = x^a.
    EXPECT_NEAR(beta_regularised(0.3, 1, 4), 1 - std::pow(0.7, 4), 1e-14);
    EXPECT_NEAR(beta_regularised(0.3, 2.5, 1), std::pow(0.3, 2.5), 1e-14);
    // NB cdf equals the sum of its pmf.
    double s = 0;
    for (int y = 0; y <= 12; ++y) s += std::exp(negative_binomial_log_pmf(y, 6.5, 2.2));
    EXPECT_NEAR(negative_binomial_cdf(12, 6.5, 2.2), s, 1e-12);
    // Poisson cdf equals the sum of its pmf.
    s = 0;
    for (int y = 0; y <= 7; ++y) s += std::exp(poisson_log_pmf(y, 4.2));
    EXPECT_NEAR(poisson_cdf(7, 4.2), s, 1e-13);
    EXPECT_NEAR(gamma_p(3, 2) + gamma_q(3, 2), 1, 1e-15);
    EXPECT_NEAR(gamma_p(1, 2), 1 - std::exp(-2.0), 1e-15);
}

}  // namespace
}  // namespace tanhui::risk
