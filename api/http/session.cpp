#include "api/http/session.hpp"

#include "api/json/problem.hpp"
#include "api/json/text.hpp"
#include "api/version.hpp"
#include "data/store/storage_error.hpp"
#include "data/types.hpp"
#include "risk/simulation/simulate.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace tanhui::api {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

constexpr std::size_t drain_limit = 8u << 20;  // bytes read and dropped after an early error answer
constexpr auto drain_timeout = std::chrono::seconds(2);
constexpr std::size_t drain_chunk = 16 * 1024;

}  // namespace

std::string log_time() {
    const auto now = std::chrono::system_clock::now();
    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[40];
    const std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(ms));
    return buf;
}

namespace {

std::string_view to_sv(beast::string_view s) { return {s.data(), s.size()}; }

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && lower(a) == lower(b);
}

// Runs a handler; nothing escapes. InvalidInput -> 422 naming its field; a storage failure whose
// cause lies outside the request and outside our code (disk full, read-only database, I/O error,
// a lock held past the busy timeout: data::storage_error) -> 503 saying so: the request was not
// stored, and it may succeed later (reads go on working); any other store error and anything else
// -> a logged 500 with a generic message (STYLE "Errors": that is a bug, never the client's fault).
// An async route's handler may instead hand `respond` on and answer nothing here.
}  // namespace

std::optional<Response> invoke(const Route& route, const Request& req, const ServerState& state,
                               const Responder* respond) {
    try {
        if (route.async_handler) return route.async_handler(req, *respond);
        return route.handler(req);
    } catch (const InvalidInput& e) {
        return invalid_input_problem(e);
    } catch (const risk::Cancelled&) {
        // Its client hung up (nobody reads this) or its deadline passed (the 503 is already sent).
        return service_unavailable("the request was cancelled (its client hung up or its deadline passed); nothing "
                                   "of it was stored",
                                   1);
    } catch (const std::exception& e) {
        if (const auto storage = data::storage_error(e)) {
            const std::string& cause = storage->cause;
            state.log_event("error", "request " + req.request_id + " (" + route.info.method + " " + route.info.pattern +
                                         "): " + (cause.empty() ? "" : "storage failure: ") + e.what() +
                                         " (SQLite code " + std::to_string(storage->code) + ")");
            if (cause.empty()) return internal_error(req.request_id);
            return service_unavailable(cause + ", so this request could not be completed and nothing of it was stored; "
                                           "reads still work. Logged as request " + req.request_id,
                                       30);
        }
        state.log_event("error", "request " + req.request_id + " (" + route.info.method + " " + route.info.pattern +
                                     "): " + e.what());
        return internal_error(req.request_id);
    } catch (...) {
        state.log_event("error", "request " + req.request_id + " (" + route.info.method + " " + route.info.pattern +
                                     "): unknown exception");
        return internal_error(req.request_id);
    }
}

namespace {

// The Host header names this machine: localhost, an address in 127.0.0.0/8 or ::1, with or without
// a port; or no Host at all (HTTP/1.0).
bool loopback_host(std::string_view host) {
    if (host.empty()) return true;
    std::string_view name = host, port;
    if (host.front() == '[') {
        const std::size_t close = host.find(']');
        if (close == std::string_view::npos) return false;
        name = host.substr(1, close - 1);
        port = host.substr(close + 1);
        if (!port.empty() && port.front() != ':') return false;
    } else if (const std::size_t colon = host.rfind(':'); colon != std::string_view::npos) {
        name = host.substr(0, colon);
        port = host.substr(colon);
    }
    if (!port.empty()) {
        port.remove_prefix(1);
        if (port.empty() || port.size() > 5 ||
            !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return false;
    }
    const std::string lowered = lower(name);
    return lowered == "localhost" || is_loopback_address(lowered);
}

// A client's X-Request-Id is used as the request's id when it is 1 to 128 characters of
// A-Z a-z 0-9 - . _ ~ : @ + = / (safe in a log line, a header and a URN); else the server makes one.
bool valid_request_id(std::string_view id) {
    if (id.empty() || id.size() > 128) return false;
    return std::all_of(id.begin(), id.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("-._~:@+=/").find(c) != std::string_view::npos;
    });
}

std::string seconds_text(std::chrono::milliseconds ms) {
    const double s = static_cast<double>(ms.count()) / 1000.0;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", s);
    return buf;
}

}  // namespace

