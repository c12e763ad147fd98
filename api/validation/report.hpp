// `tanhui validate` (issue 10, docs/validation.md): the backtests of risk/backtest/fire.hpp and
// risk/backtest/price.hpp on the store's history, the in-sample burning cost of the Longyan
// example policy against the model, and the model's reversal buffer beside the flat buffers of
// CARB and Verra; one report as JSON, text, Markdown and the CSV behind each figure.
#pragma once

#include "data/store/store.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace tanhui::api {

struct ValidationOptions {
    std::filesystem::path policy_file;  // index policy of the burning-cost check (a quote request)
    std::filesystem::path band_policy_file;  // the quote whose uncertainty band is printed (issue 16 item 7)
    std::filesystem::path buffer_file;  // buffer request: its first holding is the buffer project
    std::uint64_t seed = 20190101;
    std::uint32_t model_years = 100'000;   // simulated years of the model's expected payout
    std::uint32_t buffer_paths = 10'000;   // 40-year paths of the buffer
    std::uint32_t null_replications = 2000;
    double level = 0.01;                   // every gating test passes at p >= level (|z| <= its quantile)
    unsigned threads = 0;                  // 0: all cores
    std::string model_version;             // a stored version (--model-version); "" = the current one
    // Gating tests known to fail, with the reason they are accepted for now (--accept FILE,
    // docs/validation/findings.csv): a run passes when every other gating test passes.
    std::map<std::string, std::string> accepted_findings;
};

struct CsvFile {
    std::string name;  // file name, e.g. "fire_forecasts.csv"
    std::string text;
};

struct ValidationReport {
    nlohmann::ordered_json json;
    std::string text;      // for the terminal
    std::string markdown;  // report.md of --out (the tables of docs/validation.md)
    std::vector<CsvFile> csv;
    bool passed = false;   // every gating test passed, or failed and is an accepted finding
    std::vector<std::string> new_failures;       // gating, failed, not accepted
    std::vector<std::string> resolved_findings;  // accepted findings whose test now passes
};

ValidationReport run_validation(data::Store& store, const ValidationOptions& options);

// The default input files and figure script in the source tree (TANHUI_SOURCE_DIR).
std::filesystem::path source_dir();

}  // namespace tanhui::api
