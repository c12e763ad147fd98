// The HTTP/1.1 JSON service (`tanhui serve`): Boost.Beast on Boost.Asio. DESIGN "Interfaces (api/)".
//
// I/O threads run one io_context: accept, read, write, and the cheap inline routes (/healthz,
// /metrics). Every other handler runs on one of two worker lanes (api/http/lanes.hpp: cheap work,
// and expensive simulations by their cost before any work) and its response is posted back to the
// connection's strand, so a long simulation never delays /healthz nor a closed-form quote.
//
// Adding a route group:
//     void register_quote_routes(Router& router, ServiceContext& ctx) {
//         router.add("POST", "/v1/quotes", Role::underwriter, [&ctx](const Request& req) {
//             nlohmann::json body;
//             if (auto problem = parse_json_body(req, body)) return *problem;
//             data::Store& store = ctx.store();  // this thread's connection
//             ...
//             ctx.metrics.add_quotes(1);
//             return json_response(result, 201);
//         });
//     }
// and one line in service_registrars() (api/cli/serve.cpp) and in api/openapi.yaml.
#pragma once

#include "api/http/admission.hpp"
#include "api/http/auth.hpp"
#include "api/http/lanes.hpp"
#include "api/http/metrics_registry.hpp"
#include "api/http/router.hpp"
#include "api/service/quote_writer.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tanhui::data {
class Store;
}

