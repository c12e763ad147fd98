// The typhoon section of `tanhui validate` (docs/validation.md "Typhoon"): the event set's
// landfalls on the Fujian coast per decade against the CMA best track's, within their standard
// errors, and the landfalls of each historical decade beside the event set's mean.
#pragma once

#include "api/validation/format.hpp"
#include "api/validation/gate.hpp"
#include "api/validation/report.hpp"
#include "risk/model/model.hpp"

#include <ostream>
#include <vector>

namespace tanhui::api::validation {

// Null when the model has no typhoon calibration. Adds the gating test typhoon.fujian_landfalls
// and typhoon_landfalls.csv.
ojson typhoon_section(const risk::Model& model, Tests& tests, std::vector<CsvFile>& files);
// The section as text and Markdown (nothing when it is null).
void write_typhoon(const ojson& report, std::ostream& text, std::ostream& markdown);

}  // namespace tanhui::api::validation
