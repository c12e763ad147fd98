// The endpoints of api/products/endpoints.hpp through their JSON path: credibility against R's
// actuar, metrics and layers on hand-worked tables, damage against closed forms, buffers by their
// invariants, burning cost by hand, the decoders' pointers, and the registry's routes and commands.
#include "api/products/buffer.hpp"
#include "api/products/burning_cost.hpp"
#include "api/products/credibility.hpp"
#include "api/products/damage.hpp"
#include "api/products/endpoints.hpp"
#include "api/products/layer.hpp"
#include "api/products/metrics.hpp"

#include "tests/api/calibrated_fixture.hpp"
#include "tests/data/test_db.hpp"
#include "api/http/auth.hpp"
#include "api/service/quote_service.hpp"
#include "api/http/server.hpp"
#include "tests/api/test_server.hpp"
#include "data/store/store.hpp"
#include "api/json/fields.hpp"
#include "api/json/loss_table.hpp"
#include "api/service/calibration.hpp"
#include "risk/perils/fire.hpp"
#include "risk/simulation/reversal.hpp"
#include "risk/simulation/simulate.hpp"
#include "tests/paths.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace tanhui::api {
namespace {

using json = nlohmann::json;

std::set<std::string> pointers(const std::vector<FieldProblem>& problems) {
    std::set<std::string> out;
    for (const auto& p : problems) out.insert(p.pointer);
    return out;
}

std::set<std::string> pointers(const ProductOutcome& o) {
    if (!o.problem) return {};
    return pointers(o.problem->errors);
}

void expect_rel(double got, double expected, double rel) { EXPECT_NEAR(got, expected, rel * std::abs(expected)); }

// ---- credibility against actuar -----------------------------------------------------------------

// tests/reference/credibility_actuar.out (made by credibility_actuar.R with actuar 3.3-2): label,
// then comma-separated numbers printed to 15 significant digits; blocks separated by a name line.
std::map<std::string, std::map<std::string, std::vector<double>>> read_actuar_fixture() {
    std::ifstream in(std::string(TANHUI_SOURCE_DIR) + "/tests/reference/credibility_actuar.out");
    std::map<std::string, std::map<std::string, std::vector<double>>> blocks;
    std::string line, block;
    while (std::getline(in, line)) {
        std::istringstream s(line);
        std::string label;
        if (!(s >> label)) continue;
        std::string rest;
        std::getline(s, rest);
        if (rest.find_first_not_of(" ") == std::string::npos) {
            block = label;
            continue;
        }
        std::vector<double> values;
        std::istringstream numbers(rest);
        std::string cell;
        while (std::getline(numbers, cell, ',')) values.push_back(std::stod(cell));
        blocks[block][label] = values;
    }
    return blocks;
}

TEST(ProductCredibility, HachemeisterThroughJsonMatchesActuar) {
    const auto fixture = read_actuar_fixture();
    ASSERT_TRUE(fixture.count("hachemeister")) << "tests/reference/credibility_actuar.out not read";
    const auto& h = fixture.at("hachemeister");
    json body{{"groups", json::array()}};
    for (int i = 1; i <= 5; ++i)
        body["groups"].push_back({{"id", "state-" + std::to_string(i)},
                                  {"ratios", h.at("ratios[" + std::to_string(i) + "]")},
                                  {"weights", h.at("weights[" + std::to_string(i) + "]")}});
    const ProductOutcome o = credibility(json::parse(body.dump()));
    ASSERT_TRUE(o.response) << problem_body(*o.problem);
    const auto& r = *o.response;
    // Printed to 15 digits: 1e-12 relative (one premium has 13 digits: 1e-11).
    expect_rel(r["collective_premium"].get<double>(), h.at("collective_premium")[0], 1e-12);
    expect_rel(r["between_variance"].get<double>(), h.at("between_variance")[0], 1e-12);
    expect_rel(r["within_variance"].get<double>(), h.at("within_variance")[0], 1e-12);
    ASSERT_EQ(r["groups"].size(), 5u);
    for (std::size_t i = 0; i < 5; ++i) {
        SCOPED_TRACE(::testing::Message() << "state " << i + 1);
        EXPECT_EQ(r["groups"][i]["id"], "state-" + std::to_string(i + 1));
        expect_rel(r["groups"][i]["credibility_factor"].get<double>(), h.at("credibility_factors")[i], 1e-12);
        expect_rel(r["groups"][i]["premium"].get<double>(), h.at("premiums")[i], 1e-11);
        // DESIGN's shape exactly.
        EXPECT_EQ(r["groups"][i].size(), 3u);
    }
    EXPECT_FALSE(r.contains("warnings"));
}

TEST(ProductCredibility, NegativeBetweenVarianceWarnsAsActuar) {
    const auto fixture = read_actuar_fixture();
    const auto& n = fixture.at("negative_between");
    // The data of credibility_actuar.R, block 2 (rows = groups, r1..r3 and w1..w3).
    const json body = json::parse(R"({"groups": [
        {"id": "1", "ratios": [1.0, 3.0, 2.0], "weights": [1, 1, 2]},
        {"id": "2", "ratios": [0.0, 4.0, 2.0], "weights": [2, 2, 1]},
        {"id": "3", "ratios": [2.5, 1.5, 2.2], "weights": [1, 3, 1]}]})");
    const ProductOutcome o = credibility(body);
    ASSERT_TRUE(o.response);
    const auto& r = *o.response;
    expect_rel(r["collective_premium"].get<double>(), n.at("collective_premium")[0], 1e-12);
    expect_rel(r["between_variance"].get<double>(), n.at("between_variance")[0], 1e-12);
    expect_rel(r["within_variance"].get<double>(), n.at("within_variance")[0], 1e-12);
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(r["groups"][i]["credibility_factor"].get<double>(), 0.0);
        expect_rel(r["groups"][i]["premium"].get<double>(), n.at("premiums")[i], 1e-12);
    }
    ASSERT_TRUE(r.contains("warnings"));
    EXPECT_EQ(r["warnings"].size(), 1u);
}

