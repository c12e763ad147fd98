// API keys: format, storage (salted hash only), listing, revocation, and 401/403 per role over HTTP.
#include "api/http/auth.hpp"
#include "tests/api/test_server.hpp"
#include "tests/paths.hpp"

#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>
#include <thread>
#include <vector>

using namespace tanhui;
using namespace tanhui::api;
using tanhui::testing::Client;
using tanhui::testing::TestServer;
using tanhui::testing::expect_problem;

namespace {

class Keys : public ::testing::Test {
protected:
    tanhui::testing::TempDir dir;
    std::filesystem::path path = dir / "keys.db";
    void SetUp() override { tanhui::testing::build_test_database(path); }
    data::Store open() { return data::Store(path); }
};

std::vector<std::pair<std::string, std::string>> bearer(const std::string& key) {
    return {{"Authorization", "Bearer " + key}};
}

// Test routes at each role.
void role_routes(Router& router, ServiceContext&) {
    for (Role role : {Role::underwriter, Role::actuary, Role::admin})
        router.add("GET", "/test/" + std::string(to_string(role)), role, [](const Request& req) {
            return json_response(nlohmann::json{{"key_id", req.key_id}, {"role", to_string(req.role)}});
        });
}

}  // namespace

TEST_F(Keys, KeyHasTheDocumentedFormatAndOnlyASaltedHashIsStored) {
    auto store = open();
    const NewKey k = create_key(store, Role::actuary, "pricing notebook");
    EXPECT_TRUE(std::regex_match(k.key, std::regex("th_[0-9a-f]{12}_[0-9a-f]{64}"))) << k.key;
    EXPECT_EQ(k.key.substr(3, 12), k.id);
    const std::string secret = k.key.substr(16);

    SQLite::Database db(path.string(), SQLite::OPEN_READONLY);  // the table itself, every column
    SQLite::Statement q(db, "SELECT id, name, role, salt, hash, created, revoked FROM api_keys");
    ASSERT_TRUE(q.executeStep());
    EXPECT_EQ(q.getColumn(0).getString(), k.id);
    EXPECT_EQ(q.getColumn(2).getString(), "actuary");
    EXPECT_EQ(q.getColumn(3).getBytes(), 16);  // salt
    EXPECT_EQ(q.getColumn(4).getBytes(), 32);  // HMAC-SHA256
    EXPECT_TRUE(q.getColumn(6).isNull());
    for (int c = 0; c < 7; ++c) {
        const std::string value = q.getColumn(c).isNull() ? "" : q.getColumn(c).getString();
        EXPECT_EQ(value.find(secret), std::string::npos) << "column " << c;
        EXPECT_NE(value, k.key);
    }
    EXPECT_FALSE(q.executeStep());

    // Two keys never share a secret or a salt.
    const NewKey k2 = create_key(store, Role::actuary, "pricing notebook");
    EXPECT_NE(k2.id, k.id);
    EXPECT_NE(k2.key.substr(16), secret);
    EXPECT_EQ(db.execAndGet("SELECT count(DISTINCT salt) FROM api_keys").getInt(), 2);
}

TEST_F(Keys, ListAndItsPrintoutsNeverShowTheKey) {
    auto store = open();
    const NewKey a = create_key(store, Role::underwriter, "core system");
    const NewKey b = create_key(store, Role::admin, "ops");
    const auto keys = list_keys(store);
    ASSERT_EQ(keys.size(), 2u);
    for (bool json : {false, true}) {
        std::ostringstream out;
        print_keys(out, keys, json);
        const std::string text = out.str();
        for (const NewKey& k : {a, b}) {
            EXPECT_NE(text.find(k.id), std::string::npos) << text;
            EXPECT_EQ(text.find(k.key), std::string::npos) << text;
            EXPECT_EQ(text.find(k.key.substr(16, 16)), std::string::npos) << text;  // no part of the secret
        }
        EXPECT_NE(text.find("core system"), std::string::npos);
    }
    std::ostringstream out;
    print_keys(out, keys, true);
    const auto j = nlohmann::json::parse(out.str());
    ASSERT_EQ(j.size(), 2u);
    EXPECT_EQ(j[0].size(), 5u);  // id, name, role, created, revoked: nothing else
}

