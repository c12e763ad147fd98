// The batch runner (api/batch/batch.hpp, issue 7): the same bytes at 1 and 2 threads, in passes, after
// a kill -9 and --resume, and under `mpirun -np 2`; the portfolio year loss is the library's
// simulation of the book; ORD tables agree with risk::compute_metrics on the year loss table;
// a one-policy batch is the quote engine's quote; bad portfolios name their line and write nothing.
#include "api/batch/batch.hpp"
#include "api/batch/ord_csv.hpp"
#include "api/batch/portfolio.hpp"
#include "api/products/quote_engine.hpp"
#include "risk/metrics/metrics.hpp"
#include "risk/simulation/simulate.hpp"
#include "tests/risk/made_up_book.hpp"

#include "tests/api/calibrated_fixture.hpp"
#include "tests/data/test_db.hpp"
#include "tests/paths.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace tanhui::api {
namespace {

namespace fs = std::filesystem;
using tanhui::testing::TempDir;
using risk::made_up_holdings;
using risk::made_up_model;

// 12 policies of 5 holdings; every fourth covers fire only; odd ones are linear; made-up-0 is
// also in the last policy (a holding in two policies loses the same carbon in both).
std::string made_up_portfolio_csv() {
    std::string csv = "policy_id,holding_ids,product,perils,form,price_cny_per_tco2e,deductible_tco2e,sum_insured_cny,"
                      "trigger,exit,principle,parameter,expense_ratio,commission,profit_margin,subsidy_share\n";
    for (int p = 0; p < 12; ++p) {
        std::string ids;
        for (int k = 0; k < 5; ++k) ids += (k ? ";" : "") + std::string("made-up-") + std::to_string(5 * p + k);
        if (p == 11) ids += ";made-up-0";
        csv += "P" + std::to_string(p) + "," + ids + ",index_insurance," + (p % 4 == 3 ? "fire" : "fire;pest") + ",";
        if (p % 2 == 0) csv += "per_tonne,20," + std::to_string(10 * p) + ",,,,";
        else csv += "linear,,," + std::to_string(200'000 + 10'000 * p) + ",0.01,0.3,";
        csv += "std_dev,0.25,0.15,0.05,0.05,0.5\n";
    }
    return csv;
}

Portfolio made_up_portfolio() {
    return parse_portfolio("portfolio.csv", made_up_portfolio_csv(), made_up_holdings(60), "holdings.csv");
}

const risk::Model& model() {
    static const risk::Model m = made_up_model();
    return m;
}

BatchOptions options_for(const fs::path& out, unsigned threads, std::uint32_t years = 3'000) {
    BatchOptions o;
    o.years = years;
    o.seed = 20270101;
    o.threads = threads;
    o.out = out;
    o.chunk_years = 500;
    o.progress = ProgressStyle::quiet;
    o.layers = {parse_layer("50000:200000"), parse_layer("20000:100000:occurrence")};
    o.policy_ylt = true;
    return o;
}

std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// Every file of DIR (not .checkpoint) by name.
std::map<std::string, std::string> files_of(const fs::path& dir) {
    std::map<std::string, std::string> out;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.is_regular_file()) out[e.path().filename().string()] = read(e.path());
    return out;
}

void expect_same_files(const fs::path& a, const fs::path& b) {
    const auto fa = files_of(a), fb = files_of(b);
    ASSERT_EQ(fa.size(), fb.size());
    for (const auto& [name, text] : fa) {
        SCOPED_TRACE(name);
        ASSERT_TRUE(fb.count(name));
        EXPECT_TRUE(text == fb.at(name)) << "bytes differ";
    }
}

std::vector<std::vector<std::string>> csv_rows(const std::string& text) {
    std::vector<std::vector<std::string>> rows;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        std::vector<std::string> cells;
        std::stringstream ls(line);
        std::string cell;
        while (std::getline(ls, cell, ',')) cells.push_back(cell);
        if (!line.empty() && line.back() == ',') cells.emplace_back();
        rows.push_back(cells);
    }
    return rows;
}

// Column `col` of a "year,loss"-like table, by 1-based first column into `years` slots.
std::vector<double> by_year(const std::string& text, std::size_t years, std::size_t col) {
    std::vector<double> v(years, 0.0);
    const auto rows = csv_rows(text);
    for (std::size_t i = 1; i < rows.size(); ++i) v.at(std::stoul(rows[i][0]) - 1) = std::stod(rows[i][col]);
    return v;
}

