// A request's way to its handler (docs/reliability.md "Cost, lanes and budgets"): its cost against
// the server's ceiling (422) and the key's budgets (429), then its lane's bounded queue (503 when
// full); while it runs, a hang-up of the client or its deadline cancels it.
#include "api/http/session.hpp"

#include "api/json/problem.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <nlohmann/json.hpp>

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cmath>
#include <cstdio>

namespace tanhui::api {

namespace beast = boost::beast;
namespace net = boost::asio;

namespace {

std::string number_text(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

Response over_ceiling(const RequestCost& cost, double ceiling) {
    std::vector<FieldProblem> errors;
    const std::string why = "the request costs " + number_text(cost.units) + " " + cost.what +
                            ", over this server's ceiling of " + number_text(ceiling);
    std::string fields = cost.fields;
    for (std::size_t start = 0; start < fields.size();) {
        std::size_t end = fields.find(", ", start);
        if (end == std::string::npos) end = fields.size();
        const std::string pointer = fields.substr(start, end - start);
        if (!pointer.empty() && pointer.front() == '/') errors.push_back({pointer, why});
        start = end + 2;
    }
    if (errors.empty()) errors.push_back({"", why});
    return unprocessable(why + " (--max-request-cost). Fewer years or holdings fit; portfolio-size work runs in "
                               "`tanhui batch` (docs/batch.md), which has no such ceiling",
                         std::move(errors));
}

std::string seconds_text(std::chrono::milliseconds ms) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", static_cast<double>(ms.count()) / 1000.0);
    return buf;
}

int retry_seconds(std::chrono::milliseconds ms) {
    return static_cast<int>(std::max<long long>(1, (ms.count() + 999) / 1000));
}

}  // namespace

// The cost of the request (its route's estimate) against the ceiling and the key's budgets; picks
// its lane. `holds_slot`: the key's expensive slot is taken (give it back after the handler).
std::optional<Response> Session::charge(const Route& route, Request& req, Lane& lane, bool& holds_slot) {
    const LanesConfig& config = state_->options.lanes;
    if (route.options.cost) {
        // Parsed once here for the estimate and handed on to the handler (Request::parsed_body).
        if (auto body = nlohmann::json::parse(req.body, nullptr, false); !body.is_discarded())
            req.parsed_body = std::make_shared<const nlohmann::json>(std::move(body));
        try {
            req.cost = route.options.cost(req);
        } catch (const std::exception&) {
            req.cost = {};  // an unreadable body: its handler says what is wrong
        }
    }
    if (req.cost.units > config.max_request_cost) return over_ceiling(req.cost, config.max_request_cost);
    lane = route.options.expensive || req.cost.units > config.cheap_cost_limit ? Lane::expensive : Lane::cheap;
    if (req.key_id.empty()) return std::nullopt;  // local mode: no key, no budget
    const bool expensive = lane == Lane::expensive;
    const auto d = state_->budgets.admit(req.key_id, req.role, req.cost.units, expensive);
    if (!d.admitted)
        return too_many_requests("key " + req.key_id + " (" + std::string(to_string(req.role)) + ") " + d.why +
                                     "; retry after " + std::to_string(retry_seconds(d.retry_after)) + " s",
                                 retry_seconds(d.retry_after));
    holds_slot = expensive;
    return std::nullopt;
}

void Session::schedule(const Route& route, Request req) {
    Lane lane = Lane::cheap;
    bool holds_slot = false;
    if (auto refused = charge(route, req, lane, holds_slot)) return respond(std::move(*refused), false);
    dispatch(route, std::move(req), lane, holds_slot);
}

void Session::dispatch(const Route& route, Request req, Lane lane, bool holds_slot) {
    const std::uint64_t generation = generation_;
    const std::shared_ptr<std::atomic<bool>> cancel = req.cancel;
    const std::string key_id = req.key_id;
    // The guard keeps the io_context running until the answer is posted back, so a graceful
    // stop waits for the handler.
    auto work = net::make_work_guard(*state_->ioc);
    const bool queued = state_->lanes->submit(lane, [self = shared_from_this(), &route, req = std::move(req), generation,
                                                     work, lane, holds_slot]() mutable {
        ServerState& st = *self->state_;
        // Posts the answer back to the connection's strand, from whichever thread has it.
        const Responder respond = [self, generation, work](Response response) {
            auto executor = self->executor_;
            net::post(executor, [self, generation, response = std::move(response), work]() mutable {
                self->on_handled(generation, std::move(response));
            });
        };
        std::optional<Response> now;
        if (req.cancel->load())  // its client left, or its deadline passed, while it waited
            now = service_unavailable("the request was cancelled before it started", 1);
        else
            now = invoke(route, req, st, &respond);
        if (holds_slot) st.budgets.release(req.key_id);
        if (req.cancel->load()) st.lanes->count_cancelled(lane);
        if (now) respond(std::move(*now));
    });
    if (!queued) {
        if (holds_slot) state_->budgets.release(key_id);
        const LanesConfig& c = state_->options.lanes;
        return respond(service_unavailable("the server's " + std::string(to_string(lane)) + " lane is full (" +
                                               std::to_string(lane == Lane::cheap ? c.cheap_queue : c.expensive_queue) +
                                               " requests waiting); nothing of this request was done",
                                           lane == Lane::cheap ? 1 : 5),
                       false);
    }
    phase_ = Phase::handling;
    handler_timer_.expires_after(state_->options.request_timeout);
    handler_timer_.async_wait([self = shared_from_this(), generation, cancel](beast::error_code ec) {
        if (ec || generation != self->generation_ || self->phase_ != Phase::handling) return;
        cancel->store(true);  // its simulation stops at the next block of years; its late answer is dropped
        self->respond(service_unavailable("the request did not finish within " +
                                              seconds_text(self->state_->options.request_timeout) +
                                              " s",
                                          1),
                      true);
    });
    // Only expensive work is worth stopping when the client leaves. A cheap request ends within
    // milliseconds anyway, and the end of stream a watcher sees may be a client that half-closed
    // its side after sending (shutdown(SHUT_WR)) and still waits for the answer.
    if (lane == Lane::expensive) watch_hang_up(generation, cancel);
}

namespace {

enum class Peer : std::uint8_t { silent, sent_bytes, gone };

// What the client did while nothing read its socket. The end of its stream (FIN: POLLRDHUP, or a
// peek of 0 bytes), a reset or an error: it left. Over TLS a client that hangs up sends its
// close_notify record before its FIN, so unread bytes alone say nothing: poll(POLLRDHUP) sees
// the FIN behind them, which a peek cannot.
Peer peer_state(int fd) {
    pollfd p{fd, static_cast<short>(POLLIN | POLLRDHUP), 0};
    if (::poll(&p, 1, 0) < 0) return errno == EINTR ? Peer::silent : Peer::gone;
    if (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) return Peer::gone;
    char byte = 0;
    const auto n = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n > 0) return Peer::sent_bytes;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return Peer::silent;
    return Peer::gone;
}

constexpr auto hang_up_recheck = std::chrono::milliseconds(100);

}  // namespace

