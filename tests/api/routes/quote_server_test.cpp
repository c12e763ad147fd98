// The quote routes over HTTP (issue 6): 32 parallel clients get the bits one client gets alone;
// kill -9 during a stream of quotes leaves a database that passes `PRAGMA integrity_check`, holds
// every acknowledged quote whole and no quote in part, and the server restarted on it serves every
// acknowledged quote and stores new ones (issue 8); a stored quote reads back and replays
// bit-identically; an array request stores all or none; bad quote input is a 400 naming the field,
// the server serves on and nothing is stored.
//
// Quotes run on the model calibrated from data/historical (tests/api/routes/quote_fixtures.hpp).
#include "api/service/calibration.hpp"
#include "api/service/quote_service.hpp"
#include "data/store/store.hpp"
#include "data/store/stored_text.hpp"
#include "tests/api/routes/quote_fixtures.hpp"
#include "tests/api/test_server.hpp"
#include "tests/paths.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <latch>
#include <map>
#include <mutex>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace tanhui;
using namespace tanhui::api;
using tanhui::testing::Client;
using tanhui::testing::Reply;
using tanhui::testing::TempDir;
using tanhui::testing::TestServer;
using tanhui::testing::expect_problem;
using nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

using namespace tanhui::testing::quotes;

// ---- 32 parallel clients ---------------------------------------------------------------------

// Each of 32 threads opens its own keep-alive connection and posts the same request three times;
// every answer is, byte for byte apart from quote_id and created, the answer one client got alone.
TEST(QuoteServer, ThirtyTwoParallelClientsGetTheBitsOfOneClientAlone) {
    if (!have_historical()) GTEST_SKIP() << "data/historical is not there";
    TestServer srv(calibrated([](ServerOptions& o) { o.worker_threads = 4; }));
    const std::string body = index_request().dump();

    std::string alone;
    {
        Client c = srv.client();
        const Reply r = c.post("/v1/quotes", body);
        ASSERT_EQ(r.status, 200) << r.body;
        alone = without_stamp(r.body);
        ASSERT_EQ(alone.find("quote_id"), std::string::npos) << alone;
        ASSERT_EQ(alone.find("created"), std::string::npos) << alone;
        EXPECT_EQ(json::parse(alone)["years"], 2000);
        EXPECT_GT(json::parse(alone)["pure_premium_cny"].get<double>(), 0);
    }

    constexpr int clients = 32, rounds = 3;
    std::vector<std::vector<Reply>> replies(clients);
    std::vector<std::string> failures(clients);
    std::latch go(clients);
    std::vector<std::thread> threads;
    for (int i = 0; i < clients; ++i)
        threads.emplace_back([&, i] {
            try {
                Client c(srv.port(), 60s);
                go.arrive_and_wait();
                for (int k = 0; k < rounds; ++k) replies[std::size_t(i)].push_back(c.post("/v1/quotes", body));
            } catch (const std::exception& e) {
                failures[std::size_t(i)] = e.what();
            }
        });
    for (auto& t : threads) t.join();

    std::set<std::string> ids;
    for (int i = 0; i < clients; ++i) {
        SCOPED_TRACE(::testing::Message() << "client " << i);
        EXPECT_EQ(failures[std::size_t(i)], "");
        ASSERT_EQ(replies[std::size_t(i)].size(), std::size_t(rounds));
        for (const Reply& r : replies[std::size_t(i)]) {
            ASSERT_EQ(r.status, 200) << r.body;
            EXPECT_TRUE(r.keep_alive);
            EXPECT_EQ(without_stamp(r.body), alone);
            ids.insert(r.json()["quote_id"].get<std::string>());
        }
    }
    EXPECT_EQ(ids.size(), std::size_t(clients * rounds));  // each quote its own id
    EXPECT_EQ(quote_rows(srv.db()), 1 + clients * rounds);
}

// ---- kill -9 during a stream of quotes -------------------------------------------------------

