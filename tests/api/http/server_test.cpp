// The HTTP service end to end: a server on an ephemeral port in this process, a Beast client.
// Data endpoints, each class of bad input (answered with problem+json, the server serving on),
// limits and time-outs, /healthz while the workers are busy, graceful stop, metrics, and the
// OpenAPI description against the route table.
#include "api/json/problem.hpp"
#include "api/http/server.hpp"
#include "data/store/schema.hpp"
#include "data/types.hpp"
#include "tests/api/test_server.hpp"
#include "tests/paths.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <fstream>
#include <poll.h>
#include <set>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <memory>
#include <thread>
#include <unistd.h>

using namespace tanhui;
using namespace tanhui::api;
using tanhui::testing::Client;
using tanhui::testing::Reply;
using tanhui::testing::TestServer;
using tanhui::testing::expect_problem;
using namespace std::chrono_literals;

namespace {

std::atomic<int> sleeping{0};

// Test routes: echo a JSON body, sleep, throw.
void test_routes(Router& router, ServiceContext& ctx) {
    auto echo = [](const Request& req) {
        nlohmann::json body;
        if (auto problem = parse_json_body(req, body)) return *problem;
        return json_response(nlohmann::json{{"body", body}, {"query", req.query}});
    };
    router.add("POST", "/test/echo", Role::underwriter, echo);
    router.add("POST", "/test/small", Role::underwriter, echo, {.body_limit = 16});
    router.add("GET", "/test/sleep", Role::underwriter, [](const Request& req) {
        const int ms = std::stoi(*req.query_param("ms"));
        ++sleeping;
        std::this_thread::sleep_for(std::chrono::milliseconds(ms));
        --sleeping;
        return json_response(nlohmann::json{{"slept_ms", ms}});
    });
    router.add("GET", "/test/invalid", Role::underwriter, [](const Request&) -> Response {
        throw InvalidInput("cover.limit_cny", "must be >= 0, got -1");
    });
    router.add("GET", "/test/bug", Role::underwriter, [](const Request&) -> Response {
        throw std::runtime_error("secret internal detail");
    });
    router.add("GET", "/test/quote", Role::underwriter, [&ctx](const Request&) {
        ctx.metrics.add_quotes(3);
        ctx.metrics.add_simulated_years(300'000);
        return json_response(nlohmann::json{{"ok", true}});
    });
}

std::function<void(TestServer::Setup&)> with_test_routes(std::function<void(ServerOptions&)> options = {}) {
    return [options](TestServer::Setup& s) {
        s.options = options;
        s.extra = {test_routes};
    };
}

std::function<void(TestServer::Setup&)> with_options(std::function<void(ServerOptions&)> options) {
    return [options](TestServer::Setup& s) { s.options = options; };
}

void expect_serving(unsigned short port) {
    Client c(port);
    const Reply r = c.get("/healthz");
    EXPECT_EQ(r.status, 200) << r.body;
}

void wait_for(const std::function<bool()>& condition, std::chrono::milliseconds limit = 10s) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!condition() && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(5ms);
}

// The status of /healthz on a new connection, retried until it is 200 (a closed connection takes a
// moment to leave the server's counts) or wait_for gives up.
int status_of_a_new_connection(TestServer& srv) {
    int status = 0;
    wait_for([&] {
        try {
            Client d = srv.client();
            status = d.get("/healthz").status;
        } catch (const std::exception&) {
            status = 0;
        }
        return status == 200;
    });
    return status;
}

}  // namespace

// ---- data endpoints --------------------------------------------------------------------------

TEST(DataRoutes, HealthzReportsVersionAndSchema) {
    TestServer srv;
    Client c = srv.client();
    const Reply r = c.get("/healthz");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.header("content-type"), "application/json");
    EXPECT_FALSE(r.header("x-request-id").empty());
    const auto j = r.json();
    EXPECT_EQ(j["status"], "ok");
    EXPECT_EQ(j["version"], "0.1.0");
    EXPECT_TRUE(j["commit"].is_string());
    EXPECT_EQ(j["schema_version"], data::latest_schema_version());
}

