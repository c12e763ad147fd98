#include "risk/calibration/fire.hpp"

#include "data/types.hpp"
#include "risk/calibration/mle.hpp"
#include "risk/calibration/gof.hpp"
#include "risk/random/special.hpp"

#include <ql/math/integrals/gaussianquadratures.hpp>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>
#include <numbers>
#include <numeric>
#include <tuple>
#include <set>
#include <string>

namespace tanhui::risk {

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();
constexpr double z_975 = 1.959963984540054;

std::vector<double> as_doubles(std::span<const int> v) { return {v.begin(), v.end()}; }

void check_counts(std::span<const int> year, std::span<const double> count, std::size_t min_rows) {
    if (year.size() != count.size())
        throw InvalidInput("fires", "has " + std::to_string(count.size()) + " entries for " +
                                        std::to_string(year.size()) + " years");
    if (year.size() < min_rows)
        throw InvalidInput("fires", "needs at least " + std::to_string(min_rows) + " years, got " +
                                        std::to_string(year.size()));
    double total = 0;
    for (std::size_t i = 0; i < count.size(); ++i) {
        if (!(count[i] >= 0) || count[i] != std::floor(count[i]) || !std::isfinite(count[i]))
            throw InvalidInput("fires/" + std::to_string(i),
                               "must be a non-negative whole number, got " + std::to_string(count[i]));
        total += count[i];
    }
    if (!(total > 0)) throw InvalidInput("fires", "all counts are zero: no rate to fit");
}

double count_log_pmf(double y, double mean, double size) {
    return size == inf ? poisson_log_pmf(y, mean) : negative_binomial_log_pmf(y, mean, size);
}

double count_cdf(double y, double mean, double size) {
    return size == inf ? poisson_cdf(y, mean) : negative_binomial_cdf(y, mean, size);
}

// Smallest integer y with P(Y <= y) >= q.
double count_quantile(double q, double mean, double size) {
    double hi = std::max(1.0, std::ceil(mean));
    while (count_cdf(hi, mean, size) < q) hi *= 2;
    double lo = -1;  // P(Y <= lo) < q
    while (hi - lo > 1) {
        const double mid = std::floor((lo + hi) / 2);
        if (count_cdf(mid, mean, size) >= q)
            hi = mid;
        else
            lo = mid;
    }
    return hi;
}

// Least-squares line through (t, ln(y + 0.5)): starting values for the trend MLE.
std::pair<double, double> log_linear_start(std::span<const double> t, std::span<const double> y) {
    const double n = static_cast<double>(t.size());
    double st = 0, sy = 0;
    for (std::size_t i = 0; i < t.size(); ++i) {
        st += t[i];
        sy += std::log(y[i] + 0.5);
    }
    const double mt = st / n, my = sy / n;
    double sxx = 0, sxy = 0;
    for (std::size_t i = 0; i < t.size(); ++i) {
        sxx += (t[i] - mt) * (t[i] - mt);
        sxy += (t[i] - mt) * (std::log(y[i] + 0.5) - my);
    }
    const double b = sxx > 0 ? sxy / sxx : 0;
    return {my - b * mt, b};
}

std::string year_string(int y) { return std::to_string(y); }

}  // namespace

