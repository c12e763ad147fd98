// `tanhui batch`: price a portfolio over many simulated years and write per-policy results, the
// portfolio's year loss tables, ORD tables, metrics and layers (api/batch/batch.hpp, docs/batch.md).
#include "api/batch/batch.hpp"
#include "api/batch/portfolio.hpp"
#include "api/cli/cli.hpp"
#include "api/cli/io.hpp"
#include "api/service/calibration.hpp"
#include "api/service/quote_service.hpp"
#include "data/store/store.hpp"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <unistd.h>

namespace tanhui::api {

namespace {

struct BatchArgs {
    std::string portfolio;
    std::string holdings;
    std::string model_version;
    std::vector<std::string> layers;
    std::string progress = "auto";
    double column_budget_mib = 1024;
    bool mpi = false;
    bool quiet = false;
    BatchOptions options;
};

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw UsageError("cannot read " + path);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string with_commas(double v) {
    auto s = std::to_string(static_cast<unsigned long long>(v + 0.5));
    for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<std::size_t>(i), ",");
    return s;
}

// The portfolio, checked by the quote decoder and against the store's regions and markets; a
// JSON request's "simulation" must be the batch's.
Portfolio read_portfolio(const BatchArgs& a, const GlobalOptions& g, const std::string& text, data::Store& store) {
    std::vector<Holding> holdings;
    std::string holdings_name = "the store's holdings table (" + g.db_path().string() + ")";
    const auto first = text.find_first_not_of(" \t\r\n\xEF\xBB\xBF");
    const bool json = first != std::string::npos && text[first] == '[';
    if (!json) {
        if (!a.holdings.empty()) {
            holdings = read_holdings_csv(store, a.holdings, read_text(a.holdings));
            holdings_name = a.holdings;
        } else {
            holdings = store_holdings(store);
        }
    }
    const ReferenceData references = store_references(store);
    const PortfolioChecks checks{a.options.years, a.options.seed, &references};
    return parse_portfolio(a.portfolio, text, holdings, holdings_name, checks);
}

// Ctrl-C: the run stops after the chunk in progress (its checkpoints stay), and says how to resume;
// a second Ctrl-C ends the process at once (SA_RESETHAND restores the default action).
std::atomic<bool> interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free, "set from a signal handler");

extern "C" void on_interrupt(int) {
    interrupted.store(true);
    static constexpr char message[] =
        "\ntanhui batch: interrupted: stopping after the chunk in progress (Ctrl-C again stops at once)\n";
    [[maybe_unused]] const auto n = ::write(STDERR_FILENO, message, sizeof message - 1);
}

void catch_interrupt() {
    struct sigaction action {};
    action.sa_handler = on_interrupt;
    action.sa_flags = SA_RESETHAND;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGINT, &action, nullptr);
}

