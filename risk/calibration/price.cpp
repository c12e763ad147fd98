#include "risk/calibration/price.hpp"

#include "risk/calibration/mle.hpp"
#include "risk/calibration/gof.hpp"
#include "risk/random/special.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace tanhui::risk {

namespace {

constexpr double days_per_year = 365.0;  // Actual/365
constexpr double min_variance_ratio = 1e-3;  // no-jump / one-jump step variance (Merton fits)
constexpr double min_jump_std = 1e-4;        // log-jump SD floor (Merton fits)

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant, "chrono-compatible low-level
// date algorithms", days_from_civil).
long days_from_civil(long y, unsigned m, unsigned d) {
    y -= m <= 2;
    const long era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<long>(doe) - 719468;
}

long parse_date(const std::string& s, const std::string& field) {
    auto digits = [&](std::size_t from, std::size_t n) {
        long v = 0;
        for (std::size_t i = from; i < from + n; ++i) {
            if (s[i] < '0' || s[i] > '9') throw InvalidInput(field, "date must be YYYY-MM-DD, got '" + s + "'");
            v = v * 10 + (s[i] - '0');
        }
        return v;
    };
    if (s.size() != 10 || s[4] != '-' || s[7] != '-')
        throw InvalidInput(field, "date must be YYYY-MM-DD, got '" + s + "'");
    const long y = digits(0, 4), m = digits(5, 2), d = digits(8, 2);
    static constexpr int month_days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1 || d > month_days[m - 1]) throw InvalidInput(field, "no such date: '" + s + "'");
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (m == 2 && d == 29 && !leap) throw InvalidInput(field, "no such date: '" + s + "'");
    return days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}

struct Steps {
    std::vector<double> h;   // years
    std::vector<double> x0;  // log price at the start of the step
    std::vector<double> x1;  // at its end
    double total_time = 0;
};

Steps steps_of(const LogPriceSeries& s) {
    if (s.t_years.size() != s.log_price.size())
        throw InvalidInput("prices", "t_years and log_price differ in length");
    if (s.t_years.size() < 3) throw InvalidInput("prices", "needs at least 3 traded observations");
    Steps st;
    for (std::size_t i = 1; i < s.t_years.size(); ++i) {
        const double h = s.t_years[i] - s.t_years[i - 1];
        if (!(h > 0)) throw InvalidInput("prices/" + std::to_string(i), "times must increase strictly");
        if (!std::isfinite(s.log_price[i]) || !std::isfinite(s.log_price[i - 1]))
            throw InvalidInput("prices/" + std::to_string(i), "log price must be finite");
        st.h.push_back(h);
        st.x0.push_back(s.log_price[i - 1]);
        st.x1.push_back(s.log_price[i]);
        st.total_time += h;
    }
    return st;
}

PriceModel base_model(const LogPriceSeries& s, const std::string& market, PriceProcess process) {
    PriceModel m;
    m.market = market;
    m.process = process;
    m.spot = s.last_close > 0 ? s.last_close : std::exp(s.log_price.back());
    m.spot_date = s.last_date;
    return m;
}

void describe_data_impl(FitReport& r, const LogPriceSeries& s) {
    r.data_from = s.first_date;
    r.data_to = s.last_date;
    r.data_hash = data_hash({s.t_years, s.log_price});
    r.notes.emplace_back("traded observations only; step = calendar time between them, Actual/365");
    if (s.untraded_dropped > 0)
        r.notes.push_back(std::to_string(s.untraded_dropped) + " untraded (carried-forward) observations dropped");
    std::size_t unchanged = 0;
    for (std::size_t i = 1; i < s.log_price.size(); ++i) unchanged += s.log_price[i] == s.log_price[i - 1];
    const double share = static_cast<double>(unchanged) / static_cast<double>(s.log_price.size() - 1);
    if (share > 0.05)
        r.notes.push_back(std::to_string(static_cast<int>(std::round(100 * share))) +
                          " % of traded steps have an unchanged close (sticky price): a diffusion fits them badly");
}

