// `tanhui batch` as an actuary meets it (issue 18, item 7), through the real command line on a
// database built from data/historical: a folder of another run is refused unless --replace (and
// nothing of the old run survives it); a rerun on checkpoints without --resume refuses and says
// why; Ctrl-C saves the chunks done, prints the command that resumes, exits 130, and that command
// finishes the same bytes as an uninterrupted run; the manifest lists every file with its units
// and SHA-256; results.csv carries model version, seed, years and premium principle, plain
// decimal numbers and the Monte Carlo error flag; `tanhui metrics --run` and `tanhui layer --run`
// give the run's own metrics.json and layers.json; `tanhui model list` and --model-version.
#include "api/batch/ord_csv.hpp"
#include "data/import/import.hpp"
#include "tests/api/calibrated_fixture.hpp"
#include "tests/data/test_db.hpp"
#include "tests/paths.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <set>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using tanhui::testing::TempDir;

struct Outcome {
    int status = -1;
    std::string out, err;
};

std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

class BatchCommand : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new TempDir;
        // ctest's calibrated database when there is one (tests/api/calibrated_fixture.hpp), else
        // built from data/historical and calibrated here.
        tanhui::testing::copy_calibrated_fixture(dir_->path() / "tanhui.db");
        ASSERT_EQ(run("model show").status, 0);
    }
    static void TearDownTestSuite() {
        delete dir_;
        dir_ = nullptr;
    }
    static std::string tanhui() {
        return std::string(TANHUI_BINARY_DIR) + "/tanhui --db " + (dir_->path() / "tanhui.db").string() + " --data-dir " +
               TANHUI_SOURCE_DIR + "/data/historical";
    }
    // `tanhui ARGS` with stdout and stderr apart.
    static Outcome run(const std::string& args) {
        const fs::path out = dir_->path() / "stdout", err = dir_->path() / "stderr";
        const int status = std::system((tanhui() + " " + args + " > " + out.string() + " 2> " + err.string()).c_str());
        return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read(out), read(err)};
    }
    static std::string demo(const fs::path& out, int years, int seed = 11) {
        const std::string examples = std::string(TANHUI_SOURCE_DIR) + "/examples/portfolios/";
        return "batch " + examples + "fujian-demo-synthetic-portfolio.csv --holdings " + examples +
               "fujian-demo-synthetic-holdings.csv --years " + std::to_string(years) + " --seed " + std::to_string(seed) +
               " --chunk-years 250 --quiet --out " + out.string();
    }
    static std::string layers() { return " --layer 2000000:10000000 --layer 100000:1000000:occurrence --policy-ylt"; }
    static fs::path path(const std::string& name) { return dir_->path() / name; }
    static TempDir* dir_;
};
TempDir* BatchCommand::dir_ = nullptr;

std::map<std::string, std::string> files_of(const fs::path& dir) {
    std::map<std::string, std::string> out;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.is_regular_file()) out[e.path().filename().string()] = read(e.path());
    return out;
}

std::vector<std::vector<std::string>> csv_cells(const std::string& text) {
    std::vector<std::vector<std::string>> rows;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        std::vector<std::string> cells;
        std::size_t at = 0;
        for (;;) {
            const auto comma = line.find(',', at);
            cells.push_back(line.substr(at, comma == std::string::npos ? std::string::npos : comma - at));
            if (comma == std::string::npos) break;
            at = comma + 1;
        }
        rows.push_back(cells);
    }
    return rows;
}

bool is_number(const std::string& s, double& v) {
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    return !s.empty() && r.ec == std::errc{} && r.ptr == s.data() + s.size();
}

TEST_F(BatchCommand, AnotherRunsFolderIsRefusedUnlessReplaceWhichLeavesNothingOfIt) {
    const fs::path out = path("refuse");
    ASSERT_EQ(run(demo(out, 500) + layers()).status, 0);
    const auto first = files_of(out);
    ASSERT_TRUE(first.count("layers.csv"));
    // The same run again is this run's folder: the same bytes.
    ASSERT_EQ(run(demo(out, 500) + layers()).status, 0);
    EXPECT_TRUE(files_of(out) == first);

    const Outcome other = run(demo(out, 500, 12));
    EXPECT_EQ(other.status, 2) << other.err;
    EXPECT_NE(other.err.find("another run"), std::string::npos) << other.err;
    EXPECT_NE(other.err.find("--replace"), std::string::npos) << other.err;
    EXPECT_TRUE(files_of(out) == first) << "a refused run changed the folder";

    std::ofstream(out / "notes.txt") << "mine";
    ASSERT_EQ(run(demo(out, 500, 12) + " --replace").status, 0);
    const auto second = files_of(out);
    EXPECT_FALSE(second.count("layers.csv")) << "the first run's layers survived";
    EXPECT_FALSE(second.count("policy_ylt_cny.csv"));
    EXPECT_EQ(second.at("notes.txt"), "mine") << "--replace removes only what a batch writes";
    EXPECT_NE(second.at("results.csv"), first.at("results.csv"));
}