TEST(DataRoutes, Markets) {
    TestServer srv;
    Client c = srv.client();
    const Reply r = c.get("/v1/markets");
    ASSERT_EQ(r.status, 200) << r.body;
    const auto j = r.json();
    ASSERT_EQ(j.size(), 3u);
    EXPECT_EQ(j[0]["market"], "CEA");
    const auto& fjea = j[2];
    EXPECT_EQ(fjea, nlohmann::json::parse(R"({"market": "FJEA", "name": "Fujian pilot ETS allowance",
        "currency": "CNY", "first_date": "2016-12-22", "last_date": "2017-01-03", "rows": 4, "traded_days": 3,
        "first_close": 34.88, "last_close": 30.5})"));
    EXPECT_EQ(j[1], nlohmann::json::parse(R"({"market": "EMPTY", "name": "A market without prices",
        "currency": "CNY", "first_date": null, "last_date": null, "rows": 0, "traded_days": 0,
        "first_close": null, "last_close": null})"));
    expect_problem(c.get("/v1/markets?x=1"), 400, "/query/x");
}

TEST(DataRoutes, Prices) {
    TestServer srv;
    Client c = srv.client();
    Reply r = c.get("/v1/markets/FJEA/prices");
    ASSERT_EQ(r.status, 200) << r.body;
    auto j = r.json();
    EXPECT_EQ(j["market"], "FJEA");
    EXPECT_EQ(j["currency"], "CNY");
    ASSERT_EQ(j["prices"].size(), 4u);
    EXPECT_EQ(j["prices"][0], nlohmann::json::parse(R"({"date": "2016-12-22", "close": 34.88, "traded": true, "volume_t": null})"));
    EXPECT_EQ(j["prices"][1]["volume_t"], 1200.0);

    j = c.get("/v1/markets/FJEA/prices?from=2016-12-23&to=2016-12-26").json();
    ASSERT_EQ(j["prices"].size(), 2u);
    EXPECT_EQ(j["prices"][0]["date"], "2016-12-23");
    EXPECT_EQ(j["prices"][1]["date"], "2016-12-26");
    j = c.get("/v1/markets/FJEA/prices?traded_only=true").json();
    EXPECT_EQ(j["prices"].size(), 3u);
    j = c.get("/v1/markets/FJ%45A/prices?to=2016-12-22").json();  // percent-encoded path
    ASSERT_EQ(j["prices"].size(), 1u);

    expect_problem(c.get("/v1/markets/NOPE/prices"), 404, "/path/market");
    expect_problem(c.get("/v1/markets/FJEA/prices?from=2016-13-01"), 400, "/query/from");
    expect_problem(c.get("/v1/markets/FJEA/prices?from=2017-02-29"), 400, "/query/from");
    expect_problem(c.get("/v1/markets/FJEA/prices?to=yesterday"), 400, "/query/to");
    expect_problem(c.get("/v1/markets/FJEA/prices?from=2017-01-01&to=2016-01-01"), 400, "/query/from");
    expect_problem(c.get("/v1/markets/FJEA/prices?traded_only=yes"), 400, "/query/traded_only");
    expect_problem(c.get("/v1/markets/FJEA/prices?form=2016-01-01"), 400, "/query/form");
    expect_problem(c.get("/v1/markets/FJEA/prices?from=2016-01-01&from=2017-01-01"), 400, "/query/from");
    expect_problem(c.get("/v1/markets/%ZZ/prices"), 400, "/path");
    expect_problem(c.get("/v1/markets/FJEA/prices?from=%FF"), 400, "/query/from");
}

TEST(DataRoutes, Regions) {
    TestServer srv;
    Client c = srv.client();
    auto j = c.get("/v1/regions").json();
    ASSERT_EQ(j.size(), 4u);
    EXPECT_EQ(j[0], nlohmann::json::parse(R"({"code": "35", "level": "province", "name_zh": "福建省",
        "name_pinyin": "fu jian", "parent_code": "CN"})"));
    EXPECT_EQ(j[3]["code"], "CN");
    EXPECT_TRUE(j[3]["parent_code"].is_null());
    j = c.get("/v1/regions?level=county").json();
    ASSERT_EQ(j.size(), 1u);
    EXPECT_EQ(j[0]["code"], "350802");
    EXPECT_EQ(j[0]["parent_code"], "3508");
    expect_problem(c.get("/v1/regions?level=planet"), 400, "/query/level");
}

