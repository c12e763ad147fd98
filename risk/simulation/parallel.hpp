// The one work scheduler of Tanhui's parallel loops: the simulation's blocks of years, the batch
// runner's chunks and policy columns, the backtests' replications and markets.
//
// Threads claim indices 0, 1, 2 ... from a shared counter, so which thread runs which index changes
// from run to run. Results are the same bits whatever the thread count only when the work for
// index i writes nothing but what index i owns (its block of years, its slot of an output vector);
// every caller keeps to that, and the tests compare 1 thread with several.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace tanhui::risk {

// The number of threads a loop runs on when the caller asks for `requested` (0: every core).
inline unsigned thread_count(unsigned requested) {
    return requested ? requested : std::max(1u, std::thread::hardware_concurrency());
}

// Calls work(state, i) for every i in [0, n) on up to thread_count(threads) threads, the calling
// thread one of them and none idle (never more threads than indices). Each thread makes its own
// scratch state with make_state() before its first index and keeps it for all its indices. After
// the first exception (from make_state or work) no new index is started, and that exception is
// rethrown once every thread has stopped.
template <class MakeState, class Work>
void parallel_indexed(std::size_t n, unsigned threads, MakeState&& make_state, Work&& work) {
    if (n == 0) return;
    const auto count = static_cast<unsigned>(std::min<std::size_t>(thread_count(threads), n));
    std::atomic<std::size_t> next{0};
    std::atomic<bool> stop{false};
    std::exception_ptr error;
    std::mutex error_mutex;
    const auto run = [&] {
        try {
            auto state = make_state();
            for (;;) {
                const std::size_t i = next.fetch_add(1);
                if (i >= n || stop.load()) break;
                work(state, i);
            }
        } catch (...) {
            const std::lock_guard lock(error_mutex);
            if (!error) error = std::current_exception();
            stop = true;
        }
    };
    {
        std::vector<std::jthread> pool;
        pool.reserve(count - 1);
        for (unsigned t = 1; t < count; ++t) pool.emplace_back(run);
        run();
    }  // joined here
    if (error) std::rethrow_exception(error);
}

// parallel_indexed without per-thread state: f(i) for every i in [0, n).
template <class F>
void parallel_for(std::size_t n, unsigned threads, F&& f) {
    parallel_indexed(
        n, threads, [] { return 0; }, [&](int, std::size_t i) { f(i); });
}

}  // namespace tanhui::risk
