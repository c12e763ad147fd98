// Issue 20, every expensive path can be cancelled (api/http/session_work.cpp, risk/simulation/
// cancel.hpp): a client that hangs up on a running reinsurance layer, reversal buffer or
// 100,000-path Monte Carlo price quote frees the expensive lane's one thread within a second
// (measured by a following request), and nothing of it is stored. Each of the three runs for many
// seconds when it is not cancelled.
#include "tests/api/http/lanes_fixtures.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <thread>

using namespace tanhui;
using namespace tanhui::api;
using tanhui::testing::Client;
using tanhui::testing::Reply;
using tanhui::testing::TestServer;
using nlohmann::json;
using namespace std::chrono_literals;
using namespace tanhui::testing::quotes;
using namespace tanhui::testing::lanes;

namespace {

// Posts `body` to `target` from a client that hangs up once the expensive lane runs it, then times
// a following expensive quote (2e5 holding-years, a fraction of a second of its own).
std::chrono::duration<double> hang_up_then_follow(TestServer& srv, const std::string& target, const json& body,
                                                  double cancelled_before) {
    {
        Client gone(srv.port());
        gone.send_raw(raw_post(target, body.dump()));
        wait_for([&] { return metric(srv, busy_expensive) == 1; });
        EXPECT_EQ(metric(srv, busy_expensive), 1) << target;
        std::this_thread::sleep_for(300ms);
    }  // closed
    const auto start = std::chrono::steady_clock::now();
    const Reply next = srv.client().post("/v1/quotes", heavy_request(2, 100'000, "NEXT").dump());
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(next.status, 200) << next.body;
    wait_for([&] { return metric(srv, cancelled_expensive) == cancelled_before + 1; }, 2s);
    EXPECT_EQ(metric(srv, cancelled_expensive), cancelled_before + 1) << target;
    return took;
}

// 335 fixing dates through 2027 (days 1-28 of each month): a long path for each sample.
json many_fixings() {
    json dates = json::array();
    for (int month = 1; month <= 12; ++month)
        for (int day = 1; day <= 28; ++day) {
            if (month == 1 && day == 1) continue;
            char buf[16];
            std::snprintf(buf, sizeof buf, "2027-%02d-%02d", month, day);
            dates.push_back(buf);
        }
    return dates;
}

}  // namespace

TEST(CancelServer, HangingUpOnALayerABufferOrAMonteCarloQuoteFreesTheWorkerWithinASecond) {
    if (!have_historical()) GTEST_SKIP() << "data/historical is not there";
    TestServer srv(one_expensive_thread([](ServerOptions& o) { o.lanes.cheap_cost_limit = 1e5; }));
    ASSERT_EQ(srv.client().post("/v1/quotes", price_request().dump()).status, 200);  // builds the model once
    const long long rows = quote_rows(srv.db());

    // 40 holdings x 500,000 years, simulated twice: 4e7 holding-years.
    const json layer{{"holdings", holdings(40)}, {"price_cny_per_tco2e", 20}, {"simulation", {{"years", 500'000}}},
                     {"layer", {{"basis", "occurrence"}, {"attachment_cny", 1e9}, {"limit_cny", 1e9}}}};
    auto took = hang_up_then_follow(srv, "/v1/reinsurance/layer", layer, 0);
    EXPECT_LT(took, 1500ms) << "layer: " << took.count() << " s";

    // 20 holdings x 100,000 paths x 50 years, simulated twice: 2e8 holding-years.
    const json buffer{{"holdings", holdings(20)}, {"horizon_years", 50}, {"simulation", {{"paths", 100'000}}}};
    took = hang_up_then_follow(srv, "/v1/risk/buffer", buffer, 1);
    EXPECT_LT(took, 1500ms) << "buffer: " << took.count() << " s";

    // 100,000 paths of 335 fixings in QuantLib's engine, then the simulated table of as many.
    json mc = price_request();
    mc["cover"]["engine"] = "monte_carlo";
    mc["cover"]["fixings"] = many_fixings();
    mc["premium"]["principle"] = "std_dev";
    mc["simulation"]["years"] = 100'000;
    took = hang_up_then_follow(srv, "/v1/quotes", mc, 2);
    EXPECT_LT(took, 1500ms) << "Monte Carlo price quote: " << took.count() << " s";

    EXPECT_EQ(quote_rows(srv.db()), rows + 3);  // the follow-ups only
}