TEST(DataRoutes, FireAndPestHistory) {
    TestServer srv;
    Client c = srv.client();
    auto j = c.get("/v1/history/fire?region=35").json();
    ASSERT_EQ(j.size(), 3u);
    EXPECT_EQ(j[0], nlohmann::json::parse(R"({"region": "35", "year": 2004, "fires": 500.0,
        "burned_area_ha": 9000.5, "forest_damaged_ha": 4000.25})"));
    j = c.get("/v1/history/fire?region=35&from=2005&to=2005").json();
    ASSERT_EQ(j.size(), 1u);
    EXPECT_EQ(j[0]["fires"], 400.0);
    j = c.get("/v1/history/fire?region=350800").json();  // 6-digit form of 3508: known, no fire rows
    EXPECT_TRUE(j.is_array() && j.empty());

    j = c.get("/v1/history/pest?region=CN").json();
    EXPECT_EQ(j.size(), 3u);
    j = c.get("/v1/history/pest?region=CN&pest=pine_wilt").json();
    ASSERT_EQ(j.size(), 2u);
    EXPECT_EQ(j[1], nlohmann::json::parse(R"({"region": "CN", "year": 2005, "pest": "pine_wilt",
        "occurrence_area_ha": 90000.0})"));
    j = c.get("/v1/history/pest?region=CN&pest=pine%5Fwilt&from=2005").json();
    EXPECT_EQ(j.size(), 1u);

    expect_problem(c.get("/v1/history/fire"), 400, "/query/region");
    expect_problem(c.get("/v1/history/fire?region=99"), 404, "/query/region");
    expect_problem(c.get("/v1/history/fire?region=35&from=20x5"), 400, "/query/from");
    expect_problem(c.get("/v1/history/fire?region=35&pest=all"), 400, "/query/pest");
    expect_problem(c.get("/v1/history/flood?region=35"), 404, "/path/kind");
}

// The database built from data/historical: FJEA's first close, 2016-12-22 at 34.88 CNY/t
// (data/historical/prices_FJEA.csv, first row).
TEST(DataRoutes, RealHistoricalDataFirstFujianPrice) {
    if (!std::filesystem::exists(tanhui::testing::historical_dir() / "prices_FJEA.csv"))
        GTEST_SKIP() << "data/historical is not there";
    TestServer srv([](TestServer::Setup& s) { s.historical = true; });
    Client c = srv.client();
    const auto j = c.get("/v1/markets/FJEA/prices?to=2016-12-22").json();
    ASSERT_EQ(j["prices"].size(), 1u);
    EXPECT_EQ(j["prices"][0]["date"], "2016-12-22");
    EXPECT_EQ(j["prices"][0]["close"], 34.88);
    bool found = false;
    for (const auto& m : c.get("/v1/markets").json())
        if (m["market"] == "FJEA") {
            found = true;
            EXPECT_EQ(m["first_date"], "2016-12-22");
            EXPECT_EQ(m["first_close"], 34.88);
        }
    EXPECT_TRUE(found);
    EXPECT_FALSE(c.get("/v1/history/fire?region=35").json().empty());
}

// Typhoon history near a place, on the shipped best track: Saomai (CMA 0608) passed 26.1 km from
// Fuding's seat (27.33 N, 120.22 E; its 2006-08-10T12 point 27.2 N, 120.0 E: 0.13 deg of latitude
// and 0.22 of longitude at 27.3 N, haversine 26.1 km), so a 27 km radius keeps it and a 25 km one
// does not; a smaller radius keeps a subset; CN keeps every storm.
TEST(DataRoutes, TyphoonHistoryKeepsTheStormsThatPassedNearTheRegion) {
    if (!std::filesystem::exists(tanhui::testing::historical_dir() / "typhoon_tracks.csv"))
        GTEST_SKIP() << "data/historical is not there";
    TestServer srv([](TestServer::Setup& s) { s.historical = true; });
    Client c = srv.client();
    const auto storms = [&](const std::string& query) {
        std::set<std::string> out;
        for (const auto& p : c.get("/v1/history/typhoon?" + query).json()) out.insert(p["cma_number"].get<std::string>());
        return out;
    };
    EXPECT_TRUE(storms("region=350982&from=2006&to=2006&within_km=27").count("0608"));
    EXPECT_FALSE(storms("region=350982&from=2006&to=2006&within_km=25").count("0608"));
    const auto near = storms("region=350982&from=2000&to=2010&within_km=200");
    const auto wide = storms("region=350982&from=2000&to=2010");  // 600 km
    const auto all = storms("region=CN&from=2000&to=2010");
    EXPECT_FALSE(near.empty());
    EXPECT_LT(near.size(), wide.size());
    EXPECT_LT(wide.size(), all.size());
    for (const auto& s : near) EXPECT_TRUE(wide.count(s)) << s;
    for (const auto& s : wide) EXPECT_TRUE(all.count(s)) << s;
    // Every point of a kept storm is there, not only the near ones: Saomai's 2006 points.
    std::size_t saomai = 0;
    for (const auto& p : c.get("/v1/history/typhoon?region=350982&from=2006&to=2006&within_km=27").json())
        saomai += p["cma_number"] == "0608";
    EXPECT_GT(saomai, 10u);
    expect_problem(c.get("/v1/history/typhoon?region=350982&within_km=-1"), 400, "/query/within_km");
    expect_problem(c.get("/v1/history/typhoon?region=350982&within_km=far"), 400, "/query/within_km");
    expect_problem(c.get("/v1/history/fire?region=35&within_km=10"), 400, "/query/within_km");
}