// While the handler runs nothing reads the socket: wait until it is readable, then look (above).
// The client gone: cancel the request. Bytes waiting (a pipelined request, read after the answer;
// or over TLS the close_notify of a client hanging up, its FIN just behind): look again every
// 100 ms, since the socket stays readable. The same for plain HTTP and TLS.
void Session::watch_hang_up(std::uint64_t generation, std::shared_ptr<std::atomic<bool>> cancel) {
    watching_ = true;
    auto& socket = stream_.tcp().socket();
    socket.async_wait(net::socket_base::wait_read,
                      net::bind_executor(executor_, [self = shared_from_this(), generation, cancel](beast::error_code ec) {
                          if (ec || generation != self->generation_ || self->phase_ != Phase::handling) return;
                          self->watching_ = false;
                          switch (peer_state(self->stream_.tcp().socket().native_handle())) {
                          case Peer::gone: cancel->store(true); return;
                          case Peer::silent: return self->watch_hang_up(generation, cancel);
                          case Peer::sent_bytes: return self->look_again_for_hang_up(generation, cancel);
                          }
                      }));
}

void Session::look_again_for_hang_up(std::uint64_t generation, std::shared_ptr<std::atomic<bool>> cancel) {
    hang_up_timer_.expires_after(hang_up_recheck);
    hang_up_timer_.async_wait([self = shared_from_this(), generation, cancel](beast::error_code ec) {
        if (ec || generation != self->generation_ || self->phase_ != Phase::handling) return;
        if (peer_state(self->stream_.tcp().socket().native_handle()) == Peer::gone) return cancel->store(true);
        self->look_again_for_hang_up(generation, cancel);
    });
}

}  // namespace tanhui::api