TEST_F(Keys, VerifyAcceptsTheKeyAndNothingElse) {
    auto store = open();
    const NewKey k = create_key(store, Role::actuary, "n");
    KeyVerifier verifier([&store] { return data::Keys(store); }, std::chrono::milliseconds(0));
    const auto caller = verifier.verify(k.key);
    ASSERT_TRUE(caller);
    EXPECT_EQ(caller->key_id, k.id);
    EXPECT_EQ(caller->role, Role::actuary);

    std::string wrong = k.key;
    wrong.back() = wrong.back() == '0' ? '1' : '0';
    EXPECT_FALSE(verifier.verify(wrong));
    EXPECT_FALSE(verifier.verify(""));
    EXPECT_FALSE(verifier.verify(k.key.substr(0, k.key.size() - 1)));
    EXPECT_FALSE(verifier.verify(k.key + "0"));
    std::string upper = k.key;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_FALSE(verifier.verify(upper));
    EXPECT_FALSE(verifier.verify("th_000000000000_" + k.key.substr(16)));  // the secret under another id
}

TEST_F(Keys, RevokedKeyIsRefusedOnceTheCacheExpires) {
    auto store = open();
    const NewKey k = create_key(store, Role::underwriter, "n");
    KeyVerifier uncached([&store] { return data::Keys(store); }, std::chrono::milliseconds(0));
    KeyVerifier cached([&store] { return data::Keys(store); }, std::chrono::hours(1));
    ASSERT_TRUE(uncached.verify(k.key));
    ASSERT_TRUE(cached.verify(k.key));
    EXPECT_EQ(active_key_count(store), 1);
    EXPECT_EQ(revoke_key(store, k.id), RevokeResult::revoked);
    EXPECT_EQ(revoke_key(store, k.id), RevokeResult::already_revoked);
    EXPECT_EQ(revoke_key(store, "ffffffffffff"), RevokeResult::not_found);
    EXPECT_EQ(active_key_count(store), 0);
    EXPECT_FALSE(uncached.verify(k.key));
    EXPECT_TRUE(cached.verify(k.key));  // documented: within the cache TTL a revoked key still works
    ASSERT_TRUE(list_keys(store)[0].revoked.has_value());
}

TEST_F(Keys, CreateRefusesNoRoleAndNoName) {
    auto store = open();
    EXPECT_THROW(create_key(store, Role::anyone, "n"), InvalidInput);
    EXPECT_THROW(create_key(store, Role::admin, ""), InvalidInput);
    EXPECT_EQ(parse_role("public"), std::nullopt);
    EXPECT_EQ(parse_role("actuary"), Role::actuary);
}

