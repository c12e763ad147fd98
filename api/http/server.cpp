#include "api/http/server.hpp"

#include "api/http/session.hpp"
#include "api/service/quote_writer.hpp"
#include "api/service/reference_cache.hpp"
#include "data/store/store.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <nlohmann/json.hpp>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include <csignal>
#include <stdexcept>
#include <thread>
#include <unordered_map>

namespace tanhui::api {

namespace net = boost::asio;
using tcp = net::ip::tcp;

// ---- ServiceContext ------------------------------------------------------------------------

ServiceContext::ServiceContext(const ServerOptions& options, MetricsRegistry& metrics_in)
    : metrics(metrics_in),
      db_path_(options.db_path.empty() ? data::default_database_path() : options.db_path),
      historical_dir_(options.historical_dir.empty() ? data::default_historical_dir() : options.historical_dir),
      max_years_(options.max_years),
      synchronous_full_(options.synchronous_full),
      wal_restart_bytes_(options.wal_restart_bytes),
      references_(std::make_unique<ReferenceCache>(options.reference_cache_ttl)) {}

ServiceContext::~ServiceContext() = default;

QuoteWriter& ServiceContext::quote_writer() {
    std::lock_guard lock(writer_mutex_);
    if (!writer_) {
        QuoteWriter::Options o;
        o.db_path = db_path_;
        o.historical_dir = historical_dir_;
        o.synchronous_full = synchronous_full_;
        o.wal_restart_bytes = wal_restart_bytes_;
        o.log = log_event_;
        writer_ = std::make_shared<QuoteWriter>(std::move(o));
    }
    return *writer_;
}

void ServiceContext::stop_background() {
    std::shared_ptr<QuoteWriter> writer;
    {
        std::lock_guard lock(writer_mutex_);
        writer = writer_;
    }
    if (writer) writer->stop();
}

void ServiceContext::log_event(std::string_view level, std::string_view message) const {
    if (log_event_) log_event_(level, message);
}

data::Store& ServiceContext::store() const {
    // Keyed by path: a thread belongs to one server, but a test process runs several in turn.
    thread_local std::unordered_map<std::string, std::unique_ptr<data::Store>> stores;
    auto& slot = stores[db_path_.string()];
    if (!slot) slot = std::make_unique<data::Store>(db_path_, data::StoreOptions{.historical_dir = historical_dir_});
    return *slot;
}

bool is_loopback_address(std::string_view address) {
    if (address == "localhost") return true;
    boost::system::error_code ec;
    const auto a = net::ip::make_address(std::string(address), ec);
    if (ec) return false;
    if (a.is_v4()) return a.to_v4().is_loopback();
    const auto v6 = a.to_v6();
    if (v6.is_loopback()) return true;
    return v6.is_v4_mapped() && net::ip::make_address_v4(net::ip::v4_mapped, v6).is_loopback();
}

// ---- TLS -----------------------------------------------------------------------------------

namespace {

// TLS 1.2 and 1.3 only, with OpenSSL's default cipher list; the certificate chain and key as PEM.
std::unique_ptr<net::ssl::context> make_tls_context(const ServerOptions& options) {
    if (options.tls_cert.empty() || options.tls_key.empty())
        throw std::runtime_error("TLS needs both --tls-cert and --tls-key");
    auto ctx = std::make_unique<net::ssl::context>(net::ssl::context::tls_server);
    ctx->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                     net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 | net::ssl::context::no_tlsv1_1 |
                     net::ssl::context::single_dh_use);
    boost::system::error_code ec;
    ctx->use_certificate_chain_file(options.tls_cert.string(), ec);
    if (ec) throw std::runtime_error("--tls-cert " + options.tls_cert.string() + ": " + ec.message());
    ctx->use_private_key_file(options.tls_key.string(), net::ssl::context::pem, ec);
    if (ec) throw std::runtime_error("--tls-key " + options.tls_key.string() + ": " + ec.message());
    if (SSL_CTX_check_private_key(ctx->native_handle()) != 1)
        throw std::runtime_error("--tls-key " + options.tls_key.string() + " does not match --tls-cert " +
                                 options.tls_cert.string());
    return ctx;
}

}  // namespace

// ---- Server --------------------------------------------------------------------------------

struct Server::Impl {
    explicit Impl(std::shared_ptr<ServerState> s)
        : state(std::move(s)),
          ioc(static_cast<int>(state->options.io_threads)),
          strand(net::make_strand(ioc)),
          acceptor(strand),
          accept_timer(strand),
          grace_timer(strand) {}

