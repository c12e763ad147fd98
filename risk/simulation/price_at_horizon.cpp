#include "risk/simulation/price_at_horizon.hpp"

#include "risk/metrics/order_statistics.hpp"
#include "risk/random/special.hpp"
#include "risk/simulation/price_path.hpp"

#include <algorithm>
#include <cmath>

namespace tanhui::risk {

namespace {

PriceAtHorizon closed_form(const PriceModel& model, double h, std::span<const double> levels) {
    const double x0 = std::log(model.spot), vol = model.volatility;
    double mean = 0, sd = 0;
    if (model.process == PriceProcess::ou && model.mean_reversion > 0) {
        const double k = model.mean_reversion, theta = model.long_run_log_price;
        mean = theta + (x0 - theta) * std::exp(-k * h);
        sd = vol * std::sqrt(-std::expm1(-2 * k * h) / (2 * k));
    } else if (model.process == PriceProcess::ou) {
        mean = x0;  // no reversion: a driftless random walk in ln S
        sd = vol * std::sqrt(h);
    } else {
        mean = x0 + (model.drift - 0.5 * vol * vol) * h;
        sd = vol * std::sqrt(h);
    }
    PriceAtHorizon out;
    out.method = PriceAtHorizonMethod::closed_form;
    out.levels.assign(levels.begin(), levels.end());
    out.median = {std::exp(mean), 0};
    for (const double a : levels)
        out.quantiles.push_back(std::exp(model.tail_dof > 0 ? mean + sd * std::sqrt((model.tail_dof - 2) / model.tail_dof) *
                                                                          student_t_quantile(a, model.tail_dof)
                                                            : mean + sd * normal_quantile(a)));
    return out;
}

}  // namespace

PriceAtHorizon price_at_horizon(const PriceModel& model, double h, std::span<const double> levels, std::uint32_t paths,
                                std::uint64_t seed, CancelFlag cancel) {
    if (model.jump_intensity == 0) return closed_form(model, h, levels);
    PriceModel marginal = model;
    marginal.correlation_with_weather = 0;
    const PricePath path(marginal, {h}, 0);
    std::vector<double> prices(paths);
    double one = 0;
    for (std::uint32_t i = 0; i < paths; ++i) {
        if (i % items_per_cancel_check == 0) stop_if_cancelled(cancel);
        path.simulate(seed, i, 0.0, std::span<double>(&one, 1));
        prices[i] = one;
    }
    std::sort(prices.begin(), prices.end());
    const auto ranked = OrderStatistics::smallest_first(prices);
    constexpr auto rounding = CountRounding::whole_within_1e9;
    PriceAtHorizon out;
    out.method = PriceAtHorizonMethod::monte_carlo;
    out.levels.assign(levels.begin(), levels.end());
    out.paths = paths;
    out.median = quantile_with_real_band(ranked, 0.5, rounding);
    for (const double a : levels) out.quantiles.push_back(quantile(ranked, a, rounding));
    return out;
}

}  // namespace tanhui::risk