// The real `tanhui serve` on a copy of the calibrated database. Two clients stream quotes: one
// single quotes, one arrays of three (policy ids B-<n>-<i>). After enough acknowledged quotes the
// server gets SIGKILL mid-stream. Then the database must pass integrity_check, hold every
// acknowledged quote with a parseable request and response, hold no row in part, and hold each
// array whole or not at all.
TEST(QuoteServer, KillNineDuringAStreamOfQuotesLeavesNoHalfStoredQuote) {
    const std::string binary = std::string(TANHUI_BINARY_DIR) + "/tanhui";
    if (access(binary.c_str(), X_OK) != 0) GTEST_SKIP() << binary << " is not built";
    if (!have_historical()) GTEST_SKIP() << "data/historical is not there";
    TempDir dir;
    const fs::path db = dir / "kill.db", log = dir / "serve.log";
    copy_calibrated(db);

    // stderr goes to a file: the access log would fill a pipe nobody drains.
    auto read_log = [&] {
        std::ifstream in(log);
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    };
    // `tanhui serve` on the database; its pid and port (0 when it did not start within 20 s).
    auto spawn = [&]() -> std::pair<pid_t, unsigned short> {
        std::ofstream{log, std::ios::trunc};  // here, not in the child: no old port line may be read
        const pid_t child = fork();
        if (child < 0) return {child, 0};
        if (child == 0) {
            const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
            if (fd < 0) _exit(126);
            dup2(fd, 2);
            close(fd);
            execl(binary.c_str(), binary.c_str(), "--db", db.c_str(), "serve", "--port", "0", "--threads", "2",
                  static_cast<char*>(nullptr));
            _exit(127);
        }
        for (const auto until = std::chrono::steady_clock::now() + 20s; std::chrono::steady_clock::now() < until;) {
            const std::string out = read_log();
            const auto at = out.find("listening on http://127.0.0.1:");
            if (at != std::string::npos && out.find('\n', at) != std::string::npos)
                return {child, static_cast<unsigned short>(std::stoi(out.substr(at + 30)))};
            std::this_thread::sleep_for(20ms);
        }
        kill(child, SIGKILL);
        waitpid(child, nullptr, 0);
        return {child, 0};
    };
    const auto spawned = spawn();
    const pid_t pid = spawned.first;
    const unsigned short port = spawned.second;
    ASSERT_GT(pid, 0);
    if (port == 0) FAIL() << "no port in the log:\n" << read_log();

    // One quote first, alone: the first requests of two workers at once on a database that was
    // closed cleanly can meet a 500 "database is locked" (see FreshDatabase below).
    std::string warm_up_id;
    {
        Client warm(port, 30s);
        const Reply r = warm.post("/v1/quotes", index_request("W-0", 500).dump());
        EXPECT_EQ(r.status, 200) << r.body;
        if (r.status == 200) warm_up_id = r.json()["quote_id"];
    }

    std::mutex mutex;
    std::vector<std::string> acknowledged{warm_up_id};  // quote ids answered 200
    std::map<std::string, std::size_t> acknowledged_arrays;  // B-<n> -> quotes in its answer
    std::atomic<int> ended_by_error{0};
    std::vector<std::string> refused;  // answers other than 200
    auto stream = [&](bool arrays) {
        try {
            Client c(port, 30s);
            for (int n = 0; n < 100'000; ++n) {
                json body;
                if (arrays) {
                    body = json::array();
                    for (int i = 0; i < 3; ++i)
                        body.push_back(index_request("B-" + std::to_string(n) + "-" + std::to_string(i), 300 + 100 * i));
                } else {
                    body = index_request("S-" + std::to_string(n), 500);
                }
                const Reply r = c.post("/v1/quotes", body.dump());
                if (r.status != 200) {
                    std::lock_guard lock(mutex);
                    refused.push_back(std::to_string(r.status) + " " + r.body);
                    continue;
                }
                const json j = r.json();
                std::lock_guard lock(mutex);
                if (arrays) {
                    acknowledged_arrays["B-" + std::to_string(n)] = j.size();
                    for (const auto& q : j) acknowledged.push_back(q["quote_id"]);
                } else {
                    acknowledged.push_back(j["quote_id"]);
                }
            }
        } catch (const std::exception&) {
            ++ended_by_error;  // the server died under the connection
        }
    };
    std::thread singles(stream, false), arrays(stream, true);
    auto count = [&] {
        std::lock_guard lock(mutex);
        return acknowledged.size();
    };
    // The kill lands at a different point of the stream in each run: after 100 to 300 answers.
    const std::size_t kill_after = 100 + std::random_device{}() % 201;
    for (const auto until = std::chrono::steady_clock::now() + 30s;
         count() < kill_after && std::chrono::steady_clock::now() < until;)
        std::this_thread::sleep_for(1ms);
    const int killed = kill(pid, SIGKILL);
    int status = 0;
    const pid_t waited = waitpid(pid, &status, 0);
    singles.join();
    arrays.join();
    ASSERT_EQ(killed, 0);
    ASSERT_EQ(waited, pid);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << read_log().substr(0, 2000);
    EXPECT_EQ(ended_by_error.load(), 2);  // both streams were cut off, not finished
    EXPECT_EQ(refused, std::vector<std::string>{}) << events(read_log());
    ASSERT_GE(acknowledged.size(), 100u) << "the stream was too slow to reach the kill";

    SQLite::Database d(db.string(), SQLite::OPEN_READWRITE);  // read-write: recovers the WAL
    EXPECT_EQ(d.execAndGet("PRAGMA integrity_check").getString(), "ok");
    {
        SQLite::Statement fk(d, "PRAGMA foreign_key_check");
        EXPECT_FALSE(fk.executeStep()) << "a row breaks a foreign key";
    }

    // No row in part: every NOT NULL column filled, both documents whole and about this quote.
    std::set<std::string> stored;
    std::map<std::string, int> array_rows;  // B-<n> -> rows
    SQLite::Statement rows(d, "SELECT quote_id, created, product, request, response, model_version, seed, years, key_id "
                              "FROM quotes");
    while (rows.executeStep()) {
        const std::string id = rows.getColumn(0).getString();
        SCOPED_TRACE(id);
        for (int c = 0; c < 6; ++c) EXPECT_GT(rows.getColumn(c).getBytes(), 0) << rows.getColumn(c).getName();
        EXPECT_FALSE(rows.getColumn(6).isNull());
        EXPECT_FALSE(rows.getColumn(7).isNull());
        EXPECT_TRUE(rows.getColumn(8).isNull());  // local mode: no key
        // The two documents are stored compressed (data/store/stored_text.hpp): a frame cut short
        // would not unpack.
        EXPECT_TRUE(rows.getColumn(3).isBlob() && rows.getColumn(4).isBlob());
        const std::string request_text = tanhui::data::stored_text(rows.getColumn(3));
        const std::string response_text = tanhui::data::stored_text(rows.getColumn(4));
        const json request = json::parse(request_text, nullptr, false);
        const json response = json::parse(response_text, nullptr, false);
        ASSERT_TRUE(request.is_object()) << request_text;
        ASSERT_TRUE(response.is_object()) << response_text;
        EXPECT_EQ(response.value("quote_id", ""), id);
        EXPECT_EQ(response.value("created", ""), rows.getColumn(1).getString());
        EXPECT_EQ(response.value("model_version", ""), rows.getColumn(5).getString());
        EXPECT_EQ(response.value("policy_id", "?"), request["policy"]["id"].get<std::string>());
        EXPECT_EQ(response.value("years", 0LL), rows.getColumn(7).getInt64());
        EXPECT_EQ(request["simulation"]["years"].get<long long>(), rows.getColumn(7).getInt64());
        EXPECT_TRUE(response.contains("gross_premium_cny"));
        stored.insert(id);
        const std::string policy = request["policy"]["id"];
        if (policy.rfind("B-", 0) == 0) ++array_rows[policy.substr(0, policy.rfind('-'))];
    }
    for (const auto& id : acknowledged) EXPECT_TRUE(stored.count(id)) << "acknowledged " << id << " is not stored";
    for (const auto& [array, n] : array_rows) EXPECT_EQ(n, 3) << array << " is stored in part";
    for (const auto& [array, n] : acknowledged_arrays) {
        EXPECT_EQ(n, 3u) << array;
        EXPECT_EQ(array_rows[array], 3) << array;
    }
    // At most the one request each stream had in flight may be stored without its answer.
    EXPECT_LE(stored.size(), acknowledged.size() + 1 + 3);

    // The service reads them back as it would after a restart.
    {
        data::Store store(db);
        for (const auto& id : acknowledged) {
            const auto q = stored_quote(store, id);
            ASSERT_TRUE(q) << id;
            EXPECT_EQ((*q)["response"]["quote_id"], id);
        }
    }

    // And the real server, restarted on the database, answers every acknowledged quote over HTTP
    // with the answer its client got, and stores new quotes (issue 8: kill -9, then restart).
    const auto respawned = spawn();
    const pid_t again = respawned.first;
    const unsigned short again_port = respawned.second;
    ASSERT_GT(again, 0);
    ASSERT_NE(again_port, 0) << read_log();
    {
        Client c(again_port, 30s);
        std::size_t read_back = 0;
        for (const auto& id : acknowledged) {
            const Reply r = c.get("/v1/quotes/" + id);
            EXPECT_EQ(r.status, 200) << id << " " << r.body;
            if (r.status == 200 && r.json()["response"]["quote_id"] == id) ++read_back;
        }
        EXPECT_EQ(read_back, acknowledged.size());
        const Reply r = c.post("/v1/quotes", index_request("AFTER-RESTART", 500).dump());
        EXPECT_EQ(r.status, 200) << r.body;
        std::printf("kill -9 figures: %zu quotes acknowledged before the kill, %zu rows stored, %zu read back "
                    "over HTTP after the restart, integrity_check ok\n",
                    acknowledged.size(), stored.size(), read_back);
    }
    kill(again, SIGTERM);
    int again_status = 0;
    waitpid(again, &again_status, 0);
    EXPECT_TRUE(WIFEXITED(again_status) && WEXITSTATUS(again_status) == 0) << events(read_log());
    SQLite::Database after(db.string(), SQLite::OPEN_READONLY);
    EXPECT_EQ(after.execAndGet("PRAGMA integrity_check").getString(), "ok");
}

