// Simulation throughput (issue 4): simulated holding-years per second per core for 1,000
// holdings x 100,000 years with fire and pest, and raw Philox4x32-10 draws per second on the same
// machine as the ceiling. Each holding-year costs at least one Philox call per peril (the
// "no event" word), so with two perils the ceiling is philox_draws_per_s / 2 holding-years/s.
#include "risk/random/draws.hpp"
#include "risk/perils/fire.hpp"
#include "risk/perils/peril.hpp"
#include "risk/perils/pest.hpp"
#include "risk/simulation/simulate.hpp"

#include <benchmark/benchmark.h>

#include <ctime>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace tanhui;
using namespace tanhui::risk;

// A made-up model (not a calibration): Fujian-like orders of magnitude, about 6e-6 fires per
// ha-year, a lognormal/GPD burned area, every forest type susceptible to some pest.
Model made_up_model() {
    Model model;
    FireModel fm;
    fm.rate_per_ha_year = 6e-6;
    fm.year_factor_shape = 2.0;
    fm.burned_area = {.mu = 1.5, .sigma = 1.4, .threshold_ha = 100, .tail_probability = 0.03, .gpd_xi = 0.3, .gpd_beta = 80};
    fm.flammability = {1.0, 1.3, 1.2, 0.6, 0.4, 0.9};
    add_fire_model(model, "35", fm);
    PestModel pest;
    pest.probability_per_year = {0.01, 0.04, 0.02, 0.005, 0.003, 0.01};
    pest.mortality = {0.4, 0.8, 0.5, 0.3, 0.2, 0.4};
    pest.weather_elasticity = 0.5;
    set_pest_model(model, pest);
    for (auto& g : model.growth) g = {.max_tco2e_per_ha = 300, .rate_per_year = 0.05, .shape = 2};
    return model;
}

// A made-up book: n holdings spread over Fujian's prefectures, 50-2,000 ha, all forest types.
Book synthetic_book(std::int64_t n) {
    const char* regions[] = {"350802", "3507", "3504", "3501", "3505", "3506", "3509"};
    std::vector<Holding> holdings;
    for (std::int64_t i = 0; i < n; ++i) {
        Holding h;
        h.id = "made-up-" + std::to_string(i);
        h.region = regions[i % 7];
        h.forest_type = static_cast<ForestType>(i % 6);
        h.area_ha = 50.0 + double((i * 7919) % 1951);
        h.age_years = 5.0 + double(i % 35);
        holdings.push_back(h);
    }
    return prepare_book(made_up_model(), holdings);
}

double thread_cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

// Philox4x32-10 calls per CPU-second on this thread, in the batches the perils use
// (occurrence_words: SIMD across holdings): the ceiling of the hot loop, one call per peril per
// holding-year.
double philox_draws_per_s() {
    static const double rate = [] {
        std::vector<std::uint32_t> index(1024), out(1024);
        for (std::uint32_t i = 0; i < 1024; ++i) index[i] = i;
        const std::uint32_t years = 50'000;
        const double t0 = thread_cpu_seconds();
        for (std::uint32_t y = 0; y < years; ++y) {
            occurrence_words(20270101, y, PerilId::fire, index.data(), index.size(), out.data());
            benchmark::DoNotOptimize(out.data());
        }
        return 1024.0 * years / (thread_cpu_seconds() - t0);
    }();
    return rate;
}

void simulate_counters(benchmark::State& state, const Book& book, std::uint32_t years, unsigned threads) {
    const double per_iteration = double(book.holdings.size()) * double(years);
    state.counters["holding_years_per_s"] =
        benchmark::Counter(per_iteration * double(state.iterations()), benchmark::Counter::kIsRate);
    state.counters["holding_years_per_s_per_core"] =
        benchmark::Counter(per_iteration * double(state.iterations()) / threads, benchmark::Counter::kIsRate);
    state.counters["philox_draws_per_s"] = philox_draws_per_s();
    state.counters["threads"] = threads;
}

// Single thread, CPU time: the per-core figure. Args: holdings, years.
void BM_SimulateFireAndPest(benchmark::State& state) {
    const Book book = synthetic_book(state.range(0));
    const Simulation sim{.years = static_cast<std::uint32_t>(state.range(1)), .seed = 1, .threads = 1};
    philox_draws_per_s();
    const double t0 = thread_cpu_seconds();
    for (auto _ : state) benchmark::DoNotOptimize(simulate_year_losses(book, sim));
    const double seconds = thread_cpu_seconds() - t0;
    simulate_counters(state, book, sim.years, 1);
    // holding_years_per_s / philox_draws_per_s: 0.5 would mean the two "no event" calls per
    // holding-year (fire, pest) and nothing else.
    const double holding_years = double(book.holdings.size()) * double(sim.years) * double(state.iterations());
    state.counters["ratio_to_philox"] = holding_years / seconds / philox_draws_per_s();
}
BENCHMARK(BM_SimulateFireAndPest)->Args({1'000, 100'000})->Unit(benchmark::kMillisecond);

// All cores, wall-clock time.
void BM_SimulateFireAndPestThreaded(benchmark::State& state) {
    const Book book = synthetic_book(state.range(0));
    const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
    const Simulation sim{.years = static_cast<std::uint32_t>(state.range(1)), .seed = 1, .threads = threads};
    for (auto _ : state) benchmark::DoNotOptimize(simulate_year_losses(book, sim));
    simulate_counters(state, book, sim.years, threads);
}
BENCHMARK(BM_SimulateFireAndPestThreaded)->Args({1'000, 100'000})->Unit(benchmark::kMillisecond)->UseRealTime();

// The ceiling, one core: Philox4x32-10 calls (4 words each) per second, batched as the perils
// draw them, and one at a time.
void BM_PhiloxDraws(benchmark::State& state) {
    std::vector<std::uint32_t> index(1024), out(1024);
    for (std::uint32_t i = 0; i < 1024; ++i) index[i] = i;
    std::uint32_t y = 0;
    for (auto _ : state) {
        occurrence_words(20270101, y++, PerilId::fire, index.data(), index.size(), out.data());
        benchmark::DoNotOptimize(out.data());
    }
    state.counters["philox_draws_per_s"] =
        benchmark::Counter(1024.0 * double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_PhiloxDraws);

void BM_PhiloxDrawsOneAtATime(benchmark::State& state) {
    std::uint32_t i = 0, sink = 0;
    for (auto _ : state) {
        sink ^= draw_words(20270101, 0, i >> 10, i & 1023, 1, 0)[0];
        ++i;
    }
    benchmark::DoNotOptimize(sink);
    state.counters["philox_draws_per_s"] = benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_PhiloxDrawsOneAtATime);

}  // namespace
