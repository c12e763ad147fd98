// libFuzzer target: the HTTP request path of `tanhui serve`, end to end. A real api::Server with
// every service route runs in this process on 127.0.0.1 (a database built from data/historical
// and calibrated once, in a temporary folder); each input is sent as raw bytes on a new
// connection, the client half-closes, and every answer up to the server's close is parsed.
// The bytes go through exactly the production code: Beast's parser with the 8 KiB header and
// 1 MiB body limits, the session's checks, the router, auth (local mode), the handlers, the
// problem+json writer.
//
// Invariants besides "no crash, no sanitizer report" (the server's threads are instrumented too):
//   - no answer is a 5xx: client input never yields a 500 (docs/api.md "Errors"), and with
//     short requests on an idle server neither the connection cap nor the deadline is reached;
//   - every answer is well-formed HTTP/1.1 and an error answer is application/problem+json.
// Simulated years are capped at 2,000 per request (--max-years) so that each input stays fast.
#include "api/service/calibration.hpp"
#include "api/http/server.hpp"
#include "data/store/store.hpp"
#include "tests/paths.hpp"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>

namespace fs = std::filesystem;
namespace http = boost::beast::http;

namespace {

[[noreturn]] void fail(const std::string& what, const std::string& answer) {
    std::fprintf(stderr, "fuzz_http_request: invariant broken: %s\n--- answer ---\n%.4000s\n", what.c_str(),
                 answer.c_str());
    std::abort();
}

struct Fixture {
    fs::path dir;
    std::unique_ptr<tanhui::api::Server> server;
    unsigned short port = 0;
};

Fixture& fixture() {
    static Fixture* f = [] {
        std::signal(SIGPIPE, SIG_IGN);
        auto* fx = new Fixture;  // lives until the process ends
        char tmpl[] = "/tmp/tanhui-fuzz-http-XXXXXX";
        if (!mkdtemp(tmpl)) fail("mkdtemp", "");
        fx->dir = tmpl;
        const fs::path db = fx->dir / "fuzz.db";
        {
            tanhui::data::Store store(db, {.historical_dir = fs::path(TANHUI_SOURCE_DIR) / "data" / "historical"});
            tanhui::api::ensure_current_model(store);
        }
        tanhui::api::ServerOptions o;
        o.listen = "127.0.0.1";
        o.port = 0;
        o.io_threads = 1;
        o.worker_threads = 2;
        o.db_path = db;
        o.historical_dir = fx->dir / "no-historical";
        o.max_years = 2'000;
        o.read_timeout = std::chrono::milliseconds(3'000);
        o.log = [](std::string_view) {};  // the access log is not what is under test
        fx->server = std::make_unique<tanhui::api::Server>(o, tanhui::api::service_registrars());
        fx->server->start();
        fx->port = fx->server->port();
        std::atexit([] { std::error_code ec; fs::remove_all(fixture().dir, ec); });
        return fx;
    }();
    return *f;
}

// A system call, again while a signal cuts it short.
template <class Call>
auto retry_eintr(Call call) {
    for (;;) {
        const auto r = call();
        if (r >= 0 || errno != EINTR) return r;
    }
}

struct Answer {
    std::string bytes;
    bool reset = false;  // the connection ended with a reset: the last answer may be cut short
};

Answer exchange(unsigned short port, const std::uint8_t* data, std::size_t size) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) fail("socket", "");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    // libFuzzer's -timeout arms a SIGALRM every timeout/2 + 1 s: every system call here is
    // retried on EINTR (a poll cut short by it once passed for a 20 s hang: docs/reliability.md).
    if (retry_eintr([&] { return ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr); }) != 0)
        fail(std::string("connect: ") + std::strerror(errno), "");
    for (std::size_t sent = 0; sent < size;) {
        const ssize_t n = retry_eintr([&] { return ::send(fd, data + sent, size - sent, MSG_NOSIGNAL); });
        if (n <= 0) break;  // the server answered early (413, 431, 400) and closed: fine
        sent += static_cast<std::size_t>(n);
    }
    ::shutdown(fd, SHUT_WR);
    Answer answer;
    char buf[65536];
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    for (;;) {
        pollfd p{fd, POLLIN, 0};
        int ready;
        do {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            ready = ::poll(&p, 1, static_cast<int>(std::max<std::int64_t>(left.count(), 0)));
        } while (ready < 0 && errno == EINTR);
        if (ready < 0) fail(std::string("poll: ") + std::strerror(errno), answer.bytes);
        if (ready == 0) {
            ::close(fd);
            fail("no answer and no close within 20 s", answer.bytes);
        }
        const ssize_t n = retry_eintr([&] { return ::recv(fd, buf, sizeof buf, 0); });
        if (n < 0) answer.reset = true;
        if (n <= 0) break;
        answer.bytes.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return answer;
}

void check_answers(const Answer& a) {
    const std::string& answer = a.bytes;
    if (answer.empty()) return;  // closed without an answer (an empty or cut-off request)
    boost::beast::flat_buffer buffer;
    {
        auto b = buffer.prepare(answer.size());
        std::memcpy(b.data(), answer.data(), answer.size());
        buffer.commit(answer.size());
    }
    while (buffer.size() > 0) {
        http::response_parser<http::string_body> parser;
        parser.body_limit(64u << 20);
        parser.eager(true);
        boost::beast::error_code ec;
        while (!parser.is_done()) {
            const std::size_t n = parser.put(buffer.data(), ec);
            if (ec == http::error::need_more) {
                // Cut short: only a reset (unread client bytes at the server's close) may do that.
                if (a.reset) return;
                fail("a truncated answer", answer);
            }
            if (ec) fail("a malformed answer: " + ec.message(), answer);
            buffer.consume(n);
            if (n == 0 && !parser.is_done()) fail("the answer does not parse", answer);
        }
        const auto& res = parser.get();
        const int status = static_cast<int>(res.result_int());
        if (status >= 500) fail("a " + std::to_string(status) + " answer to client input", answer);
        if (status >= 400 && res[http::field::content_type] != "application/problem+json")
            fail("an error answer that is not problem+json", answer);
    }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    (void)fixture();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const Fixture& f = fixture();
    check_answers(exchange(f.port, data, size));
    return 0;
}