ServerState::ServerState(ServerOptions options_in)
    : options(std::move(options_in)),
      context(options, metrics),
      admission(options.admission),
      budgets(options.budgets) {}

std::string ServerState::new_request_id() {
    return request_id_prefix + "-" + std::to_string(next_request.fetch_add(1) + 1);
}

bool ServerState::still_local_mode() {
    if (!local_mode.load()) return false;
    const std::int64_t now = std::chrono::steady_clock::now().time_since_epoch().count();
    std::int64_t next = next_key_check_ns.load();
    const auto period = std::chrono::duration_cast<std::chrono::steady_clock::duration>(options.key_mode_check).count();
    // One thread looks at a time; the others keep local mode meanwhile (for at most one period).
    if (now < next || !next_key_check_ns.compare_exchange_strong(next, now + period)) return true;
    try {
        if (active_key_count(context.store()) > 0 && local_mode.exchange(false))
            log_event("info", "an API key exists now: from here on every request needs a key (key mode; no restart)");
    } catch (const std::exception& e) {
        log_event("error", std::string("looking for API keys: ") + e.what());
    }
    return local_mode.load();
}

void ServerState::log_event(std::string_view level, std::string_view message) const {
    nlohmann::ordered_json line;
    line["time"] = log_time();
    line["level"] = level;
    line["message"] = message;
    log(line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
}

void ServerState::log(std::string_view line) const {
    if (options.log) {
        options.log(line);
        return;
    }
    static std::mutex mutex;
    std::string text(line);
    text += '\n';
    std::lock_guard lock(mutex);
    std::fwrite(text.data(), 1, text.size(), stderr);
    std::fflush(stderr);
}

Session::Session(tcp::socket&& socket, std::shared_ptr<ServerState> state, net::ssl::context* tls)
    : stream_(std::move(socket), tls),
      executor_(stream_.get_executor()),
      read_timer_(executor_),
      handler_timer_(executor_),
      hang_up_timer_(executor_),
      state_(std::move(state)) {
    state_->connections.fetch_add(1);
    state_->metrics.connection_opened();
    // Beast reads max(512, free capacity) bytes at a time: from an empty buffer a quote of a few
    // hundred bytes of header and body took two recvmsg calls, each about a microsecond of
    // system time on a virtual machine. 8 KiB (the default header limit) takes most requests in one.
    buffer_.reserve(8 * 1024);
    beast::error_code ec;
    const auto ep = stream_.tcp().socket().remote_endpoint(ec);
    if (!ec) {
        address_ = ep.address().to_string();
        remote_ = address_ + ":" + std::to_string(ep.port());
    }
}

Session::~Session() {
    if (counted_in_flight_) state_->metrics.request_finished();
    if (counted_address_) {
        std::lock_guard lock(state_->addresses_mutex);
        const auto it = state_->connections_by_address.find(address_);
        if (it != state_->connections_by_address.end() && --it->second == 0) state_->connections_by_address.erase(it);
    }
    state_->metrics.connection_closed();
    {
        std::lock_guard lock(state_->sessions_mutex);
        state_->sessions.erase(this);
    }
    if (state_->connections.fetch_sub(1) == 1 && state_->stopping && state_->running && state_->on_idle)
        state_->on_idle();
}

void Session::run() {
    {
        std::lock_guard lock(state_->sessions_mutex);
        state_->sessions.emplace(this, weak_from_this());
    }
    net::dispatch(executor_, [self = shared_from_this()] {
        if (!self->stream_.is_tls()) return self->do_read();
        self->stream_.tcp().expires_after(self->state_->options.read_timeout);
        self->stream_.async_handshake(beast::bind_front_handler(&Session::on_handshake, self));
    });
}

// A failed TLS handshake (plain HTTP sent to the TLS port, a time-out, no common protocol) has no
// HTTP answer: the connection is closed.
void Session::on_handshake(beast::error_code ec) {
    stream_.tcp().expires_never();
    if (ec) {
        phase_ = Phase::closing;
        beast::error_code ignored;
        stream_.tcp().socket().close(ignored);
        return;
    }
    do_read();
}

bool Session::over_address_limit() {
    const std::size_t limit = state_->options.max_connections_per_address;
    if (limit == 0) return false;
    std::lock_guard lock(state_->addresses_mutex);
    std::size_t& open = state_->connections_by_address[address_];
    if (open >= limit) return true;  // not counted: a refused connection holds no slot while it closes
    ++open;
    counted_address_ = true;
    return false;
}

void Session::reject_busy(std::string detail) {
    net::dispatch(executor_, [self = shared_from_this(), detail = std::move(detail)]() mutable {
        self->started_ = std::chrono::steady_clock::now();
        if (!self->stream_.is_tls()) return self->respond(service_unavailable(std::move(detail), 1), true, true);
        self->stream_.tcp().expires_after(self->state_->options.read_timeout);
        self->stream_.async_handshake([self, detail = std::move(detail)](beast::error_code ec) mutable {
            self->stream_.tcp().expires_never();
            if (ec) return self->close_send();
            self->respond(service_unavailable(std::move(detail), 1), true, true);
        });
    });
}

void Session::shutdown() {
    shutting_down_ = true;
    // Idle between requests (nothing of the next one received): close now. A request being read,
    // handled or written is finished first and answered with Connection: close.
    if (phase_ == Phase::idle && parser_ && !parser_->got_some() && buffer_.size() == 0) {
        beast::error_code ec;
        stream_.tcp().socket().cancel(ec);
    }
}

void Session::post_shutdown() {
    net::post(executor_, [self = shared_from_this()] { self->shutdown(); });
}

void Session::do_read() {
    if (shutting_down_ || state_->stopping) {
        close_send();
        return;
    }
    ++generation_;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(state_->options.max_header_bytes));
    parser_->body_limit(state_->body_limit);
    phase_ = Phase::idle;
    timed_out_ = false;
    started_ = {};
    route_index_ = MetricsRegistry::unmatched;
    method_.clear();
    target_.clear();
    key_id_.clear();
    request_id_.clear();
    stream_.tcp().expires_never();
    arm_read_timer();
    http::async_read_header(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::on_header, shared_from_this()));
}

