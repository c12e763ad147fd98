// HTTPS (issue 18, item 4): `serve --tls-cert --tls-key` answers a real TLS client (Beast over
// OpenSSL, verifying the server's certificate), refuses plain HTTP on the TLS port without an
// answer, and refuses to start on a key that does not fit. The certificate is made per test run
// by the openssl command (skipped when it is absent). And a TLS client that hangs up on a running
// simulation, with its close_notify or without, frees the worker within a second (issue 20).
#include "tests/api/http/lanes_fixtures.hpp"
#include "tests/api/test_server.hpp"

#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <string>

using namespace tanhui;
using tanhui::testing::Client;
using tanhui::testing::TempDir;
using tanhui::testing::TestServer;
namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace fs = std::filesystem;

namespace {

// A self-signed P-256 certificate for 127.0.0.1 (cert.pem, key.pem in `dir`); false without openssl.
bool make_certificate(const fs::path& dir, const std::string& name = "") {
    const std::string command = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
                                "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout " +
                                (dir / (name + "key.pem")).string() + " -out " + (dir / (name + "cert.pem")).string() +
                                " >/dev/null 2>&1";
    return std::system(command.c_str()) == 0;
}

struct TlsReply {
    int status = 0;
    std::string body, request_id;
};

// One request over TLS, verifying the server's certificate against `ca`.
TlsReply tls_request(unsigned short port, const fs::path& ca, http::verb method, const std::string& target,
                     const std::string& body = {}) {
    net::io_context ioc;
    net::ssl::context ctx(net::ssl::context::tls_client);
    ctx.load_verify_file(ca.string());
    ctx.set_verify_mode(net::ssl::verify_peer);
    beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(20));
    beast::get_lowest_layer(stream).connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    stream.handshake(net::ssl::stream_base::client);
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "127.0.0.1");
    if (!body.empty()) req.set(http::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    TlsReply r{static_cast<int>(res.result_int()), res.body(), std::string(res["X-Request-Id"])};
    beast::error_code ec;
    stream.shutdown(ec);  // close_notify both ways; the server's answer to it is not checked
    return r;
}

}  // namespace

TEST(Tls, ServesARealTlsClientAndRefusesPlainHttp) {
    TempDir dir;
    if (!make_certificate(dir.path())) GTEST_SKIP() << "the openssl command is not there";
    TestServer srv([&](TestServer::Setup& s) {
        s.options = [&](api::ServerOptions& o) {
            o.tls_cert = dir / "cert.pem";
            o.tls_key = dir / "key.pem";
        };
    });
    ASSERT_TRUE(srv.server().tls());
    TlsReply r = tls_request(srv.port(), dir / "cert.pem", http::verb::get, "/healthz");
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(nlohmann::json::parse(r.body).value("status", ""), "ok");
    EXPECT_FALSE(r.request_id.empty());
    r = tls_request(srv.port(), dir / "cert.pem", http::verb::get, "/v1/regions?level=province");
    EXPECT_EQ(r.status, 200) << r.body;
    r = tls_request(srv.port(), dir / "cert.pem", http::verb::post, "/v1/quotes", "{");
    EXPECT_EQ(r.status, 400) << r.body;

    // Plain HTTP on the TLS port: no HTTP answer, the connection is closed.
    Client plain = srv.client();
    plain.send_raw("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    EXPECT_TRUE(plain.closed_by_server());
    // And the server serves on.
    EXPECT_EQ(tls_request(srv.port(), dir / "cert.pem", http::verb::get, "/healthz").status, 200);
}

TEST(Tls, AKeyThatDoesNotFitTheCertificateStopsTheStart) {
    TempDir dir;
    if (!make_certificate(dir.path()) || !make_certificate(dir.path(), "other-"))
        GTEST_SKIP() << "the openssl command is not there";
    api::ServerOptions o;
    o.listen = "127.0.0.1";
    o.port = 0;
    o.db_path = dir / "tls.db";
    tanhui::testing::build_test_database(o.db_path);
    o.tls_cert = dir / "cert.pem";
    o.tls_key = dir / "other-key.pem";
    EXPECT_THROW(api::Server(o, {}), std::runtime_error);
    o.tls_key.clear();
    EXPECT_THROW(api::Server(o, {}), std::runtime_error);
}

// Over TLS a client that hangs up sends close_notify, bytes on the socket, before its FIN: the
// watcher sees the FIN behind them (poll's POLLRDHUP) and cancels the simulation. Without
// close_notify (a client that just closes) the same. Each time the next expensive quote is
// answered within 1.5 s, its own work included, and the cancelled counter goes up.
TEST(Tls, AClientThatHangsUpFreesItsWorkerWithinASecond) {
    using namespace tanhui::testing::lanes;
    if (!tanhui::testing::quotes::have_historical()) GTEST_SKIP() << "data/historical is not there";
    TempDir dir;
    if (!make_certificate(dir.path())) GTEST_SKIP() << "the openssl command is not there";
    const fs::path ca = dir / "cert.pem";
    TestServer srv(one_expensive_thread([&](api::ServerOptions& o) {
        o.tls_cert = dir / "cert.pem";
        o.tls_key = dir / "key.pem";
        o.lanes.cheap_cost_limit = 1e5;
    }));
    const auto metrics = [&](const std::string& series) {
        return metric_in(tls_request(srv.port(), ca, http::verb::get, "/metrics").body, series);
    };
    ASSERT_EQ(tls_request(srv.port(), ca, http::verb::post, "/v1/quotes", tanhui::testing::quotes::price_request().dump()).status,
              200);  // builds the model once
    double cancelled = 0;
    for (const bool close_notify : {true, false}) {
        {
            net::io_context ioc;
            net::ssl::context ctx(net::ssl::context::tls_client);
            ctx.load_verify_file(ca.string());
            ctx.set_verify_mode(net::ssl::verify_peer);
            beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
            beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(20));
            beast::get_lowest_layer(stream).connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), srv.port()));
            stream.handshake(net::ssl::stream_base::client);
            http::request<http::string_body> req{http::verb::post, "/v1/quotes", 11};
            req.set(http::field::host, "127.0.0.1");
            req.set(http::field::content_type, "application/json");
            req.body() = heavy_request(50, 4'000'000).dump();  // 2e8 holding-years: many seconds
            req.prepare_payload();
            http::write(stream, req);
            wait_for([&] { return metrics(busy_expensive) == 1; });
            ASSERT_EQ(metrics(busy_expensive), 1);
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            if (close_notify) SSL_shutdown(stream.native_handle());  // sends it; does not wait for the server's
            beast::error_code ec;
            beast::get_lowest_layer(stream).socket().close(ec);
        }
        const auto start = std::chrono::steady_clock::now();
        const TlsReply next =
            tls_request(srv.port(), ca, http::verb::post, "/v1/quotes", heavy_request(2, 100'000, "NEXT").dump());
        const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
        EXPECT_EQ(next.status, 200) << next.body;
        EXPECT_LT(took.count(), 1.5) << (close_notify ? "with" : "without") << " close_notify";
        ++cancelled;
        wait_for([&] { return metrics(cancelled_expensive) == cancelled; }, std::chrono::seconds(2));
        EXPECT_EQ(metrics(cancelled_expensive), cancelled) << (close_notify ? "with" : "without") << " close_notify";
    }
}
