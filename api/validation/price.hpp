// The carbon-price section of `tanhui validate` (docs/validation.md "Carbon price"): the rolling
// VaR backtests of risk/backtest/price.hpp as JSON and CSV, and their tests.
#pragma once

#include "api/validation/format.hpp"
#include "api/validation/gate.hpp"
#include "risk/backtest/price.hpp"

#include <string>
#include <vector>

namespace tanhui::api::validation {

ojson price_json(const std::vector<risk::MarketBacktest>& markets, const risk::PriceBacktestOptions& options);
std::string price_tests_csv(const std::vector<risk::MarketBacktest>& markets);  // price_tests.csv
// price_families.csv: every candidate family's tests and mean log score, the selected one marked.
std::string price_families_csv(const std::vector<risk::MarketBacktest>& markets);
// price_var_<market>.csv: each forecast with the model's and the historical VaR at each level.
std::string price_series_csv(const risk::MarketBacktest& market, const risk::PriceBacktestOptions& options);
// Gating: the calibrated process over more than one step, on markets without a known data issue.
void price_tests(const std::vector<risk::MarketBacktest>& markets, Tests& tests);

}  // namespace tanhui::api::validation
