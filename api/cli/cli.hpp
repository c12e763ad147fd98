// The `tanhui` command line: each subcommand group registers itself on the CLI11 app.
#pragma once

#include <CLI/CLI.hpp>

#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace tanhui::api {

// Options every subcommand shares.
struct GlobalOptions {
    std::string db;        // --db, else TANHUI_DB, else ./var/tanhui.db
    std::string data_dir;  // --data-dir, else TANHUI_DATA_DIR, else the source tree's data/historical
    std::vector<std::string> argv;  // the command line as typed (an interrupted batch prints it to resume)
    std::filesystem::path db_path() const;
    std::filesystem::path historical_dir() const;
};

// Invalid input found outside a decoder (an unreadable input file, an option value that cannot be
// used): main prints "tanhui: <what>" and exits 2, as for every other invalid input.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A subcommand's action returns the process exit code.
using Action = std::function<int()>;

void add_data_commands(CLI::App& app, const GlobalOptions& global, Action& action);
void add_serve_commands(CLI::App& app, const GlobalOptions& global, Action& action);  // api/cli/serve.cpp
void add_keys_commands(CLI::App& app, const GlobalOptions& global, Action& action);   // api/cli/keys.cpp
void add_quote_commands(CLI::App& app, const GlobalOptions& global, Action& action);  // api/cli/quote.cpp
// credibility, metrics, layer, damage, buffer, burning-cost: api/cli/products.cpp
void add_products_commands(CLI::App& app, const GlobalOptions& global, Action& action);
void add_batch_commands(CLI::App& app, const GlobalOptions& global, Action& action);  // api/cli/batch.cpp
void add_validate_commands(CLI::App& app, const GlobalOptions& global, Action& action);  // api/cli/validate.cpp

}  // namespace tanhui::api
