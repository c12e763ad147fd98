// Price calibration (DESIGN "Perils: Price", issue 4 item 4): the log carbon price as GBM,
// Ornstein-Uhlenbeck (Schwartz one-factor) or either with Merton jumps, by exact maximum
// likelihood on daily data with gaps. Only traded observations count; the time step is the
// calendar time between consecutive traded observations, Actual/365, so a day without trades is
// a longer step, never a zero return. docs/calibration.md has the likelihoods.
#pragma once

#include "data/types.hpp"
#include "risk/calibration/fit_report.hpp"
#include "risk/model/model.hpp"

#include <span>
#include <string>
#include <vector>

namespace tanhui::risk {

// Traded closes as (time in years from the first traded date, Actual/365; log close).
struct LogPriceSeries {
    std::vector<double> t_years;
    std::vector<double> log_price;
    std::string first_date;  // first and last traded dates
    std::string last_date;
    double last_close = 0;
    std::size_t untraded_dropped = 0;
};

// Keeps traded points (dates must increase strictly; close > 0). Throws InvalidInput naming the
// row otherwise, or if fewer than 3 traded points remain.
LogPriceSeries traded_log_prices(std::span<const PricePoint> points);

// Days between two ISO dates (YYYY-MM-DD), proleptic Gregorian.
long days_between(const std::string& from, const std::string& to);

struct PriceFit {
    FitReport report;
    PriceModel model;  // market, process, spot (last traded close), spot_date and fitted fields
};

// GBM: ln S(t+h) - ln S(t) ~ N((drift - vol^2/2) h, vol^2 h). Closed-form MLE for any gaps:
// m = sum dx / sum h, vol^2 = (1/n) sum (dx - m h)^2 / h, drift = m + vol^2/2.
// Parameters "drift", "volatility" (per year).
PriceFit fit_gbm(const LogPriceSeries& series, const std::string& market);

// OU on the log price: x(t+h) | x(t) ~ N(theta + (x - theta) e^(-k h), vol^2 (1 - e^(-2 k h)) / (2 k)),
// exact for any h, conditional on the first observation; QuantLib Simplex MLE. With equal
// steps it coincides with the AR(1) least-squares regression (k = -ln b / h).
// Parameters "mean_reversion", "long_run_log_price", "volatility".
PriceFit fit_ou(const LogPriceSeries& series, const std::string& market);

// GBM or OU plus Merton jumps: N ~ Poisson(jump_intensity h) log-jumps N(jump_mean, jump_std^2)
// per step, not compensated in the drift (as risk/simulation/price_path.hpp simulates). Density of a step:
// sum_j P(N = j) phi(dx; diffusion mean + j jump_mean, diffusion var + j jump_std^2), the sum
// truncated where the Poisson tail is below 1e-12. Under OU the jumps of a step are added
// without decay inside the step (exact as k h -> 0; daily steps have k h ~ 1e-3).
// Parameters: the base process's, then "jump_intensity", "jump_mean", "jump_std".
PriceFit fit_merton(const LogPriceSeries& series, const std::string& market, PriceProcess base);

// Student-t innovations (issue 19; model.hpp "Fat tails"): the step law of GBM or OU with the
// normal replaced by a variance-scaled t_dof. Parameters: the base process's, then "tail_dof"
// (searched in (2.05, 200]).
PriceFit fit_student_t(const LogPriceSeries& series, const std::string& market, PriceProcess base);

// Thin trading (issue 19; model.hpp "Thin trading"): the observed log close is the GBM or OU log
// price plus i.i.d. N(0, noise_sd^2) noise. Exact Gaussian likelihood by the Kalman filter,
// conditional on the first observation (the efficient price then N(y0, noise_sd^2)). The
// returns' lag-1 autocovariance is -noise_sd^2 (Roll 1984), which starts the search.
// Parameters: the base process's, then "noise_sd".
PriceFit fit_noisy(const LogPriceSeries& series, const std::string& market, PriceProcess base);

// The Kalman filter's mean and variance of the efficient log price at the last observation of
// `series` under a model with noise_sd (> 0 or 0: then the last log close, variance 0).
struct FilteredLogPrice {
    double mean = 0;
    double variance = 0;
};
FilteredLogPrice filter_log_price(const PriceModel& model, const LogPriceSeries& series);

// Shared by the fits: data range and hash, notes on untraded and unchanged closes; KS and AD of
// probability transforms u.
void describe_price_data(FitReport& r, const LogPriceSeries& s);
void add_price_transform_tests(FitReport& r, std::vector<double> u, const char* what);

// The candidate families of issue 19, in the order the backtest and calibration report them:
// gbm, ou, gbm_merton, ou_merton, gbm_t, ou_t, gbm_noise, ou_noise.
const std::vector<std::string>& price_families();
// Fits one of them; throws InvalidInput for an unknown name.
PriceFit fit_price_family(const LogPriceSeries& series, const std::string& market, const std::string& family);

// Traded points of one market to a fitted PriceFit; `jumps` adds Merton jumps.
PriceFit fit_price(std::span<const PricePoint> points, const std::string& market, PriceProcess process, bool jumps);

// The PriceModel a quote uses.
inline const PriceModel& price_model(const PriceFit& fit) { return fit.model; }

}  // namespace tanhui::risk
