// Overrides that mean what they say (issue 15, item 8, the peril side): a partial "model"
// override replaces exactly the values it gives, and every other value stays the calibrated one,
// as a quote's model_used shows and its pure premium confirms against the compound mean.
#include "api/json/model_overrides.hpp"
#include "api/json/quote_request.hpp"
#include "api/products/quote_engine.hpp"
#include "risk/perils/fire.hpp"
#include "risk/perils/pest.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace tanhui::api {
namespace {

using nlohmann::json;

// A made-up calibration (not the shipped one): Fujian fire at 1e-4 fires per ha-year, lognormal
// burned area (mu 3, sigma 1, no tail), chinese_fir loss fraction 0.35, no year factor; pests with
// probability 0.04, Beta(2, 8) affected share, mortality 0.05 (the shipped general mortality).
const risk::Model& calibrated() {
    static const risk::Model m = [] {
        risk::Model model;
        model.version = "m-test";
        risk::FireModel fire;
        fire.rate_per_ha_year = 1e-4;
        fire.burned_area = {.mu = 3, .sigma = 1};
        fire.loss_fraction[risk::index(ForestType::chinese_fir)] = 0.35;
        risk::add_fire_model(model, "35", fire);
        risk::PestModel pest;
        pest.probability_per_year.fill(0.04);
        pest.mortality.fill(0.05);
        risk::set_pest_model(model, pest);
        return model;
    }();
    return m;
}

// 1,000 ha of chinese_fir at 100 tCO2e/ha, 1 CNY a tonne without deductible or binding limit:
// the pure premium is the expected loss in tCO2e.
json request(const json& perils, const json& model) {
    json j = json::parse(R"({
      "product": "index_insurance",
      "policy": {"id": "O-1", "start": "2027-01-01", "term_months": 12},
      "holdings": [{"id": "h1", "region": "350802", "forest_type": "chinese_fir", "area_ha": 1000, "age_years": 18}],
      "cover": {"form": "per_tonne", "price_cny_per_tco2e": 1, "deductible_tco2e": 0, "limit_cny": 1e12},
      "premium": {"principle": "expected_value", "parameter": 0},
      "simulation": {"years": 200000, "seed": 17}
    })");
    j["cover"]["perils"] = perils;
    j["model"] = model;
    j["model"]["carbon"] = {{"stock_tco2e_per_ha", 100}};
    return j;
}

json quote(const json& j) {
    const auto d = decode_quote(j);
    EXPECT_TRUE(d.problems.empty()) << (d.problems.empty() ? "" : d.problems[0].pointer + ": " + d.problems[0].message);
    return compute_quote(*d.value, {&calibrated(), "m-test", 2});
}

void expect_premium(const json& r, double expected) {
    EXPECT_NEAR(r["pure_premium_cny"].get<double>(), expected, 4 * r["pure_premium_se_cny"].get<double>()) << r.dump();
}

// fire.frequency alone: that many fires a year; the burned area and loss fraction stay the
// province's calibrated ones (before: a missing loss_fraction became 0.6).
TEST(PartialOverride, FireFrequencyAloneKeepsTheCalibratedSeverity) {
    const json r = quote(request({"fire"}, {{"fire", {{"frequency", {{"rate_per_year", 0.5}}}}}}));
    const json used = r["model_used"]["perils"]["fire"][0];
    EXPECT_EQ(used["frequency"]["rate_per_year"], 0.5);
    EXPECT_FALSE(used["frequency"].contains("year_factor_shape"));  // no weather factor on it
    EXPECT_EQ(used["burned_area_ha"]["mu"], 3.0);
    EXPECT_EQ(used["loss_fraction"], 0.35);
    expect_premium(r, 0.5 * std::exp(3.5) * 100 * 0.35);
}

TEST(PartialOverride, FireLossFractionAloneKeepsTheCalibratedFrequency) {
    const json r = quote(request({"fire"}, {{"fire", {{"loss_fraction", 0.8}}}}));
    const json used = r["model_used"]["perils"]["fire"][0];
    EXPECT_EQ(used["frequency"]["rate_per_ha_year"], 1e-4);
    EXPECT_EQ(used["burned_area_ha"]["sigma"], 1.0);
    EXPECT_EQ(used["loss_fraction"], 0.8);
    expect_premium(r, 1e-4 * 1000 * std::exp(3.5) * 100 * 0.8);
}

