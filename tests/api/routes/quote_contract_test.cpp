// The quote contract an integrator builds on (issue 18, items 2-4 and 6), each through the real
// server: Idempotency-Key, GET /v1/quotes (filters, cursor pages, which key sees what),
// X-Request-Id, `quote --no-store`, local mode ending with the first key, per-key rate limits,
// GET /readyz, and arrays answered per element on request.
#include "api/http/admission.hpp"
#include "api/http/auth.hpp"
#include "tests/api/routes/quote_fixtures.hpp"
#include "tests/api/test_server.hpp"
#include "tests/paths.hpp"

#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace tanhui;
using namespace tanhui::api;
using namespace tanhui::testing::quotes;
using tanhui::testing::add_key;
using tanhui::testing::Client;
using tanhui::testing::Reply;
using tanhui::testing::TestServer;
using tanhui::testing::expect_problem;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

Headers bearer(const NewKey& k, Headers more = {}) {
    more.emplace_back("Authorization", "Bearer " + k.key);
    return more;
}

}  // namespace

// ---- Idempotency-Key ---------------------------------------------------------------------------

// The same key and body: the stored answer (same quote id, byte for byte), nothing stored twice,
// even when the body's members come in another order; the same key with another body: a 422 that
// stores nothing; another key: a new quote.
TEST(QuoteContract, IdempotencyKeyReplaysTheStoredAnswerAndRefusesAnotherBody) {
    if (!have_historical()) GTEST_SKIP() << "data/historical is not there";
    TestServer srv(calibrated());
    Client c = srv.client();
    const json body = price_request();
    const Headers key{{"Idempotency-Key", "order-7f3a"}};

    const Reply first = c.post("/v1/quotes", body.dump(), "application/json", key);
    ASSERT_EQ(first.status, 200) << first.body;
    EXPECT_EQ(quote_rows(srv.db()), 1);
    const Reply again = c.post("/v1/quotes", body.dump(2), "application/json", key);
    ASSERT_EQ(again.status, 200) << again.body;
    EXPECT_EQ(again.body, first.body);
    EXPECT_EQ(again.header("idempotent-replayed"), "true");
    EXPECT_EQ(quote_rows(srv.db()), 1) << "a retry stored a second quote";

    json other = body;
    other["cover"]["quantity_tco2e"] = 200000;
    const Reply clash = c.post("/v1/quotes", other.dump(), "application/json", key);
    expect_problem(clash, 422, "/headers/idempotency-key");
    EXPECT_EQ(quote_rows(srv.db()), 1);

    const Reply fresh = c.post("/v1/quotes", body.dump(), "application/json", {{"Idempotency-Key", "order-7f3b"}});
    ASSERT_EQ(fresh.status, 200) << fresh.body;
    EXPECT_NE(fresh.json()["quote_id"], first.json()["quote_id"]);
    EXPECT_EQ(quote_rows(srv.db()), 2);

    expect_problem(c.post("/v1/quotes", body.dump(), "application/json", {{"Idempotency-Key", std::string(256, 'k')}}),
                   400, "/headers/idempotency-key");
}

// ---- GET /v1/quotes ----------------------------------------------------------------------------

