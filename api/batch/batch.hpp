// The actuarial batch runner (`tanhui batch`, issue 7): a portfolio of index policies simulated
// once over the union of its holdings, so that every policy sees the same simulated years and
// the portfolio loss is coherent; per-policy quotes, the portfolio's year loss tables, Oasis ORD
// tables, metrics with Euler contributions and reinsurance layers. The years are cut into
// chunks; each finished chunk is checkpointed, so a killed run resumes, and chunks can be spread
// over MPI ranks. Same portfolio + years + seed + model version = the same bytes, whatever the
// threads, ranks or interruptions. docs/batch.md describes the files and the decisions.
#pragma once

#include "api/batch/portfolio.hpp"
#include "pricing/layers.hpp"
#include "risk/model/model.hpp"

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace tanhui::api {

// --layer ATTACHMENT:LIMIT[:occurrence|aggregate] (CNY; aggregate by default). In a batch an
// "occurrence" is one policy's annual payout (docs/batch.md).
struct LayerSpec {
    pricing::Layer layer;
    bool occurrence = false;
    std::string text;  // as given
};
LayerSpec parse_layer(const std::string& text);  // throws InvalidInput("--layer", ...)

enum class ProgressStyle { automatic, bar, lines, quiet };  // automatic: bar when stderr is a terminal

struct BatchOptions {
    std::uint32_t years = 100'000;
    std::uint64_t seed = 20270101;
    unsigned threads = 0;  // per process; 0 = all cores
    std::filesystem::path out;
    bool resume = false;
    bool replace = false;  // remove another run's files in DIR (else refused: api/batch/out_dir.hpp)
    bool keep_checkpoints = false;  // else DIR/.checkpoint is removed after the outputs are written
    std::vector<LayerSpec> layers;
    std::uint32_t chunk_years = 10'000;  // the unit of checkpoints and of MPI work
    // Payout columns (policies x years doubles) are kept while they fit in this; a bigger
    // portfolio is priced in passes over groups of policies, each pass regenerating the years.
    std::uint64_t column_budget_bytes = std::uint64_t{1} << 30;
    double euler_level = 0.99;  // Euler TVaR contributions per holding (tCO2e) and policy (CNY)
    bool policy_ylt = false;    // also write policy_ylt_cny.csv: each policy's payout in each year that pays
    // results' mc_error_flag: the pure premium's standard error exceeds this share of it.
    double mc_error_share = 0.05;
    ProgressStyle progress = ProgressStyle::automatic;
    // Set (by a SIGINT handler) to stop after the chunk in progress: run_batch throws
    // BatchInterrupted, the chunks done so far checkpointed. One process only (not under MPI).
    const std::atomic<bool>* interrupt = nullptr;
};

// DIR holds another run's files, or checkpoints of this run without --resume (out_dir.hpp).
class OutDirRefused : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The run stopped on BatchOptions::interrupt; what it saved for --resume.
class BatchInterrupted : public std::runtime_error {
public:
    BatchInterrupted(std::size_t chunks_saved, std::size_t chunks_in_all, std::uint64_t years_saved, std::uint64_t years_in_all)
        : std::runtime_error("interrupted"), saved_chunks(chunks_saved), total_chunks(chunks_in_all), saved_years(years_saved),
          total_years(years_in_all) {}
    std::size_t saved_chunks, total_chunks;  // over all passes
    std::uint64_t saved_years, total_years;  // years x passes
};

// The processes of a run: rank 0 gathers and writes; rank r simulates pending chunks r, r + size, ...
struct Cluster {
    int rank = 0;
    int size = 1;
};

struct BatchSummary {
    std::uint32_t years = 0;
    std::size_t policies = 0;
    std::size_t holdings = 0;
    std::size_t chunks = 0;          // per pass
    std::size_t passes = 0;
    std::size_t chunks_resumed = 0;  // over all passes, read from checkpoints
    double seconds = 0;
    std::uint64_t column_bytes = 0;  // payout columns held at once
    int processes = 1;               // MPI ranks
};

// Runs the batch and writes DIR (rank 0). Throws PortfolioError for a portfolio the model cannot
// price (naming the policy's line), before anything is written; InvalidInput for bad options;
// OutDirRefused when DIR holds another run's files or this run's checkpoints without --resume;
// BatchInterrupted when options.interrupt was set.
BatchSummary run_batch(const Portfolio& portfolio, const risk::Model& model, const std::string& model_version,
                       const BatchOptions& options, const Cluster& cluster = {});

// MPI (TANHUI_HAVE_MPI builds only; elsewhere mpi_built() is false and the others throw).
bool mpi_built();
Cluster mpi_start();  // MPI_Init once; MPI_Finalize runs at exit
void mpi_broadcast(const Cluster& cluster, std::string& text);  // rank 0's text to every rank
void mpi_barrier(const Cluster& cluster);
[[noreturn]] void mpi_abort(int code);

}  // namespace tanhui::api
