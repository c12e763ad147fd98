// Building the embedded database from data/historical (issue 3): rows per second.
#include "data/store/store.hpp"
#include "tests/paths.hpp"

#include <benchmark/benchmark.h>

#include <filesystem>
#include <random>

static void BM_BuildDatabase(benchmark::State& state) {
    namespace fs = std::filesystem;
    const fs::path historical = fs::path(TANHUI_SOURCE_DIR) / "data" / "historical";
    const fs::path dir = fs::temp_directory_path() / ("tanhui-bench-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir);
    std::size_t rows = 0;
    for (auto _ : state) {
        state.PauseTiming();
        fs::remove(dir / "bench.db");
        state.ResumeTiming();
        rows = tanhui::data::build_database(dir / "bench.db", historical).rows;
    }
    fs::remove_all(dir);
    state.counters["rows"] = static_cast<double>(rows);
    state.counters["rows_per_s"] =
        benchmark::Counter(static_cast<double>(rows) * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_BuildDatabase)->Unit(benchmark::kMillisecond)->Iterations(5)->UseRealTime();  // I/O bound: wall time
