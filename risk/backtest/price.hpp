// Out-of-sample VaR backtest of the carbon-price model (issue 10 item 3, docs/validation.md
// "Carbon price"): on one market's traded closes, the log return of a long holding of credits
// over the next 1 and 20 traded observations, its VaR from the calibrated process refitted on a
// rolling window of past observations only (GBM or OU by AIC, as api/service/calibration.cpp), and from
// plain historical simulation as the baseline; Kupiec and Christoffersen tests of the
// exceedances. Untraded days are dropped as in the calibration: a step is the calendar time to
// the next traded observation. Pure computation.
#pragma once

#include "data/types.hpp"
#include "risk/backtest/statistics.hpp"

#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace tanhui::risk {

struct PriceBacktestOptions {
    std::size_t window = 500;          // traded observations in each fit (about two years)
    std::size_t refit_every = 20;      // refit after this many origins
    std::size_t min_test_points = 250; // one-step forecasts needed to include a market
    std::vector<double> levels{0.99, 0.95};
    std::vector<std::size_t> horizons{1, 20};  // traded observations ahead; > 1: non-overlapping
};

// One forecast origin at one horizon.
struct VarForecast {
    std::string origin_date, target_date;
    double horizon_years = 0;       // calendar time between the two traded observations
    double log_return = 0;          // realised ln(S_target / S_origin)
    std::string process;            // "gbm" or "ou": the fit in force at the origin
    std::vector<double> model_var;  // per level: VaR as a positive log-return loss
    std::vector<double> historical_var;
};

struct VarTestRow {
    std::string method;  // "model" or "historical"
    std::size_t horizon = 1;
    double level = 0.99;
    KupiecTest kupiec;
    ChristoffersenTest christoffersen;
};

struct MarketBacktest {
    std::string market;
    std::size_t traded = 0;
    std::size_t untraded_dropped = 0;
    bool included = false;
    std::string reason;  // why not included
    std::string first_test_date, last_test_date;
    std::size_t refits = 0;
    std::size_t ou_selected = 0;  // refits where OU won on AIC (the rest GBM)
    std::vector<std::size_t> horizons;
    std::vector<std::vector<VarForecast>> forecasts;  // per horizon
    std::vector<VarTestRow> tests;
};

// Throws InvalidInput (as traded_log_prices) if the points are not usable at all.
MarketBacktest backtest_price(std::span<const PricePoint> points, const std::string& market,
                              const PriceBacktestOptions& options = {});

}  // namespace tanhui::risk