// The whole request (header and body) must arrive within read_timeout; the same limit ends an
// idle keep-alive connection. Beast's own stream timeout would close the socket, leaving no way
// to answer 408, so this timer only cancels the read.
void Session::arm_read_timer() {
    read_timer_.expires_after(state_->options.read_timeout);
    read_timer_.async_wait([self = shared_from_this(), generation = generation_](beast::error_code ec) {
        if (ec || generation != self->generation_) return;
        self->cancel_timed_out_read(generation);
    });
}

// Cancelling the socket stops only the operation pending at that instant. When a byte has just
// arrived (a trickling client sends one a second), the read's completion is already queued and
// Beast's composed read goes on with a fresh read that the cancel never saw, and the connection
// would stay open for good. So the cancel repeats every read_retry until the read has ended
// (on_read_error cancels this timer).
void Session::cancel_timed_out_read(std::uint64_t generation) {
    static constexpr auto read_retry = std::chrono::milliseconds(200);
    if (phase_ != Phase::idle && phase_ != Phase::reading) return;
    timed_out_ = true;
    beast::error_code ignored;
    stream_.tcp().socket().cancel(ignored);
    read_timer_.expires_after(read_retry);
    read_timer_.async_wait([self = shared_from_this(), generation](beast::error_code ec) {
        if (ec || generation != self->generation_) return;
        self->cancel_timed_out_read(generation);
    });
}

void Session::on_header(beast::error_code ec, std::size_t) {
    if (!ec && timed_out_) ec = net::error::operation_aborted;  // completed as the deadline passed
    if (ec) return on_read_error(ec);
    phase_ = Phase::reading;
    started_ = std::chrono::steady_clock::now();
    const auto& msg = parser_->get();
    method_ = std::string(to_sv(msg.method_string()));
    target_ = std::string(to_sv(msg.target()));
    take_request_id();

    // The route's own body limit, known now that the target is.
    std::size_t limit = state_->body_limit;
    const std::string_view target = to_sv(msg.target());
    const std::string_view raw_path = target.substr(0, target.find('?'));
    match_ = state_->router.match(method_, raw_path);
    if (match_.kind == Router::Match::found) {
        route_index_ = match_.route->index;
        limit = std::min(limit, match_.route->options.body_limit);
    }
    if (const auto length = parser_->content_length(); length && *length > limit)
        return respond(payload_too_large(limit), true, true);
    if (limit < state_->body_limit) parser_->body_limit(limit);
    if (parser_->is_done()) return on_read({}, 0);

    if (iequals(to_sv(msg[http::field::expect]), "100-continue")) {
        static constexpr std::string_view continue_text = "HTTP/1.1 100 Continue\r\n\r\n";
        return net::async_write(stream_, net::buffer(continue_text.data(), continue_text.size()),
                                beast::bind_front_handler(&Session::on_continue_written, shared_from_this()));
    }
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::on_read, shared_from_this()));
}

