// Batch throughput and memory (issue 7):
//  - BM_BatchFujianDemo: policies x years per second for the Fujian demonstration portfolio
//    (examples/portfolios, synthetic) at 100,000 years on the calibrated model, end to end (every
//    output file written), wall clock and per CPU-second.
//  - BM_BatchPeakMemoryMadeUp10kHoldings: peak resident memory (getrusage ru_maxrss of the
//    `tanhui batch` process) for a made-up book of 10,000 holdings in 500 policies x 100,000 years.
#include "api/batch/batch.hpp"
#include "api/service/calibration.hpp"
#include "api/batch/portfolio.hpp"
#include "data/store/store.hpp"
#include "tests/paths.hpp"

#include <benchmark/benchmark.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

using namespace tanhui;
namespace fs = std::filesystem;

// A temporary folder, removed at exit.
struct WorkDir {
    fs::path path = fs::temp_directory_path() / ("tanhui-batch-bench-" + std::to_string(std::random_device{}()));
    WorkDir() { fs::create_directories(path); }
    ~WorkDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

const fs::path& work_dir() {
    static const WorkDir dir;
    return dir.path;
}

fs::path historical() { return fs::path(TANHUI_SOURCE_DIR) / "data" / "historical"; }
fs::path database() { return work_dir() / "bench.db"; }

// The store built from data/historical and its calibrated model (once per process).
data::Store& store() {
    static data::Store* s = new data::Store(database(), {.historical_dir = historical()});
    return *s;
}
const api::ModelVersion& version() {
    static const api::ModelVersion v = api::ensure_current_model(store());
    return v;
}
const risk::Model& model() {
    static const risk::Model m = api::build_model(store(), version());
    return m;
}

std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

double process_cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

void BM_BatchFujianDemo(benchmark::State& state) {
    const fs::path examples = fs::path(TANHUI_SOURCE_DIR) / "examples" / "portfolios";
    const fs::path holdings_file = examples / "fujian-demo-synthetic-holdings.csv";
    const auto holdings = api::read_holdings_csv(store(), holdings_file.string(), read(holdings_file));
    const fs::path portfolio_file = examples / "fujian-demo-synthetic-portfolio.csv";
    const api::Portfolio portfolio =
        api::parse_portfolio(portfolio_file.string(), read(portfolio_file), holdings, holdings_file.string());
    api::BatchOptions o;
    o.years = static_cast<std::uint32_t>(state.range(0));
    o.seed = 20270101;
    o.out = work_dir() / "demo";
    o.progress = api::ProgressStyle::quiet;
    model();
    double cpu = 0;
    for (auto _ : state) {
        const double c0 = process_cpu_seconds();
        benchmark::DoNotOptimize(api::run_batch(portfolio, model(), version().version, o));
        cpu += process_cpu_seconds() - c0;
    }
    const double policy_years = double(portfolio.policies.size()) * double(o.years) * double(state.iterations());
    state.counters["policies"] = double(portfolio.policies.size());
    state.counters["holdings"] = double(portfolio.holdings.size());
    state.counters["years"] = double(o.years);
    state.counters["policy_years_per_s"] = benchmark::Counter(policy_years, benchmark::Counter::kIsRate);
    state.counters["policy_years_per_cpu_s"] = policy_years / cpu;
    state.counters["years_per_s"] = benchmark::Counter(double(o.years) * double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_BatchFujianDemo)->Arg(100'000)->Iterations(2)->Unit(benchmark::kSecond)->UseRealTime();

// A made-up book (named so): n holdings over Fujian's county-level units, all forest types,
// 20 holdings to a policy, alternately per-tonne and linear.
void write_made_up_book(const fs::path& holdings_csv, const fs::path& portfolio_csv, int holdings) {
    std::vector<std::string> counties;
    std::istringstream regions(read(historical() / "regions.csv"));
    for (std::string line; std::getline(regions, line);) {
        const auto parent = line.substr(line.rfind(',') + 1);
        if (line.find(",county,") != std::string::npos && parent.size() == 4 && parent.rfind("350", 0) == 0)
            counties.push_back(line.substr(0, line.find(',')));
    }
    const char* types[] = {"chinese_fir", "masson_pine", "eucalyptus", "broadleaf", "bamboo", "mixed"};
    std::ofstream h(holdings_csv);
    h << "id,region,forest_type,area_ha,age_years,carbon_stock_tco2e_per_ha,sequestration_tco2e_per_ha_yr,credits_tco2e\n";
    for (int i = 0; i < holdings; ++i)
        h << "made-up-" << i << ',' << counties[static_cast<std::size_t>(i) % counties.size()] << ',' << types[i % 6] << ','
          << 50 + (i * 7919) % 1951 << ',' << 5 + i % 35 << ",,,\n";
    std::ofstream p(portfolio_csv);
    p << "policy_id,holding_ids,product,perils,form,price_cny_per_tco2e,sum_insured_cny,trigger,exit\n";
    for (int k = 0; k * 20 < holdings; ++k) {
        p << "MADE-UP-" << k << ',';
        for (int i = k * 20; i < std::min(holdings, k * 20 + 20); ++i) p << (i > k * 20 ? ";" : "") << "made-up-" << i;
        p << ",index_insurance,fire;pest," << (k % 2 ? "linear,,2000000,0.01,0.3\n" : "per_tonne,20,,,\n");
    }
}

void BM_BatchPeakMemoryMadeUp10kHoldings(benchmark::State& state) {
    const int holdings = static_cast<int>(state.range(0));
    const auto years = state.range(1);
    const fs::path dir = work_dir() / "made-up";
    fs::create_directories(dir);
    write_made_up_book(dir / "holdings.csv", dir / "portfolio.csv", holdings);
    version();  // the database exists and is calibrated before the child opens it
    const std::string tanhui = (fs::read_symlink("/proc/self/exe").parent_path() / "tanhui").string();
    const std::vector<std::string> args{tanhui, "--db", database().string(), "--data-dir", historical().string(), "batch",
                                        (dir / "portfolio.csv").string(), "--holdings", (dir / "holdings.csv").string(),
                                        "--years", std::to_string(years), "--seed", "1", "--out", (dir / "out").string(),
                                        "--quiet"};
    double max_rss_mib = 0;
    for (auto _ : state) {
        const pid_t child = fork();
        if (child == 0) {
            std::vector<char*> argv;
            for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
            argv.push_back(nullptr);
            execv(argv[0], argv.data());
            _exit(127);
        }
        int status = 0;
        rusage usage{};
        wait4(child, &status, 0, &usage);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            state.SkipWithError("tanhui batch failed");
            return;
        }
        max_rss_mib = std::max(max_rss_mib, double(usage.ru_maxrss) / 1024.0);  // ru_maxrss is in KiB on Linux
    }
    const double policies = std::ceil(holdings / 20.0);
    state.counters["holdings"] = holdings;
    state.counters["policies"] = policies;
    state.counters["years"] = double(years);
    state.counters["peak_rss_mib"] = max_rss_mib;
    state.counters["payout_columns_mib"] = policies * double(years) * 8 / (1024.0 * 1024.0);
    state.counters["holding_years_per_s"] =
        benchmark::Counter(double(holdings) * double(years) * double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_BatchPeakMemoryMadeUp10kHoldings)->Args({10'000, 100'000})->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();

}  // namespace
