#include "risk/backtest/price.hpp"

#include "risk/calibration/price.hpp"
#include "risk/random/special.hpp"

#include <algorithm>
#include <cmath>

namespace tanhui::risk {

namespace {

// The fit in force: GBM or OU, lowest AIC among the converged (api/service/calibration.cpp, no jumps).
struct Fitted {
    PriceProcess process = PriceProcess::gbm;
    double drift = 0, volatility = 0, mean_reversion = 0, long_run_log_price = 0;
};

Fitted fit_window(const LogPriceSeries& all, std::size_t first, std::size_t last, const std::string& market) {
    LogPriceSeries s;
    s.t_years.assign(all.t_years.begin() + static_cast<std::ptrdiff_t>(first),
                     all.t_years.begin() + static_cast<std::ptrdiff_t>(last) + 1);
    s.log_price.assign(all.log_price.begin() + static_cast<std::ptrdiff_t>(first),
                       all.log_price.begin() + static_cast<std::ptrdiff_t>(last) + 1);
    s.last_close = std::exp(s.log_price.back());
    const PriceFit gbm = fit_gbm(s, market);
    Fitted f;
    f.drift = gbm.model.drift;
    f.volatility = gbm.model.volatility;
    const PriceFit ou = fit_ou(s, market);
    if (ou.report.converged && std::isfinite(ou.report.aic) && ou.report.aic < gbm.report.aic) {
        f.process = PriceProcess::ou;
        f.volatility = ou.model.volatility;
        f.mean_reversion = ou.model.mean_reversion;
        f.long_run_log_price = ou.model.long_run_log_price;
    }
    return f;
}

// Mean and SD of ln S(t + h) - ln S(t) given ln S(t) = x (docs/risk-model.md "Price paths").
void log_return_distribution(const Fitted& f, double x, double h, double& mean, double& sd) {
    if (f.process == PriceProcess::ou && f.mean_reversion > 0) {
        const double k = f.mean_reversion;
        mean = (f.long_run_log_price - x) * -std::expm1(-k * h);
        sd = f.volatility * std::sqrt(-std::expm1(-2 * k * h) / (2 * k));
    } else {
        mean = (f.drift - f.volatility * f.volatility / 2) * h;
        sd = f.volatility * std::sqrt(h);
    }
}

}  // namespace

MarketBacktest backtest_price(std::span<const PricePoint> points, const std::string& market, const PriceBacktestOptions& o) {
    if (o.window < 30) throw InvalidInput("window", "must be at least 30 traded observations");
    if (o.refit_every < 1) throw InvalidInput("refit_every", "must be at least 1");
    MarketBacktest out;
    out.market = market;
    out.horizons = o.horizons;
    const LogPriceSeries series = traded_log_prices(points);
    std::vector<std::string> dates;
    for (const auto& p : points)
        if (p.traded) dates.push_back(p.date);
    const std::size_t n = series.t_years.size();
    out.traded = n;
    out.untraded_dropped = series.untraded_dropped;
    if (n < o.window + o.min_test_points + 1) {
        out.reason = std::to_string(n) + " traded observations; the backtest needs " + std::to_string(o.window) +
                     " to fit and " + std::to_string(o.min_test_points) + " to test";
        return out;
    }
    out.included = true;

    // Fits at origins first, first + refit_every, ... on the window ending at the origin.
    const std::size_t first = o.window - 1;
    std::vector<Fitted> fits;
    for (std::size_t origin = first; origin + 1 < n; origin += o.refit_every) {
        fits.push_back(fit_window(series, origin + 1 - o.window, origin, market));
        out.ou_selected += fits.back().process == PriceProcess::ou ? 1 : 0;
    }
    out.refits = fits.size();
    const auto fit_at = [&](std::size_t origin) -> const Fitted& { return fits[(origin - first) / o.refit_every]; };

    out.forecasts.resize(o.horizons.size());
    for (std::size_t hi = 0; hi < o.horizons.size(); ++hi) {
        const std::size_t steps = o.horizons[hi];
        if (steps < 1) throw InvalidInput("horizons", "must be >= 1");
        // Non-overlapping windows for multi-step horizons, so that exceedances are not
        // mechanically dependent (Christoffersen's test assumes a Markov chain of 0/1s).
        for (std::size_t origin = first; origin + steps < n; origin += steps) {
            const Fitted& f = fit_at(origin);
            VarForecast v;
            v.origin_date = dates[origin];
            v.target_date = dates[origin + steps];
            v.horizon_years = series.t_years[origin + steps] - series.t_years[origin];
            v.log_return = series.log_price[origin + steps] - series.log_price[origin];
            v.process = f.process == PriceProcess::ou ? "ou" : "gbm";
            double mean = 0, sd = 0;
            log_return_distribution(f, series.log_price[origin], v.horizon_years, mean, sd);
            // Historical simulation: the empirical distribution of the window's overlapping
            // `steps`-step log returns, whatever their calendar length.
            std::vector<double> past;
            for (std::size_t j = origin + 1 - o.window; j + steps <= origin; ++j)
                past.push_back(series.log_price[j + steps] - series.log_price[j]);
            for (const double level : o.levels) {
                v.model_var.push_back(-(mean + sd * normal_quantile(1 - level)));
                v.historical_var.push_back(-empirical_quantile(past, 1 - level));
            }
            out.forecasts[hi].push_back(std::move(v));
        }
        for (std::size_t li = 0; li < o.levels.size(); ++li)
            for (const char* method : {"model", "historical"}) {
                std::vector<std::uint8_t> hits;
                for (const auto& v : out.forecasts[hi]) {
                    const double var = std::string(method) == "model" ? v.model_var[li] : v.historical_var[li];
                    hits.push_back(v.log_return < -var ? 1 : 0);
                }
                VarTestRow row;
                row.method = method;
                row.horizon = steps;
                row.level = o.levels[li];
                row.kupiec = kupiec_pof(hits, 1 - o.levels[li]);
                row.christoffersen = christoffersen_independence(hits);
                out.tests.push_back(row);
            }
    }
    if (!out.forecasts.empty() && !out.forecasts[0].empty()) {
        out.first_test_date = out.forecasts[0].front().origin_date;
        out.last_test_date = out.forecasts[0].back().target_date;
    }
    return out;
}

}  // namespace tanhui::risk