TEST(Auth, RolesOverHttp401And403) {
    NewKey underwriter, actuary, admin, revoked;
    TestServer srv([&](TestServer::Setup& s) {
        s.options = [](ServerOptions& o) { o.key_cache_ttl = std::chrono::milliseconds(0); };
        s.extra = {role_routes};
        s.database = [&](const std::filesystem::path& db) {
            underwriter = tanhui::testing::add_key(db, Role::underwriter, "u");
            actuary = tanhui::testing::add_key(db, Role::actuary, "a");
            admin = tanhui::testing::add_key(db, Role::admin, "ad");
            revoked = tanhui::testing::add_key(db, Role::admin, "gone");
            data::Store d(db);
            revoke_key(d, revoked.id);
        };
    });
    ASSERT_FALSE(srv.server().local_mode());
    Client c = srv.client();

    // Public routes need no key.
    EXPECT_EQ(c.get("/healthz").status, 200);
    EXPECT_EQ(c.get("/metrics").status, 200);

    // No key, a malformed header, an unknown key, a revoked key: 401 with WWW-Authenticate.
    auto r = c.get("/v1/markets");
    expect_problem(r, 401);
    EXPECT_EQ(r.header("www-authenticate"), R"(Bearer realm="tanhui")");
    r = c.get("/v1/markets", {{"Authorization", "Basic dXNlcjpwYXNz"}});
    expect_problem(r, 401);
    EXPECT_EQ(r.header("www-authenticate"), R"(Bearer realm="tanhui", error="invalid_token")");
    expect_problem(c.get("/v1/markets", bearer("th_0123456789ab_" + std::string(64, 'a'))), 401);
    expect_problem(c.get("/v1/markets", bearer(revoked.key)), 401);
    expect_problem(c.get("/v1/markets", bearer("")), 401);

    // underwriter < actuary < admin.
    struct Case { const NewKey* key; const char* route; int status; };
    const Case cases[] = {
        {&underwriter, "/test/underwriter", 200}, {&underwriter, "/test/actuary", 403}, {&underwriter, "/test/admin", 403},
        {&actuary, "/test/underwriter", 200},     {&actuary, "/test/actuary", 200},     {&actuary, "/test/admin", 403},
        {&admin, "/test/underwriter", 200},       {&admin, "/test/actuary", 200},       {&admin, "/test/admin", 200},
    };
    for (const Case& k : cases) {
        SCOPED_TRACE(std::string(k.route) + " with " + k.key->id);
        r = c.get(k.route, bearer(k.key->key));
        EXPECT_EQ(r.status, k.status) << r.body;
        if (k.status == 403) expect_problem(r, 403);
        if (k.status == 200) {
            EXPECT_EQ(r.json()["key_id"], k.key->id);
        }
    }
    // The scheme is case-insensitive (RFC 7235 sec. 2.1).
    EXPECT_EQ(c.get("/v1/markets", {{"Authorization", "bearer " + underwriter.key}}).status, 200);

    // Revoking on a running server (cache TTL 0 here): the next request is refused.
    {
        data::Store d(srv.db());
        revoke_key(d, actuary.id);
    }
    expect_problem(c.get("/test/actuary", bearer(actuary.key)), 401);

    // The access log names key ids, never keys or secrets.
    bool saw_id = false;
    for (const std::string& line : srv.log()) {
        for (const NewKey* k : {&underwriter, &actuary, &admin, &revoked})
            EXPECT_EQ(line.find(k->key.substr(16)), std::string::npos) << line;
        saw_id = saw_id || line.find("\"key_id\":\"" + admin.id + "\"") != std::string::npos;
    }
    EXPECT_TRUE(saw_id);
}

TEST(Auth, LocalModeServesEveryoneAsAdminOnLoopbackOnly) {
    TestServer srv([](TestServer::Setup& s) { s.extra = {role_routes}; });
    ASSERT_TRUE(srv.server().local_mode());
    Client c = srv.client();
    auto r = c.get("/test/admin");
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()["role"], "admin");
    EXPECT_EQ(r.json()["key_id"], "");

    for (const char* address : {"0.0.0.0", "::", "192.0.2.1"}) {
        SCOPED_TRACE(address);
        TestServer other([address](TestServer::Setup& s) {
            s.options = [address](ServerOptions& o) { o.listen = address; };
            s.start = false;
        });
        ASSERT_TRUE(other.server().local_mode());
        try {
            other.server().start();
            ADD_FAILURE() << "local mode listened on " << address;
        } catch (const std::runtime_error& e) {
            EXPECT_NE(std::string(e.what()).find("loopback"), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find("tanhui keys create"), std::string::npos) << e.what();
        }
    }
    EXPECT_TRUE(is_loopback_address("127.0.0.1"));
    EXPECT_TRUE(is_loopback_address("127.1.2.3"));
    EXPECT_TRUE(is_loopback_address("::1"));
    EXPECT_TRUE(is_loopback_address("::ffff:127.0.0.1"));
    EXPECT_TRUE(is_loopback_address("localhost"));
    EXPECT_FALSE(is_loopback_address("0.0.0.0"));
    EXPECT_FALSE(is_loopback_address("::"));
    EXPECT_FALSE(is_loopback_address("10.0.0.1"));
    EXPECT_FALSE(is_loopback_address("not an address"));
}