const std::vector<std::string> output_files{
    "results.csv", "results.json", "ylt_tco2e.csv", "ylt_cny.csv", "selt_tco2e.csv", "selt_cny.csv", "splt_tco2e.csv",
    "splt_cny.csv", "alt_tco2e.csv", "alt_cny.csv", "alct_tco2e.csv", "alct_cny.csv", "ept_tco2e.csv", "ept_cny.csv",
    "metrics.json", "layers.csv", "layers.json", "policy_ylt_cny.csv", "manifest.json"};

TEST(Batch, WritesEveryOutputAndRemovesItsCheckpoints) {
    TempDir dir;
    run_batch(made_up_portfolio(), model(), "made-up", options_for(dir / "out", 2));
    for (const auto& f : output_files) EXPECT_TRUE(fs::exists(dir / "out" / f)) << f;
    EXPECT_FALSE(fs::exists(dir / "out" / ".checkpoint"));
    EXPECT_EQ(files_of(dir / "out").size(), output_files.size());
}

TEST(Batch, SameBytesAtOneAndTwoThreadsAndInPasses) {
    TempDir dir;
    run_batch(made_up_portfolio(), model(), "made-up", options_for(dir / "one", 1));
    run_batch(made_up_portfolio(), model(), "made-up", options_for(dir / "two", 2));
    auto passes = options_for(dir / "passes", 2);
    passes.column_budget_bytes = 3 * (3'000 + 500) * sizeof(double);  // 3 policies a pass: 4 passes
    const auto s = run_batch(made_up_portfolio(), model(), "made-up", passes);
    EXPECT_EQ(s.passes, 4u);
    expect_same_files(dir / "one", dir / "two");
    expect_same_files(dir / "one", dir / "passes");
}

TEST(Batch, ResumeAfterKillAtRandomPointsIsByteIdentical) {
    TempDir dir;
    const auto opts = [&](const fs::path& out) {
        auto o = options_for(out, 2, 24'000);
        o.chunk_years = 800;  // 30 chunks
        return o;
    };
    const auto t0 = std::chrono::steady_clock::now();
    run_batch(made_up_portfolio(), model(), "made-up", opts(dir / "reference"));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    std::mt19937_64 rng(std::random_device{}());
    int interrupted = 0;
    for (int trial = 0; trial < 4; ++trial) {
        const fs::path out = dir / ("killed-" + std::to_string(trial));
        // Spread over the run (the last part writes the outputs), with a random point in each quarter.
        const double at = (0.05 + 0.15 * (trial + std::uniform_real_distribution<double>(0, 1)(rng))) * seconds;
        SCOPED_TRACE(::testing::Message() << "SIGKILL after " << at << " s of a " << seconds << " s run");
        const pid_t child = ::fork();
        ASSERT_GE(child, 0);
        if (child == 0) {
            try {
                run_batch(made_up_portfolio(), model(), "made-up", opts(out));
            } catch (...) {
                std::_Exit(3);
            }
            std::_Exit(0);
        }
        std::this_thread::sleep_for(std::chrono::duration<double>(at));
        ::kill(child, SIGKILL);
        int status = 0;
        ::waitpid(child, &status, 0);
        if (WIFSIGNALED(status)) {
            ++interrupted;
            // A killed run never leaves a half-written output under its name. (Whether it left
            // checkpoints depends on how far it got: an early kill may precede the first one.)
            for (const auto& f : output_files) {
                if (fs::exists(out / f)) {
                    EXPECT_EQ(read(out / f).size(), read(dir / "reference" / f).size()) << f;
                }
            }
        }
        auto resumed = opts(out);
        resumed.resume = true;
        const auto s = run_batch(made_up_portfolio(), model(), "made-up", resumed);
        if (WIFSIGNALED(status)) {
            EXPECT_LE(s.chunks_resumed, s.chunks);
            if (std::getenv("TANHUI_TEST_VERBOSE"))
                std::printf("killed after %.2f s: %zu of %zu chunks resumed\n", at, s.chunks_resumed, s.chunks);
        }
        expect_same_files(dir / "reference", out);
    }
    EXPECT_GT(interrupted, 0) << "no trial was killed before it finished";
}

TEST(Batch, ResumeRefusesCheckpointsOfAnotherRun) {
    TempDir dir;
    auto o = options_for(dir / "out", 2);
    o.keep_checkpoints = true;
    run_batch(made_up_portfolio(), model(), "made-up", o);
    o.seed += 1;
    o.resume = true;
    EXPECT_THROW(run_batch(made_up_portfolio(), model(), "made-up", o), std::runtime_error);
}

// The tCO2e year loss table is the library's own simulation of the union book (fire, pest):
// simulating the portfolio once is the same as risk::simulate_year_losses on its holdings.
TEST(Batch, PortfolioYearLossIsTheBookSimulation) {
    TempDir dir;
    const Portfolio portfolio = made_up_portfolio();
    const auto o = options_for(dir / "out", 2);
    run_batch(portfolio, model(), "made-up", o);
    risk::BookOptions book_options;
    book_options.perils = {"fire", "pest"};
    const risk::Book book = risk::prepare_book(model(), portfolio.holdings, book_options);
    const auto losses = risk::simulate_year_losses(book, {.years = o.years, .seed = o.seed, .threads = 1});
    const auto ylt = by_year(read(dir / "out" / "ylt_tco2e.csv"), o.years, 1);
    ASSERT_EQ(ylt.size(), losses.total_tco2e.size());
    for (std::size_t y = 0; y < ylt.size(); ++y) ASSERT_EQ(ylt[y], losses.total_tco2e[y]) << "year " << y + 1;
    const auto selt = by_year(read(dir / "out" / "selt_tco2e.csv"), o.years, 3);
    for (std::size_t y = 0; y < ylt.size(); ++y) ASSERT_EQ(selt[y], losses.max_event_tco2e[y]) << "year " << y + 1;
}

// EPT rows, ALT and ALCT against risk::compute_metrics of the year loss table read back from
// the files (OEP from the SELT, years without a row are 0).
TEST(Batch, OrdTablesAgreeWithTheMetricsOfTheYearLossTable) {
    TempDir dir;
    const auto o = options_for(dir / "out", 2);
    run_batch(made_up_portfolio(), model(), "made-up", o);
    for (const std::string unit : {"tco2e", "cny"}) {
        SCOPED_TRACE(unit);
        const auto ylt = by_year(read(dir / "out" / ("ylt_" + unit + ".csv")), o.years, 1);
        const auto largest = by_year(read(dir / "out" / ("selt_" + unit + ".csv")), o.years, 3);
        const auto splt_largest = by_year(read(dir / "out" / ("splt_" + unit + ".csv")), o.years, 10);
        EXPECT_EQ(largest, splt_largest);
        const risk::Metrics m = risk::compute_metrics(ylt, largest);
        std::map<std::pair<int, double>, double> expected;
        for (const auto& r : m.return_periods) {
            expected[{1, r.return_period}] = r.oep.value;
            expected[{2, r.return_period}] = r.oep_tvar.value;
            expected[{3, r.return_period}] = r.aep.value;
            expected[{4, r.return_period}] = r.aep_tvar.value;
        }
        const auto ept = csv_rows(read(dir / "out" / ("ept_" + unit + ".csv")));
        ASSERT_EQ(ept.size(), 1 + expected.size());
        for (std::size_t i = 1; i < ept.size(); ++i) {
            EXPECT_EQ(ept[i][0], "1");
            EXPECT_EQ(ept[i][1], "2");
            const auto key = std::make_pair(std::stoi(ept[i][2]), std::stod(ept[i][3]));
            ASSERT_TRUE(expected.count(key)) << ept[i][2] << " " << ept[i][3];
            EXPECT_EQ(std::stod(ept[i][4]), expected[key]) << "EPType " << key.first << " T " << key.second;
        }
        // ALT: the mean and the sample standard deviation, computed here in plain loops.
        double sum = 0;
        for (double x : ylt) sum += x;
        const double mean = sum / double(ylt.size());
        double ss = 0;
        for (double x : ylt) ss += (x - mean) * (x - mean);
        const auto alt = csv_rows(read(dir / "out" / ("alt_" + unit + ".csv")));
        ASSERT_EQ(alt.size(), 2u);
        EXPECT_EQ(alt[1][1], "2");
        EXPECT_NEAR(std::stod(alt[1][2]), mean, 1e-12 * mean);
        EXPECT_NEAR(std::stod(alt[1][3]), std::sqrt(ss / double(ylt.size() - 1)), 1e-9 * mean);
        const auto alct = csv_rows(read(dir / "out" / ("alct_" + unit + ".csv")));
        EXPECT_EQ(alct[1][3], std::to_string(o.years));
        EXPECT_NEAR(std::stod(alct[1][6]), std::sqrt(ss / double(ylt.size() - 1)) / std::sqrt(double(o.years)), 1e-9 * mean);
    }
}

// The CNY year loss is the sum of the policies' payouts, so its AAL is the sum of the pure
// premiums; Euler contributions add up to the TVaR they allocate.
TEST(Batch, PortfolioIsTheSumOfItsPoliciesAndEulerAddsUp) {
    TempDir dir;
    const auto o = options_for(dir / "out", 2);
    run_batch(made_up_portfolio(), model(), "made-up", o);
    const auto results = nlohmann::json::parse(read(dir / "out" / "results.json"));
    const auto metrics = nlohmann::json::parse(read(dir / "out" / "metrics.json"));
    ASSERT_EQ(results.size(), 12u);
    double pure = 0, contributions = 0;
    for (const auto& r : results) {
        pure += r["pure_premium_cny"].get<double>();
        contributions += r["tvar_contribution_cny"].get<double>();
    }
    const double aal = metrics["cny"]["aal"].get<double>();
    EXPECT_GT(aal, 0);
    EXPECT_NEAR(pure, aal, 1e-9 * aal);
    // Each year's portfolio payout is the sum, in policy order, of the policy payouts.
    const auto ylt = by_year(read(dir / "out" / "ylt_cny.csv"), o.years, 1);
    std::vector<double> sum(o.years, 0.0);
    std::map<std::string, double> paid;
    const auto rows = csv_rows(read(dir / "out" / "policy_ylt_cny.csv"));
    ASSERT_EQ(rows.at(0), (std::vector<std::string>{"policy_id", "year", "payout_cny"}));
    for (std::size_t i = 1; i < rows.size(); ++i) {
        sum.at(std::stoul(rows[i][1]) - 1) += std::stod(rows[i][2]);
        paid[rows[i][0]] += std::stod(rows[i][2]);
    }
    for (std::size_t y = 0; y < ylt.size(); ++y) ASSERT_EQ(sum[y], ylt[y]) << "year " << y + 1;
    for (const auto& r : results)
        EXPECT_NEAR(paid[r["policy_id"].get<std::string>()] / o.years, r["pure_premium_cny"].get<double>(),
                    1e-9 * r["pure_premium_cny"].get<double>());
    const double tvar_cny = metrics["euler"]["tvar_cny"].get<double>();
    EXPECT_NEAR(contributions, tvar_cny, 1e-9 * tvar_cny);
    double holdings = 0;
    for (const auto& h : metrics["euler"]["holdings"]) holdings += h["tvar_contribution_tco2e"].get<double>();
    const double tvar = metrics["euler"]["tvar_tco2e"].get<double>();
    EXPECT_EQ(metrics["euler"]["holdings"].size(), 60u);
    EXPECT_NEAR(holdings, tvar, 1e-9 * tvar);
    // TVaR >= VaR and AEP >= OEP (STYLE invariants).
    for (const std::string unit : {"tco2e", "cny"})
        for (const auto& [t, v] : metrics[unit]["aep"].items()) EXPECT_GE(v.get<double>(), metrics[unit]["oep"][t].get<double>());
}

// A portfolio of one policy numbers its holdings as the quote does, so the batch's quote is the
// quote engine's, number for number (the pure premium is computed from the same payouts).
TEST(Batch, OnePolicyBatchIsTheQuote) {
    const nlohmann::json request = nlohmann::json::parse(R"({
      "product": "index_insurance", "policy": {"id": "ONE", "start": "2027-01-01"},
      "holdings": [{"id": "a", "region": "350802", "forest_type": "masson_pine", "area_ha": 800, "age_years": 20},
                   {"id": "b", "region": "3507", "forest_type": "chinese_fir", "area_ha": 1200, "age_years": 15},
                   {"id": "c", "region": "360100", "forest_type": "bamboo", "area_ha": 300, "age_years": 6}],
      "cover": {"perils": ["fire", "pest"], "form": "per_tonne", "price_cny_per_tco2e": 20, "deductible_tco2e": 50},
      "premium": {"principle": "std_dev", "parameter": 0.25, "expense_ratio": 0.15},
      "simulation": {"years": 3000, "seed": 20270101}})");
    const auto decoded = decode_quote(request);
    ASSERT_TRUE(decoded.value);
    const nlohmann::json quote = compute_quote(*decoded.value, {&model(), "made-up", 1});

    TempDir dir;
    const Portfolio portfolio = parse_portfolio("one.json", "[" + request.dump() + "]", {}, "");
    run_batch(portfolio, model(), "made-up", options_for(dir / "out", 2));
    const auto batch = nlohmann::json::parse(read(dir / "out" / "results.json")).at(0);
    for (const char* key : {"sum_insured_cny", "pure_premium_cny", "pure_premium_se_cny", "risk_load_cny", "gross_premium_cny",
                            "probability_of_payout", "payout_std_dev_cny"})
        EXPECT_EQ(batch[key].get<double>(), quote[key].get<double>()) << key;
    for (const char* t : {"10", "100", "200"})
        EXPECT_EQ(batch["payout_at_return_period_cny"][t].get<double>(), quote["payout_at_return_period_cny"][t].get<double>()) << t;
    EXPECT_NEAR(batch["expected_loss_tco2e"].get<double>(), quote["expected_loss_tco2e"].get<double>(),
                1e-12 * quote["expected_loss_tco2e"].get<double>());
}

TEST(Batch, CsvErrorsNameTheirLine) {
    std::string csv = made_up_portfolio_csv();
    // Line 3: a trigger above the exit; line 5: an unknown holding; line 6: not a number.
    std::vector<std::string> text;
    std::istringstream in(csv);
    for (std::string l; std::getline(in, l);) text.push_back(l);
    text[2] = "P1,made-up-5,index_insurance,fire;pest,linear,,,300000,0.4,0.3,std_dev,0.25,0.15,0.05,0.05,0.5";
    text[4] = "P3,made-up-15;nowhere-1,index_insurance,fire,per_tonne,20,0,,,,std_dev,0.25,0.15,0.05,0.05,0.5";
    text[5] = "P4,made-up-20,index_insurance,fire;pest,per_tonne,twenty,0,,,,std_dev,0.25,0.15,0.05,0.05,0.5";
    std::string bad;
    for (const auto& l : text) bad += l + "\n";
    try {
        parse_portfolio("portfolio.csv", bad, made_up_holdings(60), "holdings.csv");
        FAIL() << "no error";
    } catch (const PortfolioError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("portfolio.csv:3: exit: must be greater than trigger"), std::string::npos) << what;
        EXPECT_NE(what.find("portfolio.csv:5: holding_ids: unknown holding \"nowhere-1\" (not in holdings.csv)"), std::string::npos) << what;
        EXPECT_NE(what.find("portfolio.csv:6: price_cny_per_tco2e: not a number: \"twenty\""), std::string::npos) << what;
        EXPECT_EQ(e.total(), 3u) << what;
    }
    EXPECT_THROW(parse_portfolio("p.csv", "policy_id,holding_ids,product,perils\n", made_up_holdings(1), "h"), PortfolioError);
    EXPECT_THROW(parse_portfolio("p.csv", "policy_id,holding_ids,product,perils,form,colour\nP,made-up-0,index_insurance,fire,per_tonne,red\n",
                                 made_up_holdings(1), "h"),
                 PortfolioError);
}