// ---- stored quotes, replay, arrays -----------------------------------------------------------

// GET /v1/quotes/{id} returns what was sent and answered; replay recomputes it bit-identically,
// for an index quote (Monte Carlo on the calibrated model) and a Turnbull-Wakeman price quote.
TEST(QuoteServer, AStoredQuoteReadsBackAndReplaysBitIdentically) {
    if (!have_historical()) GTEST_SKIP() << "data/historical is not there";
    TestServer srv(calibrated());
    Client c = srv.client();
    std::string previous_id;
    for (const json& request : {index_request(), price_request()}) {
        SCOPED_TRACE(request["product"].get<std::string>());
        const Reply posted = c.post("/v1/quotes", request.dump());
        ASSERT_EQ(posted.status, 200) << posted.body;
        const json answer = posted.json();
        const std::string id = answer["quote_id"];
        // "q-", 12 hex digits of the creation time in ms, 20 random hex digits (docs/api.md): ids of
        // later quotes sort after earlier ones.
        ASSERT_EQ(id.size(), 34u) << id;
        ASSERT_EQ(id.find_first_not_of("0123456789abcdef", 2), std::string::npos) << id;
        if (!previous_id.empty()) {
            EXPECT_LE(previous_id.substr(0, 14), id.substr(0, 14));
        }
        previous_id = id;

        const Reply got = c.get("/v1/quotes/" + id);
        ASSERT_EQ(got.status, 200) << got.body;
        const json stored = got.json();
        EXPECT_EQ(stored["quote_id"], id);
        EXPECT_EQ(stored["created"], answer["created"]);
        EXPECT_EQ(stored["model_version"], answer["model_version"]);
        EXPECT_EQ(stored["key_id"], "");  // local mode
        EXPECT_EQ(stored["request"], request);
        EXPECT_EQ(stored["response"].dump(), answer.dump());  // the answer, bit for bit

        const Reply replayed = c.post("/v1/quotes/" + id + "/replay", "");
        ASSERT_EQ(replayed.status, 200) << replayed.body;
        const json r = replayed.json();
        EXPECT_EQ(r["bit_identical"], true) << replayed.body;
        EXPECT_EQ(r["quote_id"], id);
        EXPECT_EQ(r["model_version"], answer["model_version"]);
        EXPECT_EQ(r["original"].dump(), answer.dump());
        EXPECT_EQ(r["replayed"].dump(), answer.dump());
    }
    const long long rows = quote_rows(srv.db());
    EXPECT_EQ(rows, 2);
    expect_problem(c.get("/v1/quotes/q-00000000000000000000"), 404, "/path/id");
    expect_problem(c.post("/v1/quotes/q-00000000000000000000/replay", ""), 404, "/path/id");
    EXPECT_EQ(quote_rows(srv.db()), rows);  // a replay stores nothing
}