namespace {

// Closed form: the MLE of a Poisson mean is the sample mean; Var(log m) = 1 / (n m).
void fit_poisson_mean(CountFit& fit, std::span<const double> count, double mean_count, const std::string& family_name) {
    const std::size_t n = count.size();
    fit.log_mean = std::log(mean_count);
    fit.var_log_mean = 1 / (static_cast<double>(n) * mean_count);
    fit.report.family = family_name;
    fit.report.parameter_names = {"log_mean"};
    fit.report.estimates = {fit.log_mean};
    fit.report.standard_errors = {std::sqrt(fit.var_log_mean)};
    fit.report.covariance = {{fit.var_log_mean}};
    double ll = 0;
    for (double y : count) ll += poisson_log_pmf(y, mean_count);
    fit.report.log_likelihood = ll;
    fit.report.rows = n;
    fit.report.optimiser = "closed_form";
    set_information_criteria(fit.report);
}

// Maximum likelihood of log m_t = log_mean + trend_per_year t (t years from the reference year),
// with the negative binomial's size when the family has one.
void fit_count_mle(CountFit& fit, std::span<const double> t, std::span<const double> count, double mean_count,
                   const std::string& family_name) {
    const std::size_t n = count.size();
    const bool trend = fit.trend, nb = fit.family == CountFamily::negative_binomial;
    std::vector<MleParameter> p;
    double a0 = std::log(mean_count), b0 = 0;
    if (trend) std::tie(a0, b0) = log_linear_start(t, count);
    p.push_back({.name = "log_mean", .start = a0, .support = Support::real, .step = 0.5});
    if (trend) p.push_back({.name = "trend_per_year", .start = b0, .support = Support::real, .step = 0.05});
    if (nb) {
        // Moment start: sum (y - m)^2 - m = sum m^2 / k.
        double num = 0, den = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const double m = std::exp(a0 + b0 * t[i]);
            num += m * m;
            den += (count[i] - m) * (count[i] - m) - m;
        }
        const double k0 = den > 0 ? std::clamp(num / den, 0.05, 1e4) : 100.0;
        p.push_back({.name = "size", .start = k0, .support = Support::positive, .step = 0.5});
    }
    const LogLikelihood ll = [&](std::span<const double> th) {
        const double a = th[0];
        const double b = trend ? th[1] : 0.0;
        const double k = nb ? th[trend ? 2 : 1] : inf;
        double s = 0;
        for (std::size_t i = 0; i < n; ++i) s += count_log_pmf(count[i], std::exp(a + b * t[i]), k);
        return s;
    };
    const MleResult r = maximise_log_likelihood(p, ll);
    fit.report = report_from(family_name, r, n);
    fit.log_mean = r.estimates[0];
    fit.var_log_mean = r.covariance[0][0];
    if (trend) {
        fit.trend_per_year = r.estimates[1];
        fit.var_trend = r.covariance[1][1];
        fit.cov_log_mean_trend = r.covariance[0][1];
    }
    if (nb) fit.size = r.estimates.back();
}

// Without a trend: the binned chi-square on equiprobable classes of the fitted distribution,
// about five years expected in each.
GofTest equiprobable_chi_square(const CountFit& fit, std::span<const double> count, std::size_t n_params) {
    const std::size_t n = count.size();
    const std::size_t bins = std::max<std::size_t>(2, n / 5);
    std::vector<double> cuts;
    for (std::size_t j = 1; j < bins; ++j) {
        const double c = count_quantile(static_cast<double>(j) / static_cast<double>(bins), fit.expected[0], fit.size);
        if (cuts.empty() || c > cuts.back()) cuts.push_back(c);
    }
    std::vector<double> observed(cuts.size() + 1, 0.0), expected(cuts.size() + 1, 0.0);
    double previous = 0;
    for (std::size_t j = 0; j <= cuts.size(); ++j) {
        const double f = j < cuts.size() ? count_cdf(cuts[j], fit.expected[0], fit.size) : 1.0;
        expected[j] = static_cast<double>(n) * (f - previous);
        previous = f;
    }
    for (double y : count) {
        const auto j = static_cast<std::size_t>(std::lower_bound(cuts.begin(), cuts.end(), y) - cuts.begin());
        observed[j] += 1;
    }
    return binned_chi_square(observed, expected, n_params, 0.0);
}

