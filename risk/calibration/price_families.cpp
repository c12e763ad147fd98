// The fat-tailed and the thin-trading price families of issue 19 (risk/calibration/price.hpp).
#include "risk/calibration/price.hpp"

#include "risk/calibration/mle.hpp"
#include "risk/calibration/price_law.hpp"
#include "risk/random/special.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tanhui::risk {

namespace {

constexpr double min_dof = 2.05, max_dof = 200;
constexpr double minus_infinity = -std::numeric_limits<double>::infinity();

// The OU search region of price.cpp: mean reversion >= 1e-3 a year, long-run level within e^3 of
// the observed range.
bool in_ou_box(const LogPriceSeries& s, double k, double theta) {
    const auto [lo, hi] = std::minmax_element(s.log_price.begin(), s.log_price.end());
    return k >= 1e-3 && theta >= *lo - 3 && theta <= *hi + 3;
}

// The base process's parameters from th (GBM: drift, volatility; OU: mean_reversion,
// long_run_log_price, volatility) into a PriceModel.
void set_base(PriceModel& m, PriceProcess base, std::span<const double> th) {
    m.process = base;
    if (base == PriceProcess::ou) {
        m.mean_reversion = th[0];
        m.long_run_log_price = th[1];
        m.volatility = th[2];
    } else {
        m.drift = th[0];
        m.volatility = th[1];
    }
}

std::vector<MleParameter> base_parameters(const PriceFit& normal, PriceProcess base) {
    const PriceModel& m = normal.model;
    if (base == PriceProcess::ou)
        return {{"mean_reversion", std::max(m.mean_reversion, 2e-3), Support::positive, 0.5},
                {"long_run_log_price", m.long_run_log_price, Support::real, 0.2},
                {"volatility", m.volatility, Support::positive, 0.3}};
    return {{"drift", m.drift, Support::real, 0.2}, {"volatility", m.volatility, Support::positive, 0.3}};
}

PriceModel model_of(const LogPriceSeries& s, const std::string& market, PriceProcess base) {
    PriceModel m;
    m.market = market;
    m.process = base;
    m.spot = s.last_close > 0 ? s.last_close : std::exp(s.log_price.back());
    m.spot_date = s.last_date;
    return m;
}

// One pass of the Kalman filter (price.hpp fit_noisy): the log-likelihood, and the one-step
// probability transforms into u when given.
double kalman(const PriceModel& m, const LogPriceSeries& s, std::vector<double>* u, FilteredLogPrice* last) {
    const double eta2 = m.noise_sd * m.noise_sd;
    double mean = s.log_price[0], var = eta2, ll = 0;
    for (std::size_t i = 1; i < s.log_price.size(); ++i) {
        const double h = s.t_years[i] - s.t_years[i - 1];
        const StepLaw law = step_law(m, mean, h);
        const double a = m.process == PriceProcess::ou ? std::exp(-m.mean_reversion * h) : 1.0;
        const double pred_mean = mean + law.mean, pred_var = a * a * var + law.variance;
        const double total = pred_var + eta2;
        ll += normal_log_pdf(s.log_price[i], pred_mean, std::sqrt(total));
        if (u) u->push_back(normal_cdf((s.log_price[i] - pred_mean) / std::sqrt(total)));
        const double gain = total > 0 ? pred_var / total : 0;
        mean = pred_mean + gain * (s.log_price[i] - pred_mean);
        var = (1 - gain) * pred_var;
    }
    if (last) *last = {mean, var};
    return ll;
}

}  // namespace

