// ORD table formats (api/batch/ord_csv.hpp): headers as golden text, shortest round-trip numbers,
// JSON numbers, and files that appear only complete.
#include "api/batch/ord_csv.hpp"

#include "tests/data/test_db.hpp"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <iterator>
#include <random>

namespace tanhui::api {
namespace {

namespace fs = std::filesystem;
using tanhui::testing::TempDir;

std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

// DESIGN.md "Risk metrics", the ORD table headers, copied character for character (they are the
// headers Oasis ktools writes: summarycalctocsv / eltcalc / pltcalc / aalcalc / leccalc -O).
constexpr const char* design_selt = "EventId,SummaryId,SampleId,Loss,ImpactedExposure";
constexpr const char* design_splt =
    "Period,PeriodWeight,EventId,Year,Month,Day,Hour,Minute,SummaryId,SampleId,Loss,ImpactedExposure";
constexpr const char* design_alt = "SummaryId,SampleType,MeanLoss,SDLoss";
constexpr const char* design_alct =
    "SummaryId,MeanLoss,SDLoss,SampleSize,LowerCI,UpperCI,StandardError,RelativeError,VarElementHaz,StandardErrorHaz,"
    "RelativeErrorHaz,VarElementVuln,StandardErrorVuln,RelativeErrorVuln";
constexpr const char* design_ept = "SummaryId,EPCalc,EPType,ReturnPeriod,Loss";

TEST(OrdCsv, HeadersAreDesignsByteForByte) {
    TempDir dir;
    const std::vector<OrdOccurrence> rows{{1, 10.5, 100}, {3, 2, 50}};
    write_selt(dir / "selt.csv", rows);
    write_splt(dir / "splt.csv", rows, 4);
    EXPECT_EQ(first_line(read(dir / "selt.csv")), design_selt);
    EXPECT_EQ(first_line(read(dir / "splt.csv")), design_splt);
    EXPECT_EQ(first_line(alt_csv({})), design_alt);
    EXPECT_EQ(first_line(alct_csv({})), design_alct);
    EXPECT_EQ(first_line(ept_csv({})), design_ept);
    // And the whole small tables, as text.
    EXPECT_EQ(read(dir / "selt.csv"), std::string(design_selt) + "\n1,1,1,10.5,100\n3,1,1,2,50\n");
    EXPECT_EQ(read(dir / "splt.csv"), std::string(design_splt) + "\n1,0.25,1,1,0,0,0,0,1,1,10.5,100\n3,0.25,3,3,0,0,0,0,1,1,2,50\n");
    const risk::EptRow ept[] = {{1, 2, 3, 100, 1234.5}, {1, 2, 4, 100, 2000}};
    EXPECT_EQ(ept_csv(ept), std::string(design_ept) + "\n1,2,3,100,1234.5\n1,2,4,100,2000\n");
    EXPECT_EQ(alt_csv({1, 2, 0.1, 3}), std::string(design_alt) + "\n1,2,0.1,3\n");
    const risk::AlctRow alct{1, 12.5, 40, 10000, 11.716, 13.284, 0.4, 0.032, 0, 0, 0, 0, 0, 0};
    EXPECT_EQ(alct_csv(alct), std::string(design_alct) + "\n1,12.5,40,10000,11.716,13.284,0.4,0.032,0,0,0,0,0,0\n");
}

double read_back(const std::string& s) {
    double v = 0;
    std::from_chars(s.data(), s.data() + s.size(), v);  // strtod would flag a subnormal as a range error
    return v;
}

// Numbers in CSV are plain decimal (issue 18: a spreadsheet or an actuary's script must not meet
// 1e-05), the shortest such text that reads back as the same double.
TEST(OrdCsv, NumbersArePlainDecimalAndRoundTrip) {
    EXPECT_EQ(format_number(0.1), "0.1");
    EXPECT_EQ(format_number(100), "100");
    EXPECT_EQ(format_number(-0.0), "0");
    EXPECT_EQ(format_number(1.0 / 3), "0.3333333333333333");
    EXPECT_EQ(format_number(5e-5), "0.00005");
    EXPECT_EQ(format_number(1e-5), "0.00001");
    EXPECT_EQ(format_number(1.5e7), "15000000");
    EXPECT_EQ(format_number(1e22), "10000000000000000000000");
    EXPECT_EQ(format_number(-2.5e-10), "-0.00000000025");
    EXPECT_THROW(format_number(NAN), std::domain_error);
    for (const double extreme : {std::numeric_limits<double>::max(), std::numeric_limits<double>::denorm_min(),
                                 -std::numeric_limits<double>::min()}) {
        const std::string s = format_number(extreme);
        EXPECT_EQ(s.find_first_of("eE"), std::string::npos) << s;
        EXPECT_EQ(read_back(s), extreme);
    }
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> u(-1e9, 1e9);
    for (int i = 0; i < 10'000; ++i) {
        const double v = u(rng) * std::pow(10.0, double(int(rng() % 40)) - 20);
        const std::string s = format_number(v);
        EXPECT_EQ(s.find_first_of("eE"), std::string::npos) << s;
        EXPECT_EQ(read_back(s), v);
    }
}

TEST(OrdCsv, JsonNumbersReadBackExactly) {
    nlohmann::ordered_json j;
    j["b"] = 0.1 + 0.2;
    j["a"] = {1, 2.5, -3e-300};
    j["s"] = "tCO2e \"q\"";
    j["inf"] = INFINITY;
    const std::string text = dump_json(j);
    EXPECT_EQ(text, "{\n  \"b\": 0.30000000000000004,\n  \"a\": [\n    1,\n    2.5,\n    -3e-300\n  ],\n"
                    "  \"s\": \"tCO2e \\\"q\\\"\",\n  \"inf\": null\n}");
    const auto back = nlohmann::json::parse(text);
    EXPECT_EQ(back["b"].get<double>(), 0.1 + 0.2);
    EXPECT_EQ(back["a"][2].get<double>(), -3e-300);
    EXPECT_EQ(dump_json(nlohmann::json::object(), -1), "{}");
}

TEST(OrdCsv, AtomicFileAppearsOnlyWhenCommitted) {
    TempDir dir;
    {
        AtomicFile f(dir / "a.csv");
        f.write("half");
        EXPECT_FALSE(fs::exists(dir / "a.csv"));
    }  // no commit: nothing under the name, no temporary left
    EXPECT_FALSE(fs::exists(dir / "a.csv"));
    EXPECT_TRUE(fs::is_empty(dir.path()));
    write_file_atomic(dir / "a.csv", "whole\n");
    EXPECT_EQ(read(dir / "a.csv"), "whole\n");
    EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator{}), 1);
}

TEST(OrdCsv, YearLossTableNumbersEveryYear) {
    TempDir dir;
    const double losses[] = {0, 1.5, 0};
    write_ylt(dir / "ylt.csv", losses);
    EXPECT_EQ(read(dir / "ylt.csv"), "year,loss\n1,0\n2,1.5\n3,0\n");
}

}  // namespace
}  // namespace tanhui::api
