#include "api/http/metrics_registry.hpp"

#include "api/version.hpp"

#include <charconv>
#include <cstdio>

namespace tanhui::api {

namespace {
constexpr int min_status = 100;
constexpr int max_status = 599;
constexpr std::size_t status_slots = max_status - min_status + 1;

// Bucket bounds as people write them (0.0005, not 5e-04); sums in the shortest exact form.
std::string bound(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

std::string number(double v) {
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

// Label values: backslash, double quote and newline escaped (exposition format 0.0.4).
std::string label(std::string_view v) {
    std::string out;
    for (char c : v) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}
}  // namespace

struct MetricsRegistry::RouteStats {
    std::array<std::atomic<std::uint64_t>, status_slots> by_status{};
    std::array<std::atomic<std::uint64_t>, latency_buckets_s.size() + 1> buckets{};  // non-cumulative; last = +Inf
    std::atomic<std::uint64_t> count{0};
    std::atomic<std::uint64_t> sum_ns{0};
};

MetricsRegistry::MetricsRegistry() : stats_(std::make_unique<RouteStats[]>(1)) {}
MetricsRegistry::~MetricsRegistry() = default;

void MetricsRegistry::bind_routes(const std::vector<RouteInfo>& routes) {
    routes_ = routes;
    stats_ = std::make_unique<RouteStats[]>(routes_.size() + 1);
}

MetricsRegistry::RouteStats& MetricsRegistry::stats(std::size_t route) {
    return stats_[route < routes_.size() ? route : routes_.size()];
}

const MetricsRegistry::RouteStats* MetricsRegistry::stats(std::size_t route) const {
    return &stats_[route < routes_.size() ? route : routes_.size()];
}

void MetricsRegistry::record(std::size_t route, int status, double seconds) {
    RouteStats& s = stats(route);
    if (status >= min_status && status <= max_status)
        s.by_status[static_cast<std::size_t>(status - min_status)].fetch_add(1, std::memory_order_relaxed);
    std::size_t b = 0;
    while (b < latency_buckets_s.size() && seconds > latency_buckets_s[b]) ++b;
    s.buckets[b].fetch_add(1, std::memory_order_relaxed);
    s.count.fetch_add(1, std::memory_order_relaxed);
    s.sum_ns.fetch_add(static_cast<std::uint64_t>(seconds > 0 ? seconds * 1e9 : 0), std::memory_order_relaxed);
}

std::uint64_t MetricsRegistry::requests(std::size_t route, int status) const {
    if (status < min_status || status > max_status) return 0;
    return stats(route)->by_status[static_cast<std::size_t>(status - min_status)].load(std::memory_order_relaxed);
}

std::string MetricsRegistry::render() const {
    std::string out;
    auto route_labels = [&](std::size_t i) {
        if (i >= routes_.size()) return std::string("method=\"\",route=\"unmatched\"");
        return "method=\"" + label(routes_[i].method) + "\",route=\"" + label(routes_[i].pattern) + "\"";
    };
    out += "# HELP tanhui_build_info Version and commit of the running server.\n"
           "# TYPE tanhui_build_info gauge\n";
    out += "tanhui_build_info{version=\"" + label(version) + "\",commit=\"" + label(git_commit) + "\"} 1\n";

    out += "# HELP tanhui_http_requests_total HTTP requests answered, by route pattern and status.\n"
           "# TYPE tanhui_http_requests_total counter\n";
    for (std::size_t i = 0; i <= routes_.size(); ++i) {
        const RouteStats& s = stats_[i];
        for (std::size_t k = 0; k < status_slots; ++k) {
            const auto n = s.by_status[k].load(std::memory_order_relaxed);
            if (n == 0) continue;
            out += "tanhui_http_requests_total{" + route_labels(i) + ",status=\"" +
                   std::to_string(static_cast<int>(k) + min_status) + "\"} " + std::to_string(n) + "\n";
        }
    }

    out += "# HELP tanhui_http_request_duration_seconds Time from the end of the request header to the end "
           "of the response, by route pattern.\n"
           "# TYPE tanhui_http_request_duration_seconds histogram\n";
    for (std::size_t i = 0; i <= routes_.size(); ++i) {
        const RouteStats& s = stats_[i];
        const std::uint64_t count = s.count.load(std::memory_order_relaxed);
        if (count == 0 && i == routes_.size()) continue;
        const std::string labels = route_labels(i);
        std::uint64_t cumulative = 0;
        for (std::size_t b = 0; b < latency_buckets_s.size(); ++b) {
            cumulative += s.buckets[b].load(std::memory_order_relaxed);
            out += "tanhui_http_request_duration_seconds_bucket{" + labels + ",le=\"" + bound(latency_buckets_s[b]) +
                   "\"} " + std::to_string(cumulative) + "\n";
        }
        cumulative += s.buckets.back().load(std::memory_order_relaxed);
        out += "tanhui_http_request_duration_seconds_bucket{" + labels + ",le=\"+Inf\"} " +
               std::to_string(cumulative) + "\n";
        out += "tanhui_http_request_duration_seconds_sum{" + labels + "} " +
               number(static_cast<double>(s.sum_ns.load(std::memory_order_relaxed)) * 1e-9) + "\n";
        // _count equals the +Inf bucket, read in the same pass so that the two agree.
        out += "tanhui_http_request_duration_seconds_count{" + labels + "} " + std::to_string(cumulative) + "\n";
    }

    out += "# HELP tanhui_http_requests_in_flight Requests read and not yet answered.\n"
           "# TYPE tanhui_http_requests_in_flight gauge\n"
           "tanhui_http_requests_in_flight " + std::to_string(in_flight_.load(std::memory_order_relaxed)) + "\n";
    out += "# HELP tanhui_http_connections_open Open client connections.\n"
           "# TYPE tanhui_http_connections_open gauge\n"
           "tanhui_http_connections_open " + std::to_string(connections_.load(std::memory_order_relaxed)) + "\n";
    out += "# HELP tanhui_quotes_total Policies quoted.\n"
           "# TYPE tanhui_quotes_total counter\n"
           "tanhui_quotes_total " + std::to_string(quotes_.load(std::memory_order_relaxed)) + "\n";
    out += "# HELP tanhui_simulated_years_total Simulated years run for quotes and risk requests.\n"
           "# TYPE tanhui_simulated_years_total counter\n"
           "tanhui_simulated_years_total " + std::to_string(simulated_years_.load(std::memory_order_relaxed)) + "\n";
    if (extra_) out += extra_();
    return out;
}

void register_metrics_route(Router& router, const MetricsRegistry& metrics) {
    router.add("GET", "/metrics", Role::anyone,
               [&metrics](const Request&) {
                   return Response{200, MetricsRegistry::content_type, metrics.render(), {}};
               },
               {.body_limit = 1 << 20, .run_inline = true});
}

}  // namespace tanhui::api
