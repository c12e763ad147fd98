// Out-of-sample VaR backtest of the carbon-price model (issue 10 item 3, docs/validation.md
// "Carbon price"): on one market's traded closes, the log return of a long holding of credits
// over the next 1 and 20 traded observations, its forecast law under every candidate family
// (risk/calibration/price.hpp price_families) refitted on a rolling window of past observations
// only, and plain historical simulation as the baseline; Kupiec and Christoffersen tests of the
// VaR exceedances and the log score (the log predictive density of the realised return, a
// proper scoring rule) per family. The family the market is quoted on is chosen here (issue 19):
// among the families that pass every test at the longest horizon (p >= 0.01), the best mean log
// score there; if none passes, the best mean log score at that horizon. Untraded days are dropped as in the calibration: a step is the calendar time to
// the next traded observation. Pure computation.
#pragma once

#include "data/types.hpp"
#include "risk/backtest/statistics.hpp"
#include "risk/model/model.hpp"

#include <cstddef>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace tanhui::risk {

struct PriceBacktestOptions {
    std::size_t window = 500;          // traded observations in each fit (about two years)
    std::size_t refit_every = 60;      // refit after this many origins (about three months)
    std::size_t min_test_points = 250; // one-step forecasts needed to include a market
    std::vector<double> levels{0.99, 0.95};
    std::vector<std::size_t> horizons{1, 20};  // traded observations ahead; > 1: non-overlapping
    std::vector<std::string> families;         // empty: every price_families()
    // The families the selection may choose; empty: every family backtested. Production
    // calibration fits Merton jumps only on request (`--jumps`: slow), so by default the jump
    // families are backtested and reported but not chosen (default_eligible_families()).
    std::vector<std::string> eligible;
    // Families held at a given model instead of refitted (a test's known truth or known error;
    // a product designer's assumption): the name is listed in `families` and looked up here.
    std::map<std::string, PriceModel> fixed;
    double selection_level = 0.01;             // a family passes a test at p >= this
};

// One forecast origin at one horizon.
struct VarForecast {
    std::string origin_date, target_date;
    double horizon_years = 0;       // calendar time between the two traded observations
    double log_return = 0;          // realised ln(S_target / S_origin)
    std::string process;            // the selected family
    std::vector<double> model_var;  // per level: VaR as a positive log-return loss (selected family)
    std::vector<double> historical_var;
};

struct VarTestRow {
    std::string method;  // "model" or "historical"
    std::size_t horizon = 1;
    double level = 0.99;
    KupiecTest kupiec;
    ChristoffersenTest christoffersen;
};

// One family's forecasts at one horizon: VaR per level and the log score of the realised return.
struct FamilyForecasts {
    std::vector<std::vector<double>> var;  // per forecast, per level
    std::vector<double> log_score;         // per forecast
};

struct FamilyBacktest {
    std::string family;
    std::size_t failed_fits = 0;                 // refits that threw; the previous fit stayed in force
    std::vector<FamilyForecasts> forecasts;      // per horizon
    std::vector<VarTestRow> tests;               // method = the family
    std::vector<double> mean_log_score;          // per horizon
    bool passes = false;                         // every test at the longest horizon at p >= selection_level
};

struct MarketBacktest {
    std::string market;
    std::size_t traded = 0;
    std::size_t untraded_dropped = 0;
    bool included = false;
    std::string reason;  // why not included
    std::string first_test_date, last_test_date;
    std::size_t refits = 0;
    std::vector<std::size_t> horizons;
    std::vector<FamilyBacktest> families;
    std::string selected;                             // the family chosen (see above)
    std::vector<std::vector<VarForecast>> forecasts;  // per horizon, the selected family's
    std::vector<VarTestRow> tests;                    // "model" (the selected family) and "historical"
};

// Throws InvalidInput (as traded_log_prices) if the points are not usable at all.
// The rule above on the eligible families (empty: all) whose tests and scores are filled in; ""
// when there are none.
std::string select_price_family(const std::vector<FamilyBacktest>& families, const std::vector<std::string>& eligible = {});

// price_families() without the Merton ones, or all of them with jumps.
std::vector<std::string> default_eligible_families(bool jumps);

MarketBacktest backtest_price(std::span<const PricePoint> points, const std::string& market,
                              const PriceBacktestOptions& options = {});

}  // namespace tanhui::risk
