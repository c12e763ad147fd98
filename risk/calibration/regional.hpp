// What the regional event perils' calibrations share (docs/calibration.md "Freeze", "Landslide"):
// normal scores of a province's yearly series, pooled correlations between series with their
// standard errors (the dependence of issue 16 item 5), and the fire year residuals they are
// compared with.
#pragma once

#include "risk/calibration/history.hpp"
#include "risk/model/value.hpp"

#include <map>
#include <string>
#include <vector>

namespace tanhui::risk {

// A province's yearly values by year.
using YearSeries = std::map<int, double>;

// Van der Waerden normal scores Phi^-1(rank / (n + 1)) of the values (ties take their mean rank).
YearSeries normal_scores(const YearSeries& values);

// Pearson correlation of two sets of scores pooled over the province-years both have, with its
// standard error (1 - r^2) / sqrt(n - 3) (province-years taken as independent: an
// underestimate where provinces move together). NaN when fewer than 5 pairs.
struct PooledCorrelation {
    double estimate = 0;
    double standard_error = 0;
    std::size_t pairs = 0;
    int first_year = 0, last_year = 0;
};
PooledCorrelation pooled_correlation(const std::map<std::string, YearSeries>& a, const std::map<std::string, YearSeries>& b);
Value correlation_value(const PooledCorrelation& c, const std::string& what);

// Fire year residuals ln(y_t / m_t) of each province's negative-binomial trend fit (as the pest
// elasticity reads them), provinces with at least 8 years of fires.
std::map<std::string, YearSeries> fire_residuals(History& history, const std::vector<std::string>& provinces);

// The assumption, or std::runtime_error naming it.
double required_assumption_value(History& history, const std::string& key);

}  // namespace tanhui::risk