TEST(PartialOverride, FireBurnedAreaAloneKeepsTheRest) {
    const json r = quote(request({"fire"}, {{"fire", {{"burned_area_ha", {{"mu", 2.0}, {"sigma", 0.5}}}}}}));
    const json used = r["model_used"]["perils"]["fire"][0];
    EXPECT_EQ(used["burned_area_ha"]["mu"], 2.0);
    EXPECT_EQ(used["frequency"]["rate_per_ha_year"], 1e-4);
    EXPECT_EQ(used["loss_fraction"], 0.35);
    expect_premium(r, 1e-4 * 1000 * std::exp(2.125) * 100 * 0.35);
}

// pest.probability_per_year alone: mortality stays the calibrated 0.05 (before: 0.5, a tenfold
// premium) and the affected share the calibrated Beta(2, 8).
TEST(PartialOverride, PestProbabilityAloneKeepsTheCalibratedMortality) {
    const json r = quote(request({"pest"}, {{"pest", {{"probability_per_year", 0.3}}}}));
    const json used = r["model_used"]["perils"]["pest"][0];
    EXPECT_EQ(used["probability_per_year"], 0.3);
    EXPECT_EQ(used["mortality"], 0.05);
    EXPECT_EQ(used["affected_fraction"]["a"], 2.0);
    EXPECT_EQ(used["weather_elasticity"], 0.0);
    expect_premium(r, 0.3 * 0.2 * 1000 * 100 * 0.05);
}

TEST(PartialOverride, PestMortalityAloneKeepsTheCalibratedProbability) {
    const json r = quote(request({"pest"}, {{"pest", {{"mortality", 0.5}}}}));
    const json used = r["model_used"]["perils"]["pest"][0];
    EXPECT_EQ(used["probability_per_year"], 0.04);
    EXPECT_EQ(used["mortality"], 0.5);
    expect_premium(r, 0.04 * 0.2 * 1000 * 100 * 0.5);
}

TEST(PartialOverride, PestAffectedFractionAloneKeepsTheRest) {
    const json r = quote(request({"pest"}, {{"pest", {{"affected_fraction", {{"distribution", "beta"}, {"a", 1}, {"b", 1}}}}}}));
    const json used = r["model_used"]["perils"]["pest"][0];
    EXPECT_EQ(used["affected_fraction"]["b"], 1.0);
    EXPECT_EQ(used["probability_per_year"], 0.04);
    EXPECT_EQ(used["mortality"], 0.05);
    expect_premium(r, 0.04 * 0.5 * 1000 * 100 * 0.05);
}

// An empty block overrides nothing: the same bits as no block.
TEST(PartialOverride, AnEmptyBlockChangesNothing) {
    json plain = request({"fire", "pest"}, json::object());
    json empty = request({"fire", "pest"}, {{"fire", json::object()}, {"pest", json::object()}});
    plain["simulation"]["years"] = empty["simulation"]["years"] = 20000;
    EXPECT_EQ(quote(plain)["pure_premium_cny"].dump(), quote(empty)["pure_premium_cny"].dump());
}

// Every peril block is decoded by its registry entry, with the request decoder's messages.
TEST(PartialOverride, BadFieldsAreNamedUnderModel) {
    json j = request({"fire"}, {{"fire", {{"frequency", {{"rate_per_year", -1}}}}}, {"pest", 3}, {"volcano", {}}});
    const auto d = decode_quote(j);
    ASSERT_EQ(d.problems.size(), 3u);
    EXPECT_EQ(d.problems[0].pointer, "/model/fire/frequency/rate_per_year");
    EXPECT_EQ(d.problems[1].pointer, "/model/pest");
    EXPECT_EQ(d.problems[1].message, "must be an object, got a number");
    EXPECT_EQ(d.problems[2].pointer, "/model/volcano");
    EXPECT_EQ(d.problems[2].message, "unknown field");
}

}  // namespace
}  // namespace tanhui::api
