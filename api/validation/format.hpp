// Number formats of the validation report (api/validation/report.hpp): JSON numbers, CSV cells
// and the fixed-width text and Markdown tables.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace tanhui::api::validation {

using ojson = nlohmann::ordered_json;

ojson num(double v);                          // null when not finite
std::string csv(double v);                    // shortest round-trip text; empty when not finite
std::string fixed(double v, int digits);      // "-" when not finite
std::string pct(double v, int digits = 1);    // 100 v with " %"; "-" when not finite
std::string pval(double p);                   // 3 significant digits, "<1e-6" below
double number_or_nan(const ojson& v);         // a JSON number, NaN for null

}  // namespace tanhui::api::validation
