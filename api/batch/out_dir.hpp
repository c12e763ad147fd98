// The output folder of a batch (docs/batch.md "The output folder"). A run writes into DIR when
// it is absent or empty, or when DIR holds this same run: its finished files (manifest.json with
// the same run_sha256) or, with --resume, its checkpoints. Anything of another run is refused
// unless --replace, which removes it first: so a folder never mixes two runs' files. Checkpoints
// of this run without --resume are refused too, so that a rerun never silently discards saved
// work. --replace removes only what a batch writes (batch_file_names() and .checkpoint); other
// files in DIR stay.
#pragma once

#include "api/batch/batch.hpp"

#include <string>

namespace tanhui::api::batch {

struct RunKeys {
    const std::string& checkpoint_hash;  // SHA-256 of the checkpoint run description
    const std::string& description;      // written to DIR/.checkpoint/run.txt
    const std::string& identity;         // manifest run_sha256 (run_identity)
};

// Rank 0 makes DIR ready: leftover temporary files of a killed run removed, another run's files
// refused (status "refused: <message>") or, with --replace, removed; without --resume, this
// run's checkpoints are started afresh. Returns "" or what went wrong: every rank must stop then.
std::string prepare_out_dir(const BatchOptions& options, const RunKeys& keys);

}  // namespace tanhui::api::batch