void add_transform_tests_impl(FitReport& r, std::vector<double> u, const char* what) {
    for (double& v : u) v = std::clamp(v, 0.0, 1.0);
    r.goodness_of_fit.push_back(kolmogorov_smirnov(u, true));
    r.goodness_of_fit.back().note += std::string("; ") + what;
    r.goodness_of_fit.push_back(anderson_darling(std::move(u), true));
    r.goodness_of_fit.back().note += std::string("; ") + what;
}

// OU transition moments over a step h; k -> 0 is the random walk.
std::pair<double, double> ou_step(double x, double h, double k, double theta, double vol) {
    const double decay = std::exp(-k * h);
    const double var = k * h < 1e-10 ? vol * vol * h : -std::expm1(-2 * k * h) / (2 * k) * vol * vol;
    return {theta + (x - theta) * decay, var};
}

// The region where the OU likelihood is searched: a mean reversion of at least 1e-3 per year
// (half-life about 700 years: a random walk for any sample) and a long-run level within e^3 of
// the observed range. Without it a random-walk-like series sends k -> 0 and theta -> infinity
// along a ridge of nearly equal likelihood and the Simplex never stops.
struct OuBox {
    double min_k = 1e-3;
    double theta_lo = 0, theta_hi = 0;
    bool contains(double k, double theta) const { return k >= min_k && theta >= theta_lo && theta <= theta_hi; }
};

OuBox ou_box(const LogPriceSeries& s) {
    const auto [lo, hi] = std::minmax_element(s.log_price.begin(), s.log_price.end());
    OuBox b;
    b.theta_lo = *lo - 3;
    b.theta_hi = *hi + 3;
    return b;
}

void note_ou_box(FitReport& r, const OuBox& b, double k, double theta) {
    if (k < 1.01 * b.min_k)
        r.notes.emplace_back("mean_reversion at its floor (1e-3 per year): no mean reversion in the data; standard errors unreliable");
    if (theta < b.theta_lo + 1e-3 || theta > b.theta_hi - 1e-3)
        r.notes.emplace_back("long_run_log_price at the edge of the searched range (observed range +- 3)");
}

// Truncated Poisson-normal mixture: log density and cdf of a step.
struct JumpMixture {
    double lambda_h, jump_mean, jump_var;
    template <class F>
    void for_each(F&& f) const {
        double p = std::exp(-lambda_h), cumulative = 0;
        for (int j = 0; j <= 200; ++j) {
            if (j > 0) p *= lambda_h / j;
            cumulative += p;
            f(j, p);
            if (j >= lambda_h && 1 - cumulative < 1e-12) break;
        }
    }
    double log_pdf(double dx, double mean, double var) const {
        // Running log-sum-exp over the components.
        double top = -std::numeric_limits<double>::infinity(), sum = 0;
        for_each([&](int j, double p) {
            if (p <= 0) return;
            const double t = std::log(p) + normal_log_pdf(dx, mean + j * jump_mean, std::sqrt(var + j * jump_var));
            if (t > top) {
                sum = sum * std::exp(top - t) + 1;
                top = t;
            } else {
                sum += std::exp(t - top);
            }
        });
        return std::isfinite(top) ? top + std::log(sum) : top;
    }
    double cdf(double dx, double mean, double var) const {
        double c = 0;
        for_each([&](int j, double p) { c += p * normal_cdf((dx - mean - j * jump_mean) / std::sqrt(var + j * jump_var)); });
        return c;
    }
};

}  // namespace

void describe_price_data(FitReport& r, const LogPriceSeries& s) { describe_data_impl(r, s); }
void add_price_transform_tests(FitReport& r, std::vector<double> u, const char* what) {
    add_transform_tests_impl(r, std::move(u), what);
}

long days_between(const std::string& from, const std::string& to) {
    return parse_date(to, "date") - parse_date(from, "date");
}

