// Pest calibration against closed forms, an independent root of the score equation, R
// (tests/reference/pest_elasticity.R) and recovery of simulated beta-binomial parameters.
#include "risk/calibration/pest.hpp"

#include "data/types.hpp"
#include "risk/calibration/fire.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <random>
#include <vector>

namespace tanhui::risk {
namespace {

TEST(CalibratePest, BinomialIsClosedForm) {
    const std::vector<double> x = {3, 5, 2, 7}, n = {40, 50, 35, 60};
    const FitReport r = fit_binomial(x, n);
    const double p = 17.0 / 185;
    EXPECT_NEAR(estimate(r, "probability"), p, 1e-15);
    EXPECT_NEAR(standard_error(r, "probability"), std::sqrt(p * (1 - p) / 185), 1e-15);
    EXPECT_EQ(*r.goodness_of_fit.at(0).degrees_of_freedom, 3.0);
    EXPECT_THROW(fit_binomial(std::vector<double>{5}, std::vector<double>{4}), InvalidInput);
}

TEST(CalibratePest, HazardWithYearlyStepsIsNewOverAtRisk) {
    // Steps of one year: h = sum new / sum at risk, SE sqrt(h (1 - h) / sum at risk).
    const std::vector<int> year = {2010, 2011, 2012, 2013};
    const std::vector<double> infected = {10, 14, 15, 21};  // of 100: at risk 90, 86, 85
    const FitReport r = fit_annual_hazard(year, infected, 100);
    const double h = 11.0 / 261;
    EXPECT_NEAR(estimate(r, "annual_hazard"), h, 1e-7);
    EXPECT_NEAR(standard_error(r, "annual_hazard"), std::sqrt(h * (1 - h) / 261), 1e-3 * std::sqrt(h * (1 - h) / 261));
}

// Fujian pine wilt disease epidemic county-level units (data/historical/
// pine_wilt_fujian_units_literature.csv): 21 in the 2014 list (SFA notice 2014 no. 2), 24 in the
// 2015 list, 41 in 2020-21 (中国绿色时报, 2021-09), of Fujian's 84 county-level units.
TEST(CalibratePest, FujianPineWiltHazardSolvesTheScoreEquation) {
    const std::vector<int> year = {2014, 2015, 2021};
    const std::vector<double> infected = {21, 24, 41};
    const FitReport r = fit_annual_hazard(year, infected, 84);
    const double h = estimate(r, "annual_hazard");
    // Independent: bisection on the score of sum_k x_k ln q_k + (N_k - x_k) ln(1 - q_k),
    // q_k = 1 - (1 - h)^g_k, with (N, x, g) = (63, 3, 1) and (60, 17, 6).
    auto score = [](double v) {
        double s = 0;
        for (auto [n, x, g] : {std::tuple{63.0, 3.0, 1.0}, std::tuple{60.0, 17.0, 6.0}}) {
            const double q = 1 - std::pow(1 - v, g), dq = g * std::pow(1 - v, g - 1);
            s += x * dq / q - (n - x) * dq / (1 - q);
        }
        return s;
    };
    double lo = 1e-6, hi = 0.5;
    for (int i = 0; i < 200; ++i) (score((lo + hi) / 2) > 0 ? lo : hi) = (lo + hi) / 2;
    EXPECT_NEAR(h, lo, 1e-6);
    EXPECT_GT(h, 0.03);
    EXPECT_LT(h, 0.08);
    std::printf("  Fujian PWD annual county hazard %.4f (se %.4f)\n", h, standard_error(r, "annual_hazard"));
}

TEST(CalibratePest, BetaBinomialRecoversSimulatedParameters) {
    const double mu = 0.1, rho = 0.05;
    const double a = mu * (1 - rho) / rho, b = (1 - mu) * (1 - rho) / rho;
    std::mt19937_64 rng(77);
    std::gamma_distribution<double> ga(a, 1), gb(b, 1);
    std::vector<double> x, n;
    for (int t = 0; t < 300; ++t) {
        const double u = ga(rng), v = gb(rng);
        std::binomial_distribution<int> bin(50, u / (u + v));
        x.push_back(bin(rng));
        n.push_back(50);
    }
    const FitReport r = fit_beta_binomial(x, n);
    EXPECT_NEAR(estimate(r, "probability"), mu, 4 * standard_error(r, "probability"));
    EXPECT_NEAR(estimate(r, "intra_class_correlation"), rho, 4 * standard_error(r, "intra_class_correlation"));
    // Over-dispersion is real here: the beta-binomial beats the binomial by AIC.
    EXPECT_LT(r.aic, fit_binomial(x, n).aic - 10);
}

TEST(CalibratePest, AreaAtInterpolatesInventories) {
    // data/historical/forest_area.csv, CN: NFI6 2003 174909200, NFI7 2008 195452200,
    // NFI8 2013 207687300, NFI9 2018 220446200 ha.
    const std::vector<int> y = {2008, 2003, 2013, 2018};
    const std::vector<double> a = {195452200, 174909200, 207687300, 220446200};
    EXPECT_EQ(area_at(y, a, 2008), 195452200);
    EXPECT_NEAR(area_at(y, a, 2010), 195452200 + 0.4 * (207687300 - 195452200), 1e-6);
    EXPECT_EQ(area_at(y, a, 2000), 174909200);
    EXPECT_EQ(area_at(y, a, 2025), 220446200);
}

// NBS national pest occurrence (all pests) 2004-2014, 10k ha (forest_pest_national_2004_2014.csv).
constexpr double national_pest_10kha[] = {944.83724,   961.028133333, 1100.6671,   1209.68318533,
                                          1141.83773333, 1141.971372, 1164.243,    1168.1424,
                                          1176.8988,   1223.0451927,  1206.44674232};

TEST(CalibratePest, NationalAffectedShare) {
    const std::vector<int> inv = {2003, 2008, 2013, 2018};
    const std::vector<double> forest = {174909200, 195452200, 207687300, 220446200};
    std::vector<int> year(11);
    std::iota(year.begin(), year.end(), 2004);
    std::vector<double> occ, host;
    for (std::size_t i = 0; i < year.size(); ++i) {
        occ.push_back(national_pest_10kha[i] * 1e4);
        host.push_back(area_at(inv, forest, year[i]));
    }
    const AffectedShare s = fit_affected_share(year, occ, host);
    double mean = 0;
    for (std::size_t i = 0; i < year.size(); ++i) mean += occ[i] / host[i];
    mean /= 11;
    EXPECT_NEAR(s.mean_share, mean, 1e-15);
    EXPECT_GT(s.mean_share, 0.05);
    EXPECT_LT(s.mean_share, 0.065);
    EXPECT_NEAR(estimate(s.report, "mean_share"), mean, 1e-15);
    std::printf("  national pest share %.4f (se %.4f), log trend %.4f/yr (se %.4f)\n", s.mean_share,
                s.standard_error, s.log_trend_per_year, s.log_trend_standard_error);
}

// tests/reference/pest_elasticity.R: national fires 2004-2021, glm.nb trend (theta 13.26241986),
// residuals 2004-2014 against detrended log pest area: elasticity 0.0429809597, SE 0.07612169565.
TEST(CalibratePest, ElasticityMatchesRAndFallsBackToDefault) {
    std::vector<int> fire_years(18);
    std::iota(fire_years.begin(), fire_years.end(), 2004);
    const std::vector<double> fires = {13466, 11542, 8170, 9260, 14144, 8859, 7723, 5550, 3966,
                                       3929,  3703,  2936, 2034, 3223,  2478, 2345, 1153, 616};
    const CountFit f = fit_counts(fire_years, fires, CountFamily::negative_binomial, true);
    EXPECT_NEAR(f.size, 13.26241986, 1e-3);
    const std::vector<double> residual = log_residuals(f);
    const std::vector<int> year(fire_years.begin(), fire_years.begin() + 11);
    const std::vector<double> g(residual.begin(), residual.begin() + 11);
    const std::vector<double> pest(std::begin(national_pest_10kha), std::end(national_pest_10kha));
    const ElasticityEstimate e = estimate_pest_weather_elasticity(year, g, pest);
    EXPECT_NEAR(e.elasticity, 0.0429809597, 1e-5);
    EXPECT_NEAR(e.standard_error, 0.07612169565, 1e-5);
    EXPECT_FALSE(e.significant);
    EXPECT_EQ(pest_weather_elasticity(e), default_pest_weather_elasticity);
    EXPECT_EQ(pest_weather_elasticity(std::nullopt), default_pest_weather_elasticity);
    EXPECT_EQ(pest_weather_elasticity(ElasticityEstimate{0.7, 0.1, 12, true}), 0.7);
    EXPECT_EQ(pest_weather_elasticity(ElasticityEstimate{-0.7, 0.1, 12, true}), 0.0);
}

TEST(CalibratePest, OutbreakProbabilityFromShare) {
    // Beta(2, 8) has mean 0.2: a 0.2 % annual share needs a 1 % outbreak probability.
    EXPECT_NEAR(outbreak_probability_from_share(0.002, 2, 8), 0.01, 1e-15);
    EXPECT_EQ(outbreak_probability_from_share(0.5, 2, 8), 1.0);
    EXPECT_THROW(outbreak_probability_from_share(-0.1, 2, 8), InvalidInput);
}

}  // namespace
}  // namespace tanhui::risk
