// The reversal-buffer section of `tanhui validate` (docs/validation.md "Reversal buffer"): the
// model's buffer (pricing/buffer.hpp) for the first Fujian chinese_fir holding of the buffer
// request, by peril set, beside the flat buffers of CARB and Verra from the assumptions table.
#pragma once

#include "api/validation/format.hpp"
#include "api/validation/report.hpp"

#include <vector>

namespace tanhui::risk {
struct Model;
}

namespace tanhui::api::validation {

// Adds buffer_quantiles.csv and buffer_flat.csv; returns the section's JSON.
ojson buffer_section(data::Store& store, const risk::Model& model, const ValidationOptions& options,
                     std::vector<CsvFile>& files);

}  // namespace tanhui::api::validation
