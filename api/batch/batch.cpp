// The batch driver (docs/batch.md): prepares the portfolio, lays out chunks and passes, runs
// the pending chunks (resumed from checkpoints, spread over MPI ranks), prices each policy on
// its column and writes the outputs. The parts: prepare, year, chunk, checkpoint, progress,
// outputs, mpi (api/batch/*.hpp).
#include "api/batch/batch.hpp"

#include "api/batch/checkpoint.hpp"
#include "api/batch/manifest.hpp"
#include "api/batch/mpi.hpp"
#include "api/batch/ord_csv.hpp"
#include "api/batch/out_dir.hpp"
#include "api/batch/outputs.hpp"
#include "api/batch/prepare.hpp"
#include "api/batch/progress.hpp"
#include "api/batch/year.hpp"
#include "api/version.hpp"
#include "data/import/csv.hpp"
#include "data/import/import.hpp"
#include "risk/metrics/metrics.hpp"
#include "risk/simulation/parallel.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace tanhui::api {

namespace fs = std::filesystem;

LayerSpec parse_layer(const std::string& text) {
    LayerSpec spec;
    spec.text = text;
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (;;) {
        const auto colon = text.find(':', start);
        parts.push_back(text.substr(start, colon == std::string::npos ? std::string::npos : colon - start));
        if (colon == std::string::npos) break;
        start = colon + 1;
    }
    auto number = [&](const std::string& s, const char* what) {
        double v = 0;
        const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
        if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size() || !std::isfinite(v))
            throw InvalidInput("--layer", "\"" + text + "\": " + what + " is not a number");
        return v;
    };
    if (parts.size() < 2 || parts.size() > 3)
        throw InvalidInput("--layer", "\"" + text + "\": give ATTACHMENT:LIMIT[:occurrence|aggregate] in CNY");
    spec.layer.attachment_cny = number(parts[0], "the attachment");
    spec.layer.limit_cny = number(parts[1], "the limit");
    if (!(spec.layer.attachment_cny >= 0)) throw InvalidInput("--layer", "\"" + text + "\": the attachment must be >= 0");
    if (!(spec.layer.limit_cny > 0)) throw InvalidInput("--layer", "\"" + text + "\": the limit must be > 0");
    if (parts.size() == 3) {
        if (parts[2] == "occurrence") spec.occurrence = true;
        else if (parts[2] != "aggregate")
            throw InvalidInput("--layer", "\"" + text + "\": the type must be occurrence or aggregate, got \"" + parts[2] + "\"");
    }
    return spec;
}

namespace {

using namespace batch;

Layout layout_of(const BatchOptions& options, std::size_t policies, std::size_t split_values) {
    Layout layout;
    layout.split_values = split_values;
    layout.years = options.years;
    layout.chunk_years = options.chunk_years;
    layout.chunks = (std::size_t{options.years} + options.chunk_years - 1) / options.chunk_years;
    layout.policies = policies;
    const std::uint64_t per_policy = (std::uint64_t{options.years} + std::min(options.years, options.chunk_years)) * sizeof(double);
    layout.group = static_cast<std::size_t>(std::clamp<std::uint64_t>(options.column_budget_bytes / per_policy, 1, layout.policies));
    layout.passes = (layout.policies + layout.group - 1) / layout.group;
    for (const auto& l : options.layers)
        if (l.occurrence)
            layout.occurrence_threshold = std::min(layout.occurrence_threshold.value_or(l.layer.attachment_cny), l.layer.attachment_cny);
    return layout;
}

// What identifies a run (DIR/.checkpoint/run.txt). The program is part of the run: a rebuilt
// tanhui may simulate other numbers.
std::string run_description(const std::string& portfolio_hash, const std::string& model_version, const BatchOptions& options,
                            const Layout& layout) {
    return std::string("program tanhui ") + version + " " + git_commit + "\nportfolio_sha256 " + portfolio_hash +
           "\nmodel_version " + model_version + "\nyears " + std::to_string(options.years) + "\nseed " +
           std::to_string(options.seed) + "\nchunk_years " + std::to_string(options.chunk_years) + "\npolicy_group " +
           std::to_string(layout.group) + "\noccurrence_threshold " +
           (layout.occurrence_threshold ? format_number(*layout.occurrence_threshold) : "none") + "\n";
}

std::string join_numbers(const std::vector<std::size_t>& v) {
    std::string s;
    for (std::size_t x : v) s += std::to_string(x) + ' ';
    return s;
}

std::vector<std::size_t> split_numbers(const std::string& s) {
    std::vector<std::size_t> v;
    std::size_t at = 0;
    while (at < s.size()) {
        const auto sp = s.find(' ', at);
        v.push_back(std::stoull(s.substr(at, sp - at)));
        at = sp + 1;
    }
    return v;
}

// One run in progress: what every pass reads and what rank 0 gathers.
struct Run {
    const Portfolio& portfolio;
    const Prepared& prep;
    const Layout& layout;
    const BatchOptions& options;
    const Cluster& cluster;
    std::string run_hash;
    fs::path checkpoints;
    unsigned threads = 0;
    Gathered g;
    std::vector<PolicyResult> results;
    BatchSummary summary;
    std::size_t saved_chunks = 0;  // checkpointed so far (resumed or computed), over all passes
    std::uint64_t saved_years = 0;

