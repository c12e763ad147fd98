// Out-of-sample backtest of the fire model (issue 10 item 2, docs/validation.md "Fire"): fit
// each province's annual fire counts and per-fire damaged area on a fit window (2004-2018) with
// the production rules of api/service/calibration.cpp, predict each later year (2019-2021), and score
// the predictions by their probability integral transforms (PIT) and interval coverage.
// Pure computation on the provinces' FireYear rows.
#pragma once

#include "data/types.hpp"
#include "risk/calibration/fit_report.hpp"
#include "risk/backtest/statistics.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace tanhui::risk {

struct ProvinceFireHistory {
    std::string region;
    std::vector<FireYear> years;  // any order; rows outside the fit window and test years are ignored
};

struct FireBacktestOptions {
    int fit_from = 2004;
    int fit_to = 2018;
    std::vector<int> test_years{2019, 2020, 2021};
    // A province is included when every year of the fit window is present, at least this many
    // have fires, and at least one test year is present.
    std::size_t min_fit_years_with_fires = 10;
    std::uint64_t seed = 20190101;  // randomised PITs and the Monte Carlo null
    std::uint32_t null_replications = 2000;
    // Provinces whose residual correlation gives the weather correlation of the null, as the
    // production calibration (risk/calibration/fire_model.cpp calibrate_weather), on the fit window only.
    std::vector<std::string> weather_regions{"35", "33", "36", "44"};
    // Only these provinces (empty: every province in the input), e.g. those the production model
    // calibrates.
    std::vector<std::string> regions;
    unsigned threads = 0;  // provinces' fits and null replications (0: all cores); same bits for any count
};

// Each province-year's predictive distributions and where the observation fell.
struct FireForecast {
    std::string region;
    int year = 0;
    double observed_fires = 0;
    double expected_fires = 0;   // NB mean
    double size = 0;             // NB size k (inf: Poisson)
    double pit_count = 0;        // randomised PIT of the count
    double lower_50 = 0, upper_50 = 0, lower_90 = 0, upper_90 = 0;  // central predictive intervals (counts)
    bool has_area = false;       // fires > 0 and damaged area > 0 in the year, and an area fit
    double observed_damaged_ha = 0;
    double median_damaged_ha = 0;  // predictive median of the year's damaged area given its fire count
    double pit_area = 0;           // PIT of ln(damaged area / fires) under the calibrated area model
    double pit_area_independent = 0;  // the same with fires independent (no year effect), as simulated
    // Predictive normal of ln(damaged area / fires) given the count (Fenton-Wilkinson, as the
    // calibration's likelihood): with the year effect, and with independent fires.
    double area_log_mean = 0, area_log_sd = 0;
    double area_log_mean_independent = 0, area_log_sd_independent = 0;
};

// What a province's fit on the window gave (the production rule's choice among them).
struct ProvinceFireFit {
    std::string region;
    int first_year_used = 0, last_year_used = 0;  // of the rows that entered the fits
    std::size_t rows = 0;
    bool trend_selected = false;  // AIC, as production
    double trend_per_year = 0;    // of the trend fit
    double size_trend = 0, size_stationary = 0;
    double aic_trend = 0, aic_stationary = 0;
    bool has_area_fit = false;
    double area_mu = 0, area_trend_per_year = 0, area_sigma = 0, area_year_sd = 0;
};

// One projection rule over all province-years.
struct FireRuleResult {
    std::string rule;  // "production" (trend if AIC prefers it, held flat after the fit window);
                       // "production_parameter_uncertainty" (the same with the estimation error of
                       // the projected mean folded into the NB, as FireModelOptions can);
                       // "trend_extrapolated"; "stationary" (counts only: no area forecast)
    std::vector<FireForecast> forecasts;
    // Counts: uniformity of the PITs. The p-values of KS and of the coverage tests come from a
    // Monte Carlo null that simulates the forecasts' own model with the weather correlation
    // between provinces (PITs of one year are dependent); the iid p-values are reported beside.
    GofTest count_ks;              // statistic D; p_value: iid Kolmogorov
    double count_ks_null_p_value = 1;
    GofTest count_ad;              // iid, report only
    CoverageTest count_50, count_90;
    double count_50_null_p_value = 1, count_90_null_p_value = 1;
    double count_mean_log_score = 0;  // mean ln P(Y = y) (higher is better)
    // Burned area (per fire, given the year's count): iid KS (the model has no cross-province
    // dependence of area), coverage with binomial p-values.
    std::size_t area_n = 0;
    GofTest area_ks, area_ad;
    CoverageTest area_50, area_90;
    GofTest area_independent_ks;  // fires drawn independently, as the simulation does
};

struct FireBacktest {
    FireBacktestOptions options;
    double cross_region_correlation = 0;  // used by the null, estimated on the fit window
    std::vector<ProvinceFireFit> provinces;
    std::vector<std::string> excluded;    // "region: reason"
    // production, production_parameter_uncertainty, trend_extrapolated, stationary (counts only)
    std::vector<FireRuleResult> rules;
};

FireBacktest backtest_fire(std::span<const ProvinceFireHistory> provinces, const FireBacktestOptions& options = {});

// Scores forecasts whose predictive parameters are set (region, year, observed_fires,
// expected_fires, size; has_area with observed_damaged_ha and the area_log_* fields): fills the
// PITs, intervals and the rule's tests. `rule_index` separates the random numbers of rules.
// The backtest calls it; tests call it on simulated histories with known or wrong models.
FireRuleResult score_fire_forecasts(std::string rule, std::vector<FireForecast> forecasts, double cross_region_correlation,
                                    const FireBacktestOptions& options, std::uint32_t rule_index = 0);

// Quantile of a negative binomial (size = inf: Poisson): the smallest y with F(y) >= q.
double count_quantile(double q, double mean, double size);

}  // namespace tanhui::risk