TEST(ProductCredibility, DecoderNamesEveryBadField) {
    const auto d = decode_credibility(json::parse(R"({
        "groups": [{"id": "a", "ratios": [1, 2], "weights": [1, 1], "x": 1},
                   {"id": "a", "ratios": [1, "two"], "weights": [-1]}],
        "extra": true})"));
    EXPECT_FALSE(d.value);
    EXPECT_EQ(pointers(d.problems), (std::set<std::string>{"/groups/0/x", "/groups/1/id", "/groups/1/ratios/1",
                                                           "/groups/1/weights/0", "/extra"}));
    const auto o = credibility(json::parse(R"({"groups": [{"id": "a", "ratios": [1], "weights": [1]},
                                                           {"id": "b", "ratios": [2], "weights": [1]}]})"));
    ASSERT_TRUE(o.problem);
    EXPECT_EQ(o.problem->status, 400);
    EXPECT_EQ(pointers(o), (std::set<std::string>{"/groups"}));  // no group has 2 periods
    EXPECT_EQ(pointers(credibility(json::array())), (std::set<std::string>{""}));
}

// ---- metrics on a hand-worked table -------------------------------------------------------------

// N = 10 years; years 4, 6, 7, 9, 10 have no row (zero loss). Year 3 has event 1 twice (two rows
// of one event: 2 + 3 = 5) and event 2 (1). By hand:
//   annual   [15, 40, 6, 0, 100, 0, 0, 60, 0, 0]  sorted: 0 0 0 0 0 6 15 40 60 100
//   largest  [10, 40, 5, 0, 100, 0, 0, 30, 0, 0]  sorted: 0 0 0 0 0 5 10 30 40 100
//   AAL 221 / 10 = 22.1; sum of squares 15461, var (15461 - 10 x 22.1^2) / 9 = 10576.9 / 9
//   VaR_0.75 = 8th smallest 40; VaR_0.85 = ceil(8.5) = 9th 60; VaR_0.9 = 9th 60; VaR_0.95 = 100
//   TVaR_0.75: m = 2.5: (100 + 60 + 0.5 x 40) / 2.5 = 72;  TVaR_0.85: m = 1.5 (10 x 0.15 =
//   1.5000000000000002 in floating point): (100 + 0.5 x 60) / 1.5 = 86.667; TVaR_0.9: 100
//   AEP(2) = 5th largest 6, AEP(5) = 2nd 60, AEP(10) = 100; OEP(2) = 5, OEP(5) = 40, OEP(10) = 100;
//   T = 20 > N: the largest, flagged beyond the simulation.
const char* hand_table = R"({"years": 10, "losses": [
    {"year": 1, "event": 1, "loss": 10}, {"year": 1, "event": 2, "loss": 5},
    {"year": 2, "event": 1, "loss": 40},
    {"year": 3, "event": 1, "loss": 2}, {"year": 3, "event": 2, "loss": 1}, {"year": 3, "event": 1, "loss": 3},
    {"year": 5, "event": 7, "loss": 100},
    {"year": 8, "event": 1, "loss": 30}, {"year": 8, "event": 2, "loss": 30}],
  "levels": [0.75, 0.85, 0.9, 0.95], "return_periods": [2, 5, 10, 20]})";

TEST(ProductMetrics, HandWorkedTable) {
    const ProductOutcome o = metrics(json::parse(hand_table));
    ASSERT_TRUE(o.response) << problem_body(*o.problem);
    const auto& r = *o.response;
    EXPECT_EQ(r["years"], 10);
    EXPECT_NEAR(r["aal"].get<double>(), 22.1, 1e-12);
    EXPECT_NEAR(r["std"].get<double>(), std::sqrt(10576.9 / 9), 1e-10);
    EXPECT_NEAR(r["aal_se"].get<double>(), std::sqrt(10576.9 / 9) / std::sqrt(10.0), 1e-10);
    EXPECT_EQ(r["var"]["0.75"], 40.0);
    EXPECT_EQ(r["var"]["0.85"], 60.0);
    EXPECT_EQ(r["var"]["0.9"], 60.0);
    EXPECT_EQ(r["var"]["0.95"], 100.0);
    EXPECT_NEAR(r["tvar"]["0.75"].get<double>(), 72.0, 1e-12);
    EXPECT_NEAR(r["tvar"]["0.85"].get<double>(), 130.0 / 1.5, 1e-12);
    EXPECT_NEAR(r["tvar"]["0.9"].get<double>(), 100.0, 1e-12);
    EXPECT_EQ(r["aep"]["2"], 6.0);
    EXPECT_EQ(r["aep"]["5"], 60.0);
    EXPECT_EQ(r["aep"]["10"], 100.0);
    EXPECT_EQ(r["oep"]["2"], 5.0);
    EXPECT_EQ(r["oep"]["5"], 40.0);
    EXPECT_EQ(r["oep"]["10"], 100.0);
    EXPECT_EQ(r["aep"]["20"], 100.0);
    EXPECT_EQ(r["beyond_simulation"], nlohmann::ordered_json::array({"20"}));
    for (const char* key : {"var_se", "tvar_se", "aep_se", "oep_se"}) EXPECT_TRUE(r.contains(key)) << key;
    for (const auto& [t, aep] : r["aep"].items()) EXPECT_GE(aep.get<double>(), r["oep"][t].get<double>()) << t;
    for (const auto& [a, tvar] : r["tvar"].items()) EXPECT_GE(tvar.get<double>(), r["var"][a].get<double>()) << a;
}

TEST(ProductMetrics, DefaultsAndKeys) {
    const ProductOutcome o = metrics(json::parse(R"({"years": 10000, "losses": [{"year": 1, "event": 1, "loss": 5}]})"));
    ASSERT_TRUE(o.response);
    const auto& r = *o.response;
    std::vector<std::string> levels, periods;
    for (const auto& [k, v] : r["var"].items()) levels.push_back(k);
    for (const auto& [k, v] : r["aep"].items()) periods.push_back(k);
    EXPECT_EQ(levels, (std::vector<std::string>{"0.9", "0.95", "0.99", "0.995", "0.999"}));
    EXPECT_EQ(periods, (std::vector<std::string>{"2", "5", "10", "20", "25", "50", "100", "200", "250", "500", "1000"}));
    // N = 10,000, a = 0.99: N (1 - a) = 100.00000000000009 is 100 after rounding: TVaR = 5 / 100.
    EXPECT_NEAR(r["tvar"]["0.99"].get<double>(), 0.05, 1e-15);
    EXPECT_EQ(number_key(0.995), "0.995");
    EXPECT_EQ(number_key(100), "100");
    EXPECT_EQ(number_key(1e6), "1000000");
    EXPECT_EQ(number_key(0.0001), "0.0001");
}