LogPriceSeries traded_log_prices(std::span<const PricePoint> points) {
    LogPriceSeries s;
    long first_day = 0, previous = std::numeric_limits<long>::min();
    for (std::size_t i = 0; i < points.size(); ++i) {
        const PricePoint& p = points[i];
        const std::string at = "prices/" + std::to_string(i);
        if (!p.traded) {
            ++s.untraded_dropped;
            continue;
        }
        const long day = parse_date(p.date, at + "/date");
        if (!(p.close > 0) || !std::isfinite(p.close))
            throw InvalidInput(at + "/close", "must be > 0, got " + std::to_string(p.close));
        if (day <= previous) throw InvalidInput(at + "/date", "dates must increase strictly, got " + p.date);
        if (s.t_years.empty()) {
            first_day = day;
            s.first_date = p.date;
        }
        previous = day;
        s.t_years.push_back(static_cast<double>(day - first_day) / days_per_year);
        s.log_price.push_back(std::log(p.close));
        s.last_date = p.date;
        s.last_close = p.close;
    }
    if (s.t_years.size() < 3)
        throw InvalidInput("prices", "needs at least 3 traded observations, got " + std::to_string(s.t_years.size()));
    return s;
}

PriceFit fit_gbm(const LogPriceSeries& series, const std::string& market) {
    const Steps st = steps_of(series);
    const double n = static_cast<double>(st.h.size());
    double sum_dx = 0;
    for (std::size_t i = 0; i < st.h.size(); ++i) sum_dx += st.x1[i] - st.x0[i];
    const double m = sum_dx / st.total_time;
    double ss = 0;
    for (std::size_t i = 0; i < st.h.size(); ++i) {
        const double e = st.x1[i] - st.x0[i] - m * st.h[i];
        ss += e * e / st.h[i];
    }
    const double var = ss / n;
    if (!(var > 0)) throw InvalidInput("prices", "the log price never moves: volatility would be 0");
    const double vol = std::sqrt(var);
    PriceFit f;
    f.model = base_model(series, market, PriceProcess::gbm);
    f.model.drift = m + var / 2;
    f.model.volatility = vol;
    FitReport& r = f.report;
    r.family = "gbm";
    r.parameter_names = {"drift", "volatility"};
    r.estimates = {f.model.drift, vol};
    // Var(m) = vol^2 / T, Var(vol^2) = 2 vol^4 / n, independent; drift = m + vol^2 / 2.
    const double var_drift = var / st.total_time + var * var / (2 * n);
    const double var_vol = var / (2 * n);
    const double cov = vol * var / (2 * n);
    r.covariance = {{var_drift, cov}, {cov, var_vol}};
    r.standard_errors = {std::sqrt(var_drift), std::sqrt(var_vol)};
    double ll = 0;
    std::vector<double> u;
    for (std::size_t i = 0; i < st.h.size(); ++i) {
        const double dx = st.x1[i] - st.x0[i];
        const double sd = vol * std::sqrt(st.h[i]);
        ll += normal_log_pdf(dx, m * st.h[i], sd);
        u.push_back(normal_cdf((dx - m * st.h[i]) / sd));
    }
    r.log_likelihood = ll;
    r.rows = st.h.size();
    r.optimiser = "closed_form";
    add_transform_tests_impl(r, std::move(u), "standardised log returns");
    describe_data_impl(r, series);
    set_information_criteria(r);
    return f;
}