// ---- routing and bad input -------------------------------------------------------------------

TEST(BadInput, UnknownPathIs404AndWrongMethodIs405WithAllow) {
    TestServer srv(with_test_routes());
    Client c = srv.client();
    expect_problem(c.get("/v1/nothing"), 404);
    expect_problem(c.get("/"), 404);
    Reply r = c.post("/v1/markets", "{}");
    expect_problem(r, 405);
    EXPECT_EQ(r.header("allow"), "GET");
    r = c.request(tanhui::testing::http::verb::delete_, "/test/echo");
    expect_problem(r, 405);
    EXPECT_EQ(r.header("allow"), "POST");
    EXPECT_TRUE(r.keep_alive);
    EXPECT_EQ(c.get("/healthz").status, 200);  // same connection
}

TEST(BadInput, JsonBodiesAreCheckedBeforeTheHandlerRuns) {
    TestServer srv(with_test_routes());
    Client c = srv.client();
    Reply r = c.post("/test/echo", R"({"a": [1, "碳"]})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()["body"]["a"][1], "碳");
    EXPECT_EQ(c.post("/test/echo", "{}", "application/json; charset=utf-8").status, 200);

    struct Case { const char* name; std::string body; std::string type; int status; };
    const Case cases[] = {
        {"malformed JSON", R"({"a": tru})", "application/json", 400},
        {"truncated JSON", R"({"a": [1, 2)", "application/json", 400},
        {"empty body", "", "application/json", 400},
        {"invalid UTF-8", "{\"a\": \"\xC3\x28\"}", "application/json", 400},
        {"deep nesting", std::string(65, '[') + std::string(65, ']'), "application/json", 400},
        {"wrong content type", "{}", "text/plain", 415},
        {"form content type", "a=1", "application/x-www-form-urlencoded", 415},
        {"no content type", "{}", "", 415},
    };
    for (const Case& k : cases) {
        SCOPED_TRACE(k.name);
        r = c.post("/test/echo", k.body, k.type);
        expect_problem(r, k.status);
        if (k.status == 400) {
            EXPECT_EQ(r.json()["errors"][0]["path"], "");
        }
    }
    EXPECT_EQ(c.post("/test/echo", std::string(64, '[') + std::string(64, ']')).status, 200);
    expect_serving(srv.port());
}

TEST(BadInput, ExceptionsFromHandlersBecome422Or500NeverACrash) {
    TestServer srv(with_test_routes());
    Client c = srv.client();
    Reply r = c.get("/test/invalid");
    expect_problem(r, 422, "/cover/limit_cny");
    r = c.get("/test/bug");
    expect_problem(r, 500);
    EXPECT_EQ(r.body.find("secret internal detail"), std::string::npos) << r.body;
    const std::string id = r.header("x-request-id");
    EXPECT_NE(r.json()["detail"].get<std::string>().find(id), std::string::npos);
    bool logged = false;
    for (const auto& line : srv.log())
        logged = logged || (line.find("secret internal detail") != std::string::npos && line.find(id) != std::string::npos);
    EXPECT_TRUE(logged);
    expect_serving(srv.port());
}

TEST(BadInput, MalformedHttpGets400AndTheConnectionCloses) {
    TestServer srv(with_test_routes());
    {
        Client c = srv.client();
        const Reply r = c.raw("BLAH BLAH\r\n\r\n");
        expect_problem(r, 400);
        EXPECT_FALSE(r.keep_alive);
    }
    {
        Client c = srv.client();
        const Reply r = c.raw("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n");
        expect_problem(r, 400);
    }
    {
        // Truncated body: fewer bytes than Content-Length, then the client stops sending.
        Client c = srv.client();
        const Reply r = c.raw("POST /test/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                              "Content-Length: 100\r\n\r\n{\"a\": ",
                              true);
        expect_problem(r, 400, "");
    }
    expect_serving(srv.port());
}

TEST(Limits, BodyOver1MiBIs413AndTheServerServesOn) {
    TestServer srv(with_test_routes());
    {
        Client c = srv.client();
        const std::string big = "[" + std::string((1 << 20) + 10, ' ') + "]";
        const Reply r = c.post("/test/echo", big);
        expect_problem(r, 413);
        EXPECT_NE(r.body.find("1048576 bytes"), std::string::npos) << r.body;
        EXPECT_FALSE(r.keep_alive);
    }
    {
        // Exactly at the limit is fine.
        Client c = srv.client();
        const std::string at_limit = "[" + std::string((1 << 20) - 2, ' ') + "]";
        EXPECT_EQ(c.post("/test/echo", at_limit).status, 200);
    }
    {
        // Chunked: the limit counts the bytes as they arrive.
        Client c = srv.client();
        c.send_raw("POST /test/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                   "Transfer-Encoding: chunked\r\n\r\n");
        const std::string chunk(512 * 1024, ' ');
        char size[16];
        std::snprintf(size, sizeof size, "%zx\r\n", chunk.size());
        Reply r;
        try {
            for (int i = 0; i < 3; ++i) c.send_raw(std::string(size) + chunk + "\r\n");
        } catch (const std::exception&) {
            // the server may close its side while the client still writes
        }
        r = c.read();
        expect_problem(r, 413);
    }
    {
        // A route with its own smaller limit.
        Client c = srv.client();
        EXPECT_EQ(c.post("/test/small", "[1,2,3]").status, 200);
        const Reply r = c.post("/test/small", "[1,2,3,4,5,6,7,8,9]");
        expect_problem(r, 413);
        EXPECT_NE(r.body.find("16 bytes"), std::string::npos) << r.body;
    }
    expect_serving(srv.port());
}

TEST(Limits, HeaderOver8KiBIs431) {
    TestServer srv;
    Client c = srv.client();
    const Reply r = c.get("/healthz", {{"X-Padding", std::string(9000, 'x')}});
    expect_problem(r, 431);
    expect_serving(srv.port());
    Client d = srv.client();
    EXPECT_EQ(d.get("/healthz", {{"X-Padding", std::string(4000, 'x')}}).status, 200);
}

TEST(Limits, ASlowRequestGets408AndAnIdleConnectionIsClosed) {
    TestServer srv(with_options([](ServerOptions& o) { o.read_timeout = 300ms; }));
    {
        Client c = srv.client();
        c.send_raw("GET /healthz HTTP/1.1\r\nHost: x\r\n");  // and never the blank line
        const auto start = std::chrono::steady_clock::now();
        const Reply r = c.read();
        expect_problem(r, 408);
        EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
    }
    {
        Client c = srv.client();
        EXPECT_EQ(c.get("/healthz").status, 200);
        EXPECT_TRUE(c.closed_by_server());  // idle after the answer: closed without a word
    }
    expect_serving(srv.port());
}

TEST(Limits, AHandlerPastTheRequestDeadlineGets503) {
    TestServer srv(with_test_routes([](ServerOptions& o) { o.request_timeout = 200ms; }));
    Client c = srv.client();
    const Reply r = c.get("/test/sleep?ms=1000");
    expect_problem(r, 503);
    EXPECT_FALSE(r.keep_alive);
    expect_serving(srv.port());
}

TEST(Limits, ConnectionsBeyondTheCapGet503) {
    TestServer srv(with_options([](ServerOptions& o) { o.max_connections = 2; }));
    Client a = srv.client(), b = srv.client();
    EXPECT_EQ(a.get("/healthz").status, 200);
    EXPECT_EQ(b.get("/healthz").status, 200);
    {
        Client c = srv.client();
        expect_problem(c.read(), 503);
    }
    a.socket().close();
    // Once a connection is gone, a new one is served.
    EXPECT_EQ(status_of_a_new_connection(srv), 200);
}

// docs/security.md, finding 1: a client address past its cap gets 503 problem+json and a
// close, while other addresses are served and the global cap is untouched.
TEST(Limits, ConnectionsBeyondThePerAddressCapGet503AndOtherAddressesAreServed) {
    TestServer srv(with_options([](ServerOptions& o) { o.max_connections_per_address = 2; }));
    Client a = srv.client(), b = srv.client();
    EXPECT_EQ(a.get("/healthz").status, 200);
    EXPECT_EQ(b.get("/healthz").status, 200);
    for (int i = 0; i < 3; ++i) {  // refused connections hold no slot of their address
        Client c = srv.client();
        const Reply r = c.read();
        expect_problem(r, 503);
        EXPECT_EQ(r.header("Retry-After"), "1");
        EXPECT_NE(r.body.find("per client address"), std::string::npos) << r.body;
        EXPECT_FALSE(r.keep_alive);
    }
    // Another loopback address has its own count.
    Client other(srv.port(), std::chrono::seconds(20), "127.0.0.2");
    EXPECT_EQ(other.get("/healthz").status, 200);
    Client other2(srv.port(), std::chrono::seconds(20), "127.0.0.2");
    EXPECT_EQ(other2.get("/healthz").status, 200);
    // Once one of 127.0.0.1's connections is gone, it may open another.
    a.socket().close();
    EXPECT_EQ(status_of_a_new_connection(srv), 200);
}

TEST(Limits, NoPerAddressCapByDefault) {
    TestServer srv;
    std::vector<std::unique_ptr<Client>> clients;
    for (int i = 0; i < 20; ++i) {
        clients.push_back(std::make_unique<Client>(srv.port()));
        EXPECT_EQ(clients.back()->get("/healthz").status, 200);
    }
}

TEST(KeepAlive, ManyRequestsOnOneConnectionAndHttp10Closes) {
    TestServer srv;
    Client c = srv.client();
    for (int i = 0; i < 20; ++i) {
        const Reply r = c.get(i % 2 ? "/healthz" : "/v1/markets");
        ASSERT_EQ(r.status, 200);
        EXPECT_TRUE(r.keep_alive);
    }
    Client old = srv.client();
    const Reply r = old.raw("GET /healthz HTTP/1.0\r\n\r\n");
    EXPECT_EQ(r.status, 200);
    EXPECT_FALSE(r.keep_alive);
    EXPECT_TRUE(old.closed_by_server());
}

// ---- concurrency and shutdown ----------------------------------------------------------------

TEST(Concurrency, HealthzAnswersWhileEveryWorkerIsBusy) {
    TestServer srv(with_test_routes([](ServerOptions& o) {
        o.io_threads = 1;
        o.worker_threads = 2;
    }));
    sleeping = 0;
    std::vector<std::thread> slow;
    std::vector<int> statuses(3, 0);
    for (int i = 0; i < 3; ++i)
        slow.emplace_back([&, i] {
            Client c(srv.port());
            statuses[static_cast<std::size_t>(i)] = c.get("/test/sleep?ms=1500").status;
        });
    wait_for([] { return sleeping.load() == 2; });
    ASSERT_EQ(sleeping.load(), 2);  // both workers asleep, a third request queued
    Client c = srv.client();
    for (const char* target : {"/healthz", "/metrics"}) {
        const auto start = std::chrono::steady_clock::now();
        const Reply r = c.get(target);
        const auto took = std::chrono::steady_clock::now() - start;
        EXPECT_EQ(r.status, 200);
        EXPECT_LT(took, 300ms) << target;
    }
    EXPECT_EQ(sleeping.load(), 2);
    for (auto& t : slow) t.join();
    for (int s : statuses) EXPECT_EQ(s, 200);
}

TEST(Concurrency, ParallelClientsGetTheSameAnswers) {
    TestServer srv;
    const std::string expected = srv.client().get("/v1/markets/FJEA/prices").body;
    std::vector<std::thread> clients;
    std::atomic<int> same{0};
    for (int i = 0; i < 16; ++i)
        clients.emplace_back([&] {
            Client c(srv.port());
            for (int k = 0; k < 10; ++k)
                if (c.get("/v1/markets/FJEA/prices").body == expected) ++same;
        });
    for (auto& t : clients) t.join();
    EXPECT_EQ(same.load(), 160);
}

TEST(Shutdown, StopFinishesTheInFlightRequestAndClosesIdleConnections) {
    auto srv = std::make_unique<TestServer>(with_test_routes());
    const unsigned short port = srv->port();
    Client idle = srv->client();
    EXPECT_EQ(idle.get("/healthz").status, 200);

    sleeping = 0;
    Reply in_flight;
    std::thread t([&] {
        Client c(port);
        in_flight = c.get("/test/sleep?ms=600");
    });
    wait_for([] { return sleeping.load() == 1; });
    ASSERT_EQ(sleeping.load(), 1);
    srv->server().stop();
    EXPECT_TRUE(idle.closed_by_server());
    t.join();
    EXPECT_EQ(in_flight.status, 200);
    EXPECT_EQ(in_flight.json()["slept_ms"], 600);
    EXPECT_FALSE(in_flight.keep_alive);
    srv->server().wait();
    EXPECT_THROW(Client{port}, std::exception);  // no longer accepting
    srv.reset();
}

// Out of file descriptors (EMFILE): accept fails, the loop re-arms after a pause, and the
// server serves again once descriptors are free.
TEST(Shutdown, AcceptErrorsReArmTheAcceptLoop) {
    TestServer srv;
    expect_serving(srv.port());
    rlimit old{};
    ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &old), 0);
    std::size_t open_fds = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++open_fds;
    rlimit tight = old;
    tight.rlim_cur = open_fds + 6;
    ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &tight), 0);
    std::vector<int> sockets;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(srv.port());
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (int i = 0; i < 40; ++i) {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0) break;
        sockets.push_back(fd);
        if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) break;
    }
    auto accept_failed = [&] {
        for (const auto& line : srv.log())
            if (line.find("accept failed") != std::string::npos) return true;
        return false;
    };
    wait_for(accept_failed, 3s);
    for (int fd : sockets) ::close(fd);
    ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &old), 0);
    EXPECT_TRUE(accept_failed());
    expect_serving(srv.port());
}

