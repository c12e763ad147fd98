// Carbon of a forest stand by age: the Chapman-Richards growth curve (Richards 1959, "A flexible
// growth function for empirical use", J. Exp. Bot. 10(2); Pienaar & Turnbull 1973) per forest
// type, the holding's own values taking precedence, and a least-squares fit of the curve to
// (age, tCO2e/ha) points such as the age-group carbon densities in data/historical.
#pragma once

#include "data/types.hpp"
#include "risk/model/model.hpp"

#include <cstddef>
#include <optional>
#include <span>

namespace tanhui::risk {

// stock(age) = max * (1 - exp(-rate * age))^shape, tCO2e/ha; 0 for age <= 0.
double carbon_stock_tco2e_per_ha(const GrowthCurve& curve, double age_years);
// d stock / d age = max * shape * rate * exp(-rate age) * (1 - exp(-rate age))^(shape - 1).
double sequestration_tco2e_per_ha_yr(const GrowthCurve& curve, double age_years);
// The age at which the curve reaches a stock: -ln(1 - (stock / max)^(1 / shape)) / rate.
// 0 for stock <= 0, +infinity for stock >= max (never reached).
double age_at_stock_years(const GrowthCurve& curve, double stock_tco2e_per_ha);
// Years a stand needs to grow from from_stock to target_stock along the curve (damage valuation:
// a stand-replacing fire restarts it at from_stock = 0). 0 if already there, +infinity if the
// target is at or above the curve's maximum.
double regrowth_years(const GrowthCurve& curve, double target_stock_tco2e_per_ha,
                      double from_stock_tco2e_per_ha = 0);

// A holding's carbon. Precedence for the stock density: the quote's model.carbon override, then
// the holding's carbon_stock_tco2e_per_ha, then its forest type's curve at its age; for the
// sequestration: the holding's sequestration_tco2e_per_ha_yr, then the curve, else none (the
// loss simulation does not need it). Throws InvalidInput (field under `at`, e.g. "holdings/3")
// when nothing gives the stock.
struct HoldingCarbon {
    double stock_tco2e_per_ha = 0;
    std::optional<double> sequestration_tco2e_per_ha_yr;
    double stock_tco2e = 0;  // stock density x area
};
HoldingCarbon holding_carbon(const Holding& holding, const std::array<GrowthCurve, forest_type_count>& growth,
                             const CarbonOverride& override_ = {}, const std::string& at = "holding");

struct AgeStockPoint {
    double age_years = 0;
    double stock_tco2e_per_ha = 0;
    double weight = 1;  // e.g. the area of the age group
};
struct GrowthFit {
    GrowthCurve curve;
    double rss = 0;         // weighted residual sum of squares, (tCO2e/ha)^2
    double rmse = 0;        // sqrt(rss / sum of weights)
    double r_squared = 0;   // 1 - rss / weighted total sum of squares
    std::size_t points = 0;
    bool converged = false;  // QuantLib's end criterion was a convergence, not the iteration cap
};
// Weighted least squares: minimise sum w (stock(age) - y)^2 over max, rate, shape inside
// `bounds`, by QuantLib's Levenberg-Marquardt on logistic-transformed log parameters from the
// best start of a small grid. Needs
// at least 3 points with positive weight at distinct ages > 0.
// Bounds of the fitted parameters; the asymptote relative to the largest observed stock.
struct GrowthFitBounds {
    double max_factor_low = 1.0, max_factor_high = 3.0;
    double rate_low = 0.005, rate_high = 2.0;     // per year
    double shape_low = 0.3, shape_high = 10.0;
};
GrowthFit fit_chapman_richards(std::span<const AgeStockPoint> points, const GrowthFitBounds& bounds = {});

}  // namespace tanhui::risk
