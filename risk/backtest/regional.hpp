// Out-of-sample backtests of the regional event perils (issue 16 item 9, docs/validation.md
// "Landslide", "Freeze"): the landslide counts of each province fitted on 2004-2018 with the
// calibration's rule (risk/calibration/landslide_model.hpp: negative binomial, trend if AIC
// prefers it, held flat after the fit window) and scored on 2019-2021 by randomised PITs and
// interval coverage; the freeze event years of each province, the event probability fitted on
// 2010-2018 (event threshold from those years too) against the events of 2019-2021. A cold year
// hits many provinces at once, so the count's variance is the binomial one times the dispersion
// phi of the fit years' yearly counts (quasi-binomial): sum_y (C_y - E_y)^2 / sum_y V_y, at least 1.
#pragma once

#include "data/types.hpp"
#include "risk/backtest/statistics.hpp"
#include "risk/calibration/fit_report.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace tanhui::risk {

struct RegionalBacktestOptions {
    int fit_from = 2004, fit_to = 2018;       // landslide
    int freeze_fit_from = 2010;               // freeze fits freeze_fit_from .. fit_to
    std::vector<int> test_years{2019, 2020, 2021};
    double event_year_share_of_max = 0.25;    // as the calibration's assumption
    std::uint64_t seed = 20190101;
};

struct LandslideForecast {
    std::string region;
    int year = 0;
    double observed = 0, expected = 0, size = 0, pit = 0;
};
struct LandslideBacktest {
    std::vector<LandslideForecast> forecasts;
    std::vector<std::string> excluded;  // provinces without a fit
    GofTest ks;                         // PIT uniformity (iid)
    CoverageTest coverage_50, coverage_90;
    double mean_pit = 0;
};
LandslideBacktest backtest_landslide(const std::vector<std::vector<GeoHazardYear>>& provinces,
                                     const RegionalBacktestOptions& options);

struct FreezeForecast {
    std::string region;
    double probability = 0;   // fitted on the fit years
    int test_years = 0, events = 0;
};
struct FreezeBacktest {
    std::vector<FreezeForecast> provinces;
    double expected_events = 0, variance = 0;  // binomial over province-years, times dispersion
    double dispersion = 1;  // phi: spread of the fit years' yearly counts over the binomial's (>= 1)
    int observed_events = 0;
    double z = 0, p_value = 1;
};
FreezeBacktest backtest_freeze(const std::vector<std::vector<DisasterYear>>& provinces, const RegionalBacktestOptions& options);

}  // namespace tanhui::risk