// Local mode makes every caller admin. A web page whose own domain name resolves to 127.0.0.1
// (DNS rebinding) reaches the port from the browser but sends its own name as Host: refused, with
// the routes that need no role still open. Issue 8, docs/security.md "Local mode".
TEST(Auth, LocalModeAnswersOnlyRequestsForALoopbackHost) {
    TestServer srv([](TestServer::Setup& s) { s.extra = {role_routes}; });
    ASSERT_TRUE(srv.server().local_mode());
    Client c = srv.client();
    const std::string port = std::to_string(srv.port());
    for (const std::string& host : std::vector<std::string>{"127.0.0.1", "127.0.0.1:" + port, "localhost", "LOCALHOST:" + port, "[::1]",
                                   "[::1]:" + port, "127.3.2.1:80"}) {
        SCOPED_TRACE(host);
        EXPECT_EQ(c.get("/test/admin", {{"Host", host}}).status, 200);
    }
    for (const std::string& host : std::vector<std::string>{"attacker.example", "attacker.example:" + port, "127.0.0.1.attacker.example",
                                   "10.0.0.1:" + port, "[::1", "[::2]:80", "127.0.0.1:", "127.0.0.1:80x", "localhost:99999999"}) {
        SCOPED_TRACE(host);
        const auto r = c.get("/test/admin", {{"Host", host}});
        expect_problem(r, 403);
        EXPECT_NE(r.body.find("loopback"), std::string::npos) << r.body;
        EXPECT_EQ(c.get("/healthz", {{"Host", host}}).status, 200);  // public routes stay public
    }
    // No Host at all (HTTP/1.0): a local tool.
    Client raw = srv.client();
    const auto r = raw.raw("GET /test/admin HTTP/1.0\r\n\r\n");
    EXPECT_EQ(r.status, 200) << r.body;
}

// The input of the 2026-11-27 fuzz report (tests/fuzz/corpus/fuzz_http_request/
// crash-pipelined-garbage-after-403): a POST whose Host is not a loopback name, then pipelined bytes
// that are no request line, then the client's half-close. The session answers 403, reads on,
// answers 400 with Connection: close, and closes. (The report itself came from the fuzz harness,
// whose poll took libFuzzer's SIGALRM for a 20 s silence; docs/reliability.md.)
TEST(Auth, LocalMode403ThenPipelinedGarbageGets400AndAClose) {
    TestServer srv;
    ASSERT_TRUE(srv.server().local_mode());
    std::ifstream in(std::string(TANHUI_SOURCE_DIR) + "/tests/fuzz/corpus/fuzz_http_request/crash-pipelined-garbage-after-403",
                     std::ios::binary);
    ASSERT_TRUE(in);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    Client c = srv.client();
    const auto first = c.raw(bytes, true);
    expect_problem(first, 403);
    EXPECT_TRUE(first.keep_alive);
    const auto second = c.read();
    expect_problem(second, 400);
    EXPECT_FALSE(second.keep_alive);
    EXPECT_TRUE(c.closed_by_server());
}

TEST(Auth, WithAKeyTheServerMayListenOnAllAddresses) {
    TestServer srv([](TestServer::Setup& s) {
        s.options = [](ServerOptions& o) { o.listen = "0.0.0.0"; };
        s.database = [](const std::filesystem::path& db) { tanhui::testing::add_key(db, Role::admin, "ops"); };
    });
    EXPECT_FALSE(srv.server().local_mode());
    Client c = srv.client();
    EXPECT_EQ(c.get("/healthz").status, 200);
    expect_problem(c.get("/v1/markets"), 401);
}
