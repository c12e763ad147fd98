#include "risk/calibration/severity.hpp"

#include "data/types.hpp"
#include "risk/calibration/mle.hpp"
#include "risk/calibration/gof.hpp"
#include "risk/random/special.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace tanhui::risk {

namespace {

void check_sample(std::span<const double> x, const char* what, double lo, double hi, bool open_low, std::size_t min_n) {
    if (x.size() < min_n)
        throw InvalidInput(what, "needs at least " + std::to_string(min_n) + " values, got " + std::to_string(x.size()));
    for (std::size_t i = 0; i < x.size(); ++i) {
        const bool low_ok = open_low ? x[i] > lo : x[i] >= lo;
        if (!(low_ok && x[i] < hi))
            throw InvalidInput(std::string(what) + "/" + std::to_string(i), "out of the support: " + std::to_string(x[i]));
    }
}

std::pair<double, double> mean_variance(std::span<const double> x) {
    double m = 0;
    for (double v : x) m += v;
    m /= static_cast<double>(x.size());
    double s = 0;
    for (double v : x) s += (v - m) * (v - m);
    return {m, s / static_cast<double>(x.size() > 1 ? x.size() - 1 : 1)};
}

template <class Cdf>
void add_ks_ad(FitReport& r, std::span<const double> x, Cdf cdf) {
    std::vector<double> u;
    u.reserve(x.size());
    for (double v : x) u.push_back(std::clamp(cdf(v), 0.0, 1.0));
    r.goodness_of_fit.push_back(kolmogorov_smirnov(u, true));
    r.goodness_of_fit.push_back(anderson_darling(u, true));
}

void finish(FitReport& r, std::span<const double> x) {
    r.rows = x.size();
    r.data_hash = fnv1a_64(x);
    set_information_criteria(r);
}

}  // namespace

FitReport fit_lognormal(std::span<const double> x) {
    check_sample(x, "lognormal", 0, std::numeric_limits<double>::infinity(), true, 2);
    const double n = static_cast<double>(x.size());
    std::vector<double> y(x.size());
    std::transform(x.begin(), x.end(), y.begin(), [](double v) { return std::log(v); });
    double mu = 0;
    for (double v : y) mu += v;
    mu /= n;
    double ss = 0;
    for (double v : y) ss += (v - mu) * (v - mu);
    const double sigma = std::sqrt(ss / n);
    if (!(sigma > 0)) throw InvalidInput("lognormal", "all values are equal: sigma would be 0");
    FitReport r;
    r.family = "lognormal";
    r.parameter_names = {"mu", "sigma"};
    r.estimates = {mu, sigma};
    r.standard_errors = {sigma / std::sqrt(n), sigma / std::sqrt(2 * n)};
    r.covariance = {{sigma * sigma / n, 0}, {0, sigma * sigma / (2 * n)}};
    double ll = 0;
    for (double v : y) ll += normal_log_pdf(v, mu, sigma) - v;  // density of x: Jacobian 1/x
    r.log_likelihood = ll;
    r.optimiser = "closed_form";
    std::vector<double> u;
    for (double v : y) u.push_back(normal_cdf((v - mu) / sigma));
    r.goodness_of_fit.push_back(kolmogorov_smirnov(u, true));
    r.goodness_of_fit.push_back(anderson_darling_normal_estimated(u));
    finish(r, x);
    return r;
}

FitReport fit_gamma(std::span<const double> x) {
    check_sample(x, "gamma", 0, std::numeric_limits<double>::infinity(), true, 2);
    const auto [m, v] = mean_variance(x);
    if (!(v > 0)) throw InvalidInput("gamma", "all values are equal");
    double sum_log = 0, sum = 0;
    for (double xi : x) {
        sum_log += std::log(xi);
        sum += xi;
    }
    const double n = static_cast<double>(x.size());
    const MleParameter p[] = {{"shape", m * m / v, Support::positive, 0.5}, {"scale", v / m, Support::positive, 0.5}};
    const LogLikelihood ll = [&](std::span<const double> th) {
        const double k = th[0], s = th[1];
        return (k - 1) * sum_log - sum / s - n * (log_gamma(k) + k * std::log(s));
    };
    FitReport r = report_from("gamma", maximise_log_likelihood(p, ll), x.size());
    const double k = r.estimates[0], s = r.estimates[1];
    add_ks_ad(r, x, [&](double y) { return gamma_cdf(y, k, s); });
    finish(r, x);
    return r;
}

FitReport fit_beta(std::span<const double> x) {
    check_sample(x, "beta", 0, 1, true, 2);
    const auto [m, v] = mean_variance(x);
    if (!(v > 0)) throw InvalidInput("beta", "all values are equal");
    double sum_log = 0, sum_log1m = 0;
    for (double xi : x) {
        sum_log += std::log(xi);
        sum_log1m += std::log1p(-xi);
    }
    const double n = static_cast<double>(x.size());
    // Method of moments: a + b = m (1 - m) / v - 1.
    const double total = std::max(m * (1 - m) / v - 1, 0.1);
    const MleParameter p[] = {{"a", m * total, Support::positive, 0.5}, {"b", (1 - m) * total, Support::positive, 0.5}};
    const LogLikelihood ll = [&](std::span<const double> th) {
        const double a = th[0], b = th[1];
        return (a - 1) * sum_log + (b - 1) * sum_log1m - n * log_beta(a, b);
    };
    FitReport r = report_from("beta", maximise_log_likelihood(p, ll), x.size());
    const double a = r.estimates[0], b = r.estimates[1];
    add_ks_ad(r, x, [&](double y) { return beta_cdf(y, a, b); });
    finish(r, x);
    return r;
}

FitReport fit_gpd(std::span<const double> excesses) {
    check_sample(excesses, "gpd", 0, std::numeric_limits<double>::infinity(), false, 10);
    const auto [m, v] = mean_variance(excesses);
    if (!(m > 0 && v > 0)) throw InvalidInput("gpd", "excesses must not all be equal or zero");
    // Hosking & Wallis (1987) moment estimators, kept inside the regular region.
    const double xi0 = std::clamp(0.5 * (1 - m * m / v), -0.4, 0.9);
    const double beta0 = m * (1 - xi0);
    const MleParameter p[] = {{"xi", xi0, Support::real, 0.2}, {"beta", beta0, Support::positive, 0.5}};
    const LogLikelihood ll = [&](std::span<const double> th) {
        const double xi = th[0], beta = th[1];
        if (!(xi > -1)) return -std::numeric_limits<double>::infinity();
        double s = 0;
        for (double e : excesses) s += gpd_log_pdf(e, xi, beta);
        return s;
    };
    FitReport r = report_from("generalized_pareto", maximise_log_likelihood(p, ll), excesses.size());
    const double xi = r.estimates[0], beta = r.estimates[1];
    if (xi <= -0.5) r.notes.emplace_back("xi <= -0.5: maximum likelihood is not regular, standard errors unreliable");
    add_ks_ad(r, excesses, [&](double e) { return gpd_cdf(e, xi, beta); });
    finish(r, excesses);
    return r;
}

}  // namespace tanhui::risk