// Per-year reproduction check (expected count, 95% predictive interval) and the goodness of fit.
void check_fitted_counts(CountFit& fit, std::span<const int> year, std::span<const double> count) {
    const std::size_t n = year.size();
    fit.year.assign(year.begin(), year.end());
    fit.observed.assign(count.begin(), count.end());
    std::vector<double> variance(n);
    for (std::size_t i = 0; i < n; ++i) {
        const double m = expected_count(fit, year[i]);
        fit.expected.push_back(m);
        variance[i] = m + (fit.size == inf ? 0.0 : m * m / fit.size);
        fit.lower_95.push_back(count_quantile(0.025, m, fit.size));
        fit.upper_95.push_back(count_quantile(0.975, m, fit.size));
        if (count[i] < fit.lower_95.back() || count[i] > fit.upper_95.back()) ++fit.outside_95;
    }
    const std::size_t n_params = fit.report.estimates.size();
    GofTest pearson = pearson_chi_square(count, fit.expected, variance, n_params);
    pearson.note += fit.family == CountFamily::poisson && !fit.trend ? " (Poisson dispersion test)" : "";
    fit.report.goodness_of_fit.push_back(pearson);
    if (!fit.trend) fit.report.goodness_of_fit.push_back(equiprobable_chi_square(fit, count, n_params));
    fit.report.notes.push_back(std::to_string(n - fit.outside_95) + " of " + std::to_string(n) +
                               " annual counts inside their 95% predictive interval");
}

}  // namespace

CountFit fit_counts(std::span<const int> year, std::span<const double> count, CountFamily family, bool trend,
                    std::optional<int> reference_year) {
    check_counts(year, count, trend ? 3 : 2);
    const std::size_t n = year.size();
    CountFit fit;
    fit.family = family;
    fit.trend = trend;
    fit.first_year = *std::min_element(year.begin(), year.end());
    fit.last_year = *std::max_element(year.begin(), year.end());
    fit.reference_year = reference_year.value_or(fit.last_year);
    std::vector<double> t(n);
    for (std::size_t i = 0; i < n; ++i) t[i] = static_cast<double>(year[i] - fit.reference_year);
    const double mean_count = std::accumulate(count.begin(), count.end(), 0.0) / static_cast<double>(n);
    const std::string family_name =
        std::string(family == CountFamily::poisson ? "poisson" : "negative_binomial") + (trend ? "_trend" : "");
    if (family == CountFamily::poisson && !trend) fit_poisson_mean(fit, count, mean_count, family_name);
    else fit_count_mle(fit, t, count, mean_count, family_name);
    fit.report.notes.push_back(trend ? "trend: log-linear year effect, log m_t = log_mean + trend_per_year (t - " +
                                           std::to_string(fit.reference_year) + ")"
                                     : "stationary: no year effect");
    if (family == CountFamily::negative_binomial)
        fit.report.notes.emplace_back("negative binomial = Poisson with a gamma year factor of mean 1 and shape `size`");
    check_fitted_counts(fit, year, count);
    fit.report.data_from = year_string(fit.first_year);
    fit.report.data_to = year_string(fit.last_year);
    const std::vector<double> years = as_doubles(year);
    fit.report.data_hash = data_hash({years, count});
    return fit;
}

double expected_count(const CountFit& fit, int year) {
    return std::exp(fit.log_mean + fit.trend_per_year * static_cast<double>(year - fit.reference_year));
}

std::vector<double> log_residuals(const CountFit& fit) {
    std::vector<double> r;
    for (std::size_t i = 0; i < fit.observed.size(); ++i)
        r.push_back(std::log((fit.observed[i] > 0 ? fit.observed[i] : 0.5) / fit.expected[i]));
    return r;
}

TrendComparison compare_trend(const CountFit& stationary, const CountFit& with_trend) {
    if (stationary.trend || !with_trend.trend)
        throw InvalidInput("compare_trend", "needs a stationary fit and a fit with trend, in that order");
    if (stationary.family != with_trend.family || stationary.report.data_hash != with_trend.report.data_hash)
        throw InvalidInput("compare_trend", "fits differ in family or data");
    TrendComparison c;
    c.likelihood_ratio = likelihood_ratio_test(stationary.report.log_likelihood, with_trend.report.log_likelihood, 1);
    c.aic_stationary = stationary.report.aic;
    c.aic_trend = with_trend.report.aic;
    c.trend_selected = c.aic_trend < c.aic_stationary;
    return c;
}

