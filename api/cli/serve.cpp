// `tanhui serve`: the HTTP JSON service. DESIGN "Interfaces (api/)"; docs/api.md.
#include "api/cli/cli.hpp"
#include "api/products/endpoints.hpp"
#include "api/routes/routes.hpp"
#include "api/http/server.hpp"

#include "data/store/store.hpp"

#include <iostream>
#include <memory>

namespace tanhui::api {

// Every route group of the service, in one explicit list (STYLE: registries are explicit lists).
// A new group adds its registrar here and its paths to api/openapi.yaml (a test checks both agree).
std::vector<Registrar> service_registrars() {
    // One cache of built models for the server's lifetime, shared by every route group.
    auto models = std::make_shared<ModelCache>();
    return {
        register_data_routes,
        register_readiness_route,
        [models](Router& r, ServiceContext& c) { register_quote_routes(r, c, models); },
        [models](Router& r, ServiceContext& c) { register_product_routes(r, c, models); },
    };
}

namespace {

struct ServeOptions {
    std::string listen = "127.0.0.1";
    unsigned port = 8080;
    unsigned threads = 0;
    unsigned io_threads = 0;
    std::uint64_t max_years = 1'000'000;
    std::size_t max_connections = 1024;
    std::size_t max_connections_per_address = 0;
    std::string tls_cert, tls_key;
    std::vector<std::string> rate_limits;
    std::vector<std::string> key_budgets;
    double max_request_cost = LanesConfig{}.max_request_cost;
    double cheap_cost_limit = LanesConfig{}.cheap_cost_limit;
    unsigned expensive_threads = 0;
    std::size_t cheap_queue = LanesConfig{}.cheap_queue;
    std::size_t expensive_queue = LanesConfig{}.expensive_queue;
    unsigned ready_wait_ms = 1'000;
    int expensive_nice = LanesConfig{}.expensive_nice;
    bool fsync = false;
    std::int64_t wal_restart_mb = ServerOptions{}.wal_restart_bytes >> 20;
};

int serve(const GlobalOptions& global, const ServeOptions& o) {
    ServerOptions options;
    options.listen = o.listen;
    options.port = static_cast<unsigned short>(o.port);
    options.worker_threads = o.threads;
    options.io_threads = o.io_threads;
    options.max_years = o.max_years;
    options.max_connections = o.max_connections;
    options.max_connections_per_address = o.max_connections_per_address;
    options.tls_cert = o.tls_cert;
    options.tls_key = o.tls_key;
    options.synchronous_full = o.fsync;
    options.wal_restart_bytes = o.wal_restart_mb << 20;
    for (const std::string& spec : o.rate_limits) apply_rate_limit(options.admission, spec);
    for (const std::string& spec : o.key_budgets) apply_key_budget(options.budgets, spec);
    options.lanes.max_request_cost = o.max_request_cost;
    options.lanes.cheap_cost_limit = o.cheap_cost_limit;
    options.lanes.expensive_threads = o.expensive_threads;
    options.lanes.cheap_queue = o.cheap_queue;
    options.lanes.expensive_queue = o.expensive_queue;
    options.lanes.ready_wait = std::chrono::milliseconds(o.ready_wait_ms);
    options.lanes.expensive_nice = o.expensive_nice;
    options.db_path = global.db_path();
    options.historical_dir = global.historical_dir();
    options.handle_signals = true;

    const bool existed = std::filesystem::exists(options.db_path);
    Server server(options, service_registrars());
    if (!existed)
        std::cerr << "tanhui: built " << options.db_path.string() << " from " << options.historical_dir.string() << '\n';
    server.start();
    const std::string& a = server.address();
    const std::string host = a.find(':') != std::string::npos ? "[" + a + "]" : a;
    if (server.local_mode())
        std::cerr << "tanhui: local mode: no API key in " << options.db_path.string()
                  << ", every caller is admin; loopback only (tanhui keys create --role R --name N adds a key, and "
                     "this server then requires keys, without a restart)\n";
    std::cerr << "listening on " << (server.tls() ? "https" : "http") << "://" << host << ":" << server.port() << std::endl;
    server.wait();
    std::cerr << "tanhui: stopped\n";
    return 0;
}

}  // namespace

void add_serve_commands(CLI::App& app, const GlobalOptions& global, Action& action) {
    auto o = std::make_shared<ServeOptions>();
    auto* serve_cmd = app.add_subcommand("serve", "Serve the HTTP JSON API until SIGTERM or SIGINT (docs/api.md)");
    serve_cmd->add_option("--listen", o->listen,
                          "Address to listen on (default 127.0.0.1; anything but loopback needs an API key)");
    serve_cmd->add_option("--port", o->port, "TCP port (default 8080; 0 = any free port, printed on stderr)")
        ->check(CLI::Range(0u, 65535u));
    serve_cmd->add_option("--threads", o->threads, "Handler threads (default: hardware cores)")
        ->check(CLI::Range(1u, 1024u));
    serve_cmd->add_option("--io-threads", o->io_threads, "I/O threads (default: hardware cores)")
        ->check(CLI::Range(1u, 1024u));
    serve_cmd->add_option("--max-years", o->max_years, "Largest number of simulated years one request may ask for")
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{100'000'000}));
    serve_cmd->add_option("--max-connections", o->max_connections, "Open connections beyond which new ones get 503")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}));
    serve_cmd->add_option("--max-connections-per-address", o->max_connections_per_address,
                          "Open connections from one client address beyond which new ones get 503 (default 0: no "
                          "limit; set it when untrusted clients reach the server directly, not behind a proxy)")
        ->check(CLI::Range(std::size_t{0}, std::size_t{1'000'000}));
    serve_cmd->add_option("--tls-cert", o->tls_cert, "Serve HTTPS: the PEM certificate chain (with --tls-key)");
    serve_cmd->add_option("--tls-key", o->tls_key, "Serve HTTPS: the PEM private key of --tls-cert");
    serve_cmd->add_option("--rate-limit", o->rate_limits,
                          "Per-key rate limit: R or R:BURST requests a second for every key, or ROLE=R[:BURST] for one "
                          "role; 0 lifts it (default 200:400; repeatable; 429 with Retry-After beyond it)")
        ->check([](const std::string& spec) {
            try {
                AdmissionConfig config;
                apply_rate_limit(config, spec);
                return std::string();
            } catch (const std::exception& e) {
                return std::string(e.what());
            }
        });
    serve_cmd->add_option("--max-request-cost", o->max_request_cost,
                          "Largest cost of one request, in simulated holding-years (years x holdings, summed over an "
                          "array; a price path counts its fixings; docs/api.md; default 3e8); a costlier request gets "
                          "422 and belongs in `tanhui batch`")
        ->check(CLI::Range(1.0, 1e15));
    serve_cmd->add_option("--cheap-cost-limit", o->cheap_cost_limit,
                          "Requests costing more run in the expensive lane (default 2e6 holding-years)")
        ->check(CLI::Range(0.0, 1e15));
    serve_cmd->add_option("--expensive-threads", o->expensive_threads,
                          "Threads of the expensive lane (default: half the cores, at least 1; --threads sizes the "
                          "cheap lane)")
        ->check(CLI::Range(1u, 1024u));
    serve_cmd->add_option("--expensive-nice", o->expensive_nice,
                          "CPU priority (nice) of the expensive lane's threads, 0 to 19: higher leaves more of a busy "
                          "machine to cheap requests (default " + std::to_string(LanesConfig{}.expensive_nice) + ")")
        ->check(CLI::Range(0, 19));
    serve_cmd->add_option("--cheap-queue", o->cheap_queue, "Requests waiting in the cheap lane beyond which 503 (default 1024)")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}));
    serve_cmd->add_option("--expensive-queue", o->expensive_queue,
                          "Requests waiting in the expensive lane beyond which 503 (default 16)")
        ->check(CLI::Range(std::size_t{0}, std::size_t{1'000'000}));
    serve_cmd->add_option("--ready-max-wait", o->ready_wait_ms,
                          "GET /readyz fails while cheap requests wait longer than this many ms in the queue (default 1000)")
        ->check(CLI::Range(1u, 3'600'000u));
    serve_cmd->add_option("--key-budget", o->key_budgets,
                          "Per-key budget: N:C (N expensive requests at once, C holding-years a minute) for every key, "
                          "or ROLE=N:C; 0 lifts either (default underwriter=2:3e9, actuary and admin 4:6e9; "
                          "repeatable; 429 with Retry-After beyond it)")
        ->check([](const std::string& spec) {
            try {
                CostBudgetConfig config;
                apply_key_budget(config, spec);
                return std::string();
            } catch (const std::exception& e) {
                return std::string(e.what());
            }
        });
    serve_cmd->add_flag("--fsync", o->fsync,
                        "fsync each commit of stored quotes (survives a power cut; default: survives a crash or kill -9)");
    serve_cmd
        ->add_option("--wal-restart-mb", o->wal_restart_mb,
                     "Restart the write-ahead log when it outgrows this many MiB, holding commits back for about "
                     "one fsync (0: never; default 256; docs/reliability.md \"A bounded WAL\")")
        ->check(CLI::Range(std::int64_t{0}, std::int64_t{1} << 20));
    serve_cmd->callback([&global, &action, o] {
        action = [&global, o] { return serve(global, *o); };
    });
}

}  // namespace tanhui::api
