#include "risk/backtest/price.hpp"

#include "risk/calibration/price.hpp"
#include "risk/calibration/price_law.hpp"
#include "risk/random/special.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tanhui::risk {

namespace {

LogPriceSeries slice(const LogPriceSeries& all, std::size_t first, std::size_t last) {
    LogPriceSeries s;
    s.t_years.assign(all.t_years.begin() + static_cast<std::ptrdiff_t>(first),
                     all.t_years.begin() + static_cast<std::ptrdiff_t>(last) + 1);
    s.log_price.assign(all.log_price.begin() + static_cast<std::ptrdiff_t>(first),
                       all.log_price.begin() + static_cast<std::ptrdiff_t>(last) + 1);
    s.last_close = std::exp(s.log_price.back());
    return s;
}

// The law of the observed log return from the origin (the window's last close) over h years.
// With observation noise the efficient price at the origin is the Kalman filter's (mean m,
// variance P): the return is (m - y) + the step from m, plus e^(-2 k h) P and the target's noise.
StepLaw forecast_law(const PriceModel& m, const LogPriceSeries& window, double h) {
    const double y = window.log_price.back();
    if (!(m.noise_sd > 0)) return step_law(m, y, h);
    const FilteredLogPrice f = filter_log_price(m, window);
    StepLaw law = step_law(m, f.mean, h);
    const double a = m.process == PriceProcess::ou ? std::exp(-m.mean_reversion * h) : 1.0;
    law.mean += f.mean - y;
    law.variance += a * a * f.variance + m.noise_sd * m.noise_sd;
    return law;
}

VarTestRow test_row(const std::string& method, std::size_t horizon, double level, std::span<const double> returns,
                    std::span<const double> var) {
    std::vector<std::uint8_t> hits;
    for (std::size_t i = 0; i < returns.size(); ++i) hits.push_back(returns[i] < -var[i] ? 1 : 0);
    VarTestRow row;
    row.method = method;
    row.horizon = horizon;
    row.level = level;
    row.kupiec = kupiec_pof(hits, 1 - level);
    row.christoffersen = christoffersen_independence(hits);
    return row;
}

// Rolling fits of one family at origins first, first + refit_every, ...
std::vector<PriceModel> rolling_fits(const LogPriceSeries& series, const std::string& market, const std::string& family,
                                     const PriceBacktestOptions& o, std::size_t& failed) {
    std::vector<PriceModel> fits;
    const std::size_t n = series.t_years.size();
    const auto fixed = o.fixed.find(family);
    for (std::size_t origin = o.window - 1; origin + 1 < n; origin += o.refit_every) {
        if (fixed != o.fixed.end()) {
            fits.push_back(fixed->second);
            continue;
        }
        const LogPriceSeries w = slice(series, origin + 1 - o.window, origin);
        try {
            fits.push_back(fit_price_family(w, market, family).model);
        } catch (const InvalidInput&) {
            ++failed;
            fits.push_back(fits.empty() ? fit_gbm(w, market).model : fits.back());
        }
    }
    return fits;
}

// One family's rolling forecasts at the origins of each horizon, their tests and log scores.
FamilyBacktest backtest_family(const LogPriceSeries& series, const std::string& market, const std::string& family,
                               const PriceBacktestOptions& o, const std::vector<std::vector<std::size_t>>& origins,
                               MarketBacktest& out) {
    const std::size_t first = o.window - 1;
    FamilyBacktest fb;
    fb.family = family;
    const std::vector<PriceModel> fits = rolling_fits(series, market, family, o, fb.failed_fits);
    out.refits = fits.size();
    fb.forecasts.resize(o.horizons.size());
    for (std::size_t hi = 0; hi < o.horizons.size(); ++hi) {
        FamilyForecasts& ff = fb.forecasts[hi];
        std::vector<double> returns;
        double score = 0;
        for (std::size_t k = 0; k < origins[hi].size(); ++k) {
            const std::size_t origin = origins[hi][k];
            const PriceModel& m = fits[(origin - first) / o.refit_every];
            const VarForecast& v = out.forecasts[hi][k];
            const StepLaw law = forecast_law(m, slice(series, origin + 1 - o.window, origin), v.horizon_years);
            std::vector<double> var;
            for (const double level : o.levels) var.push_back(-law.quantile(1 - level));
            ff.var.push_back(std::move(var));
            ff.log_score.push_back(law.log_pdf(v.log_return));
            score += ff.log_score.back();
            returns.push_back(v.log_return);
        }
        fb.mean_log_score.push_back(origins[hi].empty() ? std::numeric_limits<double>::quiet_NaN()
                                                         : score / static_cast<double>(origins[hi].size()));
        for (std::size_t li = 0; li < o.levels.size(); ++li) {
            std::vector<double> var;
            for (const auto& x : ff.var) var.push_back(x[li]);
            fb.tests.push_back(test_row(family, o.horizons[hi], o.levels[li], returns, var));
        }
    }
    fb.passes = true;
    for (const auto& t : fb.tests)
        if (t.horizon == o.horizons.back() &&
            (t.kupiec.p_value < o.selection_level || t.christoffersen.p_value < o.selection_level))
            fb.passes = false;
    return fb;
}

}  // namespace