PriceFit fit_ou(const LogPriceSeries& series, const std::string& market) {
    const Steps st = steps_of(series);
    const std::size_t n = st.h.size();
    // Start from the AR(1) regression at the mean step.
    const double h_bar = st.total_time / static_cast<double>(n);
    const double mx0 = std::accumulate(st.x0.begin(), st.x0.end(), 0.0) / static_cast<double>(n);
    const double mx1 = std::accumulate(st.x1.begin(), st.x1.end(), 0.0) / static_cast<double>(n);
    double sxy = 0, sxx = 0;
    for (std::size_t i = 0; i < n; ++i) {
        sxy += (st.x0[i] - mx0) * (st.x1[i] - mx1);
        sxx += (st.x0[i] - mx0) * (st.x0[i] - mx0);
    }
    const double b = sxx > 0 ? sxy / sxx : 1;
    const double gbm_vol = fit_gbm(series, market).model.volatility;
    double k0 = 1, theta0 = mx0;
    if (b > 0 && b < 1) {
        k0 = std::clamp(-std::log(b) / h_bar, 1e-3, 1e3);
        theta0 = (mx1 - b * mx0) / (1 - b);
    }
    const OuBox box = ou_box(series);
    k0 = std::max(k0, 2 * box.min_k);
    theta0 = std::clamp(theta0, box.theta_lo + 0.1, box.theta_hi - 0.1);
    const MleParameter p[] = {{"mean_reversion", k0, Support::positive, 0.5},
                              {"long_run_log_price", theta0, Support::real, 0.2},
                              {"volatility", gbm_vol, Support::positive, 0.3}};
    const LogLikelihood ll = [&](std::span<const double> th) {
        if (!box.contains(th[0], th[1])) return -std::numeric_limits<double>::infinity();
        double s = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const auto [mean, var] = ou_step(st.x0[i], st.h[i], th[0], th[1], th[2]);
            s += normal_log_pdf(st.x1[i], mean, std::sqrt(var));
        }
        return s;
    };
    const MleResult res = maximise_log_likelihood(p, ll);
    PriceFit f;
    f.report = report_from("ou", res, n);
    f.model = base_model(series, market, PriceProcess::ou);
    f.model.mean_reversion = res.estimates[0];
    f.model.long_run_log_price = res.estimates[1];
    f.model.volatility = res.estimates[2];
    std::vector<double> u;
    for (std::size_t i = 0; i < n; ++i) {
        const auto [mean, var] = ou_step(st.x0[i], st.h[i], res.estimates[0], res.estimates[1], res.estimates[2]);
        u.push_back(normal_cdf((st.x1[i] - mean) / std::sqrt(var)));
    }
    add_transform_tests_impl(f.report, std::move(u), "standardised OU innovations");
    describe_data_impl(f.report, series);
    f.report.notes.emplace_back("likelihood conditional on the first observation");
    note_ou_box(f.report, box, res.estimates[0], res.estimates[1]);
    if (res.estimates[0] * st.total_time < 1)
        f.report.notes.emplace_back("mean reversion weaker than one over the sample length: long-run level poorly determined");
    return f;
}

