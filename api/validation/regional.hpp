// The regional event perils' section of `tanhui validate` (docs/validation.md "Landslide" and
// "Freeze"): the backtests of risk/backtest/regional.hpp as JSON, CSV and gating tests, and their
// lines of the text and Markdown reports.
#pragma once

#include "api/validation/format.hpp"
#include "api/validation/gate.hpp"
#include "risk/backtest/regional.hpp"

#include <ostream>
#include <string>

namespace tanhui::api::validation {

ojson landslide_json(const risk::LandslideBacktest& b, const risk::RegionalBacktestOptions& o);
std::string landslide_csv(const risk::LandslideBacktest& b);  // landslide_forecasts.csv
ojson freeze_json(const risk::FreezeBacktest& b, const risk::RegionalBacktestOptions& o);
// Gating: landslide PIT uniformity and 90 % coverage; freeze event count of the test years.
void regional_tests(const risk::LandslideBacktest& landslide, const risk::FreezeBacktest& freeze, Tests& tests);
// The report's lines (from the JSON, as the other sections).
void write_regional(const ojson& report, std::ostream& text, std::ostream& markdown);

}  // namespace tanhui::api::validation