CountProjection project_count(const CountFit& fit, int year, const ProjectionOptions& options) {
    CountProjection p;
    p.year = year;
    p.effective_year = year;
    if (fit.trend && options.freeze_trend_after_year && year > *options.freeze_trend_after_year)
        p.effective_year = *options.freeze_trend_after_year;
    const double d = fit.trend ? static_cast<double>(p.effective_year - fit.reference_year) : 0.0;
    const double eta = fit.log_mean + fit.trend_per_year * d;
    const double var = std::max(0.0, fit.var_log_mean + d * d * fit.var_trend + 2 * d * fit.cov_log_mean_trend);
    const double se = std::sqrt(var);
    p.expected_count = std::exp(eta);
    p.log_standard_error = se;
    p.lower_95 = std::exp(eta - z_975 * se);
    p.upper_95 = std::exp(eta + z_975 * se);
    const double e_m = std::exp(eta + var / 2);
    const double e_m2 = std::exp(2 * eta + 2 * var);
    const double inv_k = fit.size == inf ? 0.0 : 1 / fit.size;
    p.mean_with_parameter_uncertainty = e_m;
    p.predictive_sd = std::sqrt(std::max(0.0, e_m + e_m2 * (1 + inv_k) - e_m * e_m));
    return p;
}

// ---------------------------------------------------------------------------------------------

namespace {

// One year of burned-area data; either part may be missing.
struct AreaYear {
    double t = 0;
    bool has_mean = false;
    double fires = 0;
    double log_mean_area = 0;  // ln(damaged area / fires)
    bool has_classes = false;
    SizeClassCounts n{};
    double log_multinomial_coefficient = 0;
};

// Lognormal probabilities of the four size classes; each difference is taken on the side of the
// median where it keeps its precision (tail classes are small).
std::array<double, 4> class_probabilities(double mu, double sigma) {
    std::array<double, 5> z{-inf, 0, 0, 0, inf};
    for (std::size_t c = 0; c < 3; ++c) z[c + 1] = (std::log(size_class_bounds_ha[c]) - mu) / sigma;
    std::array<double, 4> p{};
    for (std::size_t c = 0; c < 4; ++c)
        p[c] = z[c + 1] <= 0 ? normal_cdf(z[c + 1]) - normal_cdf(z[c]) : normal_cdf(-z[c]) - normal_cdf(-z[c + 1]);
    return p;
}

double class_log_likelihood(const AreaYear& y, double mu, double sigma) {
    const auto p = class_probabilities(mu, sigma);
    double s = y.log_multinomial_coefficient;
    for (std::size_t c = 0; c < 4; ++c)
        if (y.n[c] > 0) s += y.n[c] * std::log(p[c]);
    return s;
}

// Fenton-Wilkinson: mean and variance of the log of the mean of n iid lognormal(mu, sigma).
std::pair<double, double> fenton_wilkinson(double mu, double sigma, double n) {
    const double s2 = std::log1p(std::expm1(sigma * sigma) / n);
    return {mu + sigma * sigma / 2 - s2 / 2, s2};
}

struct HermiteRule {
    std::vector<double> x, w;  // for E[g(Z)], Z ~ N(0, 1): sum w_i g(x_i)
};

const HermiteRule& hermite_rule() {
    static const HermiteRule rule = [] {
        // QuantLib's quadrature integrates f(x) dx: its weights are divided by exp(-x^2).
        QuantLib::GaussHermiteIntegration gh(32);
        HermiteRule r;
        for (std::size_t i = 0; i < gh.order(); ++i) {
            const double x = gh.x()[i];
            r.x.push_back(std::numbers::sqrt2 * x);
            r.w.push_back(gh.weights()[i] * std::exp(-x * x) / std::sqrt(std::numbers::pi));
        }
        return r;
    }();
    return rule;
}

// Log-likelihood of one year, the year effect integrated out.
double year_log_likelihood(const AreaYear& y, double mu_t, double sigma, double year_sd) {
    double s = 0, centre = 0, var = year_sd * year_sd;
    if (y.has_mean) {
        const auto [m, s2] = fenton_wilkinson(mu_t, sigma, y.fires);
        s += normal_log_pdf(y.log_mean_area, m, std::sqrt(s2 + var));
        // eta given the mean: N(var (x - m) / (s2 + var), s2 var / (s2 + var)).
        centre = var * (y.log_mean_area - m) / (s2 + var);
        var = s2 * var / (s2 + var);
    }
    if (y.has_classes) {
        if (var <= 0) return s + class_log_likelihood(y, mu_t + centre, sigma);
        const HermiteRule& rule = hermite_rule();
        const double sd = std::sqrt(var);
        std::vector<double> terms(rule.x.size());
        double top = -inf;
        for (std::size_t i = 0; i < rule.x.size(); ++i) {
            terms[i] = std::log(rule.w[i]) + class_log_likelihood(y, mu_t + centre + sd * rule.x[i], sigma);
            top = std::max(top, terms[i]);
        }
        if (top == -inf) return -inf;
        double sum = 0;
        for (double v : terms) sum += std::exp(v - top);
        s += top + std::log(sum);
    }
    return s;
}

}  // namespace