namespace tanhui::api {

struct ServerOptions {
    std::string listen = "127.0.0.1";  // IPv4 or IPv6 literal
    unsigned short port = 8080;        // 0: an ephemeral port (see Server::port())
    unsigned io_threads = 0;           // 0: hardware cores
    unsigned worker_threads = 0;       // the cheap lane's handler threads; 0: hardware cores (lanes.cheap_threads)
    std::filesystem::path db_path;     // built from historical_dir when missing
    std::filesystem::path historical_dir;
    std::uint64_t max_years = 1'000'000;  // cap on simulated years per request (quote routes enforce it)
    std::size_t max_header_bytes = 8 * 1024;
    std::size_t max_connections = 1024;  // beyond: 503 and close
    // Open connections from one client address beyond which new ones from it get 503 and close;
    // 0: no such limit (the default: on loopback, and behind a proxy, every client shares one
    // address). For a server that untrusted clients reach directly (docs/security.md).
    std::size_t max_connections_per_address = 0;
    std::chrono::milliseconds read_timeout{30'000};     // a whole request, header and body; also keep-alive idle
    std::chrono::milliseconds write_timeout{30'000};    // a whole response
    std::chrono::milliseconds request_timeout{60'000};  // a handler's answer; after it: 503 and close
    std::chrono::milliseconds shutdown_grace{30'000};   // in-flight requests get this long after stop()
    std::chrono::milliseconds key_cache_ttl{5'000};     // a revoked key still works this long
    std::chrono::milliseconds reference_cache_ttl{5'000};  // an imported market or region is quotable after this long
    bool handle_signals = false;  // SIGTERM/SIGINT call stop() (`tanhui serve`)
    // One line per request (JSON) and error messages; default: stderr. Never receives a key.
    std::function<void(std::string_view)> log;
    // TLS (HTTPS) when both are given: a PEM certificate chain and its PEM private key.
    std::filesystem::path tls_cert, tls_key;
    // Per-key request budgets (429 beyond them); see api/http/admission.hpp.
    AdmissionConfig admission = AdmissionConfig::defaults();
    // The worker lanes, the request cost ceiling and the cheap-cost limit (api/http/lanes.hpp);
    // worker_threads, when set, sizes the cheap lane.
    LanesConfig lanes;
    // Per-key expensive requests at once and cost a minute (429 beyond them).
    CostBudgetConfig budgets = CostBudgetConfig::defaults();
    // Stored quotes fsynced at every commit (SQLite synchronous=FULL): they survive a power cut.
    bool synchronous_full = false;
    // The WAL size beyond which the quote writer's checkpointer restarts the WAL (0: never);
    // api/service/quote_writer.hpp.
    std::int64_t wal_restart_bytes = default_wal_restart_bytes;
    // How often a server in local mode looks for a newly created API key (then switches to keys).
    std::chrono::milliseconds key_mode_check{100};
};

class ReferenceCache;

// What route handlers share: the database, the limits and the metrics. Lives as long as the Server.
class ServiceContext {
public:
    ServiceContext(const ServerOptions& options, MetricsRegistry& metrics);
    ~ServiceContext();

    // The calling thread's Store on the server's database, opened on first use. Never share it
    // with another thread (STYLE: each thread its own connection).
    data::Store& store() const;

    const std::filesystem::path& db_path() const { return db_path_; }
    std::uint64_t max_years() const { return max_years_; }
    // Why the server should not take more work now (the cheap lane's queue wait is over
    // LanesConfig::ready_wait), or nothing: /readyz fails while there is a reason.
    std::optional<std::string> overloaded() const { return overload_check_ ? overload_check_() : std::nullopt; }
    int schema_version() const { return schema_version_; }
    // Labelled assumptions with a band (low != high) in the database at start-up: what bounds the
    // cost of a quote's uncertainty band (api/service/request_cost.hpp).
    std::size_t banded_assumptions() const { return banded_assumptions_; }
    MetricsRegistry& metrics;

    // The server's one quote writer (group commit), started on first use and stopped by the
    // Server after its last request (api/service/quote_writer.hpp).
    QuoteWriter& quote_writer();
    // The quote requests' checks against the store, cached (api/service/reference_cache.hpp).
    ReferenceCache& references() const { return *references_; }
    // An event that is not a request, as a log line {"time", "level", "message"}.
    void log_event(std::string_view level, std::string_view message) const;

private:
    friend class Server;
    void stop_background();  // after the last request: commits what is queued
    std::filesystem::path db_path_;
    std::filesystem::path historical_dir_;
    std::uint64_t max_years_;
    bool synchronous_full_ = false;
    std::int64_t wal_restart_bytes_ = 0;
    std::unique_ptr<ReferenceCache> references_;
    int schema_version_ = 0;
    std::size_t banded_assumptions_ = 0;
    std::function<void(std::string_view, std::string_view)> log_event_;
    std::function<std::optional<std::string>()> overload_check_;
    std::mutex writer_mutex_;
    std::shared_ptr<QuoteWriter> writer_;
};

using Registrar = std::function<void(Router&, ServiceContext&)>;

// GET /healthz, /v1/regions, /v1/markets, /v1/markets/{market}/prices, /v1/history/{kind}.
void register_data_routes(Router& router, ServiceContext& ctx);
// GET /readyz: 503 while the database cannot take a write (api/routes/readiness.cpp).
void register_readiness_route(Router& router, ServiceContext& ctx);

// Every route group of `tanhui serve`, in one explicit list (defined in api/cli/serve.cpp).
// /metrics is added by the Server itself.
std::vector<Registrar> service_registrars();

struct ServerState;

class Server {
public:
    // Opens (or builds) the database, registers the routes, and decides the auth mode: without a
    // non-revoked key the server is in local mode (every caller is admin).
    Server(ServerOptions options, const std::vector<Registrar>& registrars);
    ~Server();  // stop() and wait()
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Binds, listens and starts the threads; returns at once. Throws std::runtime_error when the
    // address cannot be bound, or when in local mode the address is not a loopback address.
    void start();
    // Graceful stop, from any thread, idempotent: stop accepting, close idle connections, let
    // in-flight requests finish (answered with Connection: close) for up to shutdown_grace.
    void stop();
    // Blocks until the server has stopped and every thread has ended.
    void wait();

    unsigned short port() const;        // the bound port (after start)
    const std::string& address() const;  // the bound address
    bool local_mode() const;  // true until the first API key exists (then for good)
    bool tls() const;
    const Router& router() const;
    MetricsRegistry& metrics();
    ServiceContext& context();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

bool is_loopback_address(std::string_view address);

}  // namespace tanhui::api
