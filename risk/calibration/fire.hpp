// Fire calibration from provincial annual history (DESIGN "Perils: Fire", "Calibration"):
// annual fire counts (Poisson, negative binomial, either with a log-linear year trend), the
// per-fire burned (forest-damaged) area, the cross-region correlation of the weather year factor
// (estimated from fire counts), and the FireModel a quote uses. docs/calibration.md gives the likelihoods and what is
// assumed. Pure computation on plain columns.
#pragma once

#include "risk/calibration/fit_report.hpp"
#include "risk/model/model.hpp"
#include "risk/perils/fire.hpp"

#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace tanhui::risk {

// ---------------------------------------------------------------------------------------------
// Annual counts

enum class CountFamily : std::uint8_t { poisson, negative_binomial };

// log m_t = log_mean + trend_per_year (t - reference_year); Y_t ~ Poisson(m_t) or NB(m_t, size)
// with Var Y_t = m_t + m_t^2 / size. Report parameters: "log_mean", ["trend_per_year"], ["size"].
struct CountFit {
    FitReport report;  // family "poisson", "poisson_trend", "negative_binomial", "negative_binomial_trend"
    CountFamily family = CountFamily::negative_binomial;
    bool trend = false;
    int reference_year = 0;
    double log_mean = 0;
    double trend_per_year = 0;
    double size = std::numeric_limits<double>::infinity();  // inf for Poisson
    double var_log_mean = 0;            // covariance of (log_mean, trend_per_year)
    double var_trend = 0;
    double cov_log_mean_trend = 0;
    int first_year = 0;
    int last_year = 0;
    // Check that the fit reproduces the history: per year the observed count, fitted mean and the
    // central 95% predictive interval of Y_t under the fitted distribution.
    std::vector<int> year;
    std::vector<double> observed;
    std::vector<double> expected;
    std::vector<double> lower_95;
    std::vector<double> upper_95;
    std::size_t outside_95 = 0;  // years outside their interval (about 5 % expected)
};

// Fits one region's annual counts. Poisson without trend is closed form (mean of counts);
// the others are QuantLib Simplex MLE. reference_year defaults to the last year, so that
// exp(log_mean) is the fitted count of the latest year. Goodness of fit: Pearson chi-square of
// the annual counts against fitted means and model variances, df = n - p (primary); for
// stationary fits also a binned chi-square on equiprobable count classes.
CountFit fit_counts(std::span<const int> year, std::span<const double> count, CountFamily family, bool trend,
                    std::optional<int> reference_year = {});

// Expected count of a year under the fit (plug-in MLE, no projection options).
double expected_count(const CountFit& fit, int year);

// ln(y_t / m_t) per fitted year (y_t = 0 taken as 0.5): the estimated log weather factor.
std::vector<double> log_residuals(const CountFit& fit);

// Trend against no trend (same family): likelihood ratio (1 df) and AIC; the trend is selected
// when its AIC is lower.
struct TrendComparison {
    GofTest likelihood_ratio;
    double aic_stationary = 0;
    double aic_trend = 0;
    bool trend_selected = false;
};
TrendComparison compare_trend(const CountFit& stationary, const CountFit& with_trend);

struct ProjectionOptions {
    // Hold the trend flat after this year (e.g. the last observed year) instead of extrapolating
    // a log-linear decline beyond the data. Empty: extrapolate.
    std::optional<int> freeze_trend_after_year;
};

struct CountProjection {
    int year = 0;             // policy year asked for
    int effective_year = 0;   // year whose trend level is used (after freezing)
    double expected_count = 0;  // plug-in exp(log_mean + b (effective_year - reference_year))
    double log_standard_error = 0;  // SE of the log expected count (delta method)
    double lower_95 = 0;      // 95 % confidence interval of the expected count
    double upper_95 = 0;
    double mean_with_parameter_uncertainty = 0;  // exp(eta + se^2 / 2)
    double predictive_sd = 0;  // SD of next year's count: NB (or Poisson) noise + parameter uncertainty
};
CountProjection project_count(const CountFit& fit, int year, const ProjectionOptions& options = {});

// ---------------------------------------------------------------------------------------------
// Burned area per fire

// Fires by forest-damaged area class of the 2008 Forest Fire Prevention Regulations (森林防火条例,
// art. 40; the same bands as the pre-2009 火警/一般/重大/特大 classes): below 1 ha, 1-100 ha,
// 100-1000 ha, above 1000 ha. A NaN entry marks a year without class counts.
inline constexpr std::array<double, 3> size_class_bounds_ha{1, 100, 1000};
using SizeClassCounts = std::array<double, 4>;

// Damaged-area classes from the NBS severity columns of a year (data/historical/fire_history.csv):
// up to 2008 (1988 regulations) fires_general counts 一般 fires (1-100 ha), there is no 较大 class
// and 火警 (< 1 ha) is not published, so it is fires - general - major - extreme; from 2009
// fires_general is 一般 (< 1 ha) and fires_larger 较大 (1-100 ha). Pass NaN for a missing larger.
// Returns a row of NaN (year unusable) if the columns are missing or do not add up.
SizeClassCounts size_classes_from_nbs(int year, double fires, double general, double larger, double major,
                                      double extreme);

