// One HTTP connection, shaped like Beast's advanced async server example: read a request with a
// deadline and a per-route body limit, answer it, then read again or close. Internal to the
// server (api/http/server.cpp); route handlers never see it.
#pragma once

#include "api/http/admission.hpp"
#include "api/http/auth.hpp"
#include "api/http/lanes.hpp"
#include "api/http/metrics_registry.hpp"
#include "api/http/router.hpp"
#include "api/http/server.hpp"
#include "api/http/stream.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace tanhui::api {

class Session;

// What every connection shares with the server. Sessions hold it by shared_ptr, so it outlives
// the last of them whatever order the server's parts are torn down in.
struct ServerState {
    ServerState(ServerOptions options_in);

    ServerOptions options;
    MetricsRegistry metrics;
    ServiceContext context;
    Router router;
    std::unique_ptr<KeyVerifier> keys;
    Admission admission;
    std::unique_ptr<boost::asio::ssl::context> tls;  // HTTPS when set
    // Local mode (no key: everyone is admin, loopback only) until the first key is created; then
    // key mode for good, without a restart. Checked every options.key_mode_check at most.
    std::atomic<bool> local_mode{false};
    std::atomic<std::int64_t> next_key_check_ns{0};
    bool still_local_mode();  // false once a key exists (looks at most every key_mode_check)
    std::size_t body_limit = 1 << 20;  // the largest route limit: applied before the route is known

    boost::asio::io_context* ioc = nullptr;
    Lanes* lanes = nullptr;  // set by Server::start
    CostBudgets budgets;

    std::atomic<bool> stopping{false};
    std::atomic<bool> running{false};
    std::atomic<std::size_t> connections{0};
    std::atomic<std::uint64_t> next_request{0};
    std::string request_id_prefix;  // 8 random hex digits per server start: ids differ across restarts

    // Open connections by client address, counted only when options.max_connections_per_address
    // is set; an address leaves the map with its last connection.
    std::mutex addresses_mutex;
    std::unordered_map<std::string, std::size_t> connections_by_address;

    std::mutex sessions_mutex;
    std::unordered_map<Session*, std::weak_ptr<Session>> sessions;
    std::function<void()> on_idle;  // connections dropped to 0 while stopping

    void log(std::string_view line) const;
    // A JSON log line {"time", "level", "message"} for events that are not requests.
    void log_event(std::string_view level, std::string_view message) const;
    // A request id: 8 random hex digits per server start and a counter (4a3f9c1e-17).
    std::string new_request_id();
};

// Runs a route's handler; nothing escapes (session.cpp). An async handler gets `respond`.
std::optional<Response> invoke(const Route& route, const Request& req, const ServerState& state,
                               const Responder* respond = nullptr);

// UTC now as 2027-01-01T08:00:00.123Z (the access log's clock).
std::string log_time();

class Session : public std::enable_shared_from_this<Session> {
public:
    // `tls`: the server's TLS context, or nullptr for plain HTTP.
    Session(boost::asio::ip::tcp::socket&& socket, std::shared_ptr<ServerState> state,
            boost::asio::ssl::context* tls);
    ~Session();

    void run();          // serve requests until the client or the server closes
    // True when the client's address already has options.max_connections_per_address open
    // connections (never when there is no such limit); else counts this one against it.
    bool over_address_limit();
    void reject_busy(std::string detail);  // over a connection cap: answer 503 and close
    void shutdown();     // the server is stopping: close now if idle, else after this response
    void post_shutdown();  // shutdown() on the connection's strand, from any thread

private:
    enum class Phase { idle, reading, handling, writing, closing };

    void on_handshake(boost::beast::error_code ec);
    void do_read();
    void on_header(boost::beast::error_code ec, std::size_t bytes);
    void on_read(boost::beast::error_code ec, std::size_t bytes);
    void on_read_error(boost::beast::error_code ec);
    void arm_read_timer();
    void cancel_timed_out_read(std::uint64_t generation);
    void process();
    std::optional<Response> authenticate(const Route& route, Request& req);
    std::optional<Response> admit(const Request& req);
    void take_request_id();
    // api/http/session_work.cpp: the request's cost against the ceiling and the key's budgets, then
    // its lane; the handler on that lane; a hang-up of the client while it runs.
    std::optional<Response> charge(const Route& route, Request& req, Lane& lane, bool& holds_slot);
    void schedule(const Route& route, Request req);
    void dispatch(const Route& route, Request req, Lane lane, bool holds_slot);
    void watch_hang_up(std::uint64_t generation, std::shared_ptr<std::atomic<bool>> cancel);
    void look_again_for_hang_up(std::uint64_t generation, std::shared_ptr<std::atomic<bool>> cancel);
    void on_handled(std::uint64_t generation, Response response);
    void respond(Response response, bool close, bool linger = false);
    void on_write(bool close, bool linger, boost::beast::error_code ec, std::size_t bytes);
    void close_send();
    void tls_shutdown();
    void on_continue_written(boost::beast::error_code ec, std::size_t bytes);
    void linger();
    void drain();
    void write_access_log(int status, std::size_t bytes, double seconds);

    Stream stream_;
    boost::asio::any_io_executor executor_;  // the connection's strand
    boost::beast::flat_buffer buffer_;
    std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
    std::optional<boost::beast::http::response<boost::beast::http::string_body>> response_;
    boost::asio::steady_timer read_timer_;
    boost::asio::steady_timer handler_timer_;
    boost::asio::steady_timer hang_up_timer_;  // looks at the socket again while bytes wait unread
    std::shared_ptr<ServerState> state_;
    std::string remote_;   // address:port, for the access log
    std::string address_;  // the client's address alone
    bool counted_address_ = false;

    Phase phase_ = Phase::idle;
    std::uint64_t generation_ = 0;  // requests read on this connection: stale timers and answers are dropped
    bool timed_out_ = false;
    bool shutting_down_ = false;
    bool keep_alive_ = true;
    bool counted_in_flight_ = false;
    bool watching_ = false;  // an async_wait for a hang-up is pending on the socket
    std::size_t drained_ = 0;
    std::unique_ptr<char[]> drain_buffer_;

    // The request being answered, for the access log and the metrics.
    std::chrono::steady_clock::time_point started_;
    std::size_t route_index_ = MetricsRegistry::unmatched;
    Router::Match match_;  // the route of the request, found once its header is read (on_header)
    std::string method_, target_, key_id_, request_id_;
};

}  // namespace tanhui::api