// ---- metrics and logs ------------------------------------------------------------------------

TEST(Metrics, CountsRequestsByRouteAndStatusWithLatencyHistogram) {
    TestServer srv(with_test_routes());
    Client c = srv.client();
    c.get("/healthz");
    c.get("/healthz");
    c.get("/v1/markets/FJEA/prices");
    c.get("/v1/markets/NOPE/prices");
    c.get("/nothing");
    c.get("/test/quote");
    const Reply r = c.get("/metrics");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
    const std::string& m = r.body;
    for (const char* line : {
             "tanhui_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 2\n",
             "tanhui_http_requests_total{method=\"GET\",route=\"/v1/markets/{market}/prices\",status=\"200\"} 1\n",
             "tanhui_http_requests_total{method=\"GET\",route=\"/v1/markets/{market}/prices\",status=\"404\"} 1\n",
             "tanhui_http_requests_total{method=\"\",route=\"unmatched\",status=\"404\"} 1\n",
             "tanhui_http_request_duration_seconds_bucket{method=\"GET\",route=\"/healthz\",le=\"+Inf\"} 2\n",
             "tanhui_http_request_duration_seconds_count{method=\"GET\",route=\"/healthz\"} 2\n",
             "# TYPE tanhui_http_request_duration_seconds histogram\n",
             "tanhui_http_requests_in_flight 1\n",  // the /metrics request itself
             "tanhui_quotes_total 3\n",
             "tanhui_simulated_years_total 300000\n",
             "tanhui_http_connections_open 1\n",
         })
        EXPECT_NE(m.find(line), std::string::npos) << line << "\n" << m;
}