void Session::on_continue_written(beast::error_code ec, std::size_t) {
    if (ec) return on_read_error(ec);
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::on_read, shared_from_this()));
}

void Session::on_read(beast::error_code ec, std::size_t) {
    if (!ec && timed_out_) ec = net::error::operation_aborted;  // completed as the deadline passed
    if (ec) return on_read_error(ec);
    read_timer_.cancel();
    process();
}

void Session::on_read_error(beast::error_code ec) {
    read_timer_.cancel();
    const bool got_some = parser_ && (parser_->got_some() || buffer_.size() > 0);
    if (started_ == std::chrono::steady_clock::time_point{}) started_ = std::chrono::steady_clock::now();
    if (ec == net::error::operation_aborted) {
        if (timed_out_ && got_some)
            return respond(request_timeout("the request was not received within " +
                                           seconds_text(state_->options.read_timeout) + " s"),
                           true, true);
        return close_send();  // idle keep-alive time-out, or the server is stopping
    }
    if (ec == http::error::end_of_stream) return close_send();  // the client closed between requests
    if (ec == http::error::header_limit)
        return respond(header_fields_too_large(state_->options.max_header_bytes), true, true);
    if (ec == http::error::body_limit) {
        std::size_t limit = state_->body_limit;
        if (route_index_ != MetricsRegistry::unmatched)
            limit = std::min(limit, state_->router.routes()[route_index_].options.body_limit);
        return respond(payload_too_large(limit), true, true);
    }
    if (ec == http::error::partial_message)
        return respond(bad_request("the connection ended before the request was complete",
                                   {{"", "truncated request (fewer body bytes than Content-Length)"}}),
                       true, true);
    if (ec.category() == http::make_error_code(http::error::bad_target).category())
        return respond(bad_request("malformed HTTP request: " + ec.message()), true, true);
    // Reset, broken pipe ...: nobody to answer.
    close_send();
}

// The caller's role (and key id) for a route that needs one, into req; or the problem to answer.
std::optional<Response> Session::authenticate(const Route& route, Request& req) {
    auto& msg = parser_->get();
    if (state_->still_local_mode()) {
        // Every caller is admin, which is safe only for callers on this machine that mean this
        // server: a web page whose domain name rebinds to 127.0.0.1 (DNS rebinding) sends its
        // own host name, and is refused.
        if (!loopback_host(to_sv(msg[http::field::host])))
            return forbidden("in local mode (no API key) the server answers only requests for a loopback "
                             "host: send Host: 127.0.0.1, localhost or [::1]");
        req.role = Role::admin;
    } else {
        const std::string_view auth = to_sv(msg[http::field::authorization]);
        if (auth.empty())
            return unauthorized("this route needs an API key: send Authorization: Bearer <key>");
        const std::size_t space = auth.find(' ');
        if (space == std::string_view::npos || !iequals(auth.substr(0, space), "bearer"))
            return unauthorized("the Authorization header must be: Bearer <key>", true);
        std::string_view token = auth.substr(space + 1);
        while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
        while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
        decltype(state_->keys->verify(token)) caller;
        try {
            caller = state_->keys->verify(token);
        } catch (const std::exception& e) {
            // The key table cannot be read (the database is gone, an I/O error): say so, and
            // keep the I/O thread out of it.
            state_->log_event("error", "request " + request_id_ + ": verifying the API key: " + e.what());
            return service_unavailable("the API keys cannot be checked now (the database cannot be "
                                       "read); logged as request " + request_id_,
                                       30);
        }
        if (!caller) return unauthorized("the API key is not valid or has been revoked", true);
        req.key_id = caller->key_id;
        req.role = caller->role;
        key_id_ = caller->key_id;
        if (!role_allows(caller->role, route.info.role))
            return forbidden("this route needs the role " + std::string(to_string(route.info.role)) +
                             " or higher; key " + caller->key_id + " has the role " + std::string(to_string(caller->role)));
    }
    return std::nullopt;
}