namespace {

// The mean and variance of a step's log price without jumps: OU's (th = k, m, vol) or GBM's
// (th = drift, vol).
std::pair<double, double> diffusion_moments(const Steps& st, bool ou, std::size_t i, std::span<const double> th) {
    if (ou) return ou_step(st.x0[i], st.h[i], th[0], th[1], th[2]);
    const double drift = th[0], vol = th[1];
    return std::pair{st.x0[i] + (drift - vol * vol / 2) * st.h[i], vol * vol * st.h[i]};
}

// The jump-diffusion's first starting values from the diffusion fit d: steps beyond 3 standard
// deviations of it are taken as jumps.
struct JumpStart {
    double jump_mean = 0, jump_sd = 0, volatility = 0, intensity = 0;
};
JumpStart jump_start(const Steps& st, bool ou, std::span<const double> d, double h_bar, double vol_d) {
    std::vector<double> jumps, quiet;
    for (std::size_t i = 0; i < st.h.size(); ++i) {
        const auto [mean, var] = diffusion_moments(st, ou, i, d);
        const double z = (st.x1[i] - mean) / std::sqrt(var);
        (std::abs(z) > 3 ? jumps : quiet).push_back(st.x1[i] - mean);
    }
    auto mean_sd = [](const std::vector<double>& v) {
        if (v.empty()) return std::pair{0.0, 0.0};
        const double m = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
        double s = 0;
        for (double x : v) s += (x - m) * (x - m);
        return std::pair{m, std::sqrt(s / static_cast<double>(v.size()))};
    };
    const auto [jm, js] = mean_sd(jumps);
    const double qs = mean_sd(quiet).second;
    JumpStart start;
    start.jump_mean = jm;
    start.volatility = std::clamp(qs / std::sqrt(h_bar), 0.2 * vol_d, vol_d);
    start.intensity = std::max(1.0, static_cast<double>(jumps.size())) / st.total_time;
    start.jump_sd = std::clamp(js, 3 * vol_d * std::sqrt(h_bar), 20 * start.volatility * std::sqrt(h_bar));
    return start;
}

// The fit of the maximum res: its report (with what sits at a bound, the probability transforms of
// the steps and the likelihood ratio against the diffusion fit) and its model.
PriceFit merton_fit(const LogPriceSeries& series, const std::string& market, PriceProcess base, const Steps& st,
                    const MleResult& res, const PriceFit& diffusion, const OuBox& box, double jump_var_bound) {
    const bool ou = base == PriceProcess::ou;
    const std::size_t n = st.h.size(), j0 = ou ? 3 : 2;
    PriceFit f;
    f.report = report_from(ou ? "ou_merton" : "gbm_merton", res, n);
    {
        const double vol = res.estimates[j0 - 1], js_hat = res.estimates[j0 + 2];
        if (js_hat * js_hat > 0.99 * jump_var_bound * vol * vol)
            f.report.notes.emplace_back("jump_std at the variance-ratio bound (Hathaway): the data want a collapsing "
                                        "component; standard errors unreliable");
        if (js_hat < 1.01 * min_jump_std)
            f.report.notes.emplace_back("jump_std at its floor: jumps of one fixed size; standard errors unreliable");
        if (ou) note_ou_box(f.report, box, res.estimates[0], res.estimates[1]);
    }
    f.model = base_model(series, market, base);
    const std::vector<double>& e = res.estimates;
    if (ou) {
        f.model.mean_reversion = e[0];
        f.model.long_run_log_price = e[1];
        f.model.volatility = e[2];
    } else {
        f.model.drift = e[0];
        f.model.volatility = e[1];
    }
    f.model.jump_intensity = e[j0];
    f.model.jump_mean = e[j0 + 1];
    f.model.jump_std = e[j0 + 2];
    std::vector<double> u;
    for (std::size_t i = 0; i < n; ++i) {
        const auto [mean, var] = diffusion_moments(st, ou, i, e);
        const JumpMixture step{e[j0] * st.h[i], e[j0 + 1], e[j0 + 2] * e[j0 + 2]};
        u.push_back(step.cdf(st.x1[i], mean, var));
    }
    add_transform_tests_impl(f.report, std::move(u), "probability transforms of the jump-diffusion steps");
    describe_data_impl(f.report, series);
    f.report.notes.emplace_back("jumps not compensated in the drift; Poisson sum truncated at tail mass 1e-12");
    if (ou) f.report.notes.emplace_back("OU: jumps within a step added without decay (exact as k h -> 0)");
    f.report.notes.push_back("likelihood ratio against the " + diffusion.report.family + " fit: " +
                             std::to_string(2 * (f.report.log_likelihood - diffusion.report.log_likelihood)) +
                             " (3 extra parameters; the jump-free model is on the boundary, chi2(3) is conservative)");
    return f;
}

}  // namespace