TEST_F(BatchCommand, RerunOnCheckpointsWithoutResumeRefusesAndSaysWhy) {
    const fs::path out = path("checkpoints");
    ASSERT_EQ(run(demo(out, 500) + " --keep-checkpoints").status, 0);
    const Outcome again = run(demo(out, 500));
    EXPECT_EQ(again.status, 2);
    EXPECT_NE(again.err.find("saved chunks of this same run"), std::string::npos) << again.err;
    EXPECT_NE(again.err.find("--resume"), std::string::npos) << again.err;
    EXPECT_TRUE(fs::exists(out / ".checkpoint" / "pass-0-chunk-1.bin")) << "the refusal discarded saved chunks";
    EXPECT_EQ(run(demo(out, 500) + " --resume").status, 0);
    EXPECT_FALSE(fs::exists(out / ".checkpoint"));
}

// --resume on this run's checkpoints beside the finished files of a run with other outputs (an
// aggregate layer and --policy-ylt do not change the checkpoints): the other run's files go.
TEST_F(BatchCommand, ResumeBesideAnotherRunsFilesLeavesNoneOfThem) {
    const fs::path out = path("resume-beside");
    ASSERT_EQ(run(demo(out, 500) + " --layer 2000000:10000000 --policy-ylt --keep-checkpoints").status, 0);
    ASSERT_TRUE(fs::exists(out / "layers.csv"));
    const Outcome resumed = run(demo(out, 500) + " --resume");
    ASSERT_EQ(resumed.status, 0) << resumed.err;
    EXPECT_FALSE(fs::exists(out / "layers.csv"));
    EXPECT_FALSE(fs::exists(out / "policy_ylt_cny.csv"));
    const auto manifest = nlohmann::json::parse(read(out / "manifest.json"));
    EXPECT_EQ(manifest["files"].size() + 1, files_of(out).size()) << "a file beside the manifest is not in it";
}

