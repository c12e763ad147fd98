// The command line as a user meets it (issue 15, item 9): global options after the subcommand,
// and exit 2 for every invalid input (CLI11's own parse errors and a bad import included).
#include "tests/data/test_db.hpp"
#include "tests/paths.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/wait.h>

namespace {

namespace fs = std::filesystem;
using tanhui::testing::TempDir;

struct Outcome {
    int status = -1;
    std::string out;  // stdout and stderr together
};

Outcome tanhui(const std::string& args) {
    const std::string command = std::string(TANHUI_BINARY_DIR) + "/tanhui " + args + " 2>&1";
    Outcome r;
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe) return r;
    std::array<char, 4096> buf{};
    while (const std::size_t n = std::fread(buf.data(), 1, buf.size(), pipe)) r.out.append(buf.data(), n);
    const int status = pclose(pipe);
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

class Cli : public ::testing::Test {
protected:
    static void SetUpTestSuite() { dir_ = new TempDir(); }
    static void TearDownTestSuite() { delete dir_; }
    static std::string path(const std::string& name) { return (dir_->path() / name).string(); }
    static TempDir* dir_;
};
TempDir* Cli::dir_ = nullptr;

TEST_F(Cli, GlobalOptionsWorkAfterTheSubcommand) {
    const std::string db = path("after.db");
    const Outcome r = tanhui("data list --json --db " + db);
    EXPECT_EQ(r.status, 0) << r.out;
    EXPECT_TRUE(fs::exists(db)) << r.out;
    EXPECT_NE(r.out.find("\"markets\""), std::string::npos) << r.out;
    // Nested subcommands fall through to the app as well.
    const Outcome prices = tanhui("data prices FJEA --from 2016-12-22 --to 2016-12-23 --db " + db);
    EXPECT_EQ(prices.status, 0) << prices.out;
    EXPECT_NE(prices.out.find("2016-12-22,34.88,"), std::string::npos) << prices.out;
}

TEST_F(Cli, HelpAndVersionExitZero) {
    EXPECT_EQ(tanhui("--help").status, 0);
    EXPECT_EQ(tanhui("--version").status, 0);
    EXPECT_EQ(tanhui("quote --help").status, 0);
}

TEST_F(Cli, ParseErrorsExitTwo) {
    const std::string db = " --db " + path("parse.db");
    for (const std::string args : {"", "no-such-subcommand", "quote --no-such-option x.json", "batch",
                                   "batch p.csv --years 0 --seed 1 --out o", "calibrate --peril nonsense",
                                   "data", "metrics --years x -"}) {
        SCOPED_TRACE(args);
        const Outcome r = tanhui(args + db);
        EXPECT_EQ(r.status, 2) << r.out;
    }
}

TEST_F(Cli, UnreadableInputFileExitsTwo) {
    const Outcome r = tanhui("quote " + path("missing.json") + " --db " + path("missing.db"));
    EXPECT_EQ(r.status, 2) << r.out;
    EXPECT_NE(r.out.find("cannot read"), std::string::npos) << r.out;
}

TEST_F(Cli, BadImportExitsTwoNamingItsLine) {
    const std::string csv = path("bad.csv");
    std::ofstream(csv) << "id,region,forest_type,area_ha,age_years,carbon_stock_tco2e_per_ha,"
                          "sequestration_tco2e_per_ha_yr,credits_tco2e\nh1,350802,chinese_fir,-3,10,,,\n";
    const Outcome r = tanhui("data import holdings " + csv + " --db " + path("import.db"));
    EXPECT_EQ(r.status, 2) << r.out;
    EXPECT_NE(r.out.find("bad.csv:2: area_ha: must be > 0"), std::string::npos) << r.out;
}

// The CLI checks dates as GET /v1/markets/{m}/prices does (a 400 there): exit 2 naming the option,
// where it used to print an empty table with exit 0 (issue 18).
TEST_F(Cli, DataPricesDatesAreCheckedAsTheRouteChecksThem) {
    const std::string db = " --db " + path("dates.db");
    for (const auto& [args, option] : {std::pair<std::string, std::string>{"--from 2025/12/20", "--from"},
                                       {"--to 2025-02-30", "--to"},
                                       {"--from 2025-12-31 --to 2025-01-01", "--from"}}) {
        SCOPED_TRACE(args);
        const Outcome r = tanhui("data prices FJEA " + args + db);
        EXPECT_EQ(r.status, 2) << r.out;
        EXPECT_NE(r.out.find(option + ": must"), std::string::npos) << r.out;
        EXPECT_EQ(r.out.find("date,close"), std::string::npos) << r.out;
    }
    EXPECT_EQ(tanhui("data prices FJEA --from 2016-12-22 --to 2016-12-22" + db).status, 0);
}

// A holdings file names only the columns it has; area_mu stands for area_ha (1 ha = 15 mu).
TEST_F(Cli, HoldingsFileOptionalColumnsMayBeLeftOutAndAreaMuIsAccepted) {
    const std::string db = " --db " + path("holdings.db"), csv = path("mu.csv");
    std::ofstream(csv) << "id,region,forest_type,area_mu,age_years\nh-mu,350802,chinese_fir,1500,10\n";
    const Outcome ok = tanhui("data import holdings " + csv + db);
    EXPECT_EQ(ok.status, 0) << ok.out;
    const std::string both = path("both.csv");
    std::ofstream(both) << "id,region,forest_type,area_ha,area_mu,age_years\nh1,350802,chinese_fir,100,1500,10\n";
    const Outcome bad = tanhui("data import holdings " + both + db);
    EXPECT_EQ(bad.status, 2) << bad.out;
    EXPECT_NE(bad.out.find("both.csv:2: area_mu: give area_ha or area_mu, not both"), std::string::npos) << bad.out;
    const std::string none = path("none.csv");
    std::ofstream(none) << "id,region,forest_type,age_years\nh1,350802,chinese_fir,10\n";
    const Outcome missing = tanhui("data import holdings " + none + db);
    EXPECT_EQ(missing.status, 2) << missing.out;
    EXPECT_NE(missing.out.find("none.csv:1: area_ha: missing column"), std::string::npos) << missing.out;
}


}  // namespace