// A policy that decodes but cannot be priced (a pool without carbon) is named with its line,
// and the run stops before DIR is created.
TEST(Batch, UnpriceablePolicyWritesNothing) {
    auto holdings = made_up_holdings(60);
    holdings[7].carbon_stock_tco2e_per_ha = 0.0;
    const Portfolio portfolio = parse_portfolio(
        "portfolio.csv", "policy_id,holding_ids,product,perils,form,price_cny_per_tco2e\n"
                         "A,made-up-1,index_insurance,fire,per_tonne,20\nB,made-up-7,index_insurance,fire,per_tonne,20\n",
        holdings, "holdings.csv");
    TempDir dir;
    try {
        run_batch(portfolio, model(), "made-up", options_for(dir / "out", 2));
        FAIL() << "no error";
    } catch (const PortfolioError& e) {
        EXPECT_NE(std::string(e.what()).find("portfolio.csv:3: holding_ids: the insured pool holds no carbon"), std::string::npos)
            << e.what();
    }
    EXPECT_FALSE(fs::exists(dir / "out"));
}

TEST(Batch, LayerOptions) {
    const auto a = parse_layer("1000000:5000000");
    EXPECT_FALSE(a.occurrence);
    EXPECT_EQ(a.layer.attachment_cny, 1e6);
    EXPECT_EQ(a.layer.limit_cny, 5e6);
    EXPECT_TRUE(parse_layer("0:1e6:occurrence").occurrence);
    EXPECT_THROW(parse_layer("1e6"), InvalidInput);
    EXPECT_THROW(parse_layer("1e6:0"), InvalidInput);
    EXPECT_THROW(parse_layer("-1:5"), InvalidInput);
    EXPECT_THROW(parse_layer("1:5:each"), InvalidInput);
}

