// What the tests of issue 20 through the real server share (lanes_test.cpp, cancel_test.cpp,
// tls_test.cpp): heavy requests, a server with one expensive thread, /metrics values, waiting.
#pragma once

#include "tests/api/routes/quote_fixtures.hpp"
#include "tests/api/test_server.hpp"

#include <chrono>
#include <functional>
#include <string>
#include <thread>

namespace tanhui::testing::lanes {

using nlohmann::json;
using namespace std::chrono_literals;

// `n` holdings: copies of the index fixture's two, renamed h0, h1, ...
inline json holdings(std::size_t n) {
    const json two = quotes::index_request()["holdings"];
    json out = json::array();
    for (std::size_t i = 0; i < n; ++i) {
        json h = two[i % 2];
        h["id"] = "h" + std::to_string(i);
        out.push_back(h);
    }
    return out;
}

// An index quote of `n` holdings and `years` years: its cost is n x years simulated holding-years.
inline json heavy_request(std::size_t n, long long years, const std::string& id = "HEAVY-1") {
    json j = quotes::index_request(id, years);
    j["holdings"] = holdings(n);
    return j;
}

// The raw bytes of a POST of `body` to `target`.
inline std::string raw_post(const std::string& target, const std::string& body) {
    return "POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
}

// A value of /metrics: the first line starting with `series` (name and labels); -1 when absent.
inline double metric_in(const std::string& text, const std::string& series) {
    const std::size_t at = text.find("\n" + series + " ");
    if (at == std::string::npos) return -1;
    return std::stod(text.substr(at + series.size() + 2));
}
inline double metric(TestServer& srv, const std::string& series) {
    return metric_in(srv.client().get("/metrics").body, series);
}

inline void wait_for(const std::function<bool()>& condition, std::chrono::milliseconds limit = 20s) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!condition() && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(10ms);
}

inline const std::string busy_expensive = "tanhui_lane_busy_threads{lane=\"expensive\"}";
inline const std::string cancelled_expensive = "tanhui_lane_cancelled_total{lane=\"expensive\"}";

// The calibrated server of the long-request tests: one expensive thread, requests of up to 10
// million years and a cost ceiling of 1e9 holding-years; `more` adds options.
inline std::function<void(TestServer::Setup&)> one_expensive_thread(std::function<void(api::ServerOptions&)> more = {}) {
    return quotes::calibrated([more](api::ServerOptions& o) {
        o.max_years = 10'000'000;
        o.lanes.max_request_cost = 1e9;
        o.lanes.expensive_threads = 1;
        if (more) more(o);
    });
}

}  // namespace tanhui::testing::lanes