// Filters by policy and product, pages newest first with a cursor, refuses bad parameters; an
// underwriter key sees its own quotes only (list, read, replay), an actuary key every quote.
TEST(QuoteContract, SearchPagesWithACursorAndShowsAnUnderwriterItsOwnQuotes) {
    if (!have_historical()) GTEST_SKIP() << "data/historical is not there";
    NewKey alice, bob, actuary;
    TestServer srv([&](TestServer::Setup& s) {
        calibrated()(s);
        s.database = [&](const fs::path& db) {
            copy_calibrated(db);
            alice = add_key(db, Role::underwriter, "alice");
            bob = add_key(db, Role::underwriter, "bob");
            actuary = add_key(db, Role::actuary, "carol");
        };
    });
    Client c = srv.client();
    std::vector<std::string> alice_ids;
    for (int i = 0; i < 3; ++i) {
        json r = price_request();
        r["policy"]["id"] = "P-" + std::to_string(i % 2);
        const Reply q = c.post("/v1/quotes", r.dump(), "application/json", bearer(alice));
        ASSERT_EQ(q.status, 200) << q.body;
        alice_ids.push_back(q.json()["quote_id"]);
    }
    const Reply bobs = c.post("/v1/quotes", price_request().dump(), "application/json", bearer(bob));
    ASSERT_EQ(bobs.status, 200) << bobs.body;
    const std::string bob_id = bobs.json()["quote_id"];

    // Newest first, two pages of 2 then 1, each quote once.
    Reply page = c.get("/v1/quotes?limit=2", bearer(alice));
    ASSERT_EQ(page.status, 200) << page.body;
    ASSERT_EQ(page.json()["quotes"].size(), 2u);
    EXPECT_EQ(page.json()["quotes"][0]["quote_id"], alice_ids[2]);
    EXPECT_EQ(page.json()["quotes"][0]["product"], "price_insurance");
    ASSERT_TRUE(page.json()["next_cursor"].is_string()) << page.body;
    page = c.get("/v1/quotes?limit=2&cursor=" + page.json()["next_cursor"].get<std::string>(), bearer(alice));
    ASSERT_EQ(page.status, 200) << page.body;
    ASSERT_EQ(page.json()["quotes"].size(), 1u);
    EXPECT_EQ(page.json()["quotes"][0]["quote_id"], alice_ids[0]);
    EXPECT_TRUE(page.json()["next_cursor"].is_null());

    page = c.get("/v1/quotes?policy_id=P-1&product=price_insurance", bearer(alice));
    ASSERT_EQ(page.status, 200) << page.body;
    ASSERT_EQ(page.json()["quotes"].size(), 1u);
    EXPECT_EQ(page.json()["quotes"][0]["quote_id"], alice_ids[1]);
    EXPECT_EQ(c.get("/v1/quotes?product=index_insurance", bearer(alice)).json()["quotes"].size(), 0u);
    EXPECT_EQ(c.get("/v1/quotes?from=2000-01-01&to=2999-12-31", bearer(alice)).json()["quotes"].size(), 3u);

    // Bob sees his one quote; Alice's are not there for him, not even by id; the actuary sees all.
    page = c.get("/v1/quotes", bearer(bob));
    ASSERT_EQ(page.json()["quotes"].size(), 1u);
    EXPECT_EQ(page.json()["quotes"][0]["quote_id"], bob_id);
    expect_problem(c.get("/v1/quotes/" + alice_ids[0], bearer(bob)), 404, "/path/id");
    expect_problem(c.post("/v1/quotes/" + alice_ids[0] + "/replay", "", "", bearer(bob)), 404, "/path/id");
    EXPECT_EQ(c.get("/v1/quotes?key_id=" + alice.id, bearer(bob)).status, 403);
    EXPECT_EQ(c.get("/v1/quotes", bearer(actuary)).json()["quotes"].size(), 4u);
    EXPECT_EQ(c.get("/v1/quotes?key_id=" + bob.id, bearer(actuary)).json()["quotes"].size(), 1u);
    EXPECT_EQ(c.get("/v1/quotes/" + alice_ids[0], bearer(actuary)).status, 200);

    for (const char* bad : {"limit=0", "limit=501", "cursor=zz", "from=2027/01/01", "product=car_insurance", "colour=red"}) {
        SCOPED_TRACE(bad);
        const std::string name = std::string(bad).substr(0, std::string(bad).find('='));
        expect_problem(c.get(std::string("/v1/quotes?") + bad, bearer(alice)), 400, "/query/" + name);
    }
}

// ---- X-Request-Id ------------------------------------------------------------------------------

// A client's id is kept and echoed, and is the `instance` of a problem; an unusable one is
// replaced by the server's own; without one the server makes one.
TEST(QuoteContract, RequestIdIsHonouredEchoedAndTheProblemsInstance) {
    TestServer srv;
    Client c = srv.client();
    Reply r = c.get("/v1/regions", {{"X-Request-Id", "client-42.a"}});
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.header("x-request-id"), "client-42.a");

    r = c.post("/v1/quotes", "{", "application/json", {{"X-Request-Id", "retry-9"}});
    expect_problem(r, 400);
    EXPECT_EQ(r.header("x-request-id"), "retry-9");
    EXPECT_EQ(r.json().value("instance", ""), "urn:tanhui:request:retry-9") << r.body;

    r = c.get("/v1/nothing-here", {{"X-Request-Id", "has space"}});
    expect_problem(r, 404);
    const std::string made = r.header("x-request-id");
    EXPECT_FALSE(made.empty());
    EXPECT_NE(made, "has space");
    EXPECT_EQ(r.json().value("instance", ""), "urn:tanhui:request:" + made);
    EXPECT_FALSE(c.get("/healthz").header("x-request-id").empty());
}