TEST(ProductMetrics, DecoderNamesEveryBadField) {
    const auto d = decode_metrics(json::parse(R"({"years": 10, "losses": [
        {"year": 11, "event": 1, "loss": 1}, {"year": 1, "event": 1.5, "loss": -1, "peril": "fire"}],
        "levels": [0.9, 1.5], "return_periods": [10, 10], "foo": 0})"));
    EXPECT_EQ(pointers(d.problems),
              (std::set<std::string>{"/losses/0/year", "/losses/1/event", "/losses/1/loss", "/losses/1/peril",
                                     "/levels/1", "/return_periods/1", "/foo"}));
    EXPECT_EQ(pointers(decode_metrics(json::parse(R"({"losses": []})")).problems), (std::set<std::string>{"/years"}));
    EXPECT_EQ(pointers(decode_metrics(json::parse(R"({"years": 1, "losses": []})")).problems),
              (std::set<std::string>{"/years"}));  // the N - 1 standard deviation needs 2 years
}

TEST(ProductMetrics, CsvMatchesJsonAndErrorsNameTheLine) {
    const auto csv = loss_csv_to_json("year,event,loss\n1,1,10\n1,2,5\n2,1,40\n3,1,2\n3,2,1\n3,1,3\n5,7,100\n"
                                      "8,1,30\r\n8,2,30\n",
                                      10);
    ASSERT_TRUE(csv.value);
    json body = *csv.value;
    body["levels"] = {0.75, 0.85, 0.9, 0.95};
    body["return_periods"] = {2, 5, 10, 20};
    EXPECT_EQ(metrics(body).response->dump(), metrics(json::parse(hand_table)).response->dump());
    // Columns in another order are fine; blank lines count as lines.
    EXPECT_TRUE(loss_csv_to_json("loss,year,event\n5,1,1\n", 3).value);

    const auto bad = loss_csv_to_json("year,event,loss\n1,1,10\n\n11,2,5\n2,x,-4\n3,1\n", 10);
    ASSERT_FALSE(bad.value);
    ASSERT_EQ(bad.problems.size(), 4u);
    EXPECT_EQ(bad.problems[0].pointer, "/losses/1/year");
    EXPECT_EQ(bad.problems[0].message.rfind("line 4: ", 0), 0u) << bad.problems[0].message;
    EXPECT_EQ(bad.problems[1].pointer, "/losses/2/event");
    EXPECT_EQ(bad.problems[1].message.rfind("line 5: ", 0), 0u);
    EXPECT_EQ(bad.problems[2].pointer, "/losses/2/loss");
    EXPECT_EQ(bad.problems[3].message.rfind("line 6: ", 0), 0u);
    const auto header = loss_csv_to_json("year,event,amount\n1,1,1\n", 10);
    ASSERT_FALSE(header.value);
    EXPECT_EQ(header.problems.front().message.rfind("line 1: ", 0), 0u);
}

// ---- layer on the hand-worked table -------------------------------------------------------------

json table_layer(const json& layer) {
    json body = json::parse(hand_table);
    body.erase("levels");
    body.erase("return_periods");
    return {{"loss_table", body}, {"layer", layer}};
}

ProductOutcome layer_outcome(const json& body) {
    // An explicit table needs neither the store nor the model: compute directly.
    const auto d = decode_layer(body);
    ProductOutcome o;
    if (!d.value) {
        o.problem = make_problem(400, "bad", d.problems);
        return o;
    }
    o.response = compute_layer(*d.value, nullptr, "");
    return o;
}

// Aggregate 30 xs 20 on the annual losses [15, 40, 6, 0, 100, 0, 0, 60, 0, 0]: layer losses
// [0, 20, 0, 0, 30, 0, 0, 30, 0, 0]: mean 8, attaching 3/10, exhausting (S >= 50) 2/10, rate on
// line 8/30, sd sqrt((2200 - 10 x 64) / 9).
TEST(ProductLayer, AggregateByHand) {
    const auto o = layer_outcome(table_layer({{"basis", "aggregate"}, {"attachment_cny", 20}, {"limit_cny", 30}}));
    ASSERT_TRUE(o.response);
    const auto& r = *o.response;
    EXPECT_NEAR(r["expected_layer_loss_cny"].get<double>(), 8.0, 1e-12);
    EXPECT_NEAR(r["probability_of_attaching"].get<double>(), 0.3, 1e-15);
    EXPECT_NEAR(r["probability_of_exhausting"].get<double>(), 0.2, 1e-15);
    EXPECT_NEAR(r["rate_on_line"].get<double>(), 8.0 / 30, 1e-15);
    EXPECT_NEAR(r["layer_loss_std_dev_cny"].get<double>(), std::sqrt(1560.0 / 9), 1e-12);
    EXPECT_NEAR(r["expected_layer_loss_se_cny"].get<double>(), std::sqrt(1560.0 / 9 / 10), 1e-12);
    EXPECT_NEAR(r["expected_subject_loss_cny"].get<double>(), 22.1, 1e-12);
    EXPECT_EQ(r["annual_cap_cny"], 30.0);
    EXPECT_EQ(r["source"], "loss_table");
}

