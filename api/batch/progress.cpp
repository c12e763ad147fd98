#include "api/batch/progress.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <unistd.h>

namespace tanhui::api::batch {

std::string grouped(std::uint64_t v) {
    std::string s = std::to_string(v);
    for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<std::size_t>(i), ",");
    return s;
}

std::string duration_text(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) return "--:--";
    const auto s = static_cast<long long>(seconds + 0.5);
    char buf[32];
    if (s >= 3600) std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", s / 3600, (s / 60) % 60, s % 60);
    else std::snprintf(buf, sizeof buf, "%lld:%02lld", s / 60, s % 60);
    return buf;
}

Progress::Progress(ProgressStyle style, std::uint64_t total_years) : total_(total_years), start_(Clock::now()) {
    if (style == ProgressStyle::automatic) style = ::isatty(STDERR_FILENO) ? ProgressStyle::bar : ProgressStyle::lines;
    style_ = style;
    if (style_ != ProgressStyle::quiet) thread_ = std::thread([this] { loop(); });
}

void Progress::stop() {
    {
        const std::lock_guard lock(mutex_);
        if (stopped_) return;
        stopped_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    if (style_ == ProgressStyle::bar) {
        print(true);
        std::fputc('\n', stderr);
    }
}

void Progress::loop() {
    const auto period = style_ == ProgressStyle::bar ? std::chrono::milliseconds(250) : std::chrono::milliseconds(5000);
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, period, [this] { return stopped_; })) print(false);
}

void Progress::print(bool final) {
    const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
    const std::uint64_t sim = simulated_.load(), done = std::min(total_, sim + resumed_.load());
    const double fraction = total_ ? double(done) / double(total_) : 1.0;
    const double rate = elapsed > 0 ? double(sim) / elapsed : 0.0;
    const double eta = rate > 0 ? double(total_ - done) / rate : NAN;
    char pct[16];
    std::snprintf(pct, sizeof pct, "%5.1f%%", 100 * fraction);
    std::string line;
    if (style_ == ProgressStyle::bar) {
        constexpr int width = 30;
        const int filled = static_cast<int>(fraction * width);
        line = "\r[" + std::string(static_cast<std::size_t>(filled), '#') + std::string(static_cast<std::size_t>(width - filled), '-') + "] ";
        line += std::string(pct) + "  " + grouped(done) + "/" + grouped(total_) + " years  " +
                grouped(static_cast<std::uint64_t>(rate)) + " years/s  ETA " + (final ? duration_text(0) : duration_text(eta)) + "  ";
    } else {
        line = "tanhui batch: " + std::string(pct) + " (" + std::to_string(done) + "/" + std::to_string(total_) +
               " years), " + std::to_string(static_cast<std::uint64_t>(rate)) + " years/s, ETA " + duration_text(eta) + "\n";
    }
    std::fputs(line.c_str(), stderr);
    std::fflush(stderr);
}

}  // namespace tanhui::api::batch