// The jump-diffusion (Merton) on the diffusion `base`, from several starts. Hathaway (1985): a
// normal mixture's likelihood is unbounded (a component collapsing onto one value, e.g. CEA's
// unchanged closes) unless the ratio of component variances is bounded. Here the no-jump variance
// vol^2 h must be at least min_variance_ratio of the one-jump variance at the mean step h_bar.
// jump_std has a floor so that a degenerate jump size stops the search instead of drifting to 0 on
// the log scale.
PriceFit fit_merton(const LogPriceSeries& series, const std::string& market, PriceProcess base) {
    const Steps st = steps_of(series);
    const std::size_t n = st.h.size();
    const bool ou = base == PriceProcess::ou;
    const PriceFit diffusion = ou ? fit_ou(series, market) : fit_gbm(series, market);

    const std::vector<double>& d = diffusion.report.estimates;
    const double h_bar = st.total_time / static_cast<double>(n);
    const double vol_d = ou ? d[2] : d[1];
    const JumpStart start0 = jump_start(st, ou, d, h_bar, vol_d);

    const double jump_var_bound = (1 - min_variance_ratio) / min_variance_ratio * h_bar;
    const std::size_t j0 = ou ? 3 : 2;
    const OuBox box = ou_box(series);
    const LogLikelihood ll = [&](std::span<const double> th) {
        const double vol = th[j0 - 1], jump_sd = th[j0 + 2];
        if (jump_sd * jump_sd > jump_var_bound * vol * vol || jump_sd < min_jump_std)
            return -std::numeric_limits<double>::infinity();
        if (ou && !box.contains(th[0], th[1])) return -std::numeric_limits<double>::infinity();
        const JumpMixture mix{0, th[j0 + 1], jump_sd * jump_sd};
        double s = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const auto [mean, var] = diffusion_moments(st, ou, i, th);
            JumpMixture step = mix;
            step.lambda_h = th[j0] * st.h[i];
            s += step.log_pdf(st.x1[i], mean, var);
        }
        return s;
    };
    auto parameters = [&](std::span<const double> diffusion_part, double lambda, double jump_mean, double jump_sd) {
        std::vector<MleParameter> p;
        if (ou) {
            p.push_back({"mean_reversion", std::clamp(diffusion_part[0], 2 * box.min_k, 1e3), Support::positive, 0.5});
            p.push_back({"long_run_log_price", diffusion_part[1], Support::real, 0.2});
            p.push_back({"volatility", diffusion_part[2], Support::positive, 0.3});
        } else {
            p.push_back({"drift", diffusion_part[0], Support::real, 0.2});
            p.push_back({"volatility", diffusion_part[1], Support::positive, 0.3});
        }
        const double vol = diffusion_part[ou ? 2 : 1];
        jump_sd = std::clamp(jump_sd, 2 * min_jump_std, 0.9 * std::sqrt(jump_var_bound) * vol);
        p.push_back({"jump_intensity", lambda, Support::positive, 0.5});
        p.push_back({"jump_mean", jump_mean, Support::real, 0.5 * jump_sd});
        p.push_back({"jump_std", jump_sd, Support::positive, 0.3});
        return p;
    };
    // Several starts, the best kept: (a) steps beyond 3 SD of the diffusion fit taken as jumps;
    // (b) frequent small jumps (fat-tailed steps: one jump every 4 steps); (c) for OU, the
    // GBM-Merton solution with OU's diffusion part.
    const MleOptions options{.max_iterations = 5'000, .max_restarts = 4, .root_epsilon = 1e-12};
    std::vector<std::vector<MleParameter>> starts;
    std::vector<double> part(d.begin(), d.end());
    part[j0 - 1] = start0.volatility;
    starts.push_back(parameters(part, start0.intensity, start0.jump_mean, start0.jump_sd));
    part[j0 - 1] = 0.5 * vol_d;
    starts.push_back(parameters(part, 0.25 / h_bar, 0.0, 2 * vol_d * std::sqrt(h_bar)));
    if (ou) {
        const PriceFit g = fit_merton(series, market, PriceProcess::gbm);
        part.assign(d.begin(), d.end());
        part[2] = g.model.volatility;
        starts.push_back(parameters(part, g.model.jump_intensity, g.model.jump_mean, g.model.jump_std));
    }
    MleResult res;
    bool first = true;
    for (const auto& start : starts) {
        try {
            MleResult r = maximise_log_likelihood(start, ll, options);
            if (first || r.log_likelihood > res.log_likelihood) res = std::move(r);
            first = false;
        } catch (const InvalidInput&) {
            // a start outside the model (likelihood not finite there): try the next
        }
    }
    if (first) throw InvalidInput("prices", "no starting value gives a finite jump-diffusion likelihood");
    return merton_fit(series, market, base, st, res, diffusion, box, jump_var_bound);
}

PriceFit fit_price(std::span<const PricePoint> points, const std::string& market, PriceProcess process, bool jumps) {
    const LogPriceSeries s = traded_log_prices(points);
    if (jumps) return fit_merton(s, market, process);
    return process == PriceProcess::ou ? fit_ou(s, market) : fit_gbm(s, market);
}

}  // namespace tanhui::risk