// SIGINT once at least two chunks are checkpointed: the run stops after its chunk in progress,
// says what it saved and the exact command to resume, exits 130; that command gives the bytes of
// an uninterrupted run.
TEST_F(BatchCommand, CtrlCSavesItsChunksAndPrintsTheCommandThatResumes) {
    const fs::path reference = path("ctrl-c-reference"), out = path("ctrl-c"), err = path("ctrl-c.err");
    constexpr int years = 20'000;
    ASSERT_EQ(run(demo(reference, years) + layers()).status, 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        const std::string command = "exec " + tanhui() + " " + demo(out, years) + layers() + " 2> " + err.string();
        ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
        std::_Exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (!fs::exists(out / ".checkpoint" / "pass-0-chunk-1.bin") && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ::kill(child, SIGINT);
    int status = 0;
    ::waitpid(child, &status, 0);
    const std::string message = read(err);
    ASSERT_TRUE(WIFEXITED(status)) << message;
    if (WEXITSTATUS(status) == 0) GTEST_SKIP() << "the run finished before the interrupt arrived";
    EXPECT_EQ(WEXITSTATUS(status), 130) << message;
    EXPECT_NE(message.find("chunks ("), std::string::npos) << message;
    EXPECT_NE(message.find("saved in " + (out / ".checkpoint").string()), std::string::npos) << message;
    EXPECT_FALSE(fs::exists(out / "results.csv"));
    const auto at = message.find("resume with:\n  ");
    ASSERT_NE(at, std::string::npos) << message;
    const std::string command = message.substr(at + 15, message.find('\n', at + 15) - at - 15);
    EXPECT_NE(command.find(" --resume"), std::string::npos) << command;
    ASSERT_EQ(std::system((command + " 2> /dev/null").c_str()), 0) << command;
    EXPECT_TRUE(files_of(out) == files_of(reference)) << "the resumed run differs from an uninterrupted one";
}

TEST_F(BatchCommand, ManifestListsEveryFileWithUnitsAndHashAndTheRunsParameters) {
    const fs::path out = path("manifest");
    ASSERT_EQ(run(demo(out, 500) + layers()).status, 0);
    const auto manifest = nlohmann::json::parse(read(out / "manifest.json"));
    const auto model = nlohmann::json::parse(run("model show --json").out);
    EXPECT_EQ(manifest["model_version"], model["model_version"]);
    EXPECT_EQ(manifest["seed"], 11);
    EXPECT_EQ(manifest["years"], 500);
    EXPECT_EQ(manifest["parameters"]["layers"].size(), 2u);
    EXPECT_TRUE(manifest["tanhui"].contains("version"));
    std::set<std::string> listed;
    for (const auto& f : manifest["files"]) {
        const std::string name = f["name"];
        SCOPED_TRACE(name);
        listed.insert(name);
        EXPECT_FALSE(f["units"].get<std::string>().empty());
        const std::string bytes = read(out / name);
        EXPECT_EQ(f["bytes"], bytes.size());
        EXPECT_EQ(f["sha256"], tanhui::data::sha256_hex(bytes));
    }
    auto files = files_of(out);
    files.erase("manifest.json");
    EXPECT_EQ(listed.size(), files.size());
    for (const auto& [name, text] : files) EXPECT_TRUE(listed.count(name)) << name << " is not in the manifest";
}

TEST_F(BatchCommand, ResultsCarryTheRunAndPlainDecimalNumbers) {
    const fs::path out = path("results");
    ASSERT_EQ(run(demo(out, 500) + layers() + " --mc-error-share 0.1").status, 0);
    const auto model = nlohmann::json::parse(run("model show --json").out)["model_version"].get<std::string>();
    const auto rows = csv_cells(read(out / "results.csv"));
    std::map<std::string, std::size_t> col;
    for (std::size_t i = 0; i < rows[0].size(); ++i) col[rows[0][i]] = i;
    for (const char* c : {"model_version", "seed", "years", "premium_principle", "mc_error_flag", "beyond_simulation"})
        ASSERT_TRUE(col.count(c)) << c;
    std::size_t flagged = 0;
    for (std::size_t r = 1; r < rows.size(); ++r) {
        const auto& row = rows[r];
        EXPECT_EQ(row[col["model_version"]], model);
        EXPECT_EQ(row[col["seed"]], "11");
        EXPECT_EQ(row[col["years"]], "500");
        EXPECT_EQ(row[col["premium_principle"]], "std_dev");
        const double se = std::stod(row[col["pure_premium_se_cny"]]), pure = std::stod(row[col["pure_premium_cny"]]);
        EXPECT_EQ(row[col["mc_error_flag"]], se > 0.1 * pure ? "1" : "0") << row[0];
        flagged += row[col["mc_error_flag"]] == "1";
    }
    EXPECT_GT(flagged, 0u) << "500 years should leave some policy's premium uncertain to 10 %";
    // No number in any CSV of the run is written with an exponent.
    for (const auto& [name, text] : files_of(out)) {
        if (name.size() < 4 || name.substr(name.size() - 4) != ".csv") continue;
        for (const auto& row : csv_cells(text))
            for (const auto& cell : row) {
                double v = 0;
                if (is_number(cell, v)) {
                    EXPECT_EQ(cell.find_first_of("eE"), std::string::npos) << name << ": " << cell;
                }
            }
    }
}

// Return periods beyond the simulated years show the largest payout and are flagged, in a quote
// and in a batch (docs/pricing.md).
TEST_F(BatchCommand, ReturnPeriodsBeyondTheYearsAreFlaggedBeyondSimulation) {
    auto body = nlohmann::json::parse(read(std::string(TANHUI_SOURCE_DIR) + "/examples/quotes/longyan-index.json"));
    body["simulation"]["years"] = 2000;
    body["return_periods"] = {10, 2000, 5000};
    std::ofstream(path("beyond.json")) << body.dump();
    const Outcome q = run("quote --no-store " + path("beyond.json").string());
    ASSERT_EQ(q.status, 0) << q.out;
    const auto answer = nlohmann::json::parse(q.out);
    EXPECT_EQ(answer["beyond_simulation"], nlohmann::json::array({"5000"}));
    EXPECT_EQ(answer["payout_at_return_period_cny"]["5000"], answer["payout_at_return_period_cny"]["2000"]);
    const Outcome within = run("quote --no-store " + (std::string(TANHUI_SOURCE_DIR) + "/examples/quotes/longyan-index.json"));
    EXPECT_FALSE(nlohmann::json::parse(within.out).contains("beyond_simulation"));

    const fs::path out = path("beyond-batch");  // return periods 5, 25, 250, 1000 on 500 years
    ASSERT_EQ(run("batch " + std::string(TANHUI_SOURCE_DIR) + "/tests/golden/portfolio.json --years 500 --seed 7 --quiet --out " +
                  out.string()).status, 0);
    const auto results = nlohmann::json::parse(read(out / "results.json"));
    EXPECT_EQ(results[1]["beyond_simulation"], nlohmann::json::array({"1000"}));
    EXPECT_TRUE(results[1]["payout_at_return_period_cny"].contains("1000"));
    const auto rows = csv_cells(read(out / "results.csv"));
    const auto col = std::find(rows[0].begin(), rows[0].end(), "beyond_simulation") - rows[0].begin();
    EXPECT_EQ(rows[2][static_cast<std::size_t>(col)], "1000");
    EXPECT_NE(std::find(rows[0].begin(), rows[0].end(), "payout_rp_1000_cny"), rows[0].end());
}

TEST_F(BatchCommand, MetricsAndLayerReadTheRunsTablesWithoutSimulating) {
    const fs::path out = path("tables");
    ASSERT_EQ(run(demo(out, 1'000) + layers()).status, 0);
    const auto metrics = nlohmann::json::parse(read(out / "metrics.json"));
    for (const std::string unit : {"cny", "tco2e"}) {
        const Outcome m = run("metrics --run " + out.string() + " --unit " + unit);
        ASSERT_EQ(m.status, 0) << m.err;
        EXPECT_EQ(nlohmann::json::parse(m.out), metrics[unit]) << unit;
    }
    const Outcome l = run("layer --run " + out.string() + " --layer 2000000:10000000 --layer 100000:1000000:occurrence");
    ASSERT_EQ(l.status, 0) << l.err;
    EXPECT_EQ(nlohmann::json::parse(l.out), nlohmann::json::parse(read(out / "layers.json")));
    // A new layer on the same run, and the YLT file itself as a loss table.
    EXPECT_EQ(run("layer --run " + out.string() + " --layer 0:500000").status, 0);
    const Outcome ylt = run("metrics " + (out / "ylt_cny.csv").string() + " --years 1000");
    ASSERT_EQ(ylt.status, 0) << ylt.out;
    EXPECT_EQ(nlohmann::json::parse(ylt.out)["aep"], metrics["cny"]["aep"]);
    // Occurrence layers need each policy's payouts.
    const fs::path bare = path("tables-bare");
    ASSERT_EQ(run(demo(bare, 600)).status, 0);
    const Outcome no_ylt = run("layer --run " + bare.string() + " --layer 1:2:occurrence");
    EXPECT_EQ(no_ylt.status, 2);
    EXPECT_NE(no_ylt.err.find("--policy-ylt"), std::string::npos) << no_ylt.err;
}

TEST_F(BatchCommand, ModelListAndModelVersionOnQuoteBatchAndValidate) {
    const Outcome list = run("model list --json");
    ASSERT_EQ(list.status, 0) << list.err;
    const auto versions = nlohmann::json::parse(list.out);
    ASSERT_FALSE(versions.empty());
    std::string current;
    for (const auto& v : versions)
        if (v["current"].get<bool>()) current = v["model_version"];
    ASSERT_FALSE(current.empty());
    auto body = nlohmann::json::parse(read(std::string(TANHUI_SOURCE_DIR) + "/examples/quotes/longyan-index.json"));
    body["simulation"]["years"] = 2000;
    const std::string request = path("longyan-2000.json").string();
    std::ofstream(request) << body.dump();
    const Outcome a = run("quote --no-store " + request), b = run("quote --no-store --model-version " + current + " " + request);
    ASSERT_EQ(a.status, 0);
    ASSERT_EQ(b.status, 0);
    auto ja = nlohmann::json::parse(a.out), jb = nlohmann::json::parse(b.out);
    for (auto* j : {&ja, &jb}) j->erase("created"), j->erase("quote_id");
    EXPECT_EQ(ja, jb);
    for (const std::string& args : {"quote --no-store --model-version m-000000000000 " + request,
                                   demo(path("no-model"), 100) + " --model-version m-000000000000",
                                   std::string("validate --model-version m-000000000000")}) {
        const Outcome r = run(args);
        EXPECT_EQ(r.status, 2) << args << "\n" << r.err;
        EXPECT_NE((r.out + r.err).find("model list"), std::string::npos) << r.out << r.err;
    }
    // An earlier version stays usable after a new calibration makes another one current (the
    // last thing this suite does: it changes the fixture's current model).
    const Outcome cal = run("calibrate --peril fire --to 2015");
    ASSERT_EQ(cal.status, 0) << cal.err;
    std::string now;
    for (const auto& v : nlohmann::json::parse(run("model list --json").out))
        if (v["current"].get<bool>()) now = v["model_version"];
    ASSERT_NE(now, current) << "a fire fit on fewer years made no new version";
    const Outcome earlier = run("quote --no-store --model-version " + current + " " + request);
    ASSERT_EQ(earlier.status, 0) << earlier.out;
    auto je = nlohmann::json::parse(earlier.out);
    je.erase("created"), je.erase("quote_id");
    EXPECT_EQ(je, ja) << "the earlier version priced otherwise than when it was current";
    EXPECT_EQ(nlohmann::json::parse(run("quote --no-store " + request).out)["model_version"], now);
}

}  // namespace
