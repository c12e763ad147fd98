// The peril registry (risk/perils/registry.hpp) is the only list of perils (issue 15, item 3):
// every peril enum of api/openapi.yaml, the CLI's calibrate choices and the request decoders
// agree with it.
#include "api/json/quote_request.hpp"
#include "api/service/calibration.hpp"
#include "risk/perils/registry.hpp"
#include "tests/paths.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace tanhui::api {
namespace {

struct YamlEnum {
    std::size_t line = 0;
    std::string text;  // the whole line
    std::vector<std::string> items;
};

// Every "enum: [a, b, c]" of api/openapi.yaml, with its line.
std::vector<YamlEnum> openapi_enums() {
    std::ifstream in(std::string(TANHUI_SOURCE_DIR) + "/api/openapi.yaml");
    std::vector<YamlEnum> out;
    std::string line;
    for (std::size_t n = 1; std::getline(in, line); ++n) {
        const auto open = line.find("enum: ["), close = line.find(']', open);
        if (open == std::string::npos || close == std::string::npos) continue;
        YamlEnum e{n, line, {}};
        std::stringstream list(line.substr(open + 7, close - open - 7));
        for (std::string item; std::getline(list, item, ',');) {
            const auto b = item.find_first_not_of(' '), last = item.find_last_not_of(' ');
            e.items.push_back(item.substr(b, last - b + 1));
        }
        out.push_back(std::move(e));
    }
    return out;
}

bool names_a_peril(const YamlEnum& e) {
    for (const auto& item : e.items)
        if (risk::find_peril(item)) return true;
    return false;
}

// An enum that names a peril is one of three lists: the calibration choices (it has "all"), the
// perils with a history (the history path's {kind}) or every peril (requests' "perils").
TEST(PerilRegistry, EveryPerilEnumOfTheOpenApiIsTheRegistry) {
    std::size_t checked = 0;
    for (const YamlEnum& e : openapi_enums()) {
        if (!names_a_peril(e)) continue;
        SCOPED_TRACE("api/openapi.yaml line " + std::to_string(e.line) + ": " + e.text);
        if (e.items.front() == "all") EXPECT_EQ(e.items, calibration_choices());
        else if (e.text.find("name: kind") != std::string::npos) EXPECT_EQ(e.items, risk::history_peril_names());
        else EXPECT_EQ(e.items, risk::peril_names());
        ++checked;
    }
    EXPECT_GE(checked, 5u);  // history path, calibration, portfolio, layer and buffer perils
}

TEST(PerilRegistry, CalibrationChoicesAreTheRegistrysPerilsThenPriceAndGrowth) {
    std::vector<std::string> want{"all"};
    for (const auto& e : risk::peril_registry())
        if (e.calibrate) want.emplace_back(e.name);
    want.insert(want.end(), {"price", "growth"});
    EXPECT_EQ(calibration_choices(), want);
}

TEST(PerilRegistry, TheCliOffersTheChoices) {
    const std::string command = std::string(TANHUI_BINARY_DIR) + "/tanhui calibrate --help 2>&1";
    FILE* pipe = popen(command.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    std::string out;
    std::array<char, 4096> buf{};
    while (const std::size_t n = std::fread(buf.data(), 1, buf.size(), pipe)) out.append(buf.data(), n);
    pclose(pipe);
    const auto choices = calibration_choices();
    const std::vector<std::string> named(choices.begin() + 1, choices.end());
    EXPECT_NE(out.find(risk::join_names(named, ", ", false) + " or all"), std::string::npos) << out;
}

// The request decoders name the registry's perils and take its default cover.
TEST(PerilRegistry, TheDecodersReadIt) {
    const auto d = decode_quote(nlohmann::json::parse(R"({"product": "index_insurance",
        "policy": {"id": "x", "start": "2027-01-01"},
        "holdings": [{"id": "h", "region": "350802", "forest_type": "chinese_fir", "area_ha": 1, "age_years": 5}],
        "cover": {"perils": ["volcano"], "form": "per_tonne", "price_cny_per_tco2e": 1}})"));
    ASSERT_EQ(d.problems.size(), 1u);
    EXPECT_EQ(d.problems[0].pointer, "/cover/perils/0");
    EXPECT_EQ(d.problems[0].message, "must be " + risk::join_names(risk::peril_names(), " or ", true) + ", got \"volcano\"");

    std::vector<FieldProblem> problems;
    const nlohmann::json empty = nlohmann::json::object();
    ObjectReader r(empty, "", problems);
    EXPECT_EQ(decode_perils(r, problems, risk::default_perils()), risk::default_perils());
    EXPECT_TRUE(problems.empty());
}

}  // namespace
}  // namespace tanhui::api