    void do_accept();
    void on_accept(boost::system::error_code ec, tcp::socket socket);
    void do_stop();

    std::shared_ptr<ServerState> state;
    net::io_context ioc;
    std::optional<Lanes> lanes;
    net::strand<net::io_context::executor_type> strand;
    tcp::acceptor acceptor;
    net::steady_timer accept_timer;
    net::steady_timer grace_timer;
    std::optional<net::signal_set> signals;
    std::vector<std::thread> threads;
    std::string address;
    unsigned short port = 0;
    bool started = false;
    bool joined = false;
    bool stop_done = false;  // on the strand
};

namespace {
unsigned default_threads(unsigned n) {
    if (n > 0) return n;
    const unsigned hw = std::thread::hardware_concurrency();
    return hw > 0 ? hw : 2;
}
}  // namespace

Server::Server(ServerOptions options, const std::vector<Registrar>& registrars) {
    options.io_threads = default_threads(options.io_threads);
    if (options.worker_threads > 0) options.lanes.cheap_threads = options.worker_threads;
    options.worker_threads = default_threads(options.worker_threads);
    if (options.listen == "localhost") options.listen = "127.0.0.1";
    auto state = std::make_shared<ServerState>(std::move(options));

    {
        // On this thread only for start-up: builds the database on first use, reads the mode.
        data::Store store(state->context.db_path(),
                          data::StoreOptions{.historical_dir = state->context.historical_dir_});
        state->context.schema_version_ = store.schema_version();
        for (const auto& a : store.labelled_assumptions())
            if (a.low && a.high && *a.low != *a.high) ++state->context.banded_assumptions_;
        state->local_mode = active_key_count(store) == 0;
    }
    ServerState* raw = state.get();
    state->context.log_event_ = [raw](std::string_view level, std::string_view message) {
        raw->log_event(level, message);
    };
    if (!state->options.tls_cert.empty() || !state->options.tls_key.empty()) state->tls = make_tls_context(state->options);
    register_metrics_route(state->router, state->metrics);
    for (const Registrar& r : registrars) r(state->router, state->context);
    state->metrics.bind_routes(state->router.list());
    state->body_limit = std::max<std::size_t>(state->router.max_body_limit(), 1);
    ServiceContext* ctx = &state->context;
    state->keys = std::make_unique<KeyVerifier>([ctx] { return data::Keys(ctx->store()); },
                                                state->options.key_cache_ttl);
    unsigned char id_seed[4];
    if (RAND_bytes(id_seed, sizeof id_seed) != 1) throw std::runtime_error("OpenSSL RAND_bytes failed");
    static constexpr char hex[] = "0123456789abcdef";
    for (unsigned char b : id_seed) {
        state->request_id_prefix += hex[b >> 4];
        state->request_id_prefix += hex[b & 0xf];
    }
    impl_ = std::make_unique<Impl>(std::move(state));
}

Server::~Server() {
    if (!impl_) return;
    stop();
    wait();
}

void Server::start() {
    Impl& im = *impl_;
    ServerState& st = *im.state;
    if (im.started) throw std::logic_error("Server::start called twice");
    if (st.local_mode && !is_loopback_address(st.options.listen))
        throw std::runtime_error(
            "no API key in " + st.context.db_path().string() + ": the server would run in local mode (every caller "
            "is admin), so it only listens on a loopback address such as 127.0.0.1, not " + st.options.listen +
            ". Create a key first: tanhui keys create --role admin --name NAME");
    boost::system::error_code ec;
    const auto addr = net::ip::make_address(st.options.listen, ec);
    if (ec) throw std::runtime_error("--listen " + st.options.listen + " is not an IPv4 or IPv6 address");
    const tcp::endpoint endpoint(addr, st.options.port);
    im.acceptor.open(endpoint.protocol(), ec);
    if (!ec) im.acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) im.acceptor.bind(endpoint, ec);
    if (!ec) im.acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec)
        throw std::runtime_error("cannot listen on " + st.options.listen + " port " +
                                 std::to_string(st.options.port) + ": " + ec.message());
    im.port = im.acceptor.local_endpoint().port();
    im.address = addr.to_string();

    st.ioc = &im.ioc;
    im.lanes.emplace(st.options.lanes);
    st.lanes = &*im.lanes;
    st.metrics.set_extra([lanes = st.lanes] { return lanes->render(); });
    st.context.overload_check_ = [lanes = st.lanes, limit = st.options.lanes.ready_wait]() -> std::optional<std::string> {
        const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(lanes->queue_wait(Lane::cheap));
        if (wait <= limit) return std::nullopt;
        return "cheap requests wait " + std::to_string(wait.count()) + " ms in the queue (limit " +
               std::to_string(limit.count()) + " ms)";
    };
    Impl* impl = &im;
    st.on_idle = [impl] {
        net::post(impl->strand, [impl] {
            if (impl->state->connections.load() == 0) impl->grace_timer.cancel();
        });
    };
    if (st.options.handle_signals) {
        im.signals.emplace(im.ioc, SIGINT, SIGTERM);
        im.signals->async_wait([this](boost::system::error_code e, int signal) {
            if (e) return;
            impl_->state->log_event("info", "signal " + std::to_string(signal) +
                                                ": stopping; in-flight requests finish first");
            stop();
        });
    }
    st.running = true;
    im.started = true;
    net::post(im.strand, [impl] { impl->do_accept(); });
    for (unsigned i = 0; i < st.options.io_threads; ++i)
        im.threads.emplace_back([impl] {
            for (;;) {
                try {
                    impl->ioc.run();
                    return;
                } catch (const std::exception& e) {
                    impl->state->log_event("error", std::string("I/O thread: ") + e.what());
                }
            }
        });
}

