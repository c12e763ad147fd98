#include "risk/model/growth.hpp"

#include <algorithm>

#include <ql/math/array.hpp>
#include <ql/math/optimization/constraint.hpp>
#include <ql/math/optimization/costfunction.hpp>
#include <ql/math/optimization/endcriteria.hpp>
#include <ql/math/optimization/levenbergmarquardt.hpp>
#include <ql/math/optimization/problem.hpp>

#include <cmath>
#include <limits>
#include <set>
#include <string>
#include <vector>

namespace tanhui::risk {

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

void require_curve(const GrowthCurve& c) {
    if (!(c.max_tco2e_per_ha >= 0 && c.rate_per_year > 0 && c.shape > 0))
        throw InvalidInput("growth", "Chapman-Richards needs max >= 0, rate > 0, shape > 0; got max " +
                                         std::to_string(c.max_tco2e_per_ha) + ", rate " +
                                         std::to_string(c.rate_per_year) + ", shape " + std::to_string(c.shape));
}

}  // namespace

double carbon_stock_tco2e_per_ha(const GrowthCurve& c, double age_years) {
    require_curve(c);
    if (!(age_years > 0)) return 0;
    return c.max_tco2e_per_ha * std::pow(-std::expm1(-c.rate_per_year * age_years), c.shape);
}

double sequestration_tco2e_per_ha_yr(const GrowthCurve& c, double age_years) {
    require_curve(c);
    if (!(age_years > 0)) {
        // The derivative at 0 is finite only for shape >= 1.
        if (c.shape > 1) return 0;
        if (c.shape == 1) return c.max_tco2e_per_ha * c.rate_per_year;
        return inf;
    }
    const double e = std::exp(-c.rate_per_year * age_years);
    return c.max_tco2e_per_ha * c.shape * c.rate_per_year * e * std::pow(-std::expm1(-c.rate_per_year * age_years), c.shape - 1);
}

double age_at_stock_years(const GrowthCurve& c, double stock) {
    require_curve(c);
    if (!(stock > 0)) return 0;
    if (stock >= c.max_tco2e_per_ha) return inf;
    return -std::log1p(-std::pow(stock / c.max_tco2e_per_ha, 1.0 / c.shape)) / c.rate_per_year;
}

double regrowth_years(const GrowthCurve& c, double target, double from) {
    const double t_target = age_at_stock_years(c, target);
    const double t_from = age_at_stock_years(c, from);
    if (std::isinf(t_target)) return target <= from ? 0 : inf;
    return t_target > t_from ? t_target - t_from : 0;
}

HoldingCarbon holding_carbon(const Holding& h, const std::array<GrowthCurve, forest_type_count>& growth,
                             const CarbonOverride& override_, const std::string& at) {
    if (!(h.area_ha >= 0 && std::isfinite(h.area_ha)))
        throw InvalidInput(at + "/area_ha", "must be >= 0, got " + std::to_string(h.area_ha));
    const GrowthCurve& curve = growth[index(h.forest_type)];
    const bool has_curve = curve.max_tco2e_per_ha > 0 && curve.rate_per_year > 0 && curve.shape > 0;
    auto need_curve = [&](const char* field) {
        if (!has_curve)
            throw InvalidInput(at + "/" + field, "not given and the model has no growth curve for " +
                                                     std::string(to_string(h.forest_type)));
        if (!(h.age_years >= 0 && std::isfinite(h.age_years)))
            throw InvalidInput(at + "/age_years", "must be >= 0, got " + std::to_string(h.age_years));
    };

    HoldingCarbon out;
    if (override_.stock_tco2e_per_ha) {
        out.stock_tco2e_per_ha = *override_.stock_tco2e_per_ha;
        if (!(out.stock_tco2e_per_ha >= 0 && std::isfinite(out.stock_tco2e_per_ha)))
            throw InvalidInput("model/carbon/stock_tco2e_per_ha", "must be >= 0, got " + std::to_string(out.stock_tco2e_per_ha));
    } else if (h.carbon_stock_tco2e_per_ha) {
        out.stock_tco2e_per_ha = *h.carbon_stock_tco2e_per_ha;
        if (!(out.stock_tco2e_per_ha >= 0 && std::isfinite(out.stock_tco2e_per_ha)))
            throw InvalidInput(at + "/carbon_stock_tco2e_per_ha", "must be >= 0, got " + std::to_string(out.stock_tco2e_per_ha));
    } else {
        need_curve("carbon_stock_tco2e_per_ha");
        out.stock_tco2e_per_ha = carbon_stock_tco2e_per_ha(curve, h.age_years);
    }
    if (h.sequestration_tco2e_per_ha_yr) {
        out.sequestration_tco2e_per_ha_yr = *h.sequestration_tco2e_per_ha_yr;
        if (!std::isfinite(*out.sequestration_tco2e_per_ha_yr))
            throw InvalidInput(at + "/sequestration_tco2e_per_ha_yr", "must be finite");
    } else if (has_curve) {
        need_curve("sequestration_tco2e_per_ha_yr");
        out.sequestration_tco2e_per_ha_yr = sequestration_tco2e_per_ha_yr(curve, h.age_years);
    }
    out.stock_tco2e = out.stock_tco2e_per_ha * h.area_ha;
    return out;
}

namespace {

// Residuals sqrt(w) (stock(age) - y) on x, each parameter a logistic function of its x inside
// its bounds: the literature's age classes are few and noisy, and an unbounded fit runs off to
// a straight line (max -> infinity, rate -> 0) or a step (shape -> infinity).
class ChapmanRichardsResiduals : public QuantLib::CostFunction {
public:
    ChapmanRichardsResiduals(std::span<const AgeStockPoint> points, const GrowthFitBounds& bounds, double max_y)
        : points_(points), lo_{bounds.max_factor_low * max_y, bounds.rate_low, bounds.shape_low},
          hi_{bounds.max_factor_high * max_y, bounds.rate_high, bounds.shape_high} {}