struct AreaPerFireData {
    std::vector<int> year;
    std::vector<double> fires;
    std::vector<double> damaged_area_ha;           // total forest-damaged area of the year
    std::vector<SizeClassCounts> size_class_fires;  // empty, or one row per year
};

// Per-fire forest-damaged area: ln A = mu_t + eta_t + sigma e, with mu_t = mu + trend_per_year
// (t - reference_year), a year effect eta_t ~ N(0, year_sd^2) shared by the fires of a year
// (weather) and e ~ N(0, 1) independent between fires. Likelihood per year, given eta_t
// (docs/calibration.md):
//  - the year's mean area per fire, a mean of n_t lognormals, is taken as lognormal by
//    Fenton-Wilkinson moment matching: ln(A_t / n_t) ~ N(mu_t + eta_t + sigma^2/2 - s_t^2/2, s_t^2),
//    s_t^2 = ln(1 + (exp(sigma^2) - 1) / n_t);
//  - where size classes are known, the multinomial likelihood of the class counts (interval-
//    censored per-fire areas);
// and eta_t is integrated out (Gauss-Hermite, 32 nodes, centred on its conditional given the
// mean). Mean and classes of one year are treated as independent given eta_t: a composite
// likelihood, so standard errors are somewhat optimistic. Parameters: "mu", ["trend_per_year"],
// "sigma", ["year_sd"].
struct BurnedAreaOptions {
    bool trend = true;
    bool year_effect = true;
    std::optional<int> reference_year;  // default: last year
};

// Production's area model (issue 19 item 2, finding F1): the window mean with a year effect, no
// trend. The 2004-2018 area trends (Shanxi -7.7 %, Hubei -7.9 %, Liaoning +16 % a year) did not
// hold in 2019-2021; held at their 2018 level they put 75 % of province-years inside the 90 %
// interval. risk/calibration/fire_model.cpp and risk/backtest/fire.cpp both use this.
inline constexpr BurnedAreaOptions production_area_options{.trend = false, .year_effect = true, .reference_year = std::nullopt};

struct BurnedAreaFit {
    FitReport report;
    bool trend = false;
    bool used_size_classes = false;
    int reference_year = 0;
    double mu = 0;
    double trend_per_year = 0;
    double sigma = 1;     // within-year per-fire spread (log scale)
    double year_sd = 0;   // between-year spread of the log-scale location
};
BurnedAreaFit fit_burned_area(const AreaPerFireData& data, const BurnedAreaOptions& options = {});

// The per-fire lognormal of a policy year for independent fires: mu projected to the year, sigma =
// sqrt(sigma^2 + year_sd^2), the spread of a fire's area in a year not yet known. No GPD tail:
// provincial annual data cannot support one.
BurnedAreaModel burned_area_model(const BurnedAreaFit& fit, int year, const ProjectionOptions& options = {});

// Splices a generalised Pareto tail (xi, beta in ha) onto a lognormal body above threshold_ha;
// the tail carries the lognormal's probability above the threshold. For a GPD fitted to a
// per-fire dataset (fit_gpd in calibrate_severity.hpp) or taken from the literature.
BurnedAreaModel with_gpd_tail(BurnedAreaModel body, double threshold_ha, double xi, double beta);

// ---------------------------------------------------------------------------------------------
// Fire model for quotes

struct FireModelOptions {
    int policy_year = 0;
    double forest_area_ha = 0;  // forest area of the region the counts refer to
    ProjectionOptions projection;
    // Fold the uncertainty of the projected mean into the year factor: the rate becomes
    // exp(eta + se^2/2) and the shape 1 / (exp(se^2) (1 + 1/k) - 1), so that the simulated
    // counts have the predictive mean and variance.
    bool include_parameter_uncertainty = false;
};

// rate_per_ha_year = projected regional count / forest_area_ha; year_factor_shape = NB size
// (Poisson: infinity); burned_area from the area fit if given. Other fields keep their defaults.
FireModel fire_model_from(const CountFit& counts, const BurnedAreaFit* burned_area, const FireModelOptions& options);

// ---------------------------------------------------------------------------------------------
// Dependence of the weather year factor across regions, seen through fire counts

struct RegionCounts {
    std::string region;
    std::vector<int> year;
    std::vector<double> fires;
};

// Each region's counts get a negative binomial fit (with trend if `trend`); the residual
// r_t = ln(y_t / m_t) (y_t = 0 taken as 0.5) estimates the log year factor. Correlations are
// Pearson correlations of residuals over the common years.
struct WeatherDependence {
    std::vector<std::string> regions;
    std::vector<int> years;                        // common years used
    std::vector<std::vector<double>> residuals;    // per region, per common year
    std::vector<std::vector<double>> correlation;  // region x region
    std::vector<double> year_factor_shape;         // NB size per region (gamma shape of G)
    double mean_correlation = 0;                   // mean over distinct pairs
    double mean_correlation_standard_error = 0;    // Fisher-z SE of one pair, (1 - r^2) / sqrt(n - 3)
    double mean_correlation_with_first = 0;        // mean correlation of the first region with the others
};
WeatherDependence estimate_weather_dependence(std::span<const RegionCounts> regions, bool trend = true);

}  // namespace tanhui::risk
