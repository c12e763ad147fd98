#include "risk/calibration/gof.hpp"

#include "data/types.hpp"
#include "risk/random/special.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace tanhui::risk {

namespace {

void check_transforms(std::vector<double>& u, const char* what) {
    if (u.empty()) throw InvalidInput(what, "needs at least one observation");
    for (double v : u)
        if (!(v >= 0 && v <= 1))
            throw InvalidInput(what, "transforms must lie in [0, 1], got " + std::to_string(v));
    std::sort(u.begin(), u.end());
}

constexpr const char* estimated_note = "; parameters estimated from the same data: p-value conservative";

}  // namespace

double ks_statistic(std::vector<double> u) {
    check_transforms(u, "ks");
    const double n = static_cast<double>(u.size());
    double d = 0;
    for (std::size_t i = 0; i < u.size(); ++i) {
        const double above = static_cast<double>(i + 1) / n - u[i];
        const double below = u[i] - static_cast<double>(i) / n;
        d = std::max({d, above, below});
    }
    return d;
}

GofTest kolmogorov_smirnov(std::vector<double> u, bool parameters_estimated) {
    const double n = static_cast<double>(u.size());
    const double d = ks_statistic(std::move(u));
    const double root_n = std::sqrt(n);
    GofTest t;
    t.name = "kolmogorov_smirnov";
    t.statistic = d;
    t.p_value = 1 - kolmogorov_cdf((root_n + 0.12 + 0.11 / root_n) * d);
    t.note = "asymptotic Kolmogorov distribution with Stephens' finite-n argument";
    if (parameters_estimated) t.note += estimated_note;
    return t;
}

double anderson_darling_statistic(std::vector<double> u) {
    check_transforms(u, "anderson_darling");
    const std::size_t n = u.size();
    // Clamp so that a transform of exactly 0 or 1 gives a large but finite statistic.
    constexpr double lo = 1e-300;
    double s = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double a = std::max(u[i], lo);
        const double b = std::max(1 - u[n - 1 - i], lo);
        s += static_cast<double>(2 * i + 1) * (std::log(a) + std::log(b));
    }
    return -static_cast<double>(n) - s / static_cast<double>(n);
}

GofTest anderson_darling(std::vector<double> u, bool parameters_estimated) {
    const double n = static_cast<double>(u.size());
    const double a2 = anderson_darling_statistic(std::move(u));
    GofTest t;
    t.name = "anderson_darling";
    t.statistic = a2;
    t.p_value = 1 - anderson_darling_cdf(a2, n);
    t.note = "case 0 (F fully specified), Marsaglia & Marsaglia (2004)";
    if (parameters_estimated) t.note += estimated_note;
    return t;
}

GofTest anderson_darling_normal_estimated(std::vector<double> u) {
    const double n = static_cast<double>(u.size());
    const double a2 = anderson_darling_statistic(std::move(u));
    const double a = a2 * (1 + 0.75 / n + 2.25 / (n * n));
    double p = 0;
    if (a >= 0.6)
        p = std::exp(1.2937 - 5.709 * a + 0.0186 * a * a);
    else if (a >= 0.34)
        p = std::exp(0.9177 - 4.279 * a - 1.38 * a * a);
    else if (a >= 0.2)
        p = 1 - std::exp(-8.318 + 42.796 * a - 59.938 * a * a);
    else
        p = 1 - std::exp(-13.436 + 101.14 * a - 223.73 * a * a);
    GofTest t;
    t.name = "anderson_darling";
    t.statistic = a2;
    t.p_value = std::clamp(p, 0.0, 1.0);
    t.note = "normal with estimated mean and variance: modified A* = " + std::to_string(a) +
             ", D'Agostino & Stephens (1986) Table 4.9";
    return t;
}

GofTest pearson_chi_square(std::span<const double> observed, std::span<const double> expected,
                           std::span<const double> variance, std::size_t estimated_parameters) {
    if (observed.size() != expected.size() || observed.size() != variance.size())
        throw InvalidInput("pearson_chi_square", "observed, expected and variance differ in length");
    double x2 = 0;
    for (std::size_t i = 0; i < observed.size(); ++i) {
        if (!(variance[i] > 0))
            throw InvalidInput("variance", "must be > 0, got " + std::to_string(variance[i]));
        x2 += (observed[i] - expected[i]) * (observed[i] - expected[i]) / variance[i];
    }
    GofTest t;
    t.name = "chi_square_pearson";
    t.statistic = x2;
    const double df = static_cast<double>(observed.size()) - static_cast<double>(estimated_parameters);
    t.degrees_of_freedom = df;
    t.p_value = df >= 1 ? chi_square_sf(x2, df) : std::numeric_limits<double>::quiet_NaN();
    t.note = "sum of squared Pearson residuals of single observations against chi2(n - p)";
    return t;
}

GofTest binned_chi_square(std::span<const double> observed, std::span<const double> expected,
                          std::size_t estimated_parameters, double min_expected) {
    if (observed.size() != expected.size() || observed.empty())
        throw InvalidInput("binned_chi_square", "observed and expected must be non-empty and of equal length");
    std::vector<double> o, e;
    double acc_o = 0, acc_e = 0;
    for (std::size_t i = 0; i < observed.size(); ++i) {
        acc_o += observed[i];
        acc_e += expected[i];
        if (acc_e >= min_expected) {
            o.push_back(acc_o);
            e.push_back(acc_e);
            acc_o = acc_e = 0;
        }
    }
    if (acc_e > 0 || acc_o > 0) {
        if (e.empty()) {
            o.push_back(acc_o);
            e.push_back(acc_e);
        } else {
            o.back() += acc_o;
            e.back() += acc_e;
        }
    }
    double x2 = 0;
    for (std::size_t i = 0; i < o.size(); ++i) x2 += (o[i] - e[i]) * (o[i] - e[i]) / e[i];
    GofTest t;
    t.name = "chi_square_binned";
    t.statistic = x2;
    const double df = static_cast<double>(o.size()) - 1 - static_cast<double>(estimated_parameters);
    t.degrees_of_freedom = df;
    t.note = std::to_string(o.size()) + " bins after pooling to expected >= " + std::to_string(min_expected);
    if (df >= 1) {
        t.p_value = chi_square_sf(x2, df);
    } else {
        t.p_value = std::numeric_limits<double>::quiet_NaN();
        t.note += "; too few bins for the estimated parameters: no p-value";
    }
    return t;
}

GofTest likelihood_ratio_test(double log_likelihood_restricted, double log_likelihood_full, double df) {
    GofTest t;
    t.name = "likelihood_ratio";
    t.statistic = std::max(0.0, 2 * (log_likelihood_full - log_likelihood_restricted));
    t.degrees_of_freedom = df;
    t.p_value = chi_square_sf(t.statistic, df);
    t.note = "Wilks: 2 (ll_full - ll_restricted) ~ chi2(df) under the restricted model";
    return t;
}

}  // namespace tanhui::risk