    QuantLib::Array values(const QuantLib::Array& x) const override {
        QuantLib::Array r(points_.size());
        const GrowthCurve c = curve(x);
        for (std::size_t i = 0; i < points_.size(); ++i) {
            const auto& p = points_[i];
            const double s = c.max_tco2e_per_ha * std::pow(-std::expm1(-c.rate_per_year * p.age_years), c.shape);
            r[i] = std::sqrt(p.weight) * (s - p.stock_tco2e_per_ha);
        }
        return r;
    }
    QuantLib::Real value(const QuantLib::Array& x) const override {
        const QuantLib::Array r = values(x);
        double sum = 0;
        for (double v : r) sum += v * v;
        return sum;
    }
    // Parameters on a log scale inside [lo, hi]: exp(ln lo + (ln hi - ln lo) / (1 + e^-x)).
    double parameter(std::size_t i, double x) const {
        const double a = std::log(lo_[i]), b = std::log(hi_[i]);
        return std::exp(a + (b - a) / (1 + std::exp(-x)));
    }
    double coordinate(std::size_t i, double value) const {
        const double a = std::log(lo_[i]), b = std::log(hi_[i]);
        const double u = std::clamp((std::log(value) - a) / (b - a), 1e-9, 1 - 1e-9);
        return std::log(u / (1 - u));
    }
    GrowthCurve curve(const QuantLib::Array& x) const {
        return {.max_tco2e_per_ha = parameter(0, x[0]), .rate_per_year = parameter(1, x[1]), .shape = parameter(2, x[2])};
    }

private:
    std::span<const AgeStockPoint> points_;
    std::array<double, 3> lo_, hi_;
};

}  // namespace

GrowthFit fit_chapman_richards(std::span<const AgeStockPoint> points, const GrowthFitBounds& bounds) {
    std::set<double> ages;
    double max_y = 0, sum_w = 0, sum_wy = 0;
    for (std::size_t i = 0; i < points.size(); ++i) {
        const auto& p = points[i];
        const std::string at = "points/" + std::to_string(i);
        if (!(p.age_years > 0 && std::isfinite(p.age_years)))
            throw InvalidInput(at + "/age_years", "must be > 0, got " + std::to_string(p.age_years));
        if (!(p.stock_tco2e_per_ha >= 0 && std::isfinite(p.stock_tco2e_per_ha)))
            throw InvalidInput(at + "/stock_tco2e_per_ha", "must be >= 0, got " + std::to_string(p.stock_tco2e_per_ha));
        if (!(p.weight >= 0 && std::isfinite(p.weight)))
            throw InvalidInput(at + "/weight", "must be >= 0, got " + std::to_string(p.weight));
        if (p.weight > 0) {
            ages.insert(p.age_years);
            max_y = std::max(max_y, p.stock_tco2e_per_ha);
            sum_w += p.weight;
            sum_wy += p.weight * p.stock_tco2e_per_ha;
        }
    }
    if (ages.size() < 3) throw InvalidInput("points", "need at least 3 distinct ages with positive weight");
    if (!(max_y > 0)) throw InvalidInput("points", "all stocks are 0");

    ChapmanRichardsResiduals cost(points, bounds, max_y);
    // Start from the best point of a small grid: LM is local and the curve is flat in some
    // directions (a slow rate trades off against a high maximum).
    QuantLib::Array best(3);
    double best_value = inf;
    // Grid points strictly inside the bounds (on a bound the logistic map has no gradient).
    for (double max_position : {0.05, 0.2, 0.4, 0.6, 0.8, 0.95})
        for (double rate : {0.01, 0.02, 0.04, 0.08, 0.16, 0.32})
            for (double shape : {0.5, 1.0, 1.5, 2.5, 4.0, 8.0}) {
                QuantLib::Array x(3);
                const double lo = bounds.max_factor_low * max_y, hi = bounds.max_factor_high * max_y;
                x[0] = cost.coordinate(0, lo * std::pow(hi / lo, max_position));
                x[1] = cost.coordinate(1, rate);
                x[2] = cost.coordinate(2, shape);
                const double v = cost.value(x);
                if (v < best_value) {
                    best_value = v;
                    best = x;
                }
            }

    GrowthFit fit;
    fit.points = points.size();
    QuantLib::Array x = best;
    try {
        QuantLib::NoConstraint constraint;
        QuantLib::Problem problem(cost, constraint, best);
        QuantLib::LevenbergMarquardt lm(1e-10, 1e-12, 1e-12);
        const QuantLib::EndCriteria end(2000, 200, 1e-12, 1e-14, 1e-14);
        const QuantLib::EndCriteria::Type type = lm.minimize(problem, end);
        if (cost.value(problem.currentValue()) <= best_value) x = problem.currentValue();
        fit.converged = type != QuantLib::EndCriteria::MaxIterations && type != QuantLib::EndCriteria::Unknown &&
                        type != QuantLib::EndCriteria::None;
    } catch (const std::exception&) {
        fit.converged = false;  // keep the grid start
    }
    fit.curve = cost.curve(x);
    fit.rss = cost.value(x);
    fit.rmse = std::sqrt(fit.rss / sum_w);
    const double mean = sum_wy / sum_w;
    double tss = 0;
    for (const auto& p : points) tss += p.weight * (p.stock_tco2e_per_ha - mean) * (p.stock_tco2e_per_ha - mean);
    fit.r_squared = tss > 0 ? 1 - fit.rss / tss : 1;
    return fit;
}

}  // namespace tanhui::risk
