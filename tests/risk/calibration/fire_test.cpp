// Fire calibration against independent values: closed forms, R's MASS (tests/reference/nb_fit.R,
// tests/reference/fire_weather.R), and parameters recovered from simulated data.
#include "risk/calibration/fire.hpp"

#include "risk/random/special.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numeric>
#include <random>

namespace tanhui::risk {
namespace {

// Fujian (福建) 2004-2021 from NBS 分省年度数据 "森林火灾", as tidied in
// /work/shared/data/raw/fire/minatome__minatome/forest_fire_by_province_2004_2021.csv, rows
// 福建 2004..2021: fires_total, forest_damaged_area_ha, and the size classes (see fujian_classes).
constexpr int fujian_first_year = 2004;
constexpr double fujian_fires[] = {1164, 309, 158, 237, 520, 579, 131, 407, 92,
                                   132,  130, 114, 29,  52,  89,  26,  55,  44};
constexpr double fujian_damaged_ha[] = {13589.8, 3428.86, 1316.36, 2119.08, 7967.49, 11010.58,
                                        1448.54, 6503.37, 700.1,   1375.57, 1145.13, 1415.57,
                                        221.12,  318.55,  577.53,  217.44,  356.26,  306.61};
// Fires by damaged-area class (<1, 1-100, 100-1000, >1000 ha). 2004-2008 (1988 regulations):
// 火警 = fires_total - fires_general - fires_major - fires_extreme, 一般 = fires_general, 重大, 特大;
// 2009-2021 (2008 regulations): 一般 = fires_general, 较大 = fires_larger, 重大, 特别重大.
constexpr SizeClassCounts fujian_classes[] = {
    {154, 1004, 6, 0}, {41, 266, 2, 0}, {24, 134, 0, 0}, {35, 202, 0, 0}, {43, 470, 7, 0}, {38, 528, 13, 0},
    {7, 124, 0, 0},    {18, 387, 2, 0}, {6, 86, 0, 0},   {13, 119, 0, 0}, {10, 120, 0, 0}, {5, 108, 1, 0},
    {8, 21, 0, 0},     {10, 42, 0, 0},  {14, 75, 0, 0},  {6, 20, 0, 0},   {29, 26, 0, 0},  {15, 29, 0, 0}};

std::vector<int> years(int first, std::size_t n) {
    std::vector<int> y(n);
    std::iota(y.begin(), y.end(), first);
    return y;
}

std::vector<double> fujian_counts() { return {std::begin(fujian_fires), std::end(fujian_fires)}; }

TEST(CalibrateFireCounts, PoissonIsClosedFormMean) {
    const std::vector<double> y = {3, 7, 1, 12, 5, 0, 9, 4, 15, 6, 2, 8};
    const auto yr = years(2000, y.size());
    const CountFit f = fit_counts(yr, y, CountFamily::poisson, false);
    const double mean = 6.0;
    EXPECT_NEAR(f.log_mean, std::log(mean), 1e-14);
    EXPECT_NEAR(f.report.standard_errors[0], 1 / std::sqrt(12 * mean), 1e-14);
    double ll = 0, x2 = 0;
    for (double v : y) {
        ll += v * std::log(mean) - mean - std::lgamma(v + 1);
        x2 += (v - mean) * (v - mean) / mean;
    }
    EXPECT_NEAR(f.report.log_likelihood, ll, 1e-10);
    EXPECT_NEAR(f.report.aic, 2 - 2 * ll, 1e-10);
    EXPECT_NEAR(f.report.bic, std::log(12.0) - 2 * ll, 1e-10);
    // Dispersion test: sum (y - ybar)^2 / ybar ~ chi2(n - 1).
    EXPECT_EQ(f.report.goodness_of_fit[0].name, "chi_square_pearson");
    EXPECT_NEAR(f.report.goodness_of_fit[0].statistic, x2, 1e-10);
    EXPECT_EQ(*f.report.goodness_of_fit[0].degrees_of_freedom, 11.0);
    EXPECT_EQ(f.report.optimiser, "closed_form");
    EXPECT_EQ(f.report.rows, 12u);
    EXPECT_EQ(f.report.data_from, "2000");
    EXPECT_EQ(f.report.data_to, "2011");
}

// R MASS 7.3-58.2, tests/reference/nb_fit.R, sample 1:
// fitdistr: size 2.22003941 mu 6.000000097 se 1.349114185 1.360634863 loglik -33.52728466;
// glm.nb: AIC 71.05456933.
TEST(CalibrateFireCounts, NegativeBinomialMatchesMass) {
    const std::vector<double> y = {3, 7, 1, 12, 5, 0, 9, 4, 15, 6, 2, 8};
    const CountFit f = fit_counts(years(2000, y.size()), y, CountFamily::negative_binomial, false);
    EXPECT_NEAR(f.size, 2.22003941, 2e-5);
    EXPECT_NEAR(std::exp(f.log_mean), 6.0, 1e-5);
    EXPECT_NEAR(f.report.log_likelihood, -33.52728466, 1e-7);
    EXPECT_NEAR(f.report.aic, 71.05456933, 1e-6);
    EXPECT_NEAR(standard_error(f.report, "size"), 1.349114185, 1e-3);
    // SE of the mean = exp(log_mean) x SE(log_mean).
    EXPECT_NEAR(6.0 * standard_error(f.report, "log_mean"), 1.360634863, 1e-3);
}

// tests/reference/nb_fit.R, sample 2 (glm.nb, t = year - 2020):
// coef 2.656364032 -0.1398601678, se 0.2545437522 0.04590430146, theta 7.571414267,
// loglik -37.74640389, AIC 81.49280778. glm.nb's coefficient SEs hold theta fixed; ours come
// from the joint information, which is block-diagonal in expectation for NB2, so they agree
// to about 1 %.
TEST(CalibrateFireCounts, NegativeBinomialTrendMatchesGlmNb) {
    const std::vector<double> y = {40, 70, 25, 38, 15, 34, 12, 29, 9, 18};
    const CountFit f = fit_counts(years(2011, y.size()), y, CountFamily::negative_binomial, true, 2020);
    EXPECT_EQ(f.report.family, "negative_binomial_trend");
    EXPECT_NEAR(f.log_mean, 2.656364032, 1e-5);
    EXPECT_NEAR(f.trend_per_year, -0.1398601678, 1e-5);
    EXPECT_NEAR(f.size, 7.571414267, 1e-3);
    EXPECT_NEAR(f.report.log_likelihood, -37.74640389, 1e-7);
    EXPECT_NEAR(f.report.aic, 81.49280778, 1e-6);
    EXPECT_NEAR(standard_error(f.report, "log_mean"), 0.2545437522, 0.02 * 0.2545437522);
    EXPECT_NEAR(standard_error(f.report, "trend_per_year"), 0.04590430146, 0.02 * 0.04590430146);
}

// Fujian 2004-2021, against R (tests/reference/nb_fit.R, sample 3):
// trend: coef 3.577246594 -0.1765990266, se 0.2485429184 0.02471837767, theta 3.514234248,
// loglik -104.0262142, AIC 214.0524283, Pearson X2 16.77173111 (p 0.3326925033 on 15 df);
// 2027: log mean 2.517652434 se 0.3834276462; stationary: AIC 236.9017373, theta 1.062574425.
TEST(CalibrateFireCounts, FujianTrendBeatsStationaryAndReproducesCounts) {
    const auto y = fujian_counts();
    const auto yr = years(fujian_first_year, y.size());
    const CountFit trend = fit_counts(yr, y, CountFamily::negative_binomial, true);
    const CountFit flat = fit_counts(yr, y, CountFamily::negative_binomial, false);

    EXPECT_EQ(trend.reference_year, 2021);
    EXPECT_LT(trend.trend_per_year, 0);
    EXPECT_LT(trend.trend_per_year + 4 * standard_error(trend.report, "trend_per_year"), 0);
    EXPECT_NEAR(trend.log_mean, 3.577246594, 1e-5);
    EXPECT_NEAR(trend.trend_per_year, -0.1765990266, 1e-5);
    EXPECT_NEAR(trend.size, 3.514234248, 1e-4);
    EXPECT_NEAR(trend.report.aic, 214.0524283, 1e-6);
    EXPECT_NEAR(flat.report.aic, 236.9017373, 1e-6);
    EXPECT_NEAR(flat.size, 1.062574425, 1e-5);

    const TrendComparison c = compare_trend(flat, trend);
    EXPECT_TRUE(c.trend_selected);
    EXPECT_LT(c.aic_trend, c.aic_stationary - 10);
    EXPECT_LT(c.likelihood_ratio.p_value, 1e-5);

    // The fit reproduces the annual counts: Pearson chi-square on n - 3 = 15 df.
    const GofTest& g = trend.report.goodness_of_fit.at(0);
    EXPECT_EQ(g.name, "chi_square_pearson");
    EXPECT_NEAR(g.statistic, 16.77173111, 1e-4);
    EXPECT_EQ(*g.degrees_of_freedom, 15.0);
    EXPECT_NEAR(g.p_value, 0.3326925033, 1e-5);
    EXPECT_GT(g.p_value, 0.01);
    EXPECT_LE(trend.outside_95, 2u);

    const CountProjection p = project_count(trend, 2027);
    EXPECT_NEAR(std::log(p.expected_count), 2.517652434, 1e-5);
    EXPECT_NEAR(p.log_standard_error, 0.3834276462, 0.02 * 0.3834276462);
    EXPECT_LT(p.lower_95, p.expected_count);
    EXPECT_GT(p.upper_95, p.expected_count);
    // Held flat after the last observed year, the projection is the 2021 level.
    const CountProjection frozen = project_count(trend, 2027, {.freeze_trend_after_year = 2021});
    EXPECT_EQ(frozen.effective_year, 2021);
    EXPECT_NEAR(frozen.expected_count, std::exp(3.577246594), 1e-3);
    EXPECT_NEAR(frozen.log_standard_error, standard_error(trend.report, "log_mean"), 1e-12);
    // The stationary fit would overstate 2027's risk many times over.
    EXPECT_GT(project_count(flat, 2027).expected_count, 5 * frozen.expected_count);
}

TEST(CalibrateFireCounts, RecoversSimulatedNegativeBinomialTrend) {
    // Poisson-gamma mixture with known parameters; fixed seed.
    const double a = 4.0, b = -0.08, k = 5.0;
    std::mt19937_64 rng(20240601);
    std::vector<int> yr;
    std::vector<double> y;
    for (int t = 1981; t <= 2020; ++t) {
        std::gamma_distribution<double> g(k, 1 / k);
        const double m = std::exp(a + b * (t - 2020)) * g(rng);
        std::poisson_distribution<long> pois(m);
        yr.push_back(t);
        y.push_back(static_cast<double>(pois(rng)));
    }
    const CountFit f = fit_counts(yr, y, CountFamily::negative_binomial, true);
    EXPECT_NEAR(f.log_mean, a, 4 * standard_error(f.report, "log_mean"));
    EXPECT_NEAR(f.trend_per_year, b, 4 * standard_error(f.report, "trend_per_year"));
    EXPECT_NEAR(f.size, k, 4 * standard_error(f.report, "size"));
    EXPECT_TRUE(f.report.converged);
}

TEST(CalibrateFireCounts, RejectsBadInput) {
    const std::vector<int> yr = {2000, 2001, 2002};
    EXPECT_THROW(fit_counts(yr, std::vector<double>{1, 2}, CountFamily::poisson, false), InvalidInput);
    EXPECT_THROW(fit_counts(yr, std::vector<double>{1, -2, 3}, CountFamily::poisson, false), InvalidInput);
    EXPECT_THROW(fit_counts(yr, std::vector<double>{1, 2.5, 3}, CountFamily::poisson, false), InvalidInput);
    EXPECT_THROW(fit_counts(yr, std::vector<double>{0, 0, 0}, CountFamily::negative_binomial, false), InvalidInput);
}

TEST(CalibrateFireModel, RateIsProjectedCountPerHectare) {
    const auto y = fujian_counts();
    const CountFit trend = fit_counts(years(fujian_first_year, y.size()), y, CountFamily::negative_binomial, true);
    const double forest_ha = 8.1e6;
    const FireModel m = fire_model_from(trend, nullptr, {.policy_year = 2027, .forest_area_ha = forest_ha, .projection = {}});
    EXPECT_NEAR(m.rate_per_ha_year * forest_ha, project_count(trend, 2027).expected_count, 1e-9);
    EXPECT_EQ(m.year_factor_shape, trend.size);
    // With parameter uncertainty the year factor is wider and the mean higher.
    const FireModel u = fire_model_from(
        trend, nullptr, {.policy_year = 2027, .forest_area_ha = forest_ha, .projection = {}, .include_parameter_uncertainty = true});
    EXPECT_GT(u.rate_per_ha_year, m.rate_per_ha_year);
    EXPECT_LT(u.year_factor_shape, m.year_factor_shape);
    EXPECT_THROW(fire_model_from(trend, nullptr, {.policy_year = 2027, .forest_area_ha = 0, .projection = {}}), InvalidInput);
}

// ---------------------------------------------------------------------------------------------

AreaPerFireData simulate_areas(double mu, double b, double sigma, double year_sd, bool with_classes,
                               std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> z(0, 1);
    AreaPerFireData d;
    for (int t = 1990; t <= 2021; ++t) {
        const int n = 30 + (t * 37) % 200;  // 30..229 fires a year, deterministic
        double total = 0;
        SizeClassCounts c{0, 0, 0, 0};
        const double eta = year_sd * z(rng);
        for (int i = 0; i < n; ++i) {
            const double a = std::exp(mu + b * (t - 2021) + eta + sigma * z(rng));
            total += a;
            c[a < 1 ? 0 : a < 100 ? 1 : a < 1000 ? 2 : 3] += 1;
        }
        d.year.push_back(t);
        d.fires.push_back(n);
        d.damaged_area_ha.push_back(total);
        if (with_classes) d.size_class_fires.push_back(c);
    }
    return d;
}

TEST(CalibrateBurnedArea, RecoversSimulatedLognormalWithClasses) {
    const double mu = 1.2, b = -0.03, sigma = 1.3, year_sd = 0.3;
    const BurnedAreaFit f = fit_burned_area(simulate_areas(mu, b, sigma, year_sd, true, 7));
    EXPECT_TRUE(f.used_size_classes);
    EXPECT_NEAR(f.mu, mu, 4 * standard_error(f.report, "mu"));
    EXPECT_NEAR(f.trend_per_year, b, 4 * standard_error(f.report, "trend_per_year"));
    EXPECT_NEAR(f.sigma, sigma, 4 * standard_error(f.report, "sigma"));
    EXPECT_NEAR(f.year_sd, year_sd, 4 * standard_error(f.report, "year_sd"));
}

TEST(CalibrateBurnedArea, RecoversSimulatedLognormalFromAnnualMeansAlone) {
    // Fenton-Wilkinson is an approximation for the mean of lognormals; with 30-230 fires a year
    // and sigma 1 it is close enough to recover the parameters within 4 standard errors.
    const double mu = 1.5, sigma = 1.0;
    const BurnedAreaFit f =
        fit_burned_area(simulate_areas(mu, 0.0, sigma, 0.0, false, 11), {.trend = false, .year_effect = false, .reference_year = {}});
    EXPECT_FALSE(f.used_size_classes);
    EXPECT_NEAR(f.mu, mu, 4 * standard_error(f.report, "mu"));
    EXPECT_NEAR(f.sigma, sigma, 4 * standard_error(f.report, "sigma"));
}

TEST(CalibrateBurnedArea, FujianPerFireLognormal) {
    AreaPerFireData d;
    d.year = years(fujian_first_year, std::size(fujian_fires));
    d.fires.assign(std::begin(fujian_fires), std::end(fujian_fires));
    d.damaged_area_ha.assign(std::begin(fujian_damaged_ha), std::end(fujian_damaged_ha));
    d.size_class_fires.assign(std::begin(fujian_classes), std::end(fujian_classes));
    const BurnedAreaFit f = fit_burned_area(d);
    const BurnedAreaFit no_year_effect = fit_burned_area(d, {.trend = true, .year_effect = false, .reference_year = {}});
    for (std::size_t i = 0; i < f.report.estimates.size(); ++i)
        std::printf("  %s = %.5f (se %.5f)\n", f.report.parameter_names[i].c_str(), f.report.estimates[i],
                    f.report.standard_errors[i]);
    for (const auto& g : f.report.goodness_of_fit)
        std::printf("  %s = %.4f p = %.4f\n", g.name.c_str(), g.statistic, g.p_value);
    EXPECT_TRUE(f.used_size_classes);
    EXPECT_LT(f.trend_per_year, 0);
    EXPECT_GT(f.sigma, 0.8);
    EXPECT_LT(f.sigma, 2.0);
    EXPECT_GT(f.year_sd, 2 * standard_error(f.report, "year_sd"));
    // Years differ in mean fire size beyond what the number of fires explains.
    EXPECT_LT(f.report.aic, no_year_effect.report.aic - 10);
    EXPECT_GT(f.report.goodness_of_fit.at(0).p_value, 0.05);  // KS of the annual means
    // The model's mean area per fire in 2021 lies near the observed 306.61 / 44 = 6.97 ha.
    const BurnedAreaModel m = burned_area_model(f, 2021);
    EXPECT_NEAR(std::exp(m.mu + m.sigma * m.sigma / 2), 306.61 / 44, 0.3 * 306.61 / 44);
    EXPECT_NEAR(m.sigma, std::hypot(f.sigma, f.year_sd), 1e-15);
    EXPECT_EQ(m.threshold_ha, 0);
    EXPECT_EQ(f.report.data_from, "2004");
    EXPECT_EQ(f.report.data_to, "2021");
}

TEST(CalibrateBurnedArea, SizeClassesFromNbsColumns) {
    // fire_history.csv rows 35,2004 (1164 fires; general 1004, major 6) and 35,2009
    // (579; general 38, larger 528, major 13).
    const double nan = std::numeric_limits<double>::quiet_NaN();
    EXPECT_EQ(size_classes_from_nbs(2004, 1164, 1004, nan, 6, 0), (SizeClassCounts{154, 1004, 6, 0}));
    EXPECT_EQ(size_classes_from_nbs(2009, 579, 38, 528, 13, 0), (SizeClassCounts{38, 528, 13, 0}));
    EXPECT_TRUE(std::isnan(size_classes_from_nbs(2009, 579, 38, nan, 13, 0)[0]));
    EXPECT_TRUE(std::isnan(size_classes_from_nbs(2010, 600, 38, 528, 13, 0)[0]));  // does not add up
    EXPECT_TRUE(std::isnan(size_classes_from_nbs(2005, 10, 12, nan, 0, 0)[0]));    // negative 火警
}

TEST(CalibrateBurnedArea, GpdTailCarriesLognormalExceedance) {
    BurnedAreaModel body;
    body.mu = 1.0;
    body.sigma = 1.2;
    const BurnedAreaModel m = with_gpd_tail(body, 100, 0.4, 60);
    EXPECT_NEAR(m.tail_probability, 1 - normal_cdf((std::log(100.0) - 1.0) / 1.2), 1e-15);
    EXPECT_EQ(m.gpd_xi, 0.4);
    EXPECT_THROW(with_gpd_tail(body, 0, 0.4, 60), InvalidInput);
}

// ---------------------------------------------------------------------------------------------

TEST(CalibrateFireWeather, RecoversSimulatedCrossRegionCorrelation) {
    // Year factors G = exp(s X - s^2/2) with X a one-factor Gaussian (correlation 0.6) and s^2 the
    // variance of ln G for a gamma(k, 1/k) factor: three regions, 200 years.
    const double rho = 0.6, k = 8;
    std::mt19937_64 rng(99);
    std::normal_distribution<double> z(0, 1);
    std::vector<RegionCounts> regions(3);
    regions[0].region = "r0";
    regions[1].region = "r1";
    regions[2].region = "r2";
    for (int t = 1821; t <= 2020; ++t) {
        const double common = z(rng);
        for (std::size_t r = 0; r < 3; ++r) {
            const double x = std::sqrt(rho) * common + std::sqrt(1 - rho) * z(rng);
            // Var ln G = trigamma(k) ~ 1/k + 1/(2k^2) for a gamma(k, 1/k) factor.
            const double s = std::sqrt(1 / k + 1 / (2 * k * k));
            const double factor = std::exp(s * x - s * s / 2);
            std::poisson_distribution<long> pois(200.0 * factor);
            regions[r].year.push_back(t);
            regions[r].fires.push_back(static_cast<double>(pois(rng)));
        }
    }
    const WeatherDependence d = estimate_weather_dependence(regions, false);
    EXPECT_EQ(d.years.size(), 200u);
    // Poisson noise (variance 1/200 against 0.13) attenuates the correlation by about 4 %.
    EXPECT_NEAR(d.mean_correlation, rho * 0.96, 4 * d.mean_correlation_standard_error);
}

// Against R (tests/reference/fire_weather.R): glm.nb per province with trend, residual
// correlations 33-35 0.425507947, 36-35 0.6621427942, 36-33 0.3445956488, 44-35 0.6005273379,
// 44-33 0.4851001088, 44-36 0.4741709957; mean 0.4986741387, mean with 35 0.5627260264;
// theta 3.514234248, 6.688497369, 3.3919983, 3.770680078.
TEST(CalibrateFireWeather, FujianAndNeighboursMatchR) {
    const auto yr = years(2004, 18);
    const std::vector<RegionCounts> regions = {
        {"35", yr, fujian_counts()},
        {"33", yr, {1125, 718, 330, 272, 425, 247, 97, 433, 139, 206, 155, 67, 83, 70, 45, 30, 21, 21}},
        {"36", yr, {1119, 355, 130, 326, 572, 394, 79, 151, 46, 82, 158, 40, 43, 67, 58, 60, 57, 50}},
        {"44", yr, {469, 212, 128, 124, 165, 188, 59, 239, 65, 158, 128, 273, 64, 302, 266, 126, 114, 99}}};
    const WeatherDependence d = estimate_weather_dependence(regions);
    EXPECT_NEAR(d.correlation[1][0], 0.425507947, 1e-5);
    EXPECT_NEAR(d.correlation[2][0], 0.6621427942, 1e-5);
    EXPECT_NEAR(d.correlation[2][1], 0.3445956488, 1e-5);
    EXPECT_NEAR(d.correlation[3][0], 0.6005273379, 1e-5);
    EXPECT_NEAR(d.correlation[3][1], 0.4851001088, 1e-5);
    EXPECT_NEAR(d.correlation[3][2], 0.4741709957, 1e-5);
    EXPECT_NEAR(d.mean_correlation, 0.4986741387, 1e-5);
    EXPECT_NEAR(d.mean_correlation_with_first, 0.5627260264, 1e-5);
    EXPECT_NEAR(d.year_factor_shape[1], 6.688497369, 1e-3);
    EXPECT_NEAR(d.year_factor_shape[2], 3.3919983, 1e-3);
    EXPECT_NEAR(d.year_factor_shape[3], 3.770680078, 1e-3);
    EXPECT_EQ(d.residuals[0].size(), 18u);
}

}  // namespace
}  // namespace tanhui::risk
