// The parameter-uncertainty section of `tanhui validate` (issue 16 item 7; docs/validation.md
// "Parameter uncertainty"): the Longyan example policy's pure premium beside its band under the
// low and high value of each labelled assumption its perils read (api/service/uncertainty.hpp).
#pragma once

#include "api/validation/format.hpp"
#include "api/validation/report.hpp"

#include <string>

namespace tanhui::api {
struct ModelVersion;
}

namespace tanhui::api::validation {

ojson uncertainty_section(data::Store& store, const ModelVersion& version, const ValidationOptions& options);
// Its lines of the text report and its Markdown table.
void write_uncertainty(const ojson& section, std::ostream& text, std::ostream& markdown);

}  // namespace tanhui::api::validation
