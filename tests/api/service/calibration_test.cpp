// The printed calibration report (tanhui calibrate): a fit whose estimate sits at a bound of its
// parameter space is flagged (issue 18). Since issue 19 held burned area at its window mean, no
// window of the shipped data puts a fit at a bound any more, so the report is built here; that the
// fit finds the bound is tests/risk/calibration/mle_test.cpp's.
#include "api/service/calibration.hpp"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace tanhui::api
