#include "api/http/lanes.hpp"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace tanhui::api {

std::string_view to_string(Lane lane) { return lane == Lane::cheap ? "cheap" : "expensive"; }

namespace {

unsigned cores() {
    const unsigned hw = std::thread::hardware_concurrency();
    return hw > 0 ? hw : 2;
}

}  // namespace

Lanes::Lanes(const LanesConfig& config) {
    const unsigned cheap = config.cheap_threads ? config.cheap_threads : cores();
    const unsigned expensive = config.expensive_threads ? config.expensive_threads : std::max(1u, cores() / 2);
    lane_(Lane::cheap).capacity = config.cheap_queue;
    lane_(Lane::expensive).capacity = config.expensive_queue;
    const int nice = std::clamp(config.expensive_nice, 0, 19);
    for (unsigned i = 0; i < cheap; ++i) lane_(Lane::cheap).threads.emplace_back([this] { run(lane_(Lane::cheap), 0); });
    for (unsigned i = 0; i < expensive; ++i)
        lane_(Lane::expensive).threads.emplace_back([this, nice] { run(lane_(Lane::expensive), nice); });
}

Lanes::~Lanes() { join(); }

bool Lanes::submit(Lane which, std::function<void()> job) {
    LaneState& lane = lane_(which);
    {
        std::lock_guard lock(lane.mutex);
        if (lane.stopping || lane.queue.size() >= lane.capacity) {
            lane.refused.fetch_add(1, std::memory_order_relaxed);
            return false;
        }
        lane.queue.push_back({std::move(job), Clock::now()});
    }
    lane.ready.notify_one();
    return true;
}

void Lanes::run(LaneState& lane, int nice) {
    // Linux: a thread's nice value is its own (setpriority on its thread id); raising it needs no
    // privilege. Elsewhere this does nothing harmful.
    if (nice > 0) setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), nice);
    for (;;) {
        Job job;
        {
            std::unique_lock lock(lane.mutex);
            lane.ready.wait(lock, [&] { return lane.stopping || !lane.queue.empty(); });
            if (lane.queue.empty()) return;  // stopping, and nothing left
            job = std::move(lane.queue.front());
            lane.queue.pop_front();
            const Clock::time_point now = Clock::now();
            lane.last_start = now;
            lane.last_wait = now - job.queued;
        }
        const auto wait_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(lane.last_wait).count();
        lane.wait_ns_sum.fetch_add(wait_ns, std::memory_order_relaxed);
        std::int64_t max = lane.wait_ns_max.load(std::memory_order_relaxed);
        while (wait_ns > max && !lane.wait_ns_max.compare_exchange_weak(max, wait_ns, std::memory_order_relaxed)) {
        }
        lane.started.fetch_add(1, std::memory_order_relaxed);
        lane.busy.fetch_add(1, std::memory_order_relaxed);
        job.run();  // the server's jobs catch everything themselves
        lane.busy.fetch_sub(1, std::memory_order_relaxed);
    }
}

void Lanes::join() {
    if (joined_) return;
    joined_ = true;
    for (LaneState& lane : lanes_) {
        {
            std::lock_guard lock(lane.mutex);
            lane.stopping = true;
        }
        lane.ready.notify_all();
    }
    for (LaneState& lane : lanes_)
        for (std::thread& t : lane.threads) t.join();
}

Lanes::Clock::duration Lanes::queue_wait(Lane which) const {
    const LaneState& lane = lane_(which);
    const Clock::time_point now = Clock::now();
    std::lock_guard lock(lane.mutex);
    Clock::duration wait{};
    if (!lane.queue.empty()) wait = now - lane.queue.front().queued;
    if (now - lane.last_start < std::chrono::seconds(1)) wait = std::max(wait, lane.last_wait);
    return wait;
}

std::size_t Lanes::queue_depth(Lane which) const {
    const LaneState& lane = lane_(which);
    std::lock_guard lock(lane.mutex);
    return lane.queue.size();
}

unsigned Lanes::threads(Lane which) const { return static_cast<unsigned>(lane_(which).threads.size()); }

std::string Lanes::render() const {
    std::string out;
    const auto add = [&out](const char* name, const char* type, const char* help) {
        out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
    };
    const auto line = [&out](const char* name, Lane lane, double value) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.9g", value);
        out += std::string(name) + "{lane=\"" + std::string(to_string(lane)) + "\"} " + buf + "\n";
    };
    const Lane both[] = {Lane::cheap, Lane::expensive};
    add("tanhui_lane_threads", "gauge", "Worker threads of the lane.");
    for (Lane l : both) line("tanhui_lane_threads", l, threads(l));
    add("tanhui_lane_busy_threads", "gauge", "Threads of the lane running a request now.");
    for (Lane l : both) line("tanhui_lane_busy_threads", l, static_cast<double>(lane_(l).busy.load()));
    add("tanhui_lane_queue_depth", "gauge", "Requests waiting in the lane's queue.");
    for (Lane l : both) line("tanhui_lane_queue_depth", l, static_cast<double>(queue_depth(l)));
    add("tanhui_lane_queue_wait_seconds", "gauge", "The lane's current queue wait (see docs/reliability.md).");
    for (Lane l : both) line("tanhui_lane_queue_wait_seconds", l, std::chrono::duration<double>(queue_wait(l)).count());
    add("tanhui_lane_queue_wait_seconds_total", "counter", "Seconds requests waited in the lane's queue, summed.");
    for (Lane l : both) line("tanhui_lane_queue_wait_seconds_total", l, static_cast<double>(lane_(l).wait_ns_sum.load()) * 1e-9);
    add("tanhui_lane_queue_wait_seconds_max", "gauge", "The longest queue wait of the lane since the start.");
    for (Lane l : both) line("tanhui_lane_queue_wait_seconds_max", l, static_cast<double>(lane_(l).wait_ns_max.load()) * 1e-9);
    add("tanhui_lane_started_total", "counter", "Requests the lane started.");
    for (Lane l : both) line("tanhui_lane_started_total", l, static_cast<double>(lane_(l).started.load()));
    add("tanhui_lane_refused_total", "counter", "Requests refused because the lane's queue was full (503).");
    for (Lane l : both) line("tanhui_lane_refused_total", l, static_cast<double>(lane_(l).refused.load()));
    add("tanhui_lane_cancelled_total", "counter", "Requests of the lane stopped: the client hung up or the deadline passed.");
    for (Lane l : both) line("tanhui_lane_cancelled_total", l, static_cast<double>(lane_(l).cancelled.load()));
    return out;
}

}  // namespace tanhui::api
