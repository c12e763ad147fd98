// What every JSON subcommand of `tanhui` does the same way: open the store, read FILE or stdin,
// check the text as an HTTP body is checked, and print a problem.
#pragma once

#include "api/cli/cli.hpp"
#include "api/json/problem.hpp"
#include "api/service/calibration.hpp"
#include "data/store/store.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace tanhui::api {

// The database of --db / TANHUI_DB, built from the historical data on first use (said on stderr).
data::Store open_store(const GlobalOptions& global);

// The text of FILE, or of stdin for "-". Throws with the path when it cannot be read.
std::string read_input(const std::string& file);

// --model-version VERSION of quote, batch and validate: that stored version, or the current one
// when `version` is empty (calibrating on first use). Throws UsageError (exit 2) for a version the
// store does not hold, pointing to `tanhui model list`.
ModelVersion chosen_model_version(data::Store& store, const std::string& version);

// Prints problem+json on stdout and returns the exit code of invalid input, 2.
int print_problem(const Problem& problem);

// The same checks as an HTTP body (UTF-8, depth, syntax). On failure prints the problem and
// returns nullopt.
std::optional<nlohmann::json> parse_input_json(const std::string& text);

}  // namespace tanhui::api
