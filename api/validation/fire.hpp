// The fire section of `tanhui validate` (docs/validation.md "Fire"): the out-of-sample backtest of
// risk/backtest/fire.hpp as JSON, its forecasts as CSV, and its tests.
#pragma once

#include "api/validation/format.hpp"
#include "api/validation/gate.hpp"
#include "risk/backtest/fire.hpp"

#include <string>

namespace tanhui::api::validation {

ojson fire_json(const risk::FireBacktest& backtest);
std::string fire_csv(const risk::FireBacktest& backtest);  // fire_forecasts.csv
// Gating: the production rule's count and area tests.
void fire_tests(const risk::FireBacktest& backtest, Tests& tests);

}  // namespace tanhui::api::validation
