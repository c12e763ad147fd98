// The printed calibration report (tanhui calibrate): a fit whose estimate sits at a bound of its
// parameter space is flagged (issue 18). Since issue 19 held burned area at its window mean, no
// window of the shipped data puts a fit at a bound any more, so the report is built here; that the
// fit finds the bound is tests/risk/calibration/mle_test.cpp's.
#include "api/service/calibration.hpp"

#include "risk/simulation/cancel.hpp"
#include "tests/api/routes/quote_fixtures.hpp"
#include "tests/data/test_db.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace tanhui::api {
namespace {

TEST(CalibrationReport, FlagsAFitAtAParameterBound) {
    Calibration c;
    c.id = "fire-35-000000000000";
    c.family = "fire";
    c.scope = "35";
    c.report = nlohmann::json::parse(R"({"counts": {"family": "poisson_lognormal", "rows": 5,
        "data_from": "2012", "data_to": "2016", "parameters": {"year_sd": {"estimate": 0.0, "standard_error": 0.0}},
        "log_likelihood": -10.0, "aic": 24.0, "bic": 23.0, "goodness_of_fit": [], "at_bound": ["year_sd at 0"]}})");
    const std::string text = format_report(c);
    EXPECT_NE(text.find("AT A BOUND: year_sd at 0 (its standard error means little)"), std::string::npos) << text;
    c.report["counts"].erase("at_bound");
    EXPECT_EQ(format_report(c).find("AT A BOUND"), std::string::npos);
}

// POST /v1/calibrations passes the request's cancel flag (set when its client hangs up or its
// deadline passes): a run whose flag is set stops with risk::Cancelled and returns nothing, so the
// route stores no model version. Set before the run, and set while a slow fit runs (the Merton
// price fits take tens of seconds): it stops within about one evaluation of a likelihood.
TEST(CalibrationRun, StopsWhenItsRequestIsCancelled) {
    if (!testing::quotes::have_historical()) GTEST_SKIP() << "no data/historical";
    testing::TempDir dir;
    const auto path = dir / "c.db";
    testing::quotes::copy_calibrated(path);
    data::Store store(path);
    const std::string version = current_model_version(store)->version;

    std::atomic<bool> cancel{true};
    CalibrationRequest all;
    all.cancel = &cancel;
    EXPECT_THROW(run_calibrations(store, all), risk::Cancelled);

    cancel.store(false);
    CalibrationRequest merton;
    merton.peril = "price";
    merton.jumps = true;
    merton.cancel = &cancel;
    std::thread canceller([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        cancel.store(true);
    });
    const auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(run_calibrations(store, merton), risk::Cancelled);
    const auto took = std::chrono::steady_clock::now() - start;
    canceller.join();
    // A generous bound, not a timing: checked only between markets, the run stopped after the
    // first market's fit, 6.9 s here; uncancelled, the fits take tens of seconds.
    EXPECT_LT(took, std::chrono::seconds(3));
    EXPECT_EQ(current_model_version(store)->version, version);
}

}  // namespace
}  // namespace tanhui::api