SizeClassCounts size_classes_from_nbs(int year, double fires, double general, double larger, double major,
                                      double extreme) {
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    const SizeClassCounts unusable{nan, nan, nan, nan};
    if (!std::isfinite(fires) || !std::isfinite(general) || !std::isfinite(major) || !std::isfinite(extreme))
        return unusable;
    SizeClassCounts c{};
    if (year <= 2008) {
        c = {fires - general - major - extreme, general, major, extreme};
    } else {
        if (!std::isfinite(larger)) return unusable;
        c = {general, larger, major, extreme};
        if (std::abs(general + larger + major + extreme - fires) > 0.5) return unusable;
    }
    for (double v : c)
        if (v < 0) return unusable;
    return c;
}

namespace {

// The years a burned-area fit uses (annual mean area per fire, size classes or both) and what
// is hashed of the data.
struct AreaYears {
    std::vector<AreaYear> years;
    std::vector<double> hashed;
    int first_used = std::numeric_limits<int>::max(), last_used = std::numeric_limits<int>::min();
    std::size_t mean_rows = 0, class_rows = 0;
};

// Year i's size classes, when all four are given: counts and log multinomial coefficient into y.
void read_size_classes(const SizeClassCounts& c, std::size_t i, AreaYear& y, std::size_t& class_rows) {
    if (!std::all_of(c.begin(), c.end(), [](double v) { return std::isfinite(v); })) return;
    double total = 0, coefficient = 0;
    for (double v : c) {
        if (v < 0 || v != std::floor(v))
            throw InvalidInput("size_class_fires/" + std::to_string(i), "counts must be whole and >= 0");
        total += v;
        coefficient -= log_gamma(v + 1);
    }
    if (total > 0) {
        y.has_classes = true;
        y.n = c;
        y.log_multinomial_coefficient = coefficient + log_gamma(total + 1);
        ++class_rows;
    }
}

AreaYears area_years(const AreaPerFireData& data, int reference_year) {
    AreaYears out;
    for (std::size_t i = 0; i < data.year.size(); ++i) {
        AreaYear y;
        y.t = static_cast<double>(data.year[i] - reference_year);
        if (!(data.fires[i] >= 0) || !(data.damaged_area_ha[i] >= 0))
            throw InvalidInput("burned_area/" + std::to_string(i), "fires and damaged_area_ha must be >= 0");
        if (data.fires[i] > 0 && data.damaged_area_ha[i] > 0) {
            y.has_mean = true;
            y.fires = data.fires[i];
            y.log_mean_area = std::log(data.damaged_area_ha[i] / data.fires[i]);
            ++out.mean_rows;
        }
        if (!data.size_class_fires.empty()) read_size_classes(data.size_class_fires[i], i, y, out.class_rows);
        if (y.has_mean || y.has_classes) {
            out.first_used = std::min(out.first_used, data.year[i]);
            out.last_used = std::max(out.last_used, data.year[i]);
            out.years.push_back(y);
        }
        out.hashed.push_back(static_cast<double>(data.year[i]));
        out.hashed.push_back(data.fires[i]);
        out.hashed.push_back(data.damaged_area_ha[i]);
        if (!data.size_class_fires.empty())
            out.hashed.insert(out.hashed.end(), data.size_class_fires[i].begin(), data.size_class_fires[i].end());
    }
    return out;
}

// The maximum-likelihood mu, trend, sigma and year_sd of the per-fire lognormal, and the report.
void fit_area_mle(BurnedAreaFit& fit, const std::vector<AreaYear>& years, bool year_effect) {
    const bool trend = fit.trend;
    std::vector<double> ts, ys;
    for (const AreaYear& y : years)
        if (y.has_mean) {
            ts.push_back(y.t);
            ys.push_back(std::exp(y.log_mean_area) - 0.5);  // log_linear_start adds 0.5 back
        }
    const auto [c0, d0] = log_linear_start(ts, ys);
    std::vector<MleParameter> p;
    p.push_back({.name = "mu", .start = c0 - 0.5, .support = Support::real, .step = 0.5});
    if (trend) p.push_back({.name = "trend_per_year", .start = d0, .support = Support::real, .step = 0.05});
    p.push_back({.name = "sigma", .start = 1.0, .support = Support::positive, .step = 0.5});
    if (year_effect) p.push_back({.name = "year_sd", .start = 0.2, .support = Support::positive, .step = 0.5});

    auto unpack = [&](std::span<const double> th) {
        const double mu = th[0];
        const double b = trend ? th[1] : 0.0;
        const double sigma = th[trend ? 2 : 1];
        const double tau = year_effect ? th.back() : 0.0;
        return std::array<double, 4>{mu, b, sigma, tau};
    };
    const LogLikelihood ll = [&](std::span<const double> th) {
        const auto [mu, b, sigma, tau] = unpack(th);
        double s = 0;
        for (const AreaYear& y : years) s += year_log_likelihood(y, mu + b * y.t, sigma, tau);
        return s;
    };
    const MleResult r = maximise_log_likelihood(p, ll);
    fit.report = report_from(trend ? "lognormal_area_per_fire_trend" : "lognormal_area_per_fire", r, years.size());
    std::tie(fit.mu, fit.trend_per_year, fit.sigma, fit.year_sd) = [&] {
        const auto v = unpack(r.estimates);
        return std::tuple{v[0], v[1], v[2], v[3]};
    }();
}

// GOF 1: KS on the transforms of the annual mean areas under their marginal distribution.
// GOF 2: pooled size-class counts against their expectations (year effect integrated out).
void add_area_goodness_of_fit(BurnedAreaFit& fit, const std::vector<AreaYear>& years) {
    std::vector<double> u;
    for (const AreaYear& y : years)
        if (y.has_mean) {
            const auto [m, s2] = fenton_wilkinson(fit.mu + fit.trend_per_year * y.t, fit.sigma, y.fires);
            u.push_back(normal_cdf((y.log_mean_area - m) / std::sqrt(s2 + fit.year_sd * fit.year_sd)));
        }
    fit.report.goodness_of_fit.push_back(kolmogorov_smirnov(u, true));
    fit.report.goodness_of_fit.back().note += "; annual mean area per fire (Fenton-Wilkinson, year effect)";
    if (!fit.used_size_classes) return;
    std::vector<double> observed(4, 0.0), expected(4, 0.0);
    const HermiteRule& rule = hermite_rule();
    for (const AreaYear& y : years) {
        if (!y.has_classes) continue;
        const double total = y.n[0] + y.n[1] + y.n[2] + y.n[3];
        for (std::size_t i = 0; i < rule.x.size(); ++i) {
            const auto pr = class_probabilities(fit.mu + fit.trend_per_year * y.t + fit.year_sd * rule.x[i], fit.sigma);
            for (std::size_t j = 0; j < 4; ++j) expected[j] += rule.w[i] * total * pr[j];
        }
        for (std::size_t j = 0; j < 4; ++j) observed[j] += y.n[j];
    }
    GofTest g = binned_chi_square(observed, expected, 0, 5.0);
    g.note += "; df not reduced for the estimated parameters (fitted jointly with the annual means): conservative";
    fit.report.goodness_of_fit.push_back(g);
}

}  // namespace

