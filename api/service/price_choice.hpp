// The price family each shipped market is quoted on (issue 19): the one the out-of-sample rolling
// backtest of `tanhui validate` selects on the shipped history (risk/backtest/price.hpp: every
// test passed at 20 traded days, then the best mean log score). Recorded here because the rolling
// refits of six families cost minutes, too slow for a calibration at a database's first use;
// `tanhui validate` recomputes the selection and its gating test price.<market>.family fails
// when this table no longer says what the backtest selects.
#pragma once

#include <optional>
#include <string>

namespace tanhui::api {

std::optional<std::string> shipped_price_family(const std::string& market);

}  // namespace tanhui::api
