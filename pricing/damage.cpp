#include "pricing/damage.hpp"

#include "pricing/checks.hpp"

#include <ql/math/integrals/kronrodintegral.hpp>

#include <cmath>
#include <functional>
#include <limits>

namespace tanhui::pricing {
namespace {

void validate_curve(const risk::GrowthCurve& g, const std::string& at) {
    checks::positive(g.max_tco2e_per_ha, at + ".max_tco2e_per_ha");
    checks::positive(g.rate_per_year, at + ".rate_per_year");
    checks::positive(g.shape, at + ".shape");
}

// Adaptive Gauss-Kronrod (QuantLib) with an absolute tolerance scaled to the integral's size.
double integrate(const std::function<double(double)>& f, double from, double to, double scale) {
    if (!(to > from)) return 0;
    const QuantLib::GaussKronrodAdaptive gk(1e-10 * std::max(1.0, scale * (to - from)), 1'000'000);
    return gk(f, from, to);
}

}  // namespace

DamageValuation value_damage(const DamageCase& c) {
    validate_curve(c.growth, "growth");
    if (c.regrowth) validate_curve(*c.regrowth, "regrowth");
    checks::non_negative(c.age_years, "age_years");
    checks::non_negative(c.damaged_area_ha, "damaged_area_ha");
    checks::share(c.stock_loss_fraction, "stock_loss_fraction");
    checks::non_negative(c.regrowth_delay_years, "regrowth_delay_years");
    checks::positive(c.max_recovery_years, "max_recovery_years");
    checks::non_negative(c.price_median_cny_per_tco2e, "price_median_cny_per_tco2e");
    for (std::size_t i = 0; i < c.price_quantiles.size(); ++i) {
        checks::open_unit(c.price_quantiles[i].level, checks::indexed("price_quantiles", i) + ".level");
        checks::non_negative(c.price_quantiles[i].price_cny_per_tco2e,
                             checks::indexed("price_quantiles", i) + ".price_cny_per_tco2e");
    }

    const risk::GrowthCurve& g = c.growth;
    const risk::GrowthCurve& h = c.regrowth ? *c.regrowth : c.growth;
    const double before = risk::carbon_stock_tco2e_per_ha(g, c.age_years);  // U(0)
    const double left = (1 - c.stock_loss_fraction) * before;               // R(0)
    const double start_age = risk::age_at_stock_years(h, left);             // regrowth resumes from here
    const double delay = c.regrowth_delay_years;

    const auto undisturbed = [&](double t) { return risk::carbon_stock_tco2e_per_ha(g, c.age_years + t); };
    const auto regrowing = [&](double t) {
        if (t <= delay || std::isinf(start_age)) return left;
        return risk::carbon_stock_tco2e_per_ha(h, start_age + t - delay);
    };

    DamageValuation v;
    double t_recovered = 0;
    if (left < before) {
        const double target_age = risk::age_at_stock_years(h, before);
        t_recovered = std::isinf(target_age) || std::isinf(start_age) ? std::numeric_limits<double>::infinity()
                                                                      : delay + target_age - start_age;
    }
    v.recovered = t_recovered <= c.max_recovery_years;
    v.recovery_years = std::min(t_recovered, c.max_recovery_years);
    const double area = c.damaged_area_ha;
    v.stock_lost_tco2e = area * (before - left);
    v.sequestration_forgone_tco2e = area * (undisturbed(v.recovery_years) - before);
    v.total_tco2e = v.stock_lost_tco2e + v.sequestration_forgone_tco2e;

    const auto gap = [&](double t) { return undisturbed(t) - regrowing(t); };
    const double scale = g.max_tco2e_per_ha;
    const double t_delay = std::min(delay, v.recovery_years);
    v.carbon_gap_tco2e_years = area * (integrate(gap, 0, t_delay, scale) + integrate(gap, t_delay, v.recovery_years, scale));

    v.replacement_cost_cny = v.total_tco2e * c.price_median_cny_per_tco2e;
    for (const auto& q : c.price_quantiles) v.replacement_cost_range_cny.push_back({q.level, v.total_tco2e * q.price_cny_per_tco2e});
    return v;
}

}  // namespace tanhui::pricing
