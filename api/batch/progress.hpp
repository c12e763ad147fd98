// Progress of a batch on stderr (docs/batch.md "Progress"): a bar with percent, years, years
// per second and the time left on a terminal, otherwise a plain line every 5 seconds.
#pragma once

#include "api/batch/batch.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace tanhui::api::batch {

using Clock = std::chrono::steady_clock;

std::string grouped(std::uint64_t v);      // 1234567 -> "1,234,567"
std::string duration_text(double seconds);  // "1:02:03", "02:03", "--:--"

class Progress {
public:
    Progress(ProgressStyle style, std::uint64_t total_years);
    ~Progress() { stop(); }
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    std::atomic<std::uint64_t>& simulated() { return simulated_; }
    void resumed(std::uint64_t years) { resumed_ += years; }
    void stop();

private:
    void loop();
    void print(bool final);

    ProgressStyle style_ = ProgressStyle::quiet;
    std::uint64_t total_;
    Clock::time_point start_;
    std::atomic<std::uint64_t> simulated_{0}, resumed_{0};
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopped_ = false;
    std::thread thread_;
};

}  // namespace tanhui::api::batch
