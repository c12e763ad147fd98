// The manifest of a batch run (docs/batch.md "Outputs"): DIR/manifest.json names every file the
// run wrote with its units, size and SHA-256, and the run's parameters, model version, seed,
// years and tanhui build. It is written after every other file and before the checkpoints are
// removed, so a folder with a manifest holds a finished run; its run_sha256 tells a later run
// into the folder whether it is the same run (api/batch/out_dir.hpp). No time and no path of
// DIR are in it: the same run writes the same bytes.
#pragma once

#include "api/batch/batch.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace tanhui::api::batch {

struct OutputFile {
    std::string name;     // in DIR
    std::string units;    // of its numbers
    std::string content;  // one line
};

// The files a run with these options writes, in the order docs/batch.md lists them.
std::vector<OutputFile> output_files(const BatchOptions& options);
// Every name a batch may write in DIR besides .checkpoint, the manifest included: what --replace
// removes (other files in DIR are left alone).
std::vector<std::string> batch_file_names();
inline constexpr const char* manifest_name = "manifest.json";

// What makes two runs write the same files: the tanhui build, the portfolio (its canonical text's
// SHA-256), model version, years, seed and the options that shape the outputs (layers, Euler
// level, policy YLT, Monte Carlo error share). SHA-256 of their text.
std::string run_identity(const BatchOptions& options, const std::string& portfolio_hash, const std::string& model_version);

struct ManifestRun {
    const Portfolio& portfolio;
    const BatchOptions& options;
    const std::string& model_version;
    const std::string& portfolio_hash;
    const std::string& identity;  // run_identity
    std::size_t holdings = 0;     // in the simulated book
};
void write_manifest(const ManifestRun& run);

// The run_sha256 of DIR/manifest.json; nullopt when there is none, "unreadable" when it is damaged.
std::optional<std::string> manifest_identity(const std::filesystem::path& dir);

}  // namespace tanhui::api::batch