// Per occurrence 20 xs 0 with one reinstatement (annual cap 40), events of one (year, event)
// summed first. Recoveries per year: y1 10 + 5 = 15, y2 20 (40 capped at 20), y3 5 + 1 = 6,
// y5 20, y8 20 + 20 = 40 (reaches the cap: exhausted). Mean 101 / 10; attaching 5/10;
// exhausting 1/10; reinstatements used sum min(x, 20) / 20 / 10 = 81 / 200; premium 12 on 20.
TEST(ProductLayer, PerOccurrenceWithReinstatementByHand) {
    const auto o = layer_outcome(table_layer(
        {{"basis", "occurrence"}, {"attachment_cny", 0}, {"limit_cny", 20}, {"reinstatements", 1}, {"premium_cny", 12}}));
    ASSERT_TRUE(o.response);
    const auto& r = *o.response;
    EXPECT_NEAR(r["expected_layer_loss_cny"].get<double>(), 10.1, 1e-12);
    EXPECT_NEAR(r["probability_of_attaching"].get<double>(), 0.5, 1e-15);
    EXPECT_NEAR(r["probability_of_exhausting"].get<double>(), 0.1, 1e-15);
    EXPECT_NEAR(r["expected_reinstatements_used"].get<double>(), 81.0 / 200, 1e-12);
    EXPECT_NEAR(r["rate_on_line"].get<double>(), 10.1 / 20, 1e-12);
    EXPECT_NEAR(r["rate_on_line_at_premium"].get<double>(), 0.6, 1e-15);
    EXPECT_EQ(r["annual_cap_cny"], 40.0);
    // 30 xs 20 without reinstatements: only y2 (20), y5 (30) and y8 (10 + 10) recover; y5 reaches the top.
    const auto plain = layer_outcome(table_layer({{"basis", "occurrence"}, {"attachment_cny", 20}, {"limit_cny", 30}}));
    EXPECT_NEAR((*plain.response)["expected_layer_loss_cny"].get<double>(), 7.0, 1e-12);
    EXPECT_NEAR((*plain.response)["probability_of_exhausting"].get<double>(), 0.1, 1e-15);
    EXPECT_TRUE((*plain.response)["annual_cap_cny"].is_null());
}

TEST(ProductLayer, DecoderNamesEveryBadField) {
    const auto d = decode_layer(json::parse(R"({
        "layer": {"basis": "aggregate", "attachment_cny": -1, "limit_cny": 10, "reinstatements": 1, "x": 1},
        "loss_table": {"years": 5, "losses": [], "y": 2},
        "price_cny_per_tco2e": 3, "z": 1})"));
    EXPECT_EQ(pointers(d.problems), (std::set<std::string>{"/layer/attachment_cny", "/layer/reinstatements", "/layer/x",
                                                           "/loss_table/y", "/price_cny_per_tco2e", "/z"}));
    const auto none = decode_layer(json::parse(R"({"layer": {"basis": "stop_loss", "limit_cny": 0}})"));
    EXPECT_EQ(pointers(none.problems),
              (std::set<std::string>{"/layer/basis", "/layer/attachment_cny", "/layer/limit_cny", "/loss_table"}));
    const auto portfolio = decode_layer(json::parse(R"({
        "layer": {"basis": "occurrence", "attachment_cny": 0, "limit_cny": 10},
        "holdings": [{"id": "a", "region": "35", "forest_type": "fir", "area_ha": 1, "age_years": 1}],
        "perils": ["flood"], "simulation": {"years": 1, "paths": 3}})"));
    EXPECT_EQ(pointers(portfolio.problems), (std::set<std::string>{"/holdings/0/forest_type", "/perils/0",
                                                                   "/price_cny_per_tco2e", "/simulation/years",
                                                                   "/simulation/paths"}));
}

// ---- a hand-built model -------------------------------------------------------------------------

// Made-up parameters (not calibrated): fire on Fujian holdings at 1e-4 fires per ha-year, lognormal
// burned area (mu 3, sigma 1), no pests; exponential growth curves (shape 1); a GBM and an OU market.
risk::Model test_model() {
    risk::Model m;
    m.version = "m-test";
    risk::FireModel fire;
    fire.rate_per_ha_year = 1e-4;
    fire.burned_area.mu = 3.0;
    fire.burned_area.sigma = 1.0;
    risk::add_fire_model(m, "35", fire);
    m.growth[risk::index(ForestType::chinese_fir)] = {300, 0.05, 1};
    m.growth[risk::index(ForestType::masson_pine)] = {200, 0.04, 1.5};
    m.growth[risk::index(ForestType::broadleaf)] = {250, 0.03, 1};
    risk::PriceModel gbm;
    gbm.market = "GBM";
    gbm.spot = 30;
    gbm.spot_date = "2025-12-31";
    gbm.drift = 0.02;
    gbm.volatility = 0.3;
    m.prices["GBM"] = gbm;
    risk::PriceModel ou = gbm;
    ou.market = "OU";
    ou.process = risk::PriceProcess::ou;
    ou.mean_reversion = 0.8;
    ou.long_run_log_price = std::log(40.0);
    ou.volatility = 0.4;
    m.prices["OU"] = ou;
    return m;
}

// ---- damage valuation against closed forms ------------------------------------------------------

DamageRequest damage_request(const std::string& text) {
    const auto d = decode_damage(json::parse(text));
    EXPECT_TRUE(d.problems.empty()) << (d.problems.empty() ? "" : d.problems.front().pointer + " " + d.problems.front().message);
    return *d.value;
}

// Shape 1: stock(a) = M (1 - e^{-r a}), M = 300, r = 0.05, a = 20, e = e^{-1}. A total loss regrows
// along the same curve and holds the pre-damage stock again after 20 years (3 more with a delay
// of 3), by which time the undisturbed stand would hold M (1 - e^{-r (20 + T)}). Per ha:
//   lost M (1 - e);  forgone M (e - e^{-r (20 + T)});  total M (1 - e^{-r (20 + T)}).
// GBM price at h = 2: ln S ~ N(ln 30 + (0.02 - 0.3^2 / 2) 2, 0.3^2 2); z_0.95 = 1.6448536269514722.
TEST(ProductDamage, ShapeOneCurveAndGbmPriceByClosedForm) {
    const risk::Model model = test_model();
    const auto r = compute_damage(damage_request(R"({"region": "350802", "forest_type": "chinese_fir",
        "age_years": 20, "damaged_area_ha": 10, "damage_date": "2024-05-01", "market": "GBM",
        "regrowth": {"delay_years": 3}, "price": {"horizon_years": 2, "levels": [0.05, 0.5, 0.95]}})"),
                                  model, model.version);
    const double M = 300, rate = 0.05, e = std::exp(-1.0), T = 23, area = 10;
    const double total = area * M * (1 - std::exp(-rate * (20 + T)));
    EXPECT_NEAR(r["stock_lost_tco2e"].get<double>(), area * M * (1 - e), 1e-9);
    EXPECT_NEAR(r["recovery_years"].get<double>(), T, 1e-9);
    EXPECT_NEAR(r["sequestration_forgone_tco2e"].get<double>(), area * M * (e - std::exp(-rate * (20 + T))), 1e-9);
    EXPECT_NEAR(r["total_tco2e"].get<double>(), total, 1e-9);
    const double median = 30 * std::exp((0.02 - 0.045) * 2), z = 1.6448536269514722, sd = 0.3 * std::sqrt(2.0);
    EXPECT_EQ(r["price"]["method"], "closed_form");
    expect_rel(r["price"]["median_cny_per_tco2e"].get<double>(), median, 1e-14);
    expect_rel(r["price"]["quantiles_cny_per_tco2e"]["0.5"].get<double>(), median, 1e-12);
    expect_rel(r["price"]["quantiles_cny_per_tco2e"]["0.95"].get<double>(), median * std::exp(sd * z), 1e-9);
    expect_rel(r["price"]["quantiles_cny_per_tco2e"]["0.05"].get<double>(), median * std::exp(-sd * z), 1e-9);
    expect_rel(r["replacement_cost_cny"].get<double>(), total * median, 1e-12);
    expect_rel(r["replacement_cost_range_cny"]["0.95"].get<double>(), total * median * std::exp(sd * z), 1e-9);
    EXPECT_EQ(r["currency"], "CNY");
    EXPECT_EQ(r["model_version"], "m-test");
}

