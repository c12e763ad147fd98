#include "risk/simulation/parallel.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <set>
#include <string>
#include <stdexcept>
#include <thread>
#include <vector>

namespace tanhui::risk {
namespace {

TEST(Parallel, EveryIndexRunsExactlyOnceWhateverTheThreadCount) {
    for (unsigned threads : {0u, 1u, 2u, 3u, 8u, 64u}) {
        for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{5}, std::size_t{1000}}) {
            std::vector<std::atomic<int>> runs(n);
            parallel_for(n, threads, [&](std::size_t i) { runs[i].fetch_add(1); });
            for (std::size_t i = 0; i < n; ++i) EXPECT_EQ(runs[i].load(), 1) << "index " << i << ", " << threads << " threads";
        }
    }
}

TEST(Parallel, EachThreadMakesOneStateAndNoMoreThreadsThanIndices) {
    struct State {
        std::thread::id owner = std::this_thread::get_id();
        int used = 0;
    };
    std::mutex mutex;
    std::set<std::thread::id> makers, workers;
    std::atomic<int> states{0};
    parallel_indexed(
        3, 16,
        [&] {
            states.fetch_add(1);
            const std::lock_guard lock(mutex);
            makers.insert(std::this_thread::get_id());
            return State{};
        },
        [&](State& s, std::size_t) {
            EXPECT_EQ(s.owner, std::this_thread::get_id()) << "a state went to another thread";
            ++s.used;
            const std::lock_guard lock(mutex);
            workers.insert(std::this_thread::get_id());
        });
    EXPECT_LE(states.load(), 3);  // 16 threads asked for, 3 indices: 3 threads at most
    EXPECT_EQ(makers.size(), static_cast<std::size_t>(states.load()));
    EXPECT_TRUE(std::includes(makers.begin(), makers.end(), workers.begin(), workers.end()));
}

TEST(Parallel, TheFirstExceptionStopsNewIndicesAndIsRethrown) {
    // One thread: indices run in order, and none starts after the throw.
    std::size_t started = 0;
    EXPECT_THROW(parallel_for(1000, 1,
                              [&](std::size_t i) {
                                  ++started;
                                  if (i == 10) throw std::runtime_error("index 10");
                              }),
                 std::runtime_error);
    EXPECT_EQ(started, 11u);
    // Several threads: the exception still reaches the caller, after every thread has joined.
    EXPECT_THROW(parallel_for(1000, 4,
                              [&](std::size_t i) {
                                  if (i % 7 == 3) throw std::runtime_error("index " + std::to_string(i));
                              }),
                 std::runtime_error);
}

TEST(Parallel, AnExceptionMakingTheStateIsRethrown) {
    std::atomic<int> ran{0};
    EXPECT_THROW(parallel_indexed(
                     10, 1, []() -> int { throw std::invalid_argument("no state"); },
                     [&](int, std::size_t) { ran.fetch_add(1); }),
                 std::invalid_argument);
    EXPECT_EQ(ran.load(), 0);
}

TEST(Parallel, ZeroThreadsMeansEveryCore) {
    EXPECT_EQ(thread_count(0), std::max(1u, std::thread::hardware_concurrency()));
    EXPECT_EQ(thread_count(3), 3u);
}

}  // namespace
}  // namespace tanhui::risk