PriceFit fit_student_t(const LogPriceSeries& series, const std::string& market, PriceProcess base) {
    const bool ou = base == PriceProcess::ou;
    const PriceFit normal = ou ? fit_ou(series, market) : fit_gbm(series, market);
    std::vector<MleParameter> p = base_parameters(normal, base);
    const std::size_t d = p.size();
    p.push_back({"tail_dof", 5.0, Support::positive, 0.3});
    const LogLikelihood ll = [&](std::span<const double> th) {
        if (th[d] < min_dof || th[d] > max_dof) return minus_infinity;
        if (ou && !in_ou_box(series, th[0], th[1])) return minus_infinity;
        PriceModel m;
        set_base(m, base, th);
        m.tail_dof = th[d];
        double s = 0;
        for (std::size_t i = 1; i < series.log_price.size(); ++i) {
            const double h = series.t_years[i] - series.t_years[i - 1];
            s += step_law(m, series.log_price[i - 1], h).log_pdf(series.log_price[i] - series.log_price[i - 1]);
        }
        return s;
    };
    const MleResult res = maximise_log_likelihood(p, ll, {.max_iterations = 5'000, .max_restarts = 4});
    PriceFit f;
    f.report = report_from(ou ? "ou_t" : "gbm_t", res, series.log_price.size() - 1);
    f.model = model_of(series, market, base);
    set_base(f.model, base, res.estimates);
    f.model.tail_dof = res.estimates[d];
    std::vector<double> u;
    for (std::size_t i = 1; i < series.log_price.size(); ++i) {
        const double h = series.t_years[i] - series.t_years[i - 1];
        u.push_back(step_law(f.model, series.log_price[i - 1], h).cdf(series.log_price[i] - series.log_price[i - 1]));
    }
    add_price_transform_tests(f.report, std::move(u), "probability transforms of the Student-t steps");
    describe_price_data(f.report, series);
    f.report.notes.emplace_back("Student-t innovations scaled to the diffusion's variance; tail_dof searched in (2.05, 200]");
    return f;
}

PriceFit fit_noisy(const LogPriceSeries& series, const std::string& market, PriceProcess base) {
    const bool ou = base == PriceProcess::ou;
    const PriceFit normal = ou ? fit_ou(series, market) : fit_gbm(series, market);
    // Roll (1984): the lag-1 autocovariance of returns is -noise_sd^2.
    const std::size_t n = series.log_price.size() - 1;
    std::vector<double> r(n);
    for (std::size_t i = 0; i < n; ++i) r[i] = series.log_price[i + 1] - series.log_price[i];
    double mean = 0, c0 = 0, c1 = 0;
    for (const double x : r) mean += x / static_cast<double>(n);
    for (std::size_t i = 0; i < n; ++i) {
        c0 += (r[i] - mean) * (r[i] - mean) / static_cast<double>(n);
        if (i > 0) c1 += (r[i] - mean) * (r[i - 1] - mean) / static_cast<double>(n);
    }
    const double eta0 = std::sqrt(std::clamp(-c1, 0.01 * c0, 0.45 * c0));
    const double h_bar = (series.t_years.back() - series.t_years.front()) / static_cast<double>(n);
    std::vector<MleParameter> p = base_parameters(normal, base);
    const std::size_t d = p.size();
    p[d - 1].start = std::sqrt(std::max(c0 - 2 * eta0 * eta0, 0.1 * c0) / h_bar);
    p.push_back({"noise_sd", eta0, Support::positive, 0.5});
    const LogLikelihood ll = [&](std::span<const double> th) {
        if (ou && !in_ou_box(series, th[0], th[1])) return minus_infinity;
        PriceModel m;
        set_base(m, base, th);
        m.noise_sd = th[d];
        return kalman(m, series, nullptr, nullptr);
    };
    const MleResult res = maximise_log_likelihood(p, ll, {.max_iterations = 5'000, .max_restarts = 4});
    PriceFit f;
    f.report = report_from(ou ? "ou_noise" : "gbm_noise", res, n);
    f.model = model_of(series, market, base);
    set_base(f.model, base, res.estimates);
    f.model.noise_sd = res.estimates[d];
    std::vector<double> u;
    kalman(f.model, series, &u, nullptr);
    add_price_transform_tests(f.report, std::move(u), "one-step Kalman predictive transforms");
    describe_price_data(f.report, series);
    f.report.notes.emplace_back("observed log close = efficient log price + N(0, noise_sd^2); Kalman filter, conditional on "
                                "the first observation; volatility is the efficient price's");
    return f;
}

FilteredLogPrice filter_log_price(const PriceModel& model, const LogPriceSeries& series) {
    FilteredLogPrice last{series.log_price.back(), 0};
    if (model.noise_sd > 0) kalman(model, series, nullptr, &last);
    return last;
}

const std::vector<std::string>& price_families() {
    static const std::vector<std::string> names{"gbm", "ou", "gbm_merton", "ou_merton", "gbm_t", "ou_t", "gbm_noise", "ou_noise"};
    return names;
}

PriceFit fit_price_family(const LogPriceSeries& series, const std::string& market, const std::string& family) {
    const PriceProcess base = family.starts_with("ou") ? PriceProcess::ou : PriceProcess::gbm;
    if (family == "gbm") return fit_gbm(series, market);
    if (family == "ou") return fit_ou(series, market);
    if (family.ends_with("_merton")) return fit_merton(series, market, base);
    if (family.ends_with("_t")) return fit_student_t(series, market, base);
    if (family.ends_with("_noise")) return fit_noisy(series, market, base);
    throw InvalidInput("family", "unknown price family \"" + family + "\"");
}

}  // namespace tanhui::risk