// A measured density scales the curve through it: a total loss of 150 tCO2e/ha at 20 years; the
// same-species regrowth follows the scaled curve, so the recovery time is unchanged (20 years).
TEST(ProductDamage, MeasuredStockScalesTheCurve) {
    const risk::Model model = test_model();
    const auto r = compute_damage(damage_request(R"({"region": "35", "forest_type": "chinese_fir", "age_years": 20,
        "damaged_area_mu": 15, "carbon_stock_tco2e_per_ha": 150, "damage_date": "2024-05-01", "market": "OU"})"),
                                  model, model.version);
    EXPECT_NEAR(r["damaged_area_ha"].get<double>(), 1.0, 1e-15);
    EXPECT_NEAR(r["stock_lost_tco2e"].get<double>(), 150.0, 1e-9);
    EXPECT_NEAR(r["recovery_years"].get<double>(), 20.0, 1e-9);
    const double scale = 150 / (300 * (1 - std::exp(-1.0)));
    EXPECT_NEAR(r["total_tco2e"].get<double>(), scale * 300 * (1 - std::exp(-2.0)), 1e-9);
    // OU at h = 1: ln S ~ N(theta + (ln 30 - theta) e^{-0.8}, 0.4^2 (1 - e^{-1.6}) / 1.6).
    const double theta = std::log(40.0), mean = theta + (std::log(30.0) - theta) * std::exp(-0.8);
    expect_rel(r["price"]["median_cny_per_tco2e"].get<double>(), std::exp(mean), 1e-14);
    const double sd = 0.4 * std::sqrt((1 - std::exp(-1.6)) / 1.6);
    expect_rel(r["price"]["quantiles_cny_per_tco2e"]["0.95"].get<double>(), std::exp(mean + sd * 1.6448536269514722), 1e-9);
}

TEST(ProductDamage, DecoderAndModelProblems) {
    const auto d = decode_damage(json::parse(R"({"region": "35x", "forest_type": "oak", "age_years": 20,
        "damaged_area_ha": 1, "damaged_area_mu": 15, "damage_date": "2024-02-30", "market": "FJEA",
        "regrowth": {"delay": 1}, "price": {"levels": [0]}, "w": 1})"));
    EXPECT_EQ(pointers(d.problems), (std::set<std::string>{"/region", "/forest_type", "/damaged_area_mu", "/damage_date",
                                                           "/regrowth/delay", "/price/levels/0", "/w"}));
    EXPECT_EQ(pointers(decode_damage(json::parse("{}")).problems),
              (std::set<std::string>{"/region", "/forest_type", "/age_years", "/damaged_area_ha", "/damage_date", "/market"}));
    const risk::Model model = test_model();
    try {
        compute_damage(damage_request(R"({"region": "35", "forest_type": "bamboo", "age_years": 5,
            "damaged_area_ha": 1, "damage_date": "2024-05-01", "market": "GBM"})"), model, "");
        ADD_FAILURE() << "no growth curve for bamboo accepted";
    } catch (const InvalidInput& e) {
        EXPECT_EQ(e.field(), "/forest_type");
    }
}

// ---- reversal buffer ----------------------------------------------------------------------------

risk::BookOptions fire_only() {
    risk::BookOptions o;
    o.perils = {"fire"};
    return o;
}

const char* buffer_body = R"({"holdings": [
    {"id": "fir", "region": "350802", "forest_type": "chinese_fir", "area_ha": 1000, "age_years": 20,
     "carbon_stock_tco2e_per_ha": 100, "credits_tco2e": 50000}],
  "perils": ["fire"], "simulation": {"paths": 2000, "seed": 5, "threads": 2}})";

BufferRequest buffer_request(const std::function<void(json&)>& edit = {}) {
    json body = json::parse(buffer_body);
    if (edit) edit(body);
    const auto d = decode_buffer(body);
    EXPECT_TRUE(d.problems.empty()) << (d.problems.empty() ? "" : d.problems.front().pointer);
    return *d.value;
}

TEST(ProductBuffer, MonotoneInAlphaAndHorizon) {
    const risk::Model model = test_model();
    std::vector<double> by_alpha;
    for (const double alpha : {0.9, 0.95, 0.99, 0.999})
        by_alpha.push_back(
            compute_buffer(buffer_request([&](json& b) { b["alpha"] = alpha; }), model, "")["buffer_share"].get<double>());
    for (std::size_t i = 1; i < by_alpha.size(); ++i) EXPECT_GE(by_alpha[i], by_alpha[i - 1]) << i;
    EXPECT_GT(by_alpha.back(), by_alpha.front());
    // Each path is a sum of more i.i.d. years: with 2,000 paths the quantiles are far apart.
    double previous = 0;
    for (const int horizon : {5, 10, 20, 40}) {
        const auto r = compute_buffer(buffer_request([&](json& b) { b["horizon_years"] = horizon; }), model, "");
        SCOPED_TRACE(::testing::Message() << "horizon " << horizon);
        EXPECT_GT(r["buffer_share"].get<double>(), previous);
        EXPECT_GT(r["buffer_share"].get<double>(), 3 * r["buffer_share_se"].get<double>());
        previous = r["buffer_share"].get<double>();
    }
}