// For /bin/sh: a word left as it is when it needs no quoting, else in single quotes.
std::string shell_word(const std::string& s) {
    const bool plain = !s.empty() && s.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                                                         "_-./:=,+@%") == std::string::npos;
    if (plain) return s;
    std::string q = "'";
    for (const char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

// The command as typed with --resume (and without --replace, which would discard the checkpoints).
std::string resume_command(const std::vector<std::string>& argv) {
    std::string command;
    bool resume = false;
    for (const auto& word : argv) {
        if (word == "--replace") continue;
        resume = resume || word == "--resume";
        command += (command.empty() ? "" : " ") + shell_word(word);
    }
    return resume ? command : command + " --resume";
}

int report_interrupted(const BatchInterrupted& e, const BatchOptions& o, const GlobalOptions& g) {
    std::cerr << "tanhui batch: interrupted: " << e.saved_chunks << " of " << e.total_chunks << " chunks ("
              << with_commas(double(e.saved_years)) << " of " << with_commas(double(e.total_years))
              << " simulated years) saved in " << (o.out / ".checkpoint").string() << "; no outputs written\n"
              << "tanhui batch: resume with:\n  " << resume_command(g.argv) << '\n';
    return 130;  // 128 + SIGINT, as a shell reports a process ended by Ctrl-C
}

void print_summary(const BatchSummary& s, const BatchOptions& o, const std::string& version) {
    const double years_per_s = s.seconds > 0 ? double(s.years) * double(s.passes) / s.seconds : 0;
    std::fprintf(stderr,
                 "tanhui batch: %zu policies on %zu holdings, %s years (seed %llu, model %s), %zu chunk%s x %zu pass%s "
                 "on %d process%s in %.1f s: %s years/s, %s policy-years/s%s; wrote %s\n",
                 s.policies, s.holdings, with_commas(s.years).c_str(), static_cast<unsigned long long>(o.seed), version.c_str(),
                 s.chunks, s.chunks == 1 ? "" : "s", s.passes, s.passes == 1 ? "" : "es", s.processes, s.processes == 1 ? "" : "es",
                 s.seconds, with_commas(years_per_s).c_str(),
                 with_commas(double(s.policies) * double(s.years) / std::max(s.seconds, 1e-9)).c_str(),
                 s.chunks_resumed ? (", " + std::to_string(s.chunks_resumed) + " chunks from checkpoints").c_str() : "",
                 o.out.string().c_str());
}

int run(const GlobalOptions& g, BatchArgs& a) {
    Cluster cluster;
    if (a.mpi) {
        if (!mpi_built()) {
            std::cerr << "tanhui batch: --mpi: this tanhui was built without MPI (install libopenmpi-dev and rebuild; "
                         "docs/batch.md)\n";
            return 2;
        }
        cluster = mpi_start();
    }
    const bool root = cluster.rank == 0;
    auto fail = [&](const std::string& message, int code) {
        if (root) std::cerr << message << '\n';
        return code;
    };

    BatchOptions& o = a.options;
    try {
        for (const auto& l : a.layers) o.layers.push_back(parse_layer(l));
    } catch (const InvalidInput& e) {
        return fail(std::string("tanhui batch: ") + e.what(), 2);
    }
    if (!(a.column_budget_mib > 0)) return fail("tanhui batch: --column-budget-mib must be > 0", 2);
    o.column_budget_bytes = static_cast<std::uint64_t>(a.column_budget_mib * 1024 * 1024);
    o.progress = a.quiet ? ProgressStyle::quiet
               : a.progress == "bar" ? ProgressStyle::bar
               : a.progress == "lines" ? ProgressStyle::lines
               : a.progress == "none" ? ProgressStyle::quiet
                                     : ProgressStyle::automatic;

    std::string text;
    try {
        text = read_text(a.portfolio);
    } catch (const std::exception& e) {
        return fail(std::string("tanhui batch: ") + e.what(), 2);
    }

    // Rank 0 opens (and on first use builds and calibrates) the store; the other ranks then read
    // the same model version from it: the database must be at the same path on every node.
    std::string status;
    std::unique_ptr<data::Store> store;
    std::optional<ModelVersion> version;
    if (root) {
        try {
            store = std::make_unique<data::Store>(g.db_path(), data::StoreOptions{.historical_dir = g.historical_dir()});
            version = chosen_model_version(*store, a.model_version);
            status = "ok " + version->version;
        } catch (const UsageError& e) {
            status = std::string("usage ") + e.what();
        } catch (const std::exception& e) {
            status = std::string("error ") + e.what();
        }
    }
    if (cluster.size > 1) mpi_broadcast(cluster, status);
    if (status.rfind("usage ", 0) == 0) return fail("tanhui batch: " + status.substr(6), 2);
    if (status.rfind("error ", 0) == 0) return fail("tanhui batch: " + status.substr(6), 1);
    if (!root) {
        store = std::make_unique<data::Store>(g.db_path(), data::StoreOptions{.historical_dir = g.historical_dir()});
        version = model_version(*store, status.substr(3));
        if (!version) throw std::runtime_error("model version " + status.substr(3) + " is not in " + g.db_path().string());
    }
    const risk::Model model = build_model(*store, *version);

    try {
        const Portfolio portfolio = read_portfolio(a, g, text, *store);
        if (cluster.size == 1) {
            catch_interrupt();
            o.interrupt = &interrupted;
        }
        const BatchSummary s = run_batch(portfolio, model, version->version, o, cluster);
        if (root && !a.quiet) print_summary(s, o, version->version);
        return 0;
    } catch (const PortfolioError& e) {
        return fail(e.what(), 2);
    } catch (const InvalidInput& e) {
        return fail(std::string("tanhui batch: ") + e.what(), 2);
    } catch (const OutDirRefused& e) {
        return fail(std::string("tanhui batch: --out: ") + e.what(), 2);
    } catch (const BatchInterrupted& e) {
        return report_interrupted(e, o, g);
    } catch (const std::exception& e) {
        if (cluster.size > 1) {
            std::cerr << "tanhui batch (rank " << cluster.rank << "): " << e.what() << '\n';
            mpi_abort(1);
        }
        throw;
    }
}

}  // namespace