// An array request answers an array in request order and stores every quote or none: one bad
// element is a 400 naming it as /N/..., and no row is written for the good ones.
TEST(QuoteServer, AnArrayRequestStoresAllOrNone) {
    if (!have_historical()) GTEST_SKIP() << "data/historical is not there";
    TestServer srv(calibrated());
    Client c = srv.client();

    const json good = json::array({index_request("A-0"), price_request(), index_request("A-2", 1'000)});
    Reply r = c.post("/v1/quotes", good.dump());
    ASSERT_EQ(r.status, 200) << r.body;
    const json answers = r.json();
    ASSERT_TRUE(answers.is_array());
    ASSERT_EQ(answers.size(), 3u);
    EXPECT_EQ(answers[0]["policy_id"], "A-0");
    EXPECT_EQ(answers[1]["product"], "price_insurance");
    EXPECT_EQ(answers[2]["policy_id"], "A-2");
    EXPECT_EQ(answers[2]["years"], 1000);
    std::set<std::string> ids;
    for (std::size_t i = 0; i < answers.size(); ++i) {
        ids.insert(answers[i]["quote_id"].get<std::string>());
        const Reply got = c.get("/v1/quotes/" + answers[i]["quote_id"].get<std::string>());
        ASSERT_EQ(got.status, 200) << got.body;
        EXPECT_EQ(got.json()["request"], good[i]);
        EXPECT_EQ(got.json()["response"], answers[i]);
    }
    EXPECT_EQ(ids.size(), 3u);
    // An element of an array prices as it would alone.
    const Reply alone = c.post("/v1/quotes", good[0].dump());
    ASSERT_EQ(alone.status, 200);
    EXPECT_EQ(without_stamp(alone.json().dump()), without_stamp(answers[0].dump()));
    const long long before = quote_rows(srv.db());
    EXPECT_EQ(before, 4);

    struct Case { const char* name; json body; std::string path; int status; };
    std::vector<Case> cases;
    {
        json j = good;
        j[1]["cover"]["quantity_tco2e"] = -1;
        cases.push_back({"bad value in the middle", j, "/1/cover/quantity_tco2e", 400});
    }
    {
        json j = good;
        j[2]["holdings"][1]["area_ha"] = "1200";
        cases.push_back({"wrong type in the last", j, "/2/holdings/1/area_ha", 400});
    }
    {
        json j = good;
        j[0]["colour"] = "red";
        cases.push_back({"unknown field in the first", j, "/0/colour", 400});
    }
    {
        json j = good;
        j.push_back(5);
        cases.push_back({"an element that is not an object", j, "/3", 400});
    }
    cases.push_back({"empty array", json::array(), "", 400});
    {
        // A market the store does not know is a bad value, whatever the overrides (issue 15).
        json j = good;
        j[1]["cover"]["market"] = "NOPE";
        cases.push_back({"unknown market", j, "/1/cover/market", 400});
    }
    {
        // Well-formed but unpriceable: an index cover over 24 months on an annual loss model.
        json j = good;
        j[2]["policy"]["term_months"] = 24;
        cases.push_back({"unpriceable element", j, "/2/", 422});
    }
    for (const Case& k : cases) {
        SCOPED_TRACE(k.name);
        r = c.post("/v1/quotes", k.body.dump());
        expect_problem(r, k.status);
        const auto paths = error_paths(r);
        ASSERT_FALSE(paths.empty()) << r.body;
        if (k.status == 422) EXPECT_EQ(paths[0].rfind(k.path, 0), 0u) << r.body;
        else EXPECT_EQ(paths, std::vector<std::string>{k.path}) << r.body;
        EXPECT_TRUE(r.keep_alive);
        EXPECT_EQ(quote_rows(srv.db()), before) << "stored part of a refused array";
    }
}

// ---- bad quote input -------------------------------------------------------------------------

// Each class of bad quote input on POST /v1/quotes: a 400 problem+json whose only error names the
// bad field, the connection kept, the server serving on, nothing stored.
TEST(QuoteServer, BadQuoteInputIsA400NamingTheFieldAndStoresNothing) {
    if (!have_historical()) GTEST_SKIP() << "data/historical is not there";
    TestServer srv(calibrated([](ServerOptions& o) { o.max_years = 50'000; }));
    Client c = srv.client();

    struct Case { const char* name; std::function<void(json&)> change; std::string path; };
    const Case cases[] = {
        // wrong types
        {"area as a string", [](json& j) { j["holdings"][0]["area_ha"] = "2000"; }, "/holdings/0/area_ha"},
        {"years as a string", [](json& j) { j["simulation"]["years"] = "2000"; }, "/simulation/years"},
        {"years not whole", [](json& j) { j["simulation"]["years"] = 2000.5; }, "/simulation/years"},
        {"seed negative", [](json& j) { j["simulation"]["seed"] = -1; }, "/simulation/seed"},
        {"policy a string", [](json& j) { j["policy"] = "LY-2027-001"; }, "/policy"},
        {"holdings an object", [](json& j) { j["holdings"] = json::object(); }, "/holdings"},
        {"perils a string", [](json& j) { j["cover"]["perils"] = "fire"; }, "/cover/perils"},
        {"product a number", [](json& j) { j["product"] = 5; }, "/product"},
        {"parameter a boolean", [](json& j) { j["premium"]["parameter"] = true; }, "/premium/parameter"},
        {"start a number", [](json& j) { j["policy"]["start"] = 20270101; }, "/policy/start"},
        // out-of-range values
        {"negative area", [](json& j) { j["holdings"][1]["area_ha"] = -5; }, "/holdings/1/area_ha"},
        {"zero area", [](json& j) { j["holdings"][0]["area_ha"] = 0; }, "/holdings/0/area_ha"},
        {"age over 500", [](json& j) { j["holdings"][0]["age_years"] = 501; }, "/holdings/0/age_years"},
        {"zero years", [](json& j) { j["simulation"]["years"] = 0; }, "/simulation/years"},
        {"years over the server's cap", [](json& j) { j["simulation"]["years"] = 50'001; }, "/simulation/years"},
        {"term of 0 months", [](json& j) { j["policy"]["term_months"] = 0; }, "/policy/term_months"},
        {"no such date", [](json& j) { j["policy"]["start"] = "2027-02-29"; }, "/policy/start"},
        {"subsidy over 1", [](json& j) { j["premium"]["subsidy_share"] = 1.5; }, "/premium/subsidy_share"},
        {"negative deductible", [](json& j) { j["cover"]["deductible_tco2e"] = -1; }, "/cover/deductible_tco2e"},
        {"unknown peril", [](json& j) { j["cover"]["perils"] = {"fire", "flood"}; }, "/cover/perils/1"},
        {"unknown forest type", [](json& j) { j["holdings"][0]["forest_type"] = "oak"; }, "/holdings/0/forest_type"},
        {"unknown product", [](json& j) { j["product"] = "hail_insurance"; }, "/product"},
        // unknown fields, at each level
        {"unknown top-level field", [](json& j) { j["colour"] = "red"; }, "/colour"},
        {"unknown policy field", [](json& j) { j["policy"]["currency"] = "CNY"; }, "/policy/currency"},
        {"unknown holding field", [](json& j) { j["holdings"][1]["owner"] = "x"; }, "/holdings/1/owner"},
        {"unknown cover field", [](json& j) { j["cover"]["limit_usd"] = 1; }, "/cover/limit_usd"},
        {"unknown premium field", [](json& j) { j["premium"]["tax"] = 0.06; }, "/premium/tax"},
        {"unknown simulation field", [](json& j) { j["simulation"]["paths"] = 5; }, "/simulation/paths"},
        {"field name needing escapes", [](json& j) { j["a/b~c"] = 1; }, "/a~1b~0c"},
    };
    const long long before = quote_rows(srv.db());
    EXPECT_EQ(before, 0);
    for (const Case& k : cases) {
        SCOPED_TRACE(k.name);
        json j = index_request();
        k.change(j);
        const Reply r = c.post("/v1/quotes", j.dump());
        expect_problem(r, 400, k.path);
        EXPECT_EQ(error_paths(r), std::vector<std::string>{k.path}) << r.body;
        EXPECT_TRUE(r.keep_alive);
    }
    EXPECT_EQ(quote_rows(srv.db()), before);

    // Serving on: the same connection, a new one, and a good quote (the only row written).
    EXPECT_EQ(c.get("/healthz").status, 200);
    EXPECT_EQ(Client(srv.port()).get("/healthz").status, 200);
    const Reply ok = c.post("/v1/quotes", index_request().dump());
    EXPECT_EQ(ok.status, 200) << ok.body;
    EXPECT_EQ(quote_rows(srv.db()), before + 1);

    // Every refusal was counted as a 400 of the route, none as a 5xx.
    const std::string metrics = c.get("/metrics").body;
    std::ostringstream line;
    line << "tanhui_http_requests_total{method=\"POST\",route=\"/v1/quotes\",status=\"400\"} " << std::size(cases) << "\n";
    EXPECT_NE(metrics.find(line.str()), std::string::npos) << metrics;
    EXPECT_EQ(metrics.find("status=\"5"), std::string::npos) << metrics;
}

// ---- a regression test -----------------------------------------------------------------------

// On a database closed cleanly (no -wal, no -shm) the first statements of two new connections at
// once can meet SQLite's WAL recovery lock; before data::configure_connection set the busy
// timeout first, `PRAGMA journal_mode = WAL` failed at once with "database is locked": a 500.
// Each round is a new server (new worker threads, new connections) on a freshly closed database.
TEST(FreshDatabase, FirstRequestsOfManyWorkersAtOnceAreNever500) {
    constexpr int rounds = 50, clients = 8;
    std::vector<std::string> failures;
    for (int round = 0; round < rounds; ++round) {
        TestServer srv([](TestServer::Setup& s) {
            s.options = [](ServerOptions& o) { o.worker_threads = clients; };
        });
        std::vector<Reply> replies(clients);
        std::latch go(clients);
        std::vector<std::thread> threads;
        for (int i = 0; i < clients; ++i)
            threads.emplace_back([&, i] {
                Client c(srv.port());
                go.arrive_and_wait();
                replies[std::size_t(i)] = c.get("/v1/markets");
            });
        for (auto& t : threads) t.join();
        for (const Reply& r : replies)
            if (r.status != 200) failures.push_back("round " + std::to_string(round) + ": " + std::to_string(r.status) + " " + r.body);
        if (!failures.empty()) {
            ADD_FAILURE() << failures.front() << "\n" << ::testing::PrintToString(srv.log());
            break;
        }
    }
}

// ---- overrides and checks that mean what they say (issue 15, item 8) ------------------------

// FJEA is calibrated on the family its backtest chose, GBM with observation noise (issue 19). An
// override of its volatility alone keeps the family (it used to turn an OU market into a GBM); an
// override equal to the calibrated value changes nothing, bit for bit; naming the process drops
// the noise. model_used says what was used.
TEST(QuoteOverrides, PartialPriceOverrideKeepsTheCalibratedProcess) {
    if (!have_historical()) GTEST_SKIP() << "data/historical is not there";
    TestServer srv(calibrated());
    Client c = srv.client();
    json j = price_request();
    j["cover"]["method"] = "actuarial";
    j["cover"].erase("engine");
    j.erase("model");
    Reply r = c.post("/v1/quotes", j.dump());
    ASSERT_EQ(r.status, 200) << r.body;
    const json plain = r.json();
    const json calibrated_price = plain["model_used"]["price"];
    ASSERT_EQ(calibrated_price["process"], "gbm") << calibrated_price;
    ASSERT_GT(calibrated_price["noise_sd"].get<double>(), 0.0);

    j["model"] = {{"price", {{"volatility", calibrated_price["volatility"]}}}};
    r = c.post("/v1/quotes", j.dump());
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()["pure_premium_cny"].get<double>(), plain["pure_premium_cny"].get<double>());

    j["model"]["price"]["volatility"] = 0.5;
    r = c.post("/v1/quotes", j.dump());
    ASSERT_EQ(r.status, 200) << r.body;
    const json used = r.json()["model_used"]["price"];
    EXPECT_EQ(used["process"], "gbm");
    EXPECT_EQ(used["volatility"], 0.5);
    for (const char* key : {"noise_sd", "spot", "drift", "jump_intensity"}) EXPECT_EQ(used[key], calibrated_price[key]) << key;

    j["model"]["price"]["process"] = "gbm";
    r = c.post("/v1/quotes", j.dump());
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_FALSE(r.json()["model_used"]["price"].contains("noise_sd"));
}

// model.price sweeps issue 19's families: Student-t innovations change an actuarial price quote
// and show in model_used; a tail_dof at or below 2 (other than 0) is a 400.
TEST(QuoteOverrides, PriceOverrideSweepsTheFatTailedFamily) {
    if (!have_historical()) GTEST_SKIP() << "data/historical is not there";
    TestServer srv(calibrated());
    Client c = srv.client();
    json j = price_request();
    j["cover"]["method"] = "actuarial";
    j["cover"].erase("engine");
    j["model"] = {{"price", {{"process", "gbm"}, {"spot", 20}, {"volatility", 0.5}}}};
    Reply r = c.post("/v1/quotes", j.dump());
    ASSERT_EQ(r.status, 200) << r.body;
    const double normal = r.json()["pure_premium_cny"].get<double>();
    j["model"]["price"]["tail_dof"] = 3;
    r = c.post("/v1/quotes", j.dump());
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()["model_used"]["price"]["tail_dof"], 3);
    EXPECT_NE(r.json()["pure_premium_cny"].get<double>(), normal);
    j["model"]["price"]["tail_dof"] = 1.5;
    EXPECT_EQ(c.post("/v1/quotes", j.dump()).status, 400);
}

// Every product's answer carries model_used; an override shows as the value used.
TEST(QuoteOverrides, EveryAnswerCarriesTheModelItUsed) {
    if (!have_historical()) GTEST_SKIP() << "data/historical is not there";
    TestServer srv(calibrated());
    Client c = srv.client();
    json index = index_request();
    index["model"] = {{"pest", {{"probability_per_year", 0.1}, {"mortality", 0.2}}}};
    Reply r = c.post("/v1/quotes", index.dump());
    ASSERT_EQ(r.status, 200) << r.body;
    const json pest = r.json()["model_used"]["perils"]["pest"];
    ASSERT_EQ(pest.size(), 2u);  // chinese_fir and masson_pine
    for (const auto& g : pest) {
        EXPECT_EQ(g["probability_per_year"], 0.1);
        EXPECT_EQ(g["mortality"], 0.2);
    }
    EXPECT_EQ(r.json()["model_used"]["perils"]["fire"][0]["region"], "35");
    EXPECT_EQ(r.json()["model_used"]["carbon"].size(), 2u);
    r = c.post("/v1/quotes", price_request().dump());
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()["model_used"]["price"]["spot"], 15.5);
    EXPECT_EQ(r.json()["model_used"]["risk_neutral"]["volatility"], 0.35);
}

// A region or market that does not exist is a 400 naming it even when overrides would let the
// request price; a market quoted in EUR is refused for a CNY cover.
TEST(QuoteOverrides, UnknownRegionsAndMarketsAreNamedWhateverTheOverrides) {
    if (!have_historical()) GTEST_SKIP() << "data/historical is not there";
    TestServer srv(calibrated());
    Client c = srv.client();
    json index = index_request();
    index["holdings"][0]["region"] = "999999";
    index["model"] = json::parse(R"({"fire": {"frequency": {"rate_per_year": 0.3}, "burned_area_ha": {"mu": 2, "sigma": 1},
                                     "loss_fraction": 0.5}, "pest": {"probability_per_year": 0.01}, "carbon": {"stock_tco2e_per_ha": 100}})");
    Reply r = c.post("/v1/quotes", index.dump());
    expect_problem(r, 400, "/holdings/0/region");
    // Fujian's counties are all listed, so an unlisted Fujian code is unknown; below another
    // province (whose counties the store does not list) a well-formed code stands on its province.
    index["holdings"][0]["region"] = "350899";
    expect_problem(c.post("/v1/quotes", index.dump()), 400, "/holdings/0/region");
    index["holdings"][0]["region"] = "330106";
    r = c.post("/v1/quotes", index.dump());
    EXPECT_EQ(r.status, 200) << r.body;
    json nasdaq = price_request();
    nasdaq["cover"]["market"] = "NASDAQ";
    r = c.post("/v1/quotes", nasdaq.dump());
    expect_problem(r, 400, "/cover/market");
    EXPECT_NE(r.body.find("unknown market"), std::string::npos) << r.body;
    json eua = price_request();
    eua["cover"]["market"] = "EUA";
    r = c.post("/v1/quotes", eua.dump());
    expect_problem(r, 400, "/cover/market");
    EXPECT_NE(r.body.find("quoted in EUR"), std::string::npos) << r.body;
}

// Extreme jumps overflow the simulated price: a 422 naming the parameters, not a premium of 0
// with null fields.
TEST(QuoteOverrides, AnOverflowingPriceProcessIsA422NamingItsParameters) {
    if (!have_historical()) GTEST_SKIP() << "data/historical is not there";
    TestServer srv(calibrated());
    Client c = srv.client();
    json j = price_request();
    j["cover"]["method"] = "actuarial";
    j["cover"].erase("engine");
    j["model"]["price"] = {{"process", "gbm"}, {"spot", 15.5}, {"volatility", 0.4}, {"jump_intensity", 365}, {"jump_mean", 5}, {"jump_std", 5}};
    const Reply r = c.post("/v1/quotes", j.dump());
    expect_problem(r, 422, "/model/price");
    EXPECT_NE(r.body.find("jump_intensity 365, jump_mean 5, jump_std 5"), std::string::npos) << r.body;
}