void Session::process() {
    auto& msg = parser_->get();
    counted_in_flight_ = true;
    state_->metrics.request_started();
    keep_alive_ = msg.keep_alive();
    if (request_id_.empty()) take_request_id();

    const std::string_view target = to_sv(msg.target());
    const std::size_t q = target.find('?');
    const std::string_view raw_path = target.substr(0, q);
    const std::string_view raw_query = q == std::string_view::npos ? std::string_view{} : target.substr(q + 1);

    if (!valid_path(raw_path))
        return respond(bad_request("the request target must be a path such as /v1/markets, percent-encoded UTF-8",
                                   {{"/path", "not a valid origin-form path"}}),
                       false);
    Request req;
    std::string query_error, query_name;
    if (!parse_query(raw_query, req.query, query_error, query_name))
        return respond(bad_request("bad query string: " + query_name + ": " + query_error,
                                   {{pointer_append("/query", query_name), query_error}}),
                       false);

    const Router::Match& match = match_;  // on_header found it for the same method and target
    if (match.kind == Router::Match::not_found) {
        route_index_ = MetricsRegistry::unmatched;
        std::string path;
        percent_decode(raw_path, path);
        return respond(not_found("no resource at " + path + "; api/openapi.yaml lists the routes"), false);
    }
    if (match.kind == Router::Match::method_not_allowed) {
        route_index_ = MetricsRegistry::unmatched;
        return respond(method_not_allowed(match.allow), false);
    }
    const Route& route = *match.route;
    route_index_ = route.index;

    if (route.info.role != Role::anyone) {
        if (auto denied = authenticate(route, req)) return respond(std::move(*denied), false);
        if (auto refused = admit(req)) return respond(std::move(*refused), false);
    }

    req.content_type = std::string(to_sv(msg[http::field::content_type]));
    if (!msg.body().empty() && !is_json_content_type(req.content_type))
        return respond(unsupported_media_type(req.content_type), false);

    req.method = method_;
    req.target = target_;
    percent_decode(raw_path, req.path);
    req.pattern = route.info.pattern;
    req.params = std::move(match_.params);
    for (const auto& field : msg) {
        std::string name = lower(to_sv(field.name_string()));
        if (name == "authorization" || name == "cookie") continue;
        req.headers[std::move(name)] = std::string(to_sv(field.value()));
    }
    req.body = std::move(msg.body());
    req.request_id = request_id_;
    req.deadline = std::chrono::steady_clock::now() + state_->options.request_timeout;

    if (route.options.run_inline) return respond(*invoke(route, req, *state_), false);
    schedule(route, std::move(req));
}

void Session::take_request_id() {
    const std::string_view given = parser_ ? to_sv(parser_->get()["X-Request-Id"]) : std::string_view{};
    request_id_ = valid_request_id(given) ? std::string(given) : state_->new_request_id();
}

// The key's budget (api/http/admission.hpp): a 429 with Retry-After when it is spent.
std::optional<Response> Session::admit(const Request& req) {
    if (req.key_id.empty()) return std::nullopt;  // local mode
    const auto decision = state_->admission.admit(req.key_id, req.role);
    if (decision.admitted) return std::nullopt;
    const Budget& b = state_->admission.config().of(req.role);
    const auto seconds = std::max<long long>(1, (decision.retry_after.count() + 999) / 1000);
    char rate[64];
    std::snprintf(rate, sizeof rate, "%g requests a second (bursts of %g)", b.tokens_per_second, b.burst);
    return too_many_requests("key " + req.key_id + " (" + std::string(to_string(req.role)) + ") is over its rate limit of " +
                                 rate + "; retry after " + std::to_string(seconds) + " s",
                             static_cast<int>(seconds));
}

void Session::on_handled(std::uint64_t generation, Response response) {
    if (generation != generation_ || phase_ != Phase::handling) return;
    handler_timer_.cancel();
    respond(std::move(response), false);
}

