// The validation report as text for the terminal and as Markdown (report.md of --out), from the
// report's JSON and its tests: one writer per section, in the order fire, carbon price, index
// product, reversal buffer, gate.
#pragma once

#include "api/validation/format.hpp"
#include "api/validation/gate.hpp"

#include <string>

namespace tanhui::api::validation {

struct Reports {
    std::string text;
    std::string markdown;
};

Reports write_reports(const ojson& report, const Tests& tests);

}  // namespace tanhui::api::validation