void Server::Impl::do_accept() {
    if (state->stopping) return;
    acceptor.async_accept(net::make_strand(ioc), [this](boost::system::error_code ec, tcp::socket socket) {
        on_accept(ec, std::move(socket));
    });
}

void Server::Impl::on_accept(boost::system::error_code ec, tcp::socket socket) {
    if (state->stopping) return;
    if (ec) {
        if (ec == net::error::operation_aborted) return;
        // EMFILE, ENFILE, ENOBUFS ...: the loop must go on, after a pause that lets connections close.
        state->log_event("error", "accept failed: " + ec.message() + "; retrying in 100 ms");
        accept_timer.expires_after(std::chrono::milliseconds(100));
        accept_timer.async_wait([this](boost::system::error_code e) {
            if (!e) do_accept();
        });
        return;
    }
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    auto session = std::make_shared<Session>(std::move(socket), state, state->tls.get());
    if (state->connections.load() > state->options.max_connections)
        session->reject_busy("the server has " + std::to_string(state->options.max_connections) +
                             " open connections, its limit; retry shortly");
    else if (session->over_address_limit())
        session->reject_busy("the limit per client address is " +
                             std::to_string(state->options.max_connections_per_address) +
                             " open connections, and yours has that many; close one or retry shortly");
    else
        session->run();
    do_accept();
}

void Server::Impl::do_stop() {
    if (stop_done) return;
    stop_done = true;
    state->stopping = true;
    boost::system::error_code ec;
    acceptor.close(ec);
    accept_timer.cancel();
    if (signals) signals->cancel(ec);
    std::vector<std::shared_ptr<Session>> live;
    {
        std::lock_guard lock(state->sessions_mutex);
        for (auto& [raw, weak] : state->sessions)
            if (auto s = weak.lock()) live.push_back(std::move(s));
    }
    // Outside the lock: dropping the last reference runs ~Session, which takes the lock.
    for (auto& s : live) s->post_shutdown();
    live.clear();
    grace_timer.expires_after(state->options.shutdown_grace);
    grace_timer.async_wait([this](boost::system::error_code e) {
        if (e) return;
        state->log_event("warning", "shutdown grace period over; closing " +
                                        std::to_string(state->connections.load()) + " connection(s)");
        ioc.stop();
    });
    if (state->connections.load() == 0) grace_timer.cancel();
}

void Server::stop() {
    if (!impl_->started) return;
    Impl* impl = impl_.get();
    net::post(impl->strand, [impl] { impl->do_stop(); });
}

void Server::wait() {
    Impl& im = *impl_;
    if (!im.started || im.joined) return;
    for (auto& t : im.threads) t.join();
    im.state->running = false;
    im.lanes->join();
    // Every answer is sent; the writer commits what may still be queued (nothing, normally).
    im.state->context.stop_background();
    im.joined = true;
}

unsigned short Server::port() const { return impl_->port; }
const std::string& Server::address() const { return impl_->address; }
bool Server::local_mode() const { return impl_->state->local_mode; }
bool Server::tls() const { return impl_->state->tls != nullptr; }
const Router& Server::router() const { return impl_->state->router; }
MetricsRegistry& Server::metrics() { return impl_->state->metrics; }
ServiceContext& Server::context() { return impl_->state->context; }

}  // namespace tanhui::api
