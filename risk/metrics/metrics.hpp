// Risk metrics of a year loss table (DESIGN "Risk metrics" and the metrics contract): AAL,
// standard deviation, VaR and TVaR at levels, AEP and OEP at return periods, each with its Monte
// Carlo standard error; Euler TVaR allocation; Oasis ORD EPT / ALT / ALCT rows as plain structs.
// Input: N annual losses (a year missing from a table counts as 0: pass it as 0) and optionally
// each year's largest single-event loss. Units are the caller's (tCO2e or CNY).
//
// Definitions (docs/risk-model.md has the reasoning; the rank rules are risk/metrics/order_statistics.hpp's,
// with CountRounding::nearest_1e9):
//   VaR_a   the ceil(N a)-th smallest annual loss, N a rounded to 1e-9 first.
//   TVaR_a  the mean of the m = N (1 - a) largest (m rounded to 1e-9): the floor(m) largest in
//           full and the next one with weight m - floor(m) (Acerbi & Tasche 2002).
//   AEP(T)  the (N / T)-th largest annual loss; OEP(T) the same of the yearly largest events.
//           N / T not whole: linear interpolation between the neighbouring ranks. N / T < 1
//           (T beyond the simulation): the largest loss, flagged beyond_simulation.
//   AEP/OEP TVaR(T)  the TVaR formula with m = N / T (ORD EPType 4 and 2).
// Standard errors:
//   AAL  s / sqrt(N).  std  delta method, sqrt((m4 - s^4) / N) / (2 s).
//   VaR and AEP/OEP  order statistics: the rank of the p-quantile is binomial with standard
//        deviation d = sqrt(N p (1 - p)), so SE = (x_(r + c) - x_(r - c)) / 2 with c = ceil(d)
//        (ranks clamped to 1..N).
//   TVaR  Manistre & Hancock (2005), "Variance of the CTE estimator", NAAJ 9(2):
//        SE^2 = (s_tail^2 + a (TVaR - VaR)^2) / (N (1 - a)), s_tail^2 the weighted variance of
//        the tail losses about TVaR.
#pragma once

#include "risk/metrics/estimate.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace tanhui::risk {

inline constexpr std::array<double, 5> default_levels{0.9, 0.95, 0.99, 0.995, 0.999};
inline constexpr std::array<double, 11> default_return_periods{2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000};

// Single statistics (each copies and sorts what it needs; compute_metrics sorts once).
double average_annual_loss(std::span<const double> losses);
double sample_std(std::span<const double> losses);  // N - 1 in the denominator
// The average annual loss and its Monte Carlo standard error sample_std / sqrt(N), in one pass
// of checks (the same bits as the two functions above).
Estimate average_annual_loss_with_error(std::span<const double> losses);
double value_at_risk(std::span<const double> losses, double level);
double tail_value_at_risk(std::span<const double> losses, double level);
double return_period_loss(std::span<const double> losses, double return_period_years);

struct LevelMetrics {
    double level = 0;
    Estimate var;
    Estimate tvar;
};
struct ReturnPeriodMetrics {
    double return_period = 0;
    Estimate aep;
    Estimate aep_tvar;
    Estimate oep;       // zeros when no event losses were given
    Estimate oep_tvar;
    bool beyond_simulation = false;  // N / T < 1: the largest simulated loss is shown
};
struct Metrics {
    std::size_t years = 0;
    Estimate aal;
    Estimate std;
    std::vector<LevelMetrics> levels;
    std::vector<ReturnPeriodMetrics> return_periods;
    bool has_oep = false;
};
struct MetricOptions {
    std::vector<double> levels{default_levels.begin(), default_levels.end()};  // each in [0, 1)
    std::vector<double> return_periods{default_return_periods.begin(), default_return_periods.end()};  // each >= 1
};
// max_event_losses: empty, or one per year (the OEP input). Throws InvalidInput on an empty
// table, a NaN, a level outside [0, 1) or a return period below 1.
Metrics compute_metrics(std::span<const double> annual_losses, std::span<const double> max_event_losses = {},
                        const MetricOptions& options = {});

// The years that define TVaR_level: the floor(m) largest with weight 1 and the next with weight
// m - floor(m) (if positive), m = N (1 - level) rounded to 1e-9. Ties are broken by the lower
// year index first, so the set is deterministic.
struct TailYears {
    std::vector<std::size_t> index;  // into the loss vector, largest loss first
    std::vector<double> weight;
    double tail_mass = 0;            // m
    double tvar = 0;                 // sum weight x loss / m
};
TailYears tail_years(std::span<const double> annual_losses, double level);

// Euler allocation of TVaR: contribution_i = sum_t weight_t x loss_(i, t) / m over the tail
// years. holding_losses is row-major: row t = the holdings' losses in tail year t (tail.index
// order), `holdings` values per row. The contributions sum to tail.tvar when each row sums to
// that year's annual loss (up to rounding).
std::vector<double> euler_contributions(const TailYears& tail, std::span<const double> holding_losses,
                                        std::size_t holdings);

// Oasis ORD v1 rows (ktools conventions). EPCalc 2 (full uncertainty); EPType 1 OEP, 2 OEP
// TVaR, 3 AEP, 4 AEP TVaR; by EPType, then return period from the largest down.
struct EptRow {
    int summary_id = 1;
    int ep_calc = 2;
    int ep_type = 3;
    double return_period = 0;
    double loss = 0;
};
std::vector<EptRow> ept_rows(const Metrics& metrics, int summary_id = 1);

// ALT: SampleType 2 (simulated), MeanLoss = AAL, SDLoss = sample std.
struct AltRow {
    int summary_id = 1;
    int sample_type = 2;
    double mean_loss = 0;
    double sd_loss = 0;
};
AltRow alt_row(const Metrics& metrics, int summary_id = 1);

// ALCT: the AAL with its 95 % normal confidence interval. Tanhui samples hazard and
// vulnerability jointly, so the Haz / Vuln variance split columns are 0.
struct AlctRow {
    int summary_id = 1;
    double mean_loss = 0;
    double sd_loss = 0;
    std::size_t sample_size = 0;
    double lower_ci = 0;
    double upper_ci = 0;
    double standard_error = 0;
    double relative_error = 0;
    double var_element_haz = 0;
    double standard_error_haz = 0;
    double relative_error_haz = 0;
    double var_element_vuln = 0;
    double standard_error_vuln = 0;
    double relative_error_vuln = 0;
};
AlctRow alct_row(const Metrics& metrics, int summary_id = 1);

}  // namespace tanhui::risk