// ---------------------------------------------------------------------------------------------
// The command line, on a database built from data/historical (calibrated on first use).

class BatchCli : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new TempDir;
        db_ = (dir_->path() / "tanhui.db").string();
        // ctest's calibrated database when there is one (tests/api/calibrated_fixture.hpp), else
        // built from data/historical and calibrated here.
        tanhui::testing::copy_calibrated_fixture(db_);
        ASSERT_EQ(sh(tanhui() + " model show > /dev/null"), 0);
    }
    static void TearDownTestSuite() {
        delete dir_;
        dir_ = nullptr;
    }
    static std::string tanhui() {
        return std::string(TANHUI_BINARY_DIR) + "/tanhui --db " + db_ + " --data-dir " + TANHUI_SOURCE_DIR + "/data/historical";
    }
    static int sh(const std::string& command) {
        const int status = std::system(command.c_str());
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    static std::string demo(const std::string& out, int years) {
        const std::string examples = std::string(TANHUI_SOURCE_DIR) + "/examples/portfolios/";
        return " batch " + examples + "fujian-demo-synthetic-portfolio.csv --holdings " + examples +
               "fujian-demo-synthetic-holdings.csv --years " + std::to_string(years) + " --seed 11 --chunk-years 300 --quiet --out " +
               out + " --layer 2000000:10000000 --layer 100000:1000000:occurrence --policy-ylt";
    }
    static TempDir* dir_;
    static std::string db_;
};
TempDir* BatchCli::dir_ = nullptr;
std::string BatchCli::db_;