TEST(ProductBuffer, ProbabilityExhaustedIsConsistentWithTheQuantile) {
    const risk::Model model = test_model();
    const auto base = compute_buffer(buffer_request(), model, "");
    const double b = base["buffer_share"];
    // At the alpha-quantile at most N (1 - alpha) = 20 paths reverse more.
    const auto at = compute_buffer(buffer_request([&](json& j) { j["buffer_share"] = b; }), model, "");
    EXPECT_LE(at["probability_exhausted"].get<double>(), 0.01);
    EXPECT_EQ(at["buffer_share"].get<double>(), b);
    // Just below it at least 21 paths do (the 1980th smallest is the quantile, and it is exceeded
    // by the 20 above it plus itself).
    const auto below = compute_buffer(buffer_request([&](json& j) { j["buffer_share"] = std::nextafter(b, 0.0); }), model, "");
    EXPECT_GT(below["probability_exhausted"].get<double>(), 0.01);
    // Independently, from the paths themselves.
    const auto book = risk::prepare_book(model, buffer_request().holdings, fire_only());
    const auto shares = risk::cumulative_reversal_shares(book, 40, 2000, 5, 1);
    std::vector<double> sorted = shares;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(b, sorted[1980 - 1]);  // ceil(2000 x 0.99)
    double sum = 0;
    for (const double s : shares) sum += s;
    EXPECT_NEAR(base["mean_reversal_share"].get<double>(), sum / 2000, 1e-15);
    EXPECT_NEAR(base["buffer_tco2e"].get<double>(), b * 100'000, 1e-6);
    EXPECT_NEAR(base["buffer_credits_tco2e"].get<double>(), b * 50'000, 1e-6);
}

TEST(ProductBuffer, DecoderNamesEveryBadField) {
    const auto d = decode_buffer(json::parse(R"({
        "holding": {"id": "h", "region": "35", "forest_type": "chinese_fir", "area_ha": 1, "age_years": 1, "colour": "red"},
        "alpha": 1, "horizon_years": 0, "buffer_share": 1.5, "simulation": {"paths": 1, "years": 5}})"));
    EXPECT_EQ(pointers(d.problems), (std::set<std::string>{"/holding/colour", "/alpha", "/horizon_years", "/buffer_share",
                                                           "/simulation/paths", "/simulation/years"}));
    EXPECT_EQ(pointers(decode_buffer(json::parse("{}")).problems), (std::set<std::string>{"/holdings"}));
    const auto big = decode_buffer(json::parse(buffer_body), {.max_simulated_years = 1000});
    EXPECT_EQ(pointers(big.problems), (std::set<std::string>{"/simulation/paths"}));
}

// ---- burning cost by hand -----------------------------------------------------------------------

// Three made-up fire years of a province with 1,000,000 ha of forest; trends -0.1 (counts) and
// -0.05 (area per fire) a year, fitted on 2004-2006: a 2010 policy is adjusted to 2006 (the trend
// is held flat after the data). A 1,000 ha holding (share 1e-3) at 100 tCO2e/ha, loss fraction
// 0.6, per tonne at 20 CNY: payout_y = D_y e^{-0.15 (2006 - y)} 1e-3 x 100 x 0.6 x 20.
TEST(ProductBurningCost, ReplayByHand) {
    const auto d = decode_burning_cost(json::parse(R"({
        "holding": {"id": "h", "region": "350802", "forest_type": "chinese_fir", "area_ha": 1000, "age_years": 20},
        "cover": {"form": "per_tonne", "price_cny_per_tco2e": 20}, "policy_year": 2010})"));
    ASSERT_TRUE(d.value);
    BurningCostInputs in;
    in.province = "35";
    in.province_forest_area_ha = 1e6;
    in.trend = {.counts_trend_per_year = -0.1, .burned_area_trend_per_year = -0.05, .first_year = 2004, .last_year = 2006};
    in.stock_tco2e_per_ha = 100;
    in.loss_fraction = 0.6;
    in.history = {{.region = "35", .year = 2006, .forest_damaged_ha = 2000},
                  {.region = "35", .year = 2004, .forest_damaged_ha = 4000},
                  {.region = "35", .year = 2005, .forest_damaged_ha = 3000}};
    const auto r = compute_burning_cost(*d.value, in, "m-test");
    const double payout[] = {4000 * std::exp(-0.3) * 1e-3 * 100 * 0.6 * 20, 3000 * std::exp(-0.15) * 1e-3 * 100 * 0.6 * 20,
                             2000 * 1e-3 * 100 * 0.6 * 20};
    ASSERT_EQ(r["history"].size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(r["history"][i]["year"], 2004 + static_cast<int>(i));
        EXPECT_NEAR(r["history"][i]["payout_cny"].get<double>(), payout[i], 1e-9);
    }
    const double mean = (payout[0] + payout[1] + payout[2]) / 3;
    EXPECT_NEAR(r["burning_cost_cny"].get<double>(), mean, 1e-9);
    double ss = 0;
    for (const double p : payout) ss += (p - mean) * (p - mean);
    EXPECT_NEAR(r["burning_cost_se_cny"].get<double>(), std::sqrt(ss / 2 / 3), 1e-9);
    EXPECT_EQ(r["trend"]["adjusted_to_year"], 2006);
    EXPECT_NEAR(r["sum_insured_cny"].get<double>(), 1000 * 100 * 20, 1e-6);
    EXPECT_EQ(r["probability_of_payout"], 1.0);

    // A linear cover on the loss ratio; a huge year burns at most the holding.
    auto linear = *d.value;
    linear.form = BurningCostForm::linear;
    linear.sum_insured_cny = 1e6;
    linear.trigger = 0.0;
    linear.exit = 0.5;
    in.history.push_back({.region = "35", .year = 2003, .forest_damaged_ha = 1e12});
    const auto l = compute_burning_cost(linear, in, "m-test");
    EXPECT_EQ(l["history"][0]["holding_burned_ha"], 1000.0);
    // Loss ratio 0.6 (all burned x fraction 0.6) is past the exit: the full sum insured.
    EXPECT_EQ(l["history"][0]["payout_cny"], 1e6);
    EXPECT_NEAR(l["history"][3]["payout_cny"].get<double>(), 1e6 * (2000 * 1e-3 * 0.6 / 1000) / 0.5, 1e-6);
}

TEST(ProductBurningCost, DecoderNamesEveryBadField) {
    const auto d = decode_burning_cost(json::parse(R"({
        "holding": {"id": "h", "region": "35", "forest_type": "chinese_fir", "area_ha": 1, "age_years": 1},
        "cover": {"form": "per_tonne", "price_cny_per_tco2e": 0, "trigger": 0.1},
        "policy_year": 1800, "from_year": 2010, "to_year": 2005, "x": 1})"));
    EXPECT_EQ(pointers(d.problems), (std::set<std::string>{"/cover/price_cny_per_tco2e", "/cover/trigger", "/policy_year",
                                                           "/from_year", "/x"}));
    EXPECT_EQ(pointers(decode_burning_cost(json::parse(R"({"cover": {"form": "linear", "trigger": 0.5, "exit": 0.2,
        "sum_insured_cny": 5}})")).problems),
              (std::set<std::string>{"/holding", "/cover/exit"}));
}

// ---- end to end on the shipped data: store, calibration, model cache ----------------------------

class ProductsOnShippedData : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        if (!std::filesystem::exists(testing::historical_dir())) return;
        dir_ = new testing::TempDir;
        // ctest's calibrated database when there is one (tests/api/calibrated_fixture.hpp), else
        // the store imports data/historical and the model cache calibrates on first use.
        testing::copy_calibrated_fixture(*dir_ / "products.db");
        store_ = new data::Store(*dir_ / "products.db", {.historical_dir = testing::historical_dir()});
        models_ = new ModelCache;
    }
    static void TearDownTestSuite() {
        delete models_;
        delete store_;
        delete dir_;
    }
    void SetUp() override {
        if (!store_) GTEST_SKIP() << "data/historical is not there";
    }
    static EndpointContext context() { return {[]() -> data::Store& { return *store_; }, *models_, {}}; }
    static testing::TempDir* dir_;
    static data::Store* store_;
    static ModelCache* models_;
};
testing::TempDir* ProductsOnShippedData::dir_ = nullptr;
data::Store* ProductsOnShippedData::store_ = nullptr;
ModelCache* ProductsOnShippedData::models_ = nullptr;

