// Chunks of years (docs/batch.md "Checkpoints"): what a chunk of years contributes to the run,
// computed by the threads of one process. A chunk is the unit of checkpoints and of MPI work;
// its serialised bytes are the same in a checkpoint file and an MPI message (checkpoint.hpp).
#pragma once

#include "api/batch/prepare.hpp"
#include "pricing/layers.hpp"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <optional>
#include <vector>

namespace tanhui::api::batch {

inline constexpr std::uint32_t block_years = risk::years_per_block;

struct Layout {
    std::uint32_t years = 0;
    std::uint32_t chunk_years = 0;
    std::size_t chunks = 0;
    std::size_t policies = 0;
    std::size_t group = 0;  // policies whose payout columns are held at once
    std::size_t passes = 0;
    std::optional<double> occurrence_threshold;  // payouts above it are kept for occurrence layers
    std::size_t split_values = 0;                // Prepared::split.size

    std::uint32_t first_year(std::size_t chunk) const { return static_cast<std::uint32_t>(chunk * chunk_years); }
    std::uint32_t chunk_size(std::size_t chunk) const {
        return static_cast<std::uint32_t>(std::min<std::uint64_t>(chunk_years, years - std::uint64_t{first_year(chunk)}));
    }
    std::size_t group_begin(std::size_t pass) const { return pass * group; }
    std::size_t group_end(std::size_t pass) const { return std::min(policies, (pass + 1) * group); }
};

struct ChunkResult {
    std::uint32_t pass = 0, chunk = 0, first_year = 0, years = 0, group_begin = 0, group_end = 0;
    // Pass 0 only: per year (index = year - first_year) and per policy.
    std::vector<double> total_tco2e, max_event_tco2e, max_event_exposure_tco2e, total_cny, max_payout_cny;
    std::vector<std::uint32_t> max_payout_policy;
    std::vector<double> pool_sum_tco2e, pool_sum_sq_tco2e;  // per policy, years in order, blocks in order
    std::vector<pricing::EventLoss> occurrences;           // (1-based year, payout), year then policy order
    std::vector<double> split;                             // api/batch/split.hpp's sums, blocks in order
    // Every pass: payouts of policies group_begin..group_end, (policy - group_begin) * years + offset.
    std::vector<double> payouts;
};

// Simulates the chunk's years (threads take blocks of years; sums run in block order) and
// returns pass 0's tables and the pass's payout columns.
ChunkResult compute_chunk(const Prepared& prep, const Layout& layout, std::size_t pass, std::size_t chunk,
                          std::uint64_t seed, unsigned threads, std::atomic<std::uint64_t>& progress);

}  // namespace tanhui::api::batch
