// The in-sample section of `tanhui validate` (docs/validation.md "Index product, in sample"): the
// Longyan example policy replayed on its provinces' trend-adjusted fire years (pricing/burning_cost.hpp,
// as `tanhui burning-cost` does, here with the forest type's flammability too) against the model's
// expected fire loss and payout at the policy year.
#pragma once

#include "api/validation/format.hpp"
#include "api/validation/gate.hpp"
#include "api/validation/report.hpp"

#include <vector>

namespace tanhui::risk {
struct Model;
}

namespace tanhui::api {
struct ModelVersion;
}

namespace tanhui::api::validation {

// Adds the gap tests and burning_cost.csv, burning_cost_summary.csv; returns the section's JSON.
ojson burning_cost_section(data::Store& store, const ModelVersion& version, const risk::Model& model,
                           const ValidationOptions& options, Tests& tests, std::vector<CsvFile>& files);

}  // namespace tanhui::api::validation
