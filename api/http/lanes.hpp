// The server's worker lanes (docs/reliability.md "Cost, lanes and budgets"): cheap work
// (closed-form quotes, reads, small simulations) and expensive simulations each have their own
// threads and their own bounded queue, so a cheap request never waits behind an expensive one.
// The expensive lane's threads run at a lower CPU priority (LanesConfig::expensive_nice, 10), so
// on a busy machine the cheap lane's threads get the cores first. A full queue refuses the job (the server's 503).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace tanhui::api {

enum class Lane : std::uint8_t { cheap, expensive };
std::string_view to_string(Lane lane);

struct LanesConfig {
    unsigned cheap_threads = 0;      // 0: hardware cores
    unsigned expensive_threads = 0;  // 0: half the cores, at least 1
    std::size_t cheap_queue = 1024;  // jobs waiting beyond the running ones; more: refused
    std::size_t expensive_queue = 16;
    double cheap_cost_limit = 2e6;          // a request costing more runs in the expensive lane
    double max_request_cost = 3e8;          // a request costing more is refused (422)
    std::chrono::milliseconds ready_wait{1'000};  // /readyz fails while the cheap lane's wait exceeds it
    int expensive_nice = 10;  // the expensive lane's threads' nice value (0..19; docs/reliability.md)
};

class Lanes {
public:
    using Clock = std::chrono::steady_clock;
    explicit Lanes(const LanesConfig& config);
    ~Lanes();  // join()
    Lanes(const Lanes&) = delete;
    Lanes& operator=(const Lanes&) = delete;

    // Queues `job` on `lane`; false (nothing queued) when its queue is full or the lanes stopped.
    bool submit(Lane lane, std::function<void()> job);
    // Runs every queued job, then ends the threads. Idempotent.
    void join();

    // How long the oldest queued job of `lane` has waited, or the wait of the last job started
    // within the last second, whichever is longer.
    Clock::duration queue_wait(Lane lane) const;
    std::size_t queue_depth(Lane lane) const;
    unsigned threads(Lane lane) const;
    void count_cancelled(Lane lane) { lane_(lane).cancelled.fetch_add(1, std::memory_order_relaxed); }
    // Prometheus text: depth, busy threads, wait (sum, count, max), refused and cancelled jobs per lane.
    std::string render() const;

private:
    struct Job {
        std::function<void()> run;
        Clock::time_point queued;
    };
    struct LaneState {
        mutable std::mutex mutex;
        std::condition_variable ready;
        std::deque<Job> queue;
        std::size_t capacity = 0;
        std::vector<std::thread> threads;
        bool stopping = false;
        Clock::time_point last_start{};
        Clock::duration last_wait{};
        std::atomic<std::uint64_t> started{0}, refused{0}, cancelled{0};
        std::atomic<std::int64_t> busy{0};
        std::atomic<std::int64_t> wait_ns_sum{0}, wait_ns_max{0};
    };
    LaneState& lane_(Lane lane) { return lanes_[static_cast<std::size_t>(lane)]; }
    const LaneState& lane_(Lane lane) const { return lanes_[static_cast<std::size_t>(lane)]; }
    void run(LaneState& lane, int nice);

    std::array<LaneState, 2> lanes_;
    bool joined_ = false;
};

}  // namespace tanhui::api