// With the attachment at 0 and a limit above every event, the per-occurrence layer pays every
// event in full: its expected loss is the portfolio's; the aggregate layer 0 xs limit likewise.
TEST_F(ProductsOnShippedData, SimulatedLayerWithoutRetentionPaysTheWholeLoss) {
    const json holdings = json::parse(R"([
        {"id": "a", "region": "350802", "forest_type": "chinese_fir", "area_ha": 2000, "age_years": 18},
        {"id": "b", "region": "350400", "forest_type": "masson_pine", "area_ha": 1200, "age_years": 25}])");
    for (const char* basis : {"occurrence", "aggregate"}) {
        SCOPED_TRACE(basis);
        const json body{{"holdings", holdings}, {"price_cny_per_tco2e", 20}, {"simulation", {{"years", 20000}, {"seed", 3}}},
                        {"layer", {{"basis", basis}, {"attachment_cny", 0}, {"limit_cny", 1e12}}}};
        const auto o = handle_layer(body, context());
        ASSERT_TRUE(o.response) << problem_body(*o.problem);
        const auto& r = *o.response;
        EXPECT_NEAR(r["expected_layer_loss_cny"].get<double>(), r["expected_subject_loss_cny"].get<double>(),
                    1e-9 * r["expected_subject_loss_cny"].get<double>());
        EXPECT_GT(r["expected_subject_loss_cny"].get<double>(), 0);
        EXPECT_EQ(r["probability_of_exhausting"], 0.0);
        EXPECT_EQ(r["years"], 20000);
        EXPECT_EQ(o.simulated_years, 20000u);
        EXPECT_EQ(r["model_version"], models_->current(*store_).version);
    }
}

TEST_F(ProductsOnShippedData, DamageOnTheCalibratedModel) {
    const json body = json::parse(R"({"region": "350802", "forest_type": "chinese_fir", "age_years": 18,
        "damaged_area_ha": 10, "damage_date": "2023-03-15", "market": "FJEA"})");
    const auto o = handle_damage(body, context());
    ASSERT_TRUE(o.response) << problem_body(*o.problem);
    const auto& r = *o.response;
    EXPECT_GT(r["total_tco2e"].get<double>(), r["stock_lost_tco2e"].get<double>());
    EXPECT_LT(r["replacement_cost_range_cny"]["0.05"].get<double>(), r["replacement_cost_cny"].get<double>());
    EXPECT_GT(r["replacement_cost_range_cny"]["0.95"].get<double>(), r["replacement_cost_cny"].get<double>());
    // A market the store does not know, and one quoted in euros, are 422s naming /market.
    json unknown = body;
    unknown["market"] = "NOPE";
    const auto u = handle_damage(unknown, context());
    ASSERT_TRUE(u.problem);
    EXPECT_EQ(u.problem->status, 422);
    EXPECT_EQ(pointers(u), (std::set<std::string>{"/market"}));
    json euros = body;
    euros["market"] = "EUA";
    const auto eu = handle_damage(euros, context());
    ASSERT_TRUE(eu.problem);
    EXPECT_EQ(pointers(eu), (std::set<std::string>{"/market"}));
    // Decode problems are 400s.
    const auto bad = handle_damage(json{{"market", 3}}, context());
    ASSERT_TRUE(bad.problem);
    EXPECT_EQ(bad.problem->status, 400);
}

