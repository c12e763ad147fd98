// Pest and disease calibration (DESIGN "Perils: Pests and disease", issue 4 item 3): outbreak
// probabilities from (events, trials) series, an annual infection hazard from counts of infected
// administrative units (pine wilt epidemic counties), the annual affected share of the forest
// from occurrence areas, and the elasticity of pests to the weather year factor.
// docs/calibration.md says what each calibrates from data and what stays an assumption.
#pragma once

#include "risk/calibration/fit_report.hpp"

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

namespace tanhui::risk {

// Binomial: p = sum events / sum trials, SE sqrt(p (1 - p) / sum trials). Parameter
// "probability". GOF: Pearson chi-square of the periods (df = periods - 1).
FitReport fit_binomial(std::span<const double> events, std::span<const double> trials);

// Beta-binomial: per period p_t ~ Beta(a, b), events_t ~ Binomial(trials_t, p_t); parameters
// "probability" = a / (a + b) and "intra_class_correlation" rho = 1 / (a + b + 1)
// (Var = n p (1 - p) (1 + (n - 1) rho)). Simplex MLE; rho -> 0 is the binomial.
FitReport fit_beta_binomial(std::span<const double> events, std::span<const double> trials);

// Constant annual hazard h that an uninfected unit becomes infected, from the number of infected
// units at (increasing) years out of total_units: between consecutive observations g years apart
// the net increase is Binomial(total - infected_i, 1 - (1 - h)^g). Revocations are ignored (net
// increases understate gross infections, so h is a lower bound). Parameter "annual_hazard".
FitReport fit_annual_hazard(std::span<const int> year, std::span<const double> infected_units, double total_units);

// Annual share of a host area affected: share_t = occurrence_area_ha / host_area_ha.
// Report family "affected_share": parameters "mean_share" (SE = sample SD / sqrt(n), years
// treated as independent) and "sd_share", normal likelihood; GOF Anderson-Darling (normal,
// estimated). Also the log-linear trend of the share by least squares.
struct AffectedShare {
    FitReport report;
    std::vector<int> year;
    std::vector<double> share;
    double mean_share = 0;
    double standard_error = 0;
    double log_trend_per_year = 0;
    double log_trend_standard_error = 0;
};
AffectedShare fit_affected_share(std::span<const int> year, std::span<const double> occurrence_area_ha,
                                 std::span<const double> host_area_ha);

// Host (forest) area in a year from inventories (e.g. the NFI rounds in forest_area.csv): linear
// between inventory years, the nearest inventory outside them.
double area_at(std::span<const int> inventory_year, std::span<const double> area_ha, int year);

// Elasticity e of pests to the weather factor G (PestModel: p G^e): the slope of the
// detrended log pest share on ln G (log_residuals of a fire CountFit), over the same years.
struct ElasticityEstimate {
    double elasticity = 0;
    double standard_error = 0;
    std::size_t years = 0;
    bool significant = false;  // |e| > 1.96 SE with at least 8 years
};
ElasticityEstimate estimate_pest_weather_elasticity(std::span<const int> year,
                                                         std::span<const double> log_fire_year_factor,
                                                         std::span<const double> pest_share);

// Used when the estimate is absent or not significant. National data 2004-2014 give 0.043
// (SE 0.076): 0.2 is about the upper end of their 95 % interval, a prudent value that keeps the
// drought link DESIGN asks for without exceeding what the data allow.
inline constexpr double default_pest_weather_elasticity = 0.2;
// The estimate when significant (clamped to [0, 2]: the model only raises pests in bad fire
// years), else the default.
double pest_weather_elasticity(const std::optional<ElasticityEstimate>& estimate);

// Outbreak probability per holding-year that reproduces an annual affected share when an outbreak
// affects a Beta(a, b) fraction of the holding: p = share / (a / (a + b)), capped at 1.
double outbreak_probability_from_share(double affected_share, double affected_a, double affected_b);

}  // namespace tanhui::risk