BurnedAreaFit fit_burned_area(const AreaPerFireData& data, const BurnedAreaOptions& options) {
    const std::size_t n = data.year.size();
    if (data.fires.size() != n || data.damaged_area_ha.size() != n)
        throw InvalidInput("burned_area", "year, fires and damaged_area_ha differ in length");
    if (!data.size_class_fires.empty() && data.size_class_fires.size() != n)
        throw InvalidInput("size_class_fires", "must be empty or have one row per year");
    const bool trend = options.trend;
    BurnedAreaFit fit;
    fit.trend = trend;
    const int last = n ? *std::max_element(data.year.begin(), data.year.end()) : 0;
    fit.reference_year = options.reference_year.value_or(last);
    const AreaYears used = area_years(data, fit.reference_year);
    fit.used_size_classes = used.class_rows > 0;
    // From annual means alone, within-year spread and year effect trade off one for the other
    // (both widen the spread of annual means): the year effect needs the size classes.
    const bool year_effect = options.year_effect && fit.used_size_classes;
    const std::size_t needed = 2 + (trend ? 1u : 0u) + (year_effect ? 1u : 0u);
    if (used.mean_rows < needed)
        throw InvalidInput("burned_area", "needs at least " + std::to_string(needed) +
                                              " years with fires and damaged area, got " + std::to_string(used.mean_rows));
    fit_area_mle(fit, used.years, year_effect);
    add_area_goodness_of_fit(fit, used.years);
    fit.report.data_from = year_string(used.first_used);
    fit.report.data_to = year_string(used.last_used);
    fit.report.data_hash = fnv1a_64(used.hashed);
    fit.report.notes.emplace_back("per-fire forest-damaged area lognormal, fires independent within a year given the year effect");
    fit.report.notes.emplace_back("annual mean area per fire: Fenton-Wilkinson lognormal approximation");
    if (fit.used_size_classes)
        fit.report.notes.push_back("size classes (<1, 1-100, 100-1000, >1000 ha) of " + std::to_string(used.class_rows) +
                                   " years: composite likelihood, standard errors somewhat optimistic");
    else
        fit.report.notes.emplace_back("no size classes: no year effect fitted; sigma also absorbs year-to-year variation "
                                      "of mean fire size, an upper bound of the per-fire spread");
    fit.report.notes.push_back(trend ? "trend: log-linear year effect on mu (reference year " +
                                           std::to_string(fit.reference_year) + ")"
                                     : "stationary: no trend");
    fit.report.notes.emplace_back("no GPD tail: provincial annual totals do not identify one");
    return fit;
}

