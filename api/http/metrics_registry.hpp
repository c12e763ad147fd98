// The service's metrics for GET /metrics, in the Prometheus text exposition format 0.0.4.
// Lock-free: every counter is a relaxed atomic, so recording costs a few nanoseconds.
#pragma once

#include "api/http/router.hpp"

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace tanhui::api {

class MetricsRegistry {
public:
    // Upper bounds of the latency histogram, seconds (plus +Inf).
    static constexpr std::array<double, 14> latency_buckets_s{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                              0.1,    0.25,  0.5,    1,     2.5,  5,     10};
    static constexpr std::size_t unmatched = static_cast<std::size_t>(-1);

    MetricsRegistry();
    ~MetricsRegistry();
    MetricsRegistry(const MetricsRegistry&) = delete;
    MetricsRegistry& operator=(const MetricsRegistry&) = delete;

    // Once, after every route is registered and before the first request.
    void bind_routes(const std::vector<RouteInfo>& routes);

    // One answered request: `route` is Route::index, or `unmatched` (404, bad request line ...).
    void record(std::size_t route, int status, double seconds);
    void request_started() { in_flight_.fetch_add(1, std::memory_order_relaxed); }
    void request_finished() { in_flight_.fetch_sub(1, std::memory_order_relaxed); }
    void connection_opened() { connections_.fetch_add(1, std::memory_order_relaxed); }
    void connection_closed() { connections_.fetch_sub(1, std::memory_order_relaxed); }

    // For the quote routes: policies quoted, and simulated years run (summed over policies).
    void add_quotes(std::uint64_t n) { quotes_.fetch_add(n, std::memory_order_relaxed); }
    void add_simulated_years(std::uint64_t n) { simulated_years_.fetch_add(n, std::memory_order_relaxed); }

    std::uint64_t requests(std::size_t route, int status) const;  // for tests
    std::string render() const;
    // More text for render() (the server's lanes, api/http/lanes.hpp); set before the first request.
    void set_extra(std::function<std::string()> extra) { extra_ = std::move(extra); }
    static constexpr const char* content_type = "text/plain; version=0.0.4; charset=utf-8";

private:
    struct RouteStats;
    RouteStats& stats(std::size_t route);
    const RouteStats* stats(std::size_t route) const;

    std::vector<RouteInfo> routes_;
    std::unique_ptr<RouteStats[]> stats_;  // routes_.size() + 1; the last is `unmatched`
    std::atomic<std::int64_t> in_flight_{0};
    std::atomic<std::int64_t> connections_{0};
    std::atomic<std::uint64_t> quotes_{0};
    std::atomic<std::uint64_t> simulated_years_{0};
    std::function<std::string()> extra_;
};

// GET /metrics (public, answered on the I/O thread).
void register_metrics_route(Router& router, const MetricsRegistry& metrics);

}  // namespace tanhui::api