std::vector<std::string> default_eligible_families(bool jumps) {
    std::vector<std::string> out;
    for (const auto& f : price_families())
        if (jumps || !f.ends_with("_merton")) out.push_back(f);
    return out;
}

std::string select_price_family(const std::vector<FamilyBacktest>& families, const std::vector<std::string>& eligible) {
    const FamilyBacktest* best = nullptr;
    const auto allowed = [&](const std::string& f) {
        return eligible.empty() || std::find(eligible.begin(), eligible.end(), f) != eligible.end();
    };
    for (const bool need_pass : {true, false}) {
        for (const auto& f : families) {
            if (!allowed(f.family) || f.mean_log_score.empty() || (need_pass && !f.passes) ||
                !std::isfinite(f.mean_log_score.back()))
                continue;
            if (!best || f.mean_log_score.back() > best->mean_log_score.back()) best = &f;
        }
        if (best) return best->family;
    }
    return "";
}

MarketBacktest backtest_price(std::span<const PricePoint> points, const std::string& market, const PriceBacktestOptions& o) {
    if (o.window < 30) throw InvalidInput("window", "must be at least 30 traded observations");
    if (o.refit_every < 1) throw InvalidInput("refit_every", "must be at least 1");
    for (const std::size_t steps : o.horizons)
        if (steps < 1) throw InvalidInput("horizons", "must be >= 1");
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
    const std::size_t first = o.window - 1;

    // The realised returns and the historical-simulation VaR, per horizon. Non-overlapping
    // windows for multi-step horizons, so that exceedances are not mechanically dependent
    // (Christoffersen's test assumes a Markov chain of 0/1s).
    out.forecasts.resize(o.horizons.size());
    std::vector<std::vector<std::size_t>> origins(o.horizons.size());
    for (std::size_t hi = 0; hi < o.horizons.size(); ++hi) {
        const std::size_t steps = o.horizons[hi];
        for (std::size_t origin = first; origin + steps < n; origin += steps) {
            origins[hi].push_back(origin);
            VarForecast v;
            v.origin_date = dates[origin];
            v.target_date = dates[origin + steps];
            v.horizon_years = series.t_years[origin + steps] - series.t_years[origin];
            v.log_return = series.log_price[origin + steps] - series.log_price[origin];
            // Historical simulation: the empirical distribution of the window's overlapping
            // `steps`-step log returns, whatever their calendar length.
            std::vector<double> past;
            for (std::size_t j = origin + 1 - o.window; j + steps <= origin; ++j)
                past.push_back(series.log_price[j + steps] - series.log_price[j]);
            for (const double level : o.levels) v.historical_var.push_back(-empirical_quantile(past, 1 - level));
            out.forecasts[hi].push_back(std::move(v));
        }
    }

    const std::vector<std::string>& names = o.families.empty() ? price_families() : o.families;
    for (const std::string& family : names) out.families.push_back(backtest_family(series, market, family, o, origins, out));
    out.selected = select_price_family(out.families, o.eligible);

    // The selected family's VaR beside the historical baseline.
    const auto chosen = std::find_if(out.families.begin(), out.families.end(),
                                     [&](const FamilyBacktest& f) { return f.family == out.selected; });
    for (std::size_t hi = 0; hi < o.horizons.size(); ++hi) {
        std::vector<double> returns;
        for (std::size_t k = 0; k < out.forecasts[hi].size(); ++k) {
            VarForecast& v = out.forecasts[hi][k];
            v.process = out.selected;
            if (chosen != out.families.end()) v.model_var = chosen->forecasts[hi].var[k];
            returns.push_back(v.log_return);
        }
        for (std::size_t li = 0; li < o.levels.size(); ++li) {
            std::vector<double> model, historical;
            for (const auto& v : out.forecasts[hi]) {
                model.push_back(v.model_var.empty() ? 0.0 : v.model_var[li]);
                historical.push_back(v.historical_var[li]);
            }
            out.tests.push_back(test_row("model", o.horizons[hi], o.levels[li], returns, model));
            out.tests.push_back(test_row("historical", o.horizons[hi], o.levels[li], returns, historical));
        }
    }
    if (!out.forecasts.empty() && !out.forecasts[0].empty()) {
        out.first_test_date = out.forecasts[0].front().origin_date;
        out.last_test_date = out.forecasts[0].back().target_date;
    }
    return out;
}

}  // namespace tanhui::risk