TEST(AccessLog, OneJsonLinePerRequest) {
    TestServer srv;
    Client c = srv.client();
    c.get("/v1/markets?x=1");
    c.get("/healthz");
    std::vector<nlohmann::json> lines;
    wait_for([&] { return srv.log().size() >= 2; });
    for (const auto& l : srv.log()) lines.push_back(nlohmann::json::parse(l));
    ASSERT_EQ(lines.size(), 2u);
    const auto& first = lines[0];
    for (const char* key : {"time", "request_id", "remote", "method", "target", "route", "status", "duration_ms",
                            "bytes", "key_id"})
        EXPECT_TRUE(first.contains(key)) << key;
    EXPECT_EQ(first["method"], "GET");
    EXPECT_EQ(first["target"], "/v1/markets?x=1");
    EXPECT_EQ(first["route"], "/v1/markets");
    EXPECT_EQ(first["status"], 400);
    EXPECT_TRUE(first["key_id"].is_null());
    EXPECT_EQ(lines[1]["status"], 200);
}

// ---- the OpenAPI description -----------------------------------------------------------------

// The (METHOD path) pairs under `paths:` of api/openapi.yaml, read line by line: a path is a
// two-space-indented key starting with '/', a method a four-space-indented HTTP verb.
std::set<std::string> documented_routes() {
    std::ifstream in(std::string(TANHUI_SOURCE_DIR) + "/api/openapi.yaml");
    EXPECT_TRUE(in) << "api/openapi.yaml";
    std::set<std::string> out;
    std::string line, path;
    bool in_paths = false;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty() || line.find_first_not_of(' ') == std::string::npos || line[line.find_first_not_of(' ')] == '#')
            continue;
        if (line[0] != ' ') {
            in_paths = line == "paths:";
            continue;
        }
        if (!in_paths) continue;
        if (line.rfind("  /", 0) == 0 && line.back() == ':') {
            path = line.substr(2, line.size() - 3);
            if (path.size() > 2 && path.front() == '"' && path.back() == '"') path = path.substr(1, path.size() - 2);
            continue;
        }
        if (line.size() > 4 && line.rfind("    ", 0) == 0 && line[4] != ' ') {
            const std::string key = line.substr(4, line.find(':') - 4);
            for (const char* verb : {"get", "put", "post", "delete", "patch", "head", "options"})
                if (key == verb) {
                    std::string method = key;
                    for (char& ch : method) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
                    out.insert(method + " " + path);
                }
        }
    }
    return out;
}