// The replay uses the fire calibration's trends: each year's factor is exp(total trend x
// (adjusted year - year)), the adjusted year the calibration's last data year for a later policy.
TEST_F(ProductsOnShippedData, BurningCostUsesTheCalibrationsTrend) {
    const json body = json::parse(R"({
        "holding": {"id": "h", "region": "350802", "forest_type": "chinese_fir", "area_ha": 2000, "age_years": 18},
        "cover": {"form": "per_tonne", "price_cny_per_tco2e": 20}, "policy_year": 2100})");
    const auto o = handle_burning_cost(body, context());
    ASSERT_TRUE(o.response) << problem_body(*o.problem);
    const auto& r = *o.response;
    const auto version = model_version(*store_, models_->current(*store_).version);
    ASSERT_TRUE(version);
    const Calibration* fire = nullptr;
    for (const auto& c : version->calibrations)
        if (c.family == "fire" && c.scope == "35") fire = &c;
    ASSERT_NE(fire, nullptr);
    const int last = std::stoi(fire->report["counts"]["data_to"].get<std::string>());
    EXPECT_EQ(r["trend"]["adjusted_to_year"], last);
    const double b = r["trend"]["total_trend_per_year"];
    EXPECT_GE(r["years"].get<int>(), 5);
    double sum = 0;
    for (const auto& y : r["history"]) {
        EXPECT_NEAR(y["trend_factor"].get<double>(), std::exp(b * (last - y["year"].get<int>())), 1e-12);
        sum += y["payout_cny"].get<double>();
    }
    EXPECT_NEAR(r["burning_cost_cny"].get<double>(), sum / static_cast<double>(r["history"].size()), 1e-9);
    // A region without a fire calibration.
    json nowhere = body;
    nowhere["holding"]["region"] = "99";
    const auto n = handle_burning_cost(nowhere, context());
    ASSERT_TRUE(n.problem);
    EXPECT_EQ(n.problem->status, 422);
    EXPECT_EQ(pointers(n), (std::set<std::string>{"/holding/region"}));
}

TEST_F(ProductsOnShippedData, BufferOnOneHoldingNamesItAsGiven) {
    const json body = json::parse(R"({"holding": {"id": "h", "region": "350802", "forest_type": "masson_pine",
        "area_ha": 500, "age_years": 25}, "horizon_years": 20, "simulation": {"paths": 500, "seed": 2}})");
    const auto o = handle_buffer(body, context());
    ASSERT_TRUE(o.response) << problem_body(*o.problem);
    EXPECT_EQ(o.simulated_years, 10'000u);
    EXPECT_GE((*o.response)["buffer_share"].get<double>(), (*o.response)["mean_reversal_share"].get<double>());
    json empty = body;
    empty["holding"]["carbon_stock_tco2e_per_ha"] = 0;
    const auto e = handle_buffer(empty, context());
    ASSERT_TRUE(e.problem);
    EXPECT_EQ(e.problem->status, 422);
}

// ---- the registry and the routes -------------------------------------------------------------------

// The registry is the only list: one line per endpoint, each with its own route and command.
TEST(ProductEndpoints, RegistryLinesAreDistinctRoutesAndCommands) {
    std::set<std::string_view> names, paths, commands;
    for (const Endpoint& e : endpoints()) {
        SCOPED_TRACE(e.name);
        EXPECT_TRUE(names.insert(e.name).second);
        EXPECT_TRUE(paths.insert(e.path).second);
        EXPECT_TRUE(commands.insert(e.command).second);
        EXPECT_EQ(e.path.rfind("/v1/", 0), 0u);
        EXPECT_FALSE(e.help.empty());
        EXPECT_NE(e.handle, nullptr);
    }
    EXPECT_EQ(commands, (std::set<std::string_view>{"credibility", "metrics", "layer", "damage", "buffer", "burning-cost"}));
}

TEST(ProductRoutes, ServedWithTheirRolesAndProblems) {
    const auto models = std::make_shared<ModelCache>();
    NewKey underwriter, actuary;
    tanhui::testing::TestServer srv([&](tanhui::testing::TestServer::Setup& s) {
        s.service_routes = false;
        s.extra = {[models](Router& router, ServiceContext& ctx) { register_product_routes(router, ctx, models); }};
        s.database = [&](const std::filesystem::path& db) {
            underwriter = tanhui::testing::add_key(db, Role::underwriter, "u");
            actuary = tanhui::testing::add_key(db, Role::actuary, "a");
        };
    });
    std::map<std::string, Role> roles;
    for (const RouteInfo& r : srv.server().router().list())
        if (r.method == "POST") roles[r.pattern] = r.role;
    EXPECT_EQ(roles, (std::map<std::string, Role>{{"/v1/experience/credibility", Role::actuary},
                                                  {"/v1/risk/metrics", Role::actuary},
                                                  {"/v1/reinsurance/layer", Role::actuary},
                                                  {"/v1/risk/buffer", Role::actuary},
                                                  {"/v1/experience/burning-cost", Role::actuary},
                                                  {"/v1/valuations/damage", Role::underwriter}}));
    for (const Endpoint& e : endpoints()) EXPECT_EQ(roles.at(std::string(e.path)), e.role) << e.name;
    const auto as = [](const NewKey& k) { return std::vector<std::pair<std::string, std::string>>{{"Authorization", "Bearer " + k.key}}; };
    auto c = srv.client();
    const std::string cred = R"({"groups": [{"id": "1", "ratios": [1.0, 3.0, 2.0], "weights": [1, 1, 2]},
        {"id": "2", "ratios": [0.0, 4.0, 2.0], "weights": [2, 2, 1]}, {"id": "3", "ratios": [2.5, 1.5, 2.2], "weights": [1, 3, 1]}]})";
    auto r = c.post("/v1/experience/credibility", cred, "application/json", as(actuary));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.body, credibility(json::parse(cred)).response->dump());
    r = c.post("/v1/risk/metrics", hand_table, "application/json", as(actuary));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()["aal"], 22.1);
    for (const char* route : {"/v1/experience/credibility", "/v1/risk/metrics", "/v1/reinsurance/layer", "/v1/risk/buffer",
                              "/v1/experience/burning-cost"})
        tanhui::testing::expect_problem(c.post(route, "{}", "application/json", as(underwriter)), 403);
    // An underwriter may value damage: the empty request gets past the role to its 400.
    tanhui::testing::expect_problem(c.post("/v1/valuations/damage", "{}", "application/json", as(underwriter)), 400, "/region");
    tanhui::testing::expect_problem(c.post("/v1/risk/metrics", R"({"years": 3, "losses": [], "x": 1})", "application/json",
                                           as(actuary)),
                                    400, "/x");
    tanhui::testing::expect_problem(c.post("/v1/risk/metrics?years=3", hand_table, "application/json", as(actuary)), 400,
                                    "/query/years");
    tanhui::testing::expect_problem(c.post("/v1/experience/credibility", "[1,", "application/json", as(actuary)), 400, "");
}

}  // namespace
}  // namespace tanhui::api