BurnedAreaModel burned_area_model(const BurnedAreaFit& fit, int year, const ProjectionOptions& options) {
    int effective = year;
    if (fit.trend && options.freeze_trend_after_year && year > *options.freeze_trend_after_year)
        effective = *options.freeze_trend_after_year;
    BurnedAreaModel m;
    m.mu = fit.mu + fit.trend_per_year * static_cast<double>(effective - fit.reference_year);
    m.sigma = std::hypot(fit.sigma, fit.year_sd);
    return m;
}

BurnedAreaModel with_gpd_tail(BurnedAreaModel body, double threshold_ha, double xi, double beta) {
    if (!(threshold_ha > 0)) throw InvalidInput("threshold_ha", "must be > 0, got " + std::to_string(threshold_ha));
    if (!(beta > 0)) throw InvalidInput("gpd_beta", "must be > 0, got " + std::to_string(beta));
    if (!std::isfinite(xi)) throw InvalidInput("gpd_xi", "must be finite, got " + std::to_string(xi));
    body.threshold_ha = threshold_ha;
    body.tail_probability = 1 - lognormal_cdf(threshold_ha, body.mu, body.sigma);
    body.gpd_xi = xi;
    body.gpd_beta = beta;
    return body;
}

FireModel fire_model_from(const CountFit& counts, const BurnedAreaFit* burned_area, const FireModelOptions& options) {
    if (!(options.forest_area_ha > 0))
        throw InvalidInput("forest_area_ha", "must be > 0, got " + std::to_string(options.forest_area_ha));
    const CountProjection p = project_count(counts, options.policy_year, options.projection);
    FireModel m;
    if (options.include_parameter_uncertainty) {
        const double s2 = p.log_standard_error * p.log_standard_error;
        const double inv_k = counts.size == inf ? 0.0 : 1 / counts.size;
        const double excess = std::exp(s2) * (1 + inv_k) - 1;
        m.rate_per_ha_year = p.mean_with_parameter_uncertainty / options.forest_area_ha;
        m.year_factor_shape = excess > 0 ? 1 / excess : inf;
    } else {
        m.rate_per_ha_year = p.expected_count / options.forest_area_ha;
        m.year_factor_shape = counts.size;
    }
    if (burned_area) m.burned_area = burned_area_model(*burned_area, options.policy_year, options.projection);
    return m;
}

