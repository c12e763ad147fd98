// JSON <-> risk::Value without loss: what every stored calibration and every peril override
// crosses. The model version is a hash over the calibrations' JSON text, so the round trip must
// give the same text, number kinds and key order included.
#include "api/json/value.hpp"
#include "tests/paths.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <iterator>

namespace tanhui::api {
namespace {

TEST(JsonValue, RoundTripKeepsTheTextAndTheNumberKinds) {
    const auto j = nlohmann::json::parse(R"({"b": [1, -2, 3.0, 1e300, 0.1, 18446744073709551615, true, null, "inf"],
                                              "a": {"z": {}, "y": [], "x": "text"}, "B": 2.5e-7})");
    const risk::Value v = to_value(j);
    EXPECT_EQ(v.at("b").as_list()[0].kind(), risk::Value::Kind::unsigned_integer);  // nlohmann reads 1 as unsigned
    EXPECT_EQ(v.at("b").as_list()[1].kind(), risk::Value::Kind::integer);
    EXPECT_EQ(v.at("b").as_list()[2].kind(), risk::Value::Kind::real);
    EXPECT_EQ(v.at("b").as_list()[5].as_unsigned(), 18446744073709551615ull);
    const nlohmann::json back = to_json(v);
    EXPECT_EQ(back.dump(), j.dump());
    EXPECT_EQ(back, j);
    EXPECT_EQ(back["b"][1].type(), nlohmann::json::value_t::number_integer);
    EXPECT_EQ(back["b"][0].type(), nlohmann::json::value_t::number_unsigned);
}

// Values made in C++ dump as nlohmann dumps the same C++ values (what calibration wrote before
// it moved to risk/): int and size_t, doubles, NaN and infinity (null).
TEST(JsonValue, ValuesDumpAsTheSameCppValuesWould) {
    risk::Value v;
    v["rows"] = std::size_t{14};
    v["year"] = 2021;
    v["mean"] = 35.83;
    v["nan"] = std::nan("");
    v["inf"] = INFINITY;
    v["special"] = risk::real_or_special(INFINITY);
    v["years"] = std::vector<int>{2004, 2005};
    nlohmann::json j;
    j["rows"] = std::size_t{14};
    j["year"] = 2021;
    j["mean"] = 35.83;
    j["nan"] = std::nan("");
    j["inf"] = INFINITY;
    j["special"] = "inf";
    j["years"] = std::vector<int>{2004, 2005};
    EXPECT_EQ(to_json(v).dump(), j.dump());
}

// The calibrations of the golden model version (tests/golden/expected/model.json) survive the trip.
TEST(JsonValue, TheGoldenModelSurvives) {
    std::ifstream in(std::string(TANHUI_SOURCE_DIR) + "/tests/golden/expected/model.json");
    ASSERT_TRUE(in) << "tests/golden/expected/model.json";
    const auto j = nlohmann::json::parse(std::string(std::istreambuf_iterator<char>(in), {}));
    EXPECT_EQ(to_json(to_value(j)).dump(), j.dump());
}

}  // namespace
}  // namespace tanhui::api