void Session::respond(Response r, bool close, bool linger_after) {
    // Pending timers hold a reference to the session: cancel them, or they keep it alive.
    read_timer_.cancel();
    handler_timer_.cancel();
    hang_up_timer_.cancel();
    if (watching_) {
        watching_ = false;
        beast::error_code ignored;
        stream_.tcp().socket().cancel(ignored);
    }
    close = close || !keep_alive_ || shutting_down_ || state_->stopping;
    phase_ = Phase::writing;
    response_.emplace(static_cast<http::status>(r.status), 11);
    auto& res = *response_;
    res.set(http::field::server, std::string("tanhui/") + version);
    res.set(http::field::content_type, r.content_type);
    res.set(http::field::cache_control, "no-store");
    if (request_id_.empty()) request_id_ = state_->new_request_id();
    res.set("X-Request-Id", request_id_);
    if (r.content_type == "application/problem+json") r.body = with_instance(r.body, request_id_);
    for (const auto& [name, value] : r.headers) res.set(name, value);
    res.body() = std::move(r.body);
    res.keep_alive(!close);
    res.prepare_payload();
    stream_.tcp().expires_after(state_->options.write_timeout);
    http::async_write(stream_, res,
                      beast::bind_front_handler(&Session::on_write, shared_from_this(), close, linger_after));
}

void Session::on_write(bool close, bool linger_after, beast::error_code ec, std::size_t) {
    stream_.tcp().expires_never();
    const int status = static_cast<int>(response_->result_int());
    const std::size_t bytes = response_->body().size();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    state_->metrics.record(route_index_, status, seconds);
    if (counted_in_flight_) {
        counted_in_flight_ = false;
        state_->metrics.request_finished();
    }
    write_access_log(status, bytes, seconds);
    response_.reset();
    if (ec) return close_send();
    if (!close) return do_read();
    if (linger_after) return linger();
    close_send();
}

void Session::close_send() {
    phase_ = Phase::closing;
    read_timer_.cancel();
    handler_timer_.cancel();
    if (stream_.is_tls()) return tls_shutdown();
    beast::error_code ec;
    stream_.tcp().socket().shutdown(tcp::socket::shutdown_send, ec);
}

// TLS: send close_notify and wait (at most 2 s) for the client's, then close the socket.
void Session::tls_shutdown() {
    phase_ = Phase::closing;
    stream_.tcp().expires_after(drain_timeout);
    stream_.async_shutdown([self = shared_from_this()](beast::error_code) {
        beast::error_code ec;
        self->stream_.tcp().socket().close(ec);
    });
}

// After answering a request that was not read to its end (413, 431, 408 ...): half-close and read
// what the client is still sending for a while, so that the kernel does not answer it with a
// reset that can destroy our answer before the client reads it.
void Session::linger() {
    phase_ = Phase::closing;
    if (stream_.is_tls()) return tls_shutdown();
    beast::error_code ec;
    stream_.tcp().socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return;
    if (!drain_buffer_) drain_buffer_ = std::make_unique<char[]>(drain_chunk);
    stream_.tcp().expires_after(drain_timeout);
    drain();
}

void Session::drain() {
    stream_.tcp().async_read_some(net::buffer(drain_buffer_.get(), drain_chunk),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                                self->drained_ += n;
                                if (!ec && self->drained_ <= drain_limit) self->drain();
                            });
}

// Written member by member (api/json/text.hpp FlatJsonWriter): the text an ordered_json of these
// members gave, without building one for every request.
void Session::write_access_log(int status, std::size_t bytes, double seconds) {
    FlatJsonWriter line;
    line.string("time", log_time())
        .string("request_id", request_id_)
        .string("remote", remote_)
        .string("method", method_)
        .string("target", target_)
        .string("route", route_index_ == MetricsRegistry::unmatched ? std::string_view()
                                                                     : state_->router.routes()[route_index_].info.pattern)
        .integer("status", status)
        .real("duration_ms", std::round(seconds * 1e6) / 1e3)
        .unsigned_integer("bytes", bytes);
    if (key_id_.empty())
        line.null("key_id");
    else
        line.string("key_id", key_id_);
    state_->log(std::move(line).finish());
}

}  // namespace tanhui::api