// ---------------------------------------------------------------------------------------------

WeatherDependence estimate_weather_dependence(std::span<const RegionCounts> regions, bool trend) {
    if (regions.size() < 2) throw InvalidInput("regions", "needs at least two regions");
    std::set<int> common(regions[0].year.begin(), regions[0].year.end());
    for (const RegionCounts& r : regions) {
        const std::set<int> ys(r.year.begin(), r.year.end());
        std::set<int> keep;
        std::set_intersection(common.begin(), common.end(), ys.begin(), ys.end(), std::inserter(keep, keep.end()));
        common = std::move(keep);
    }
    if (common.size() < 5)
        throw InvalidInput("regions", "need at least 5 common years, got " + std::to_string(common.size()));
    WeatherDependence d;
    d.years.assign(common.begin(), common.end());
    for (const RegionCounts& r : regions) {
        const CountFit f = fit_counts(r.year, r.fires, CountFamily::negative_binomial, trend);
        std::map<int, double> by_year;
        for (std::size_t i = 0; i < r.year.size(); ++i) {
            if (!common.count(r.year[i])) continue;
            const double y = r.fires[i] > 0 ? r.fires[i] : 0.5;
            by_year[r.year[i]] = std::log(y / expected_count(f, r.year[i]));
        }
        std::vector<double> ordered;
        for (const auto& [y, v] : by_year) ordered.push_back(v);
        d.regions.push_back(r.region);
        d.residuals.push_back(std::move(ordered));
        d.year_factor_shape.push_back(f.size);
    }
    const std::size_t m = regions.size();
    const double n = static_cast<double>(d.years.size());
    d.correlation.assign(m, std::vector<double>(m, 1.0));
    auto corr = [&](const std::vector<double>& x, const std::vector<double>& y) {
        const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n;
        const double my = std::accumulate(y.begin(), y.end(), 0.0) / n;
        double sxy = 0, sxx = 0, syy = 0;
        for (std::size_t i = 0; i < x.size(); ++i) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxy / std::sqrt(sxx * syy);
    };
    double sum = 0, sum_first = 0;
    std::size_t pairs = 0;
    for (std::size_t i = 0; i < m; ++i)
        for (std::size_t j = 0; j < i; ++j) {
            const double c = corr(d.residuals[i], d.residuals[j]);
            d.correlation[i][j] = d.correlation[j][i] = c;
            sum += c;
            ++pairs;
            if (j == 0) sum_first += c;
        }
    d.mean_correlation = sum / static_cast<double>(pairs);
    d.mean_correlation_with_first = sum_first / static_cast<double>(m - 1);
    d.mean_correlation_standard_error = (1 - d.mean_correlation * d.mean_correlation) / std::sqrt(n - 3);
    return d;
}

}  // namespace tanhui::risk