// ---- tanhui quote --no-store -------------------------------------------------------------------

// A quote that is not stored carries no quote_id (so nobody holds an id that answers 404).
TEST(QuoteContract, NoStoreAnswerHasNoQuoteIdAndStoresNothing) {
    if (!have_historical()) GTEST_SKIP() << "data/historical is not there";
    const std::string binary = std::string(TANHUI_BINARY_DIR) + "/tanhui";
    if (access(binary.c_str(), X_OK) != 0) GTEST_SKIP() << binary << " is not built";
    tanhui::testing::TempDir dir;
    const fs::path db = dir / "q.db", request = dir / "price.json";
    copy_calibrated(db);
    std::ofstream(request) << price_request().dump();
    const std::string command = binary + " quote --no-store --db " + db.string() + " " + request.string() + " 2>/dev/null";
    FILE* pipe = popen(command.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    std::string out;
    std::array<char, 4096> buf{};
    while (const std::size_t n = std::fread(buf.data(), 1, buf.size(), pipe)) out.append(buf.data(), n);
    const int status = pclose(pipe);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << out;
    const json answer = json::parse(out, nullptr, false);
    ASSERT_TRUE(answer.is_object()) << out;
    EXPECT_FALSE(answer.contains("quote_id")) << out;
    EXPECT_TRUE(answer.contains("gross_premium_cny")) << out;
    EXPECT_EQ(quote_rows(db), 0);
}

// ---- local mode ends with the first key ----------------------------------------------------------

// A server in local mode serves callers without a key; once `tanhui keys create` made the first
// key in its database (and said that the server now requires keys), it requires keys, without a
// restart.
TEST(QuoteContract, FirstKeyEndsLocalModeWithoutARestart) {
    const std::string binary = std::string(TANHUI_BINARY_DIR) + "/tanhui";
    if (access(binary.c_str(), X_OK) != 0) GTEST_SKIP() << binary << " is not built";
    TestServer srv([](TestServer::Setup& s) {
        s.options = [](ServerOptions& o) { o.key_mode_check = 20ms; };
    });
    Client c = srv.client();
    ASSERT_TRUE(srv.server().local_mode());
    ASSERT_EQ(c.get("/v1/regions").status, 200);
    const std::string command = binary + " keys create --role underwriter --name first --db " + srv.db().string() +
                                " 2>" + (srv.dir() / "keys.err").string();
    FILE* pipe = popen(command.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    std::array<char, 256> buf{};
    std::string printed;
    while (const std::size_t n = std::fread(buf.data(), 1, buf.size(), pipe)) printed.append(buf.data(), n);
    ASSERT_EQ(pclose(pipe), 0);
    std::stringstream said;
    said << std::ifstream(srv.dir() / "keys.err").rdbuf();
    EXPECT_NE(said.str().find("without a restart"), std::string::npos) << said.str();
    const NewKey k{printed.substr(3, 12), printed.substr(0, printed.find_last_not_of("\n") + 1)};
    int status = 200;
    for (int i = 0; i < 500 && status == 200; ++i) {  // at most 10 s; normally the next request
        std::this_thread::sleep_for(20ms);
        status = c.get("/v1/regions").status;
    }
    EXPECT_EQ(status, 401);
    EXPECT_FALSE(srv.server().local_mode());
    EXPECT_EQ(c.get("/v1/regions", bearer(k)).status, 200);
    EXPECT_EQ(c.get("/healthz").status, 200);
}

// ---- rate limits ---------------------------------------------------------------------------------

// A key over its budget gets a 429 with Retry-After; another key and public routes are not held
// back. (A budget of one request per 100 s: no timing in the test.)
TEST(QuoteContract, AKeyOverItsRateLimitGets429WithRetryAfter) {
    NewKey busy, other;
    TestServer srv([&](TestServer::Setup& s) {
        s.database = [&](const fs::path& db) {
            tanhui::testing::build_test_database(db);
            busy = add_key(db, Role::underwriter, "busy");
            other = add_key(db, Role::underwriter, "other");
        };
        s.options = [](ServerOptions& o) { apply_rate_limit(o.admission, "underwriter=0.01:2"); };
    });
    Client c = srv.client();
    EXPECT_EQ(c.get("/v1/regions", bearer(busy)).status, 200);
    EXPECT_EQ(c.get("/v1/regions", bearer(busy)).status, 200);
    const Reply r = c.get("/v1/regions", bearer(busy));
    expect_problem(r, 429);
    const int retry = std::atoi(r.header("retry-after").c_str());
    EXPECT_GE(retry, 50) << r.header("retry-after");
    EXPECT_LE(retry, 100) << r.header("retry-after");
    EXPECT_TRUE(r.keep_alive);
    EXPECT_EQ(c.get("/v1/regions", bearer(other)).status, 200);
    EXPECT_EQ(c.get("/healthz").status, 200);
    AdmissionConfig config;
    EXPECT_THROW(apply_rate_limit(config, "x"), std::exception);
}

// ---- readiness -----------------------------------------------------------------------------------

// GET /readyz is 200 while the database takes writes, a 503 while another process holds it locked
// for writing (or it is gone), and 200 again after; /healthz stays 200 throughout.
TEST(QuoteContract, ReadinessFailsWhileTheDatabaseCannotTakeAWrite) {
    TestServer srv;
    Client c = srv.client();
    ASSERT_EQ(c.get("/readyz").status, 200);
    EXPECT_EQ(c.get("/readyz").json()["status"], "ready");
    {
        SQLite::Database locker(srv.db().string(), SQLite::OPEN_READWRITE);
        locker.exec("BEGIN EXCLUSIVE");
        const Reply r = c.get("/readyz");
        expect_problem(r, 503);
        EXPECT_FALSE(r.header("retry-after").empty());
        EXPECT_EQ(c.get("/healthz").status, 200);
        locker.exec("ROLLBACK");
    }
    EXPECT_EQ(c.get("/readyz").status, 200);
    const fs::path moved = srv.db().string() + ".away";
    fs::rename(srv.db(), moved);
    expect_problem(c.get("/readyz"), 503);
    fs::rename(moved, srv.db());
    EXPECT_EQ(c.get("/readyz").status, 200);
}

// ---- arrays, element by element ------------------------------------------------------------------

// ?atomic=false: each element answered on its own, in order, with its index, status and quote or
// problem (its paths relative to the whole request); the good ones stored; a 207 when any failed.
// The default stays all or nothing (QuoteServer.AnArrayRequestStoresAllOrNone).
TEST(QuoteContract, AnArrayIsAnsweredPerElementOnRequest) {
    if (!have_historical()) GTEST_SKIP() << "data/historical is not there";
    TestServer srv(calibrated());
    Client c = srv.client();
    json body = json::array({price_request(), price_request(), price_request()});
    body[1]["cover"]["quantity_tco2e"] = -1;

    Reply r = c.post("/v1/quotes?atomic=false", body.dump());
    ASSERT_EQ(r.status, 207) << r.body;
    const json answers = r.json();
    ASSERT_TRUE(answers.is_array() && answers.size() == 3u) << r.body;
    for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(answers[i]["index"], i);
    EXPECT_EQ(answers[0]["status"], 200);
    EXPECT_TRUE(answers[0]["quote"].contains("quote_id"));
    EXPECT_EQ(answers[1]["status"], 400);
    EXPECT_EQ(answers[1]["problem"]["errors"][0]["path"], "/1/cover/quantity_tco2e") << r.body;
    EXPECT_EQ(answers[2]["status"], 200);
    EXPECT_EQ(quote_rows(srv.db()), 2);
    EXPECT_EQ(c.get("/v1/quotes/" + answers[2]["quote"]["quote_id"].get<std::string>()).status, 200);

    r = c.post("/v1/quotes?atomic=false", json::array({price_request()}).dump());
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()[0]["status"], 200);
    expect_problem(c.post("/v1/quotes?atomic=maybe", body.dump()), 400, "/query/atomic");
    expect_problem(c.post("/v1/quotes", body.dump()), 400, "/1/cover/quantity_tco2e");
    EXPECT_EQ(quote_rows(srv.db()), 3);
}
