// The cost of a request before any work (issue 20, api/service/request_cost.hpp): what runs is
// what counts. A sink cover's every term year, a price path's every fixing (and QuantLib's paths
// beside the simulated table for the monte_carlo engine), revenue's price leg, an uncertainty
// band's further quotes, arrays summed, and the product endpoints by their own units.
#include "api/products/endpoints.hpp"
#include "api/service/request_cost.hpp"
#include "tests/api/http/lanes_fixtures.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace tanhui::api;
using nlohmann::json;
using tanhui::testing::lanes::heavy_request;
using tanhui::testing::lanes::holdings;
using tanhui::testing::quotes::price_request;

namespace {

constexpr long long max_years = 10'000'000;

json sink_request(std::size_t n, long long years, int term_months) {
    json j = heavy_request(n, years);
    j["product"] = "sink_insurance";
    j["policy"]["term_months"] = term_months;
    j["cover"] = {{"market", "FJEA"}, {"target_sink_tco2e", 1000}};
    return j;
}

json price_with(const json& cover_changes, const std::string& principle, long long years) {
    json j = price_request();
    j["cover"].update(cover_changes);
    j["premium"]["principle"] = principle;
    j["simulation"]["years"] = years;
    return j;
}

json daily_fixings(int n) {
    json dates = json::array();
    for (int d = 2; d < 2 + n; ++d) {
        char buf[16];
        const int month = 1 + (d - 1) / 28, day = 1 + (d - 1) % 28;
        std::snprintf(buf, sizeof buf, "2027-%02d-%02d", month, day);
        dates.push_back(buf);
    }
    return dates;
}

EndpointCost endpoint_cost(std::string_view name) {
    for (const Endpoint& e : endpoints())
        if (e.name == name) return e.cost;
    throw std::logic_error("no endpoint " + std::string(name));
}

}  // namespace

TEST(RequestCost, ASinkCoverCountsEveryTermYear) {
    const RequestCost c = quote_request_cost(sink_request(3, 1000, 36), max_years);
    EXPECT_EQ(c.units, 3 * 1000 * 3);  // holdings x years x term years
    EXPECT_EQ(c.fields, "/simulation/years, /holdings, /policy/term_months");
    EXPECT_EQ(quote_request_cost(sink_request(3, 1000, 12), max_years).units, 3000);
}

TEST(RequestCost, APricePathCountsItsFixings) {
    EXPECT_EQ(quote_request_cost(price_with({{"method", "actuarial"}, {"fixings", "quarterly"}}, "expected_value", 1000),
                                 max_years).units,
              4000);  // 1000 paths x 4 quarterly fixings
    json actuarial = price_with({{"method", "actuarial"}, {"fixings", "at_expiry"}}, "expected_value", 1000);
    actuarial["cover"].erase("engine");
    EXPECT_EQ(quote_request_cost(actuarial, max_years).units, 1000);
    // The monte_carlo engine: QuantLib's min(years, 1e6) paths beside the simulated table.
    const json mc = price_with({{"engine", "monte_carlo"}, {"fixings", daily_fixings(300)}}, "std_dev", 100'000);
    const RequestCost c = quote_request_cost(mc, max_years);
    EXPECT_EQ(c.units, 2.0 * 100'000 * 300);
    EXPECT_EQ(c.fields, "/simulation/years, /cover/fixings");
    EXPECT_NE(c.what.find("paths x fixings"), std::string::npos) << c.what;
    EXPECT_EQ(quote_request_cost(price_with(json::object(), "expected_value", 1000), max_years).units, 0);  // closed form
}

TEST(RequestCost, RevenueCountsItsPriceLegAndUncertaintyItsFurtherQuotes) {
    json revenue = heavy_request(2, 1000);
    revenue["product"] = "revenue_insurance";
    revenue["cover"] = {{"market", "FJEA"}, {"fixings", "monthly"}};
    EXPECT_EQ(quote_request_cost(revenue, max_years).units, 1000 * (2 + 12));
    json band = heavy_request(2, 1000);
    band["uncertainty"] = true;
    const RequestCost c = quote_request_cost(band, max_years, 10);
    EXPECT_EQ(c.units, 2000 * (3 + 2 * 10));
    EXPECT_EQ(c.fields, "/simulation/years, /holdings, /uncertainty");
    EXPECT_EQ(quote_request_cost(band, max_years, 0).units, 2000);  // no banded assumption: no further quote
    json price_band = price_with({{"method", "actuarial"}}, "std_dev", 1000);
    price_band["uncertainty"] = true;
    EXPECT_EQ(quote_request_cost(price_band, max_years, 10).units, 12'000);  // no perils: no band
}

TEST(RequestCost, AnArrayIsItsPolicyYearsSummedWithTheFieldsOfEach) {
    const json many = json::array({sink_request(2, 1000, 24), price_with({{"method", "actuarial"}}, "std_dev", 100),
                                   heavy_request(1, 10)});
    const RequestCost c = quote_request_cost(many, max_years);
    EXPECT_EQ(c.units, 2 * 1000 * 2 + 100 * 12 + 10);
    EXPECT_EQ(c.fields, "/*/simulation/years, /*/holdings, /*/policy/term_months, /*/cover/fixings");
    EXPECT_EQ(quote_request_cost(json::array({heavy_request(2, 50)}), max_years).fields, "/0/simulation/years, /0/holdings");
}

TEST(RequestCost, TheProductEndpointsCountWhatTheySimulate) {
    const json portfolio{{"holdings", holdings(3)}, {"simulation", {{"years", 1000}}}};
    EXPECT_EQ(endpoint_cost("layer")(portfolio, max_years).units, 2 * 3 * 1000);  // events, then losses by peril
    EXPECT_EQ(endpoint_cost("layer")(json{{"loss_table", {{"years", 10}}}}, max_years).units, 0);
    EXPECT_EQ(simulation_request_cost(portfolio, max_years).units, 3000);  // portfolio risk: one pass
    json buffer{{"holdings", holdings(3)}, {"horizon_years", 40}, {"simulation", {{"paths", 1000}}}};
    const RequestCost b = endpoint_cost("buffer")(buffer, max_years);
    EXPECT_EQ(b.units, 2 * 1000 * 40 * 3);
    EXPECT_EQ(b.fields, "/simulation/paths, /horizon_years, /holdings");
    EXPECT_EQ(endpoint_cost("buffer")(json{{"holding", holdings(1)[0]}}, max_years).units, 2 * 10'000 * 40);  // defaults
    EXPECT_EQ(endpoint_cost("damage")(json{{"price", {{"paths", 5000}}}}, max_years).units, 5000);
    EXPECT_EQ(endpoint_cost("damage")(json::object(), max_years).units, 100'000);
    for (const char* none : {"credibility", "metrics", "burning_cost"}) EXPECT_EQ(endpoint_cost(none), nullptr) << none;
}