    void saved(std::uint64_t years) {
        ++saved_chunks;
        saved_years += years;
    }
    // Rank 0 of a one-process run stops between chunks when asked (SIGINT): what is saved stays.
    void stop_if_interrupted() const {
        if (cluster.size != 1 || !options.interrupt || !options.interrupt->load()) return;
        throw BatchInterrupted(saved_chunks, layout.chunks * layout.passes, saved_years,
                               std::uint64_t{layout.years} * layout.passes);
    }
};

Gathered gathered_for(const Layout& layout) {
    Gathered g;
    for (auto* v : {&g.total_tco2e, &g.max_event_tco2e, &g.max_event_exposure_tco2e, &g.total_cny, &g.max_payout_cny,
                    &g.max_payout_exposure_cny})
        v->assign(layout.years, 0.0);
    g.pool_sum_tco2e.resize(layout.chunks);
    g.pool_sum_sq_tco2e.resize(layout.chunks);
    g.occurrences.resize(layout.chunks);
    g.split.resize(layout.chunks);
    return g;
}

// Rank 0: the chunks of the pass read back from checkpoints (with --resume), the others to compute.
std::vector<std::size_t> pending_chunks(Run& run, std::size_t pass, Progress& progress) {
    std::string text;
    if (run.cluster.rank == 0) {
        std::vector<std::size_t> pending;
        for (std::size_t c = 0; c < run.layout.chunks; ++c) {
            std::optional<ChunkResult> done;
            if (run.options.resume)
                if (const auto bytes = read_file(run.checkpoints / chunk_file(pass, c)))
                    done = deserialise(*bytes, run.run_hash, run.layout, pass, c);
            if (done) {
                apply(*done, run.prep, run.g, run.options.years);
                progress.resumed(done->years);
                ++run.summary.chunks_resumed;
                run.saved(done->years);
            } else {
                pending.push_back(c);
            }
        }
        text = join_numbers(pending);
    }
    if (run.cluster.size > 1) mpi_broadcast(run.cluster, text);
    return split_numbers(text);
}

// The pending chunks in rounds: rank r computes chunk k + r; rank 0 checkpoints and applies its
// own and then the others' in rank order.
void compute_pending(Run& run, std::size_t pass, const std::vector<std::size_t>& pending, Progress& progress) {
    const bool root = run.cluster.rank == 0;
    const auto size = static_cast<std::size_t>(run.cluster.size), rank = static_cast<std::size_t>(run.cluster.rank);
    for (std::size_t k = 0; k < pending.size(); k += size) {
        run.stop_if_interrupted();
        if (k + rank < pending.size()) {
            const ChunkResult r =
                compute_chunk(run.prep, run.layout, pass, pending[k + rank], run.options.seed, run.threads, progress.simulated());
            const std::string bytes = serialise(r, run.run_hash);
            if (root) {
                write_file_atomic(run.checkpoints / chunk_file(pass, r.chunk), bytes);
                apply(r, run.prep, run.g, run.options.years);
                run.saved(r.years);
            } else {
                send_bytes(bytes);
            }
        }
        if (!root) continue;
        for (std::size_t from = 1; from < size && k + from < pending.size(); ++from) {
            const std::size_t c = pending[k + from];
            const std::string received = receive_bytes(static_cast<int>(from));
            const auto r = deserialise(received, run.run_hash, run.layout, pass, c);
            if (!r) throw std::runtime_error("rank " + std::to_string(from) + " sent a damaged chunk " + std::to_string(c));
            write_file_atomic(run.checkpoints / chunk_file(pass, c), received);
            apply(*r, run.prep, run.g, run.options.years);
            run.saved(r->years);
            progress.simulated() += r->years;
        }
    }
}

// Each policy of the pass priced on its column: its product's quote rule (pricing::quote_premium
// unless the product says otherwise) and the column's mean. Threads take policies (each sorts
// its column for VaR, Wang and return periods).
void price_pass(Run& run, std::size_t g0, std::size_t g1) {
    const std::size_t years = run.options.years;
    risk::parallel_for(g1 - g0, run.threads, [&](std::size_t i) {
        const std::size_t p = g0 + i;
        const PolicyModel& m = run.prep.policies[p];
        const std::span<const double> column(run.g.columns.data() + i * years, years);
        PolicyResult& r = run.results[p];
        r.quote = m.plan.quote ? m.plan.quote(column, run.prep.return_periods)
                               : pricing::quote_premium(column, m.plan.sum_insured_cny, m.premium, run.prep.return_periods);
        r.expected_payout = pricing::pure_premium(column);
    });
}

// Per-policy year payouts of the pass (policy order, then year): sparse, as most policy-years
// pay nothing.
void write_policy_ylt(const Run& run, std::size_t g0, std::size_t g1, AtomicFile& out) {
    const std::size_t years = run.options.years;
    for (std::size_t p = g0; p < g1; ++p) {
        const std::span<const double> column(run.g.columns.data() + (p - g0) * years, years);
        const std::string id = data::csv_escape(run.portfolio.policies[p].request.policy.id) + ',';
        std::string rows;
        for (std::size_t y = 0; y < column.size(); ++y) {
            if (column[y] == 0) continue;
            rows += id;
            append_number(rows, std::uint64_t{y + 1});
            rows += ',';
            append_number(rows, column[y]);
            rows += '\n';
        }
        out.write(rows);
    }
}

// Expected pool losses: chunk sums in chunk order.
void expected_pool_losses(Run& run) {
    const double n = run.options.years;
    for (std::size_t p = 0; p < run.layout.policies; ++p) {
        double sum = 0, sq = 0;
        for (std::size_t c = 0; c < run.layout.chunks; ++c) {
            sum += run.g.pool_sum_tco2e[c][p];
            sq += run.g.pool_sum_sq_tco2e[c][p];
        }
        run.results[p].expected_loss_tco2e = sum / n;
        const double var = n > 1 ? std::max(0.0, (sq - sum * sum / n) / (n - 1)) : 0.0;
        run.results[p].expected_loss_se_tco2e = std::sqrt(var / n);
    }
}

// Euler TVaR contributions: the tail years are regenerated, never stored (STYLE).
std::vector<double> euler_contributions(Run& run) {
    risk::Simulation sim;
    sim.years = run.options.years;
    sim.seed = run.options.seed;
    sim.threads = run.threads;
    std::vector<double> holdings = risk::euler_tvar_tco2e(run.prep.book, sim, run.g.total_tco2e, run.options.euler_level);
    const risk::TailYears tail = risk::tail_years(run.g.total_cny, run.options.euler_level);
    std::vector<double> c(run.layout.policies, 0.0);
    PortfolioYear year(run.prep);
    for (std::size_t t = 0; t < tail.index.size(); ++t) {
        year.run(run.options.seed, static_cast<std::uint32_t>(tail.index[t]));
        for (std::size_t p = 0; p < run.layout.policies; ++p) c[p] += tail.weight[t] * year.payout_cny(run.prep.policies[p]);
    }
    for (std::size_t p = 0; p < run.layout.policies; ++p) run.results[p].tvar_contribution_cny = c[p] / tail.tail_mass;
    return holdings;
}

void check_options(const Portfolio& portfolio, const BatchOptions& options) {
    if (options.years < 1) throw InvalidInput("--years", "must be >= 1");
    if (options.chunk_years < 1) throw InvalidInput("--chunk-years", "must be >= 1");
    if (!(options.euler_level > 0 && options.euler_level < 1)) throw InvalidInput("--euler-level", "must lie in (0, 1)");
    if (!(options.mc_error_share >= 0)) throw InvalidInput("--mc-error-share", "must be >= 0");
    if (options.out.empty()) throw InvalidInput("--out", "is required");
    if (portfolio.policies.empty()) throw InvalidInput("portfolio", "has no policies");
}

BatchSummary summary_of(const Prepared& prep, const Layout& layout, const BatchOptions& options, const Cluster& cluster) {
    BatchSummary summary;
    summary.years = options.years;
    summary.policies = layout.policies;
    summary.holdings = prep.book.holdings.size();
    summary.chunks = layout.chunks;
    summary.passes = layout.passes;
    summary.column_bytes = std::uint64_t{layout.group} * options.years * sizeof(double);
    summary.processes = cluster.size;
    return summary;
}

}  // namespace

