// A Monte Carlo (or sampling) estimate: its value and standard error, in the value's unit. The one
// (value, SE) type of risk/ and pricing/: AAL, VaR and TVaR, pure premium and risk load, burning
// cost, buffer shares, probabilities.
#pragma once

namespace tanhui::risk {

struct Estimate {
    double value = 0;
    double standard_error = 0;
};

}  // namespace tanhui::risk