TEST_F(BatchCli, MpirunTwoRanksWritesTheSameBytesAsOneProcess) {
    if (!mpi_built()) GTEST_SKIP() << "built without MPI";
    if (sh("command -v mpirun > /dev/null 2>&1") != 0) GTEST_SKIP() << "no mpirun";
    const fs::path one = dir_->path() / "one", two = dir_->path() / "mpi";
    ASSERT_EQ(sh(tanhui() + demo(one.string(), 2'000) + " --threads 2"), 0);
    ASSERT_EQ(sh("mpirun --allow-run-as-root --oversubscribe -np 2 " + tanhui() + demo(two.string(), 2'000) + " --mpi --threads 1"), 0);
    expect_same_files(one, two);
    EXPECT_EQ(files_of(one).size(), output_files.size());
}

TEST_F(BatchCli, MpiFlagWithoutMpiErrorsClearly) {
    if (mpi_built()) GTEST_SKIP() << "built with MPI";
    EXPECT_EQ(sh(tanhui() + demo((dir_->path() / "no-mpi").string(), 100) + " --mpi 2> /dev/null"), 2);
}

TEST_F(BatchCli, BadPortfolioRowNamesItsLineAndWritesNothing) {
    const fs::path csv = dir_->path() / "bad.csv";
    const std::string examples = std::string(TANHUI_SOURCE_DIR) + "/examples/portfolios/";
    std::string text = read(examples + "fujian-demo-synthetic-portfolio.csv");
    // Line 4 loses its form.
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    const auto pos = lines[3].find(",per_tonne,") != std::string::npos ? lines[3].find(",per_tonne,") : lines[3].find(",linear,");
    lines[3].replace(pos, lines[3].find(',', pos + 1) - pos, ",");
    std::ofstream(csv) << [&] { std::string s; for (const auto& l : lines) s += l + "\n"; return s; }();
    const fs::path out = dir_->path() / "bad-out", err = dir_->path() / "bad.err";
    EXPECT_EQ(sh(tanhui() + " batch " + csv.string() + " --holdings " + examples + "fujian-demo-synthetic-holdings.csv --years 100 --seed 1 --out " +
                 out.string() + " 2> " + err.string()),
              2);
    EXPECT_NE(read(err).find(csv.string() + ":4: form: "), std::string::npos) << read(err);
    EXPECT_FALSE(fs::exists(out));
}

}  // namespace
}  // namespace tanhui::api