void add_batch_commands(CLI::App& app, const GlobalOptions& global, Action& action) {
    auto* b = app.add_subcommand(
        "batch",
        "Price a portfolio over simulated years: per-policy quotes, year loss tables, Oasis ORD tables\n"
        "(SELT, SPLT, ALT, ALCT, EPT in tCO2e and CNY), metrics with Euler contributions and layers.\n"
        "PORTFOLIO is CSV (one policy per row, holdings by id) or a JSON array of quote requests:\n"
        "index, price and revenue insurance in one portfolio.\n"
        "Resumable (--resume) and distributable (mpirun ... --mpi); docs/batch.md.");
    auto a = std::make_shared<BatchArgs>();
    b->add_option("PORTFOLIO", a->portfolio, "Portfolio CSV or JSON array of quote requests")->required();
    b->add_option("--holdings", a->holdings, "Holdings CSV (import format of `tanhui data import holdings`) for a CSV "
                                             "portfolio (default: the store's holdings table)");
    b->add_option("--years", a->options.years, "Simulated years")->required()->check(CLI::Range(1u, 4'000'000'000u));
    b->add_option("--seed", a->options.seed, "Seed")->required();
    b->add_option("--out", a->options.out, "Output folder (created; another run's files are refused unless --replace)")
        ->required();
    b->add_option("--threads", a->options.threads, "Threads per process (default: $TANHUI_THREADS or all cores)")
        ->envname("TANHUI_THREADS");
    b->add_flag("--resume", a->options.resume, "Skip the chunks already checkpointed in OUT/.checkpoint");
    b->add_flag("--replace", a->options.replace,
                "Replace another run's files in OUT (without it such a folder is refused; other files stay)");
    b->add_option("--model-version", a->model_version, "A stored model version (`tanhui model list`; default: the current one)");
    b->add_option("--mc-error-share", a->options.mc_error_share,
                  "results' mc_error_flag: the pure premium's standard error exceeds this share of it (default 0.05)");
    b->add_flag("--mpi", a->mpi, "Spread the chunks over the ranks of mpirun (MPI builds)");
    b->add_option("--layer", a->layers, "Reinsurance layer ATTACHMENT:LIMIT[:occurrence|aggregate] in CNY (repeatable)");
    b->add_option("--chunk-years", a->options.chunk_years, "Years per checkpoint chunk (default 10000)")
        ->check(CLI::Range(1u, 4'000'000'000u));
    b->add_option("--column-budget-mib", a->column_budget_mib,
                  "Memory for per-policy payout columns; beyond it the policies are priced in passes (default 1024)");
    b->add_option("--euler-level", a->options.euler_level, "TVaR level of the Euler contributions (default 0.99)");
    b->add_flag("--keep-checkpoints", a->options.keep_checkpoints, "Keep OUT/.checkpoint after a finished run");
    b->add_flag("--policy-ylt", a->options.policy_ylt,
                "Also write policy_ylt_cny.csv: every policy's payout in each year it pays (basis-risk studies)");
    b->add_option("--progress", a->progress, "auto (a bar on a terminal), bar, lines or none")
        ->check(CLI::IsMember({"auto", "bar", "lines", "none"}));
    b->add_flag("--quiet", a->quiet, "No progress and no summary");
    b->callback([&global, &action, a] { action = [&global, a] { return run(global, *a); }; });
}

}  // namespace tanhui::api