BatchSummary run_batch(const Portfolio& portfolio, const risk::Model& model, const std::string& model_version,
                       const BatchOptions& options, const Cluster& cluster) {
    const auto started = Clock::now();
    check_options(portfolio, options);
    const bool root = cluster.rank == 0;
    const Prepared prep = prepare(portfolio, model, options.years, options.seed);
    const Layout layout = layout_of(options, prep.policies.size(), prep.split.size);
    const std::string portfolio_hash = data::sha256_hex(portfolio.canonical());
    const std::string description = run_description(portfolio_hash, model_version, options, layout);
    Run run{portfolio, prep, layout, options, cluster, data::sha256_hex(description), options.out / ".checkpoint",
            risk::thread_count(options.threads), {}, std::vector<PolicyResult>(layout.policies),
            summary_of(prep, layout, options, cluster), 0, 0};

    const std::string identity = run_identity(options, portfolio_hash, model_version);
    std::string status = root ? prepare_out_dir(options, {run.run_hash, description, identity}) : "";
    if (cluster.size > 1) mpi_broadcast(cluster, status);
    if (status.rfind("refused: ", 0) == 0) throw OutDirRefused(status.substr(9));
    if (!status.empty()) throw std::runtime_error(status);
    if (root) run.g = gathered_for(layout);
    std::optional<AtomicFile> policy_ylt;
    if (root && options.policy_ylt) {
        policy_ylt.emplace(options.out / "policy_ylt_cny.csv");
        policy_ylt->write("policy_id,year,payout_cny\n");
    }

    Progress progress(root ? options.progress : ProgressStyle::quiet, std::uint64_t{options.years} * layout.passes);
    for (std::size_t pass = 0; pass < layout.passes; ++pass) {
        const std::size_t g0 = layout.group_begin(pass), g1 = layout.group_end(pass);
        if (root) run.g.columns.assign((g1 - g0) * std::size_t{options.years}, 0.0);
        compute_pending(run, pass, pending_chunks(run, pass, progress), progress);
        if (!root) continue;
        price_pass(run, g0, g1);
        if (policy_ylt) write_policy_ylt(run, g0, g1, *policy_ylt);
    }
    progress.stop();
    if (root) {
        run.g.columns.clear();
        run.g.columns.shrink_to_fit();
        expected_pool_losses(run);
        const std::vector<double> euler_holdings = euler_contributions(run);
        write_outputs({portfolio, prep, layout, options, model_version, portfolio_hash}, run.g, run.results, euler_holdings);
        if (policy_ylt) policy_ylt->commit();
        write_manifest({portfolio, options, model_version, portfolio_hash, identity, prep.book.holdings.size()});
        if (!options.keep_checkpoints) fs::remove_all(run.checkpoints);
    }
    run.summary.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    return run.summary;
}

}  // namespace tanhui::api
