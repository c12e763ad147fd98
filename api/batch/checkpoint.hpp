// Checkpoint files of a batch (docs/batch.md "Checkpoints and --resume"): a chunk's result as
// bytes (the same bytes go to rank 0 as an MPI message), with the run's hash and a SHA-256 of
// the contents, so that a damaged file or a file of another run is never trusted.
#pragma once

#include "api/batch/chunk.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace tanhui::api::batch {

inline constexpr std::string_view run_magic = "TANHUI-BATCH-RUN 1\n";

// magic, run hash, fields, pass-0 tables, sparse payouts (policy: count, then (offset, payout)
// for each year that pays), and the SHA-256 of all that.
std::string serialise(const ChunkResult& r, const std::string& run_hash);
// The chunk `chunk` of pass `pass` of this run, or nullopt when the bytes are damaged or of
// another run or layout.
std::optional<ChunkResult> deserialise(std::string_view bytes, const std::string& run_hash, const Layout& layout,
                                       std::size_t pass, std::size_t chunk);

std::optional<std::string> read_file(const std::filesystem::path& path);
std::string chunk_file(std::size_t pass, std::size_t chunk);  // "pass-P-chunk-C.bin"

}  // namespace tanhui::api::batch