TEST(OpenApi, DocumentsExactlyTheRoutesTheServerAnswers) {
    TestServer srv([](TestServer::Setup& s) { s.start = false; });
    std::set<std::string> served;
    for (const RouteInfo& r : srv.server().router().list()) served.insert(r.method + " " + r.pattern);
    const auto documented = documented_routes();
    EXPECT_FALSE(documented.empty());
    for (const auto& r : served) EXPECT_TRUE(documented.count(r)) << r << " is served but not in api/openapi.yaml";
    for (const auto& r : documented) EXPECT_TRUE(served.count(r)) << r << " is in api/openapi.yaml but not served";
}

// ---- the executable --------------------------------------------------------------------------

// `tanhui serve --port 0` prints its port, answers, and exits 0 on SIGTERM.
TEST(Executable, ServeAnswersAndExitsZeroOnSigterm) {
    const std::string binary = std::string(TANHUI_BINARY_DIR) + "/tanhui";
    if (access(binary.c_str(), X_OK) != 0) GTEST_SKIP() << binary << " is not built";
    tanhui::testing::TempDir dir;
    const auto db = dir / "serve.db";
    tanhui::testing::build_test_database(db);
    int err[2];
    ASSERT_EQ(pipe(err), 0);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        dup2(err[1], 2);
        close(err[0]);
        close(err[1]);
        execl(binary.c_str(), binary.c_str(), "--db", db.c_str(), "serve", "--port", "0", "--threads", "2",
              static_cast<char*>(nullptr));
        _exit(127);
    }
    close(err[1]);
    std::string output;
    unsigned short port = 0;
    const auto until = std::chrono::steady_clock::now() + 20s;
    while (port == 0 && std::chrono::steady_clock::now() < until) {
        pollfd p{err[0], POLLIN, 0};
        if (poll(&p, 1, 200) <= 0) continue;
        char buf[512];
        const ssize_t n = read(err[0], buf, sizeof buf);
        if (n <= 0) break;
        output.append(buf, static_cast<std::size_t>(n));
        const auto at = output.find("listening on http://127.0.0.1:");
        if (at != std::string::npos && output.find('\n', at) != std::string::npos)
            port = static_cast<unsigned short>(std::stoi(output.substr(at + 30)));
    }
    ASSERT_NE(port, 0) << output;
    {
        Client c(port);
        EXPECT_EQ(c.get("/healthz").status, 200);
        const Reply r = c.get("/v1/markets");
        EXPECT_EQ(r.status, 200);
        EXPECT_EQ(r.json().size(), 3u);
    }
    kill(pid, SIGTERM);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    close(err[0]);
    EXPECT_TRUE(WIFEXITED(status)) << output;
    EXPECT_EQ(WEXITSTATUS(status), 0) << output;
}
