// Issue 20 through the real server: cheap quotes are answered promptly while the expensive lane is
// full of maximal-cost simulations; a request over the cost ceiling is a 422 before any work; a key
// past its cost budget gets 429 while another key is served; a client that hangs up frees its
// worker within a second and nothing of its request is stored; a full queue is a 503 with
// Retry-After. And the parts alone: Lanes, CostBudgets, the cost of a quote request.
#include "api/http/admission.hpp"
#include "api/http/lanes.hpp"
#include "api/service/request_cost.hpp"
#include "tests/api/http/lanes_fixtures.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <future>
#include <latch>
#include <thread>

using namespace tanhui;
using namespace tanhui::api;
using tanhui::testing::Client;
using tanhui::testing::Reply;
using tanhui::testing::TestServer;
using tanhui::testing::expect_problem;
using nlohmann::json;
using namespace std::chrono_literals;
using namespace tanhui::testing::quotes;
using namespace tanhui::testing::lanes;

// ---- the parts -------------------------------------------------------------------------------

TEST(RequestCost, YearsTimesHoldingsSummedAndClosedFormFree) {
    EXPECT_EQ(quote_request_cost(heavy_request(3, 5000), 1'000'000).units, 15000);
    EXPECT_EQ(quote_request_cost(heavy_request(3, 5000), 1'000'000).fields, "/simulation/years, /holdings");
    json many = json::array({heavy_request(2, 1000), price_request(), heavy_request(4, 10)});
    EXPECT_EQ(quote_request_cost(many, 1'000'000).units, 2040);
    EXPECT_EQ(quote_request_cost(price_request(), 1'000'000).units, 0);  // Turnbull-Wakeman, expected value
    json mc = price_request();
    mc["premium"]["principle"] = "std_dev";
    EXPECT_EQ(quote_request_cost(mc, 1'000'000).units, 24'000);  // 2000 simulated price paths x 12 monthly fixings
    json no_years = heavy_request(2, 1);
    no_years.erase("simulation");
    EXPECT_EQ(quote_request_cost(no_years, 1'000'000).units, 200'000);  // the default 100000 years
    EXPECT_EQ(quote_request_cost(heavy_request(2, 2'000'000), 1'000'000).units, 0);  // over --max-years: the decoder's 422
    EXPECT_EQ(quote_request_cost(json("text"), 1'000'000).units, 0);
    EXPECT_EQ(simulation_request_cost(json{{"holdings", json::array({1, 2, 3})}}, 1'000'000).units, 300'000);
    EXPECT_EQ(simulation_request_cost(json{{"levels", {0.99}}}, 1'000'000).units, 0);
}

TEST(Lanes, ABoundedQueuePerLaneAndEveryJobRuns) {
    LanesConfig c;
    c.cheap_threads = 1;
    c.expensive_threads = 1;
    c.expensive_queue = 1;
    std::atomic<int> ran{0};
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    {
        Lanes lanes(c);
        ASSERT_TRUE(lanes.submit(Lane::expensive, [&] { released.wait(); ++ran; }));
        wait_for([&] { return lanes.queue_depth(Lane::expensive) == 0; });
        ASSERT_TRUE(lanes.submit(Lane::expensive, [&] { ++ran; }));   // queued
        EXPECT_FALSE(lanes.submit(Lane::expensive, [&] { ++ran; }));  // the queue is full
        std::atomic<bool> cheap_ran{false};
        ASSERT_TRUE(lanes.submit(Lane::cheap, [&] { cheap_ran = true; }));
        wait_for([&] { return cheap_ran.load(); });
        EXPECT_TRUE(cheap_ran.load());  // not behind the expensive lane
        EXPECT_NE(lanes.render().find("tanhui_lane_refused_total{lane=\"expensive\"} 1\n"), std::string::npos);
        release.set_value();
    }  // join runs what is queued
    EXPECT_EQ(ran.load(), 2);
}

TEST(CostBudgets, ConcurrentExpensiveAndCostPerMinutePerKey) {
    CostBudgetConfig config;
    apply_key_budget(config, "underwriter=1:1000");
    EXPECT_THROW(apply_key_budget(config, "1"), InvalidInput);
    EXPECT_THROW(apply_key_budget(config, "boss=1:2"), InvalidInput);
    CostBudgets budgets(config);
    EXPECT_TRUE(budgets.admit("a", Role::underwriter, 400, true).admitted);
    const auto second = budgets.admit("a", Role::underwriter, 10, true);
    EXPECT_FALSE(second.admitted);  // one expensive request at once
    EXPECT_GE(second.retry_after.count(), 1);
    EXPECT_TRUE(budgets.admit("b", Role::underwriter, 400, true).admitted);  // another key
    budgets.release("a");
    EXPECT_TRUE(budgets.admit("a", Role::underwriter, 500, false).admitted);
    const auto over = budgets.admit("a", Role::underwriter, 500, false);  // 900 of 1000 spent
    EXPECT_FALSE(over.admitted);
    EXPECT_GT(over.retry_after.count(), 0);
    EXPECT_TRUE(budgets.admit("a", Role::admin, 1e12, true).admitted);  // admin: 4:6e9, a full bucket
}

// ---- through the server ----------------------------------------------------------------------

// Four maximal-cost simulations (one running, three queued in the expensive lane), and meanwhile
// 100 closed-form price quotes from four clients: every one answered, p99 at most 50 ms. A test of
// isolation with a generous bound, not a benchmark: a cheap quote takes about a millisecond.
// Under AddressSanitizer (CI's second ctest run) every request is several times slower and the
// bound is 200 ms, as the reliability tests loosen theirs there (docs/reliability.md).
TEST(LanesServer, CheapQuotesAreAnsweredWhileMaximalSimulationsRun) {
#if defined(__SANITIZE_ADDRESS__)
    constexpr double p99_bound_ms = 200;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
    constexpr double p99_bound_ms = 200;
#else
    constexpr double p99_bound_ms = 50;
#endif
#else
    constexpr double p99_bound_ms = 50;
#endif
    if (!have_historical()) GTEST_SKIP() << "data/historical is not there";
    const std::size_t holdings = 20;
    const long long years = 200'000;  // 4e6 holding-years: a second or two each on a busy machine
    TestServer srv(calibrated([&](ServerOptions& o) {
        o.max_years = 10'000'000;
        o.lanes.max_request_cost = static_cast<double>(holdings) * static_cast<double>(years);
        o.lanes.expensive_threads = 1;
        o.request_timeout = 120s;
    }));
    const std::string cheap = price_request().dump();
    ASSERT_EQ(srv.client().post("/v1/quotes", cheap).status, 200);  // builds the model once
    std::vector<std::thread> heavy;
    std::vector<Reply> heavy_replies(4);
    for (std::size_t i = 0; i < 4; ++i)
        heavy.emplace_back([&, i] {
            Client c(srv.port(), 300s);
            heavy_replies[i] = c.post("/v1/quotes", heavy_request(holdings, years, "H" + std::to_string(i)).dump());
        });
    wait_for([&] { return metric(srv, busy_expensive) == 1 &&
                          metric(srv, "tanhui_lane_queue_depth{lane=\"expensive\"}") == 3; });
    ASSERT_EQ(metric(srv, busy_expensive), 1);

    std::vector<double> ms(100, 0.0);
    std::vector<int> statuses(100, 0);
    std::vector<std::thread> clients;
    for (std::size_t t = 0; t < 4; ++t)
        clients.emplace_back([&, t] {
            Client c(srv.port());
            for (std::size_t k = t; k < 100; k += 4) {
                const auto start = std::chrono::steady_clock::now();
                statuses[k] = c.post("/v1/quotes", cheap).status;
                ms[k] = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
            }
        });
    for (auto& t : clients) t.join();
    EXPECT_GE(metric(srv, busy_expensive), 1);  // the simulations were still running throughout
    for (int s : statuses) EXPECT_EQ(s, 200);
    std::sort(ms.begin(), ms.end());
    const double p99 = ms[98];
    std::cout << "closed-form quotes beside 4 maximal simulations: p50 " << ms[49] << " ms, p99 " << p99 << " ms, max "
              << ms[99] << " ms\n";
    EXPECT_LE(p99, p99_bound_ms);
    for (auto& t : heavy) t.join();
    for (const Reply& r : heavy_replies) EXPECT_EQ(r.status, 200) << r.body;
}

TEST(LanesServer, OverTheCeilingIs422BeforeAnyWork) {
    if (!have_historical()) GTEST_SKIP() << "data/historical is not there";
    TestServer srv(calibrated([](ServerOptions& o) { o.lanes.max_request_cost = 1e6; }));
    const long long rows = quote_rows(srv.db());
    Client c = srv.client();
    const auto start = std::chrono::steady_clock::now();
    const Reply r = c.post("/v1/quotes", heavy_request(20, 100'000).dump());
    EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
    expect_problem(r, 422, "/simulation/years");
    const json j = r.json();
    EXPECT_EQ(j["errors"][1]["path"], "/holdings");
    EXPECT_NE(j["detail"].get<std::string>().find("2e+06"), std::string::npos) << r.body;
    EXPECT_NE(j["detail"].get<std::string>().find("1e+06"), std::string::npos) << r.body;
    EXPECT_NE(j["detail"].get<std::string>().find("tanhui batch"), std::string::npos) << r.body;
    EXPECT_EQ(metric(srv, "tanhui_lane_started_total{lane=\"expensive\"}"), 0);
    EXPECT_EQ(metric(srv, "tanhui_lane_started_total{lane=\"cheap\"}"), 0);
    EXPECT_EQ(quote_rows(srv.db()), rows);
    EXPECT_EQ(c.post("/v1/quotes", heavy_request(10, 100'000).dump()).status, 200);  // at the ceiling: served
}

// A calibration run (seconds of fits on the real history) runs on the expensive lane, never on the
// threads that answer the cheap price quotes.
TEST(LanesServer, ACalibrationRunsOnTheExpensiveLane) {
    if (!have_historical()) GTEST_SKIP() << "data/historical is not there";
    TestServer srv(calibrated());
    Client c = srv.client();
    const double cheap = metric(srv, "tanhui_lane_started_total{lane=\"cheap\"}");
    const double expensive = metric(srv, "tanhui_lane_started_total{lane=\"expensive\"}");
    const Reply r = c.post("/v1/calibrations", R"({"peril": "fire", "regions": ["35"]})");
    EXPECT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(metric(srv, "tanhui_lane_started_total{lane=\"expensive\"}"), expensive + 1);
    EXPECT_EQ(metric(srv, "tanhui_lane_started_total{lane=\"cheap\"}"), cheap);
}

// Just over a ceiling of 5e5, each kind of cost the issue names: a 422 naming the field that makes
// it, before any work (no lane started anything). Counted the old way (years x holdings) each of
// the quotes and the layer and buffer would have passed.
TEST(LanesServer, EachKindOfCostJustOverTheCeilingIs422NamingItsField) {
    if (!have_historical()) GTEST_SKIP() << "data/historical is not there";
    TestServer srv(calibrated([](ServerOptions& o) {
        o.max_years = 10'000'000;
        o.lanes.max_request_cost = 5e5;
    }));
    json sink = heavy_request(2, 125'001);  // x 2 term years: 500,004
    sink["product"] = "sink_insurance";
    sink["policy"]["term_months"] = 24;
    json price = price_request();  // 41,667 paths x 12 monthly fixings: 500,004
    price["cover"]["method"] = "actuarial";
    price["cover"].erase("engine");
    price["simulation"]["years"] = 41'667;
    json band = heavy_request(1, 200'000);  // x (3 + 2 x banded assumptions)
    band["uncertainty"] = true;
    const json portfolio{{"holdings", holdings(1)}, {"simulation", {{"years", 500'001}}}};
    json layer = portfolio;  // simulated twice: 500,002
    layer["simulation"]["years"] = 250'001;
    layer["price_cny_per_tco2e"] = 20;
    layer["layer"] = {{"basis", "aggregate"}, {"attachment_cny", 1}, {"limit_cny", 1}};
    const json buffer{{"holdings", holdings(1)}, {"simulation", {{"paths", 6'251}}}};  // 2 x 6,251 x 40: 500,080
    const json damage{{"region", "350802"}, {"forest_type", "chinese_fir"}, {"age_years", 20}, {"damaged_area_ha", 1},
                      {"damage_date", "2026-06-01"}, {"market", "FJEA"}, {"price", {{"paths", 500'001}}}};
    const struct {
        const char* target;
        json body;
        const char* field;  // one of the errors' paths
    } cases[] = {
        {"/v1/quotes", sink, "/policy/term_months"},
        {"/v1/quotes", price, "/cover/fixings"},
        {"/v1/quotes", band, "/uncertainty"},
        {"/v1/quotes", json::array({heavy_request(1, 250'001), heavy_request(1, 250'001)}), "/*/simulation/years"},
        {"/v1/portfolio/risk", portfolio, "/simulation/years"},
        {"/v1/reinsurance/layer", layer, "/simulation/years"},
        {"/v1/risk/buffer", buffer, "/simulation/paths"},
        {"/v1/valuations/damage", damage, "/price/paths"},
    };
    Client c = srv.client();
    for (const auto& k : cases) {
        const Reply r = c.post(k.target, k.body.dump());
        expect_problem(r, 422);
        const auto paths = error_paths(r);
        EXPECT_NE(std::find(paths.begin(), paths.end(), k.field), paths.end()) << k.target << ": " << r.body;
        EXPECT_NE(r.body.find("ceiling of 500000"), std::string::npos) << r.body;
    }
    EXPECT_EQ(metric(srv, "tanhui_lane_started_total{lane=\"expensive\"}"), 0);
    EXPECT_EQ(metric(srv, "tanhui_lane_started_total{lane=\"cheap\"}"), 0);
}

TEST(LanesServer, AKeyPastItsBudgetGets429WhileAnotherKeyIsServed) {
    if (!have_historical()) GTEST_SKIP() << "data/historical is not there";
    NewKey a, b;
    TestServer srv([&](TestServer::Setup& s) {
        s.database = [&](const std::filesystem::path& db) {
            copy_calibrated(db);
            a = tanhui::testing::add_key(db, Role::underwriter, "team-a");
            b = tanhui::testing::add_key(db, Role::underwriter, "team-b");
        };
        s.options = [](ServerOptions& o) { apply_key_budget(o.budgets, "underwriter=0:1e6"); };
    });
    const std::string body = heavy_request(2, 400'000).dump();  // 8e5 holding-years
    const auto as = [](const NewKey& k) { return std::vector<std::pair<std::string, std::string>>{{"Authorization", "Bearer " + k.key}}; };
    Client c = srv.client();
    EXPECT_EQ(c.post("/v1/quotes", body, "application/json", as(a)).status, 200);
    const Reply refused = c.post("/v1/quotes", body, "application/json", as(a));
    expect_problem(refused, 429);
    EXPECT_GE(std::stoi(refused.header("retry-after")), 1);
    EXPECT_NE(refused.json()["detail"].get<std::string>().find("budget"), std::string::npos) << refused.body;
    EXPECT_EQ(c.post("/v1/quotes", body, "application/json", as(b)).status, 200);
    EXPECT_EQ(c.post("/v1/quotes", price_request().dump(), "application/json", as(a)).status, 200);  // costs 0
}

TEST(LanesServer, AClientThatHangsUpFreesItsWorkerWithinASecondAndStoresNothing) {
    if (!have_historical()) GTEST_SKIP() << "data/historical is not there";
    TestServer srv(one_expensive_thread([](ServerOptions& o) { o.lanes.cheap_cost_limit = 1e5; }));
    ASSERT_EQ(srv.client().post("/v1/quotes", price_request().dump()).status, 200);  // builds the model once
    const long long rows = quote_rows(srv.db());
    {
        Client gone(srv.port());
        gone.send_raw(raw_post("/v1/quotes", heavy_request(50, 4'000'000).dump()));  // 2e8 holding-years: many seconds
        wait_for([&] { return metric(srv, busy_expensive) == 1; });
        ASSERT_EQ(metric(srv, busy_expensive), 1);
        std::this_thread::sleep_for(200ms);
    }  // closed
    const auto start = std::chrono::steady_clock::now();
    const Reply next = srv.client().post("/v1/quotes", heavy_request(2, 100'000, "NEXT").dump());  // expensive lane
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(next.status, 200) << next.body;
    // The follow-up's own simulation (2e5 holding-years) takes a fraction of a second.
    EXPECT_LT(took, 1500ms) << std::chrono::duration<double>(took).count() << " s";
    wait_for([&] { return metric(srv, cancelled_expensive) == 1; }, 2s);
    EXPECT_EQ(metric(srv, cancelled_expensive), 1);
    EXPECT_EQ(quote_rows(srv.db()), rows + 1);  // the follow-up only
}

TEST(LanesServer, AFullQueueIs503WithRetryAfter) {
    if (!have_historical()) GTEST_SKIP() << "data/historical is not there";
    TestServer srv(one_expensive_thread([](ServerOptions& o) { o.lanes.expensive_queue = 1; }));
    const std::string long_one = heavy_request(50, 4'000'000).dump();
    const std::string raw = raw_post("/v1/quotes", long_one);
    {
        Client running(srv.port()), queued(srv.port());
        running.send_raw(raw);
        wait_for([&] { return metric(srv, busy_expensive) == 1; });
        queued.send_raw(raw);
        wait_for([&] { return metric(srv, "tanhui_lane_queue_depth{lane=\"expensive\"}") == 1; });
        const Reply full = srv.client().post("/v1/quotes", long_one);
        expect_problem(full, 503);
        EXPECT_GE(std::stoi(full.header("retry-after")), 1);
        EXPECT_NE(full.json()["detail"].get<std::string>().find("expensive lane is full"), std::string::npos);
        EXPECT_EQ(srv.client().post("/v1/quotes", price_request().dump()).status, 200);  // the cheap lane serves on
    }  // both hang up: cancelled
    wait_for([&] { return metric(srv, cancelled_expensive) == 2; });
    EXPECT_EQ(metric(srv, cancelled_expensive), 2);
    EXPECT_EQ(metric(srv, "tanhui_lane_refused_total{lane=\"expensive\"}"), 1);
}

TEST(LanesServer, ReadyzFailsWhileTheCheapLaneWaitsTooLong) {
    TestServer srv([](TestServer::Setup& s) {
        s.options = [](ServerOptions& o) {
            o.lanes.cheap_threads = 1;
            o.worker_threads = 1;
            o.lanes.ready_wait = 200ms;
        };
        s.extra = {[](Router& router, ServiceContext&) {
            router.add("GET", "/test/sleep", Role::underwriter, [](const Request&) {
                std::this_thread::sleep_for(700ms);
                return json_response(json{{"ok", true}});
            });
        }};
    });
    EXPECT_EQ(srv.client().get("/readyz").status, 200);
    std::thread sleeper([&] { srv.client().get("/test/sleep"); });
    std::this_thread::sleep_for(100ms);
    const Reply r = srv.client().get("/readyz");  // waits behind the sleeper for about 600 ms
    expect_problem(r, 503);
    EXPECT_NE(r.json()["detail"].get<std::string>().find("wait"), std::string::npos) << r.body;
    EXPECT_EQ(srv.client().get("/healthz").status, 200);  // liveness is not readiness
    sleeper.join();
    std::this_thread::sleep_for(1100ms);  // the last wait is forgotten after a second
    EXPECT_EQ(srv.client().get("/readyz").status, 200);
}
