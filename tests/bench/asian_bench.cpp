// Asian option price time per engine (issue 5: Turnbull-Wakeman at most 50 microseconds; Monte
// Carlo at 100,000 paths): a 12-monthly-fixing put on a made-up carbon market (spot 15.5
// CNY/tCO2e, 35 % volatility), one price per iteration. Prints median and p99 per price, wall
// clock and this thread's CPU time (the latter is what one core costs on a busy machine).
#include "pricing/asian_put.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <vector>

#include <time.h>

namespace {

using namespace tanhui::pricing;

double thread_cpu_us() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) * 1e-3;
}

double quantile(std::vector<double> v, double q) {
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))];
}

void BM_AsianPut(benchmark::State& state, const char* engine, std::uint64_t paths) {
    const Date start{std::chrono::year{2027}, std::chrono::January, std::chrono::day{4}};
    const AsianOption put{.type = OptionType::put, .strike = 15.5,
                          .fixing_dates = fixing_schedule(start, 12, FixingFrequency::monthly), .past_fixings = {}};
    const BlackScholesMarket market{.valuation_date = start, .spot = 15.5, .volatility = 0.35,
                                    .risk_free_rate = 0.02, .dividend_yield = 0.0};
    const MonteCarloSettings mc{.paths = paths, .seed = 20270101};
    std::vector<double> wall_us, cpu_us;
    for (auto _ : state) {
        const auto t0 = std::chrono::steady_clock::now();
        const double c0 = thread_cpu_us();
        benchmark::DoNotOptimize(price_asian(put, market, engine, mc));
        cpu_us.push_back(thread_cpu_us() - c0);
        wall_us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
    }
    state.counters["median_us"] = quantile(wall_us, 0.5);
    state.counters["p99_us"] = quantile(wall_us, 0.99);
    state.counters["median_cpu_us"] = quantile(cpu_us, 0.5);
    state.counters["p99_cpu_us"] = quantile(cpu_us, 0.99);
    state.counters["paths"] = std::string_view(engine) == "monte_carlo" ? static_cast<double>(paths) : 0.0;
}

BENCHMARK_CAPTURE(BM_AsianPut, turnbull_wakeman, "turnbull_wakeman", 0)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_AsianPut, geometric, "geometric", 0)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_AsianPut, monte_carlo_100k, "monte_carlo", 100'000)
    ->Unit(benchmark::kMillisecond)->Iterations(20);
BENCHMARK_CAPTURE(BM_AsianPut, monte_carlo_10k, "monte_carlo", 10'000)
    ->Unit(benchmark::kMillisecond)->Iterations(100);

}  // namespace
