#include "risk/random/special.hpp"

#include "data/types.hpp"

#include <ql/math/distributions/normaldistribution.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <string>

// glibc's reentrant ln Gamma: std::lgamma writes the global signgam.
extern "C" double lgamma_r(double, int*);

namespace tanhui::risk {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();
constexpr double inf = std::numeric_limits<double>::infinity();
constexpr double epsilon = 1e-15;
constexpr int max_iterations = 100'000;

// Series for P(a, x), x < a + 1 (Numerical Recipes 3rd ed., sec. 6.2).
double gamma_series(double a, double x) {
    double term = 1 / a, sum = term;
    for (int n = 1; n < max_iterations; ++n) {
        term *= x / (a + n);
        sum += term;
        if (std::abs(term) < std::abs(sum) * epsilon) break;
    }
    return sum * std::exp(-x + a * std::log(x) - log_gamma(a));
}

// Continued fraction for Q(a, x), x >= a + 1 (modified Lentz).
double gamma_fraction(double a, double x) {
    constexpr double tiny = 1e-300;
    double b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
    for (int i = 1; i < max_iterations; ++i) {
        const double an = -i * (i - a);
        b += 2;
        d = an * d + b;
        if (std::abs(d) < tiny) d = tiny;
        c = b + an / c;
        if (std::abs(c) < tiny) c = tiny;
        d = 1 / d;
        const double delta = d * c;
        h *= delta;
        if (std::abs(delta - 1) < epsilon) break;
    }
    return std::exp(-x + a * std::log(x) - log_gamma(a)) * h;
}

// Continued fraction of the incomplete beta function (Numerical Recipes 3rd ed., sec. 6.4).
double beta_fraction(double x, double a, double b) {
    constexpr double tiny = 1e-300;
    const double qab = a + b, qap = a + 1, qam = a - 1;
    double c = 1, d = 1 - qab * x / qap;
    if (std::abs(d) < tiny) d = tiny;
    d = 1 / d;
    double h = d;
    for (int m = 1; m < max_iterations; ++m) {
        const int m2 = 2 * m;
        double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1 + aa * d;
        if (std::abs(d) < tiny) d = tiny;
        c = 1 + aa / c;
        if (std::abs(c) < tiny) c = tiny;
        d = 1 / d;
        h *= d * c;
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1 + aa * d;
        if (std::abs(d) < tiny) d = tiny;
        c = 1 + aa / c;
        if (std::abs(c) < tiny) c = tiny;
        d = 1 / d;
        const double delta = d * c;
        h *= delta;
        if (std::abs(delta - 1) < epsilon) break;
    }
    return h;
}

}  // namespace

double log_gamma(double x) {
    int sign = 0;
    return lgamma_r(x, &sign);
}

double log_beta(double a, double b) { return log_gamma(a) + log_gamma(b) - log_gamma(a + b); }

double gamma_p(double a, double x) {
    if (!(a > 0) || !(x >= 0)) return nan;
    if (x == 0) return 0;
    if (x == inf) return 1;
    return x < a + 1 ? gamma_series(a, x) : 1 - gamma_fraction(a, x);
}

double gamma_q(double a, double x) {
    if (!(a > 0) || !(x >= 0)) return nan;
    if (x == 0) return 1;
    if (x == inf) return 0;
    return x < a + 1 ? 1 - gamma_series(a, x) : gamma_fraction(a, x);
}

double beta_regularised(double x, double a, double b) {
    if (!(a > 0) || !(b > 0) || !(x >= 0 && x <= 1)) return nan;
    if (x == 0 || x == 1) return x;
    const double front =
        std::exp(a * std::log(x) + b * std::log1p(-x) - log_beta(a, b));
    if (x < (a + 1) / (a + b + 2)) return front * beta_fraction(x, a, b) / a;
    return 1 - front * beta_fraction(1 - x, b, a) / b;
}

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::numbers::sqrt2); }

double normal_quantile(double p) {
    if (!(p > 0 && p < 1)) {
        if (p == 0) return -inf;
        if (p == 1) return inf;
        return nan;
    }
    return QuantLib::InverseCumulativeNormal()(p);
}

double normal_log_pdf(double x, double mean, double sd) {
    const double z = (x - mean) / sd;
    return -0.5 * z * z - std::log(sd) - 0.5 * std::log(2 * std::numbers::pi);
}

double chi_square_sf(double x, double df) {
    if (!(df > 0)) return nan;
    if (x <= 0) return 1;
    return gamma_q(df / 2, x / 2);
}

double poisson_log_pmf(double y, double mean) {
    if (y < 0 || y != std::floor(y)) return -inf;
    if (mean == 0) return y == 0 ? 0 : -inf;
    return y * std::log(mean) - mean - log_gamma(y + 1);
}

double poisson_cdf(double y, double mean) {
    if (y < 0) return 0;
    if (mean == 0) return 1;
    return gamma_q(std::floor(y) + 1, mean);
}

double negative_binomial_log_pmf(double y, double mean, double size) {
    if (y < 0 || y != std::floor(y)) return -inf;
    if (size == inf) return poisson_log_pmf(y, mean);
    if (mean == 0) return y == 0 ? 0 : -inf;
    return log_gamma(y + size) - log_gamma(size) - log_gamma(y + 1) +
           size * std::log(size / (size + mean)) + y * std::log(mean / (size + mean));
}

double negative_binomial_cdf(double y, double mean, double size) {
    if (y < 0) return 0;
    if (size == inf) return poisson_cdf(y, mean);
    if (mean == 0) return 1;
    // P(Y <= y) = I_{k/(k+m)}(k, y + 1).
    return beta_regularised(size / (size + mean), size, std::floor(y) + 1);
}

double gamma_cdf(double x, double shape, double scale) {
    return x <= 0 ? 0 : gamma_p(shape, x / scale);
}

double beta_cdf(double x, double a, double b) {
    if (x <= 0) return 0;
    if (x >= 1) return 1;
    return beta_regularised(x, a, b);
}

double lognormal_cdf(double x, double mu, double sigma) {
    return x <= 0 ? 0 : normal_cdf((std::log(x) - mu) / sigma);
}

double gpd_cdf(double x, double xi, double beta) {
    if (x <= 0) return 0;
    if (std::abs(xi) < 1e-12) return -std::expm1(-x / beta);
    const double t = 1 + xi * x / beta;
    if (t <= 0) return 1;  // beyond the upper end point when xi < 0
    return 1 - std::pow(t, -1 / xi);
}

double gpd_log_pdf(double x, double xi, double beta) {
    if (x < 0 || !(beta > 0)) return -inf;
    if (std::abs(xi) < 1e-12) return -std::log(beta) - x / beta;
    const double t = 1 + xi * x / beta;
    if (t <= 0) return -inf;
    return -std::log(beta) - (1 / xi + 1) * std::log(t);
}

double kolmogorov_cdf(double x) {
    if (!(x > 0)) return 0;
    if (x < 1.18) {
        // sqrt(2 pi) / x sum_k exp(-(2k - 1)^2 pi^2 / (8 x^2)): converges fast for small x.
        const double w = std::numbers::pi * std::numbers::pi / (8 * x * x);
        double sum = 0;
        for (int k = 1; k <= 20; ++k) {
            const double j = 2.0 * k - 1;
            sum += std::exp(-j * j * w);
        }
        return std::sqrt(2 * std::numbers::pi) / x * sum;
    }
    double sum = 0;
    for (int k = 1; k <= 100; ++k) {
        const double term = std::exp(-2.0 * k * k * x * x);
        sum += (k % 2 == 1 ? term : -term);
        if (term < 1e-18) break;
    }
    return 1 - 2 * sum;
}

double anderson_darling_asymptotic_cdf(double z) {
    if (!(z > 0)) return 0;
    if (z < 2)
        return std::exp(-1.2337141 / z) / std::sqrt(z) *
               (2.00012 +
                (0.247105 - (0.0649821 - (0.0347962 - (0.011672 - 0.00168691 * z) * z) * z) * z) * z);
    return std::exp(
        -std::exp(1.0776 - (2.30695 - (0.43424 - (0.082433 - (0.008056 - 0.0003146 * z) * z) * z) * z) * z));
}

double anderson_darling_cdf(double z, double n) {
    if (!(n >= 1)) throw InvalidInput("n", "must be >= 1, got " + std::to_string(n));
    const double x = anderson_darling_asymptotic_cdf(z);
    const double c = 0.01265 + 0.1757 / n;
    double fix = 0;
    if (x < c) {
        const double t = x / c;
        fix = std::sqrt(t) * (1 - t) * (49 * t - 102) * (0.0037 / (n * n * n) + 0.00078 / (n * n) + 0.00006 / n);
    } else if (x < 0.8) {
        const double t = (x - c) / (0.8 - c);
        fix = (-0.00022633 + (6.54034 - (14.6538 - (14.458 - (8.259 - 1.91864 * t) * t) * t) * t) * t) *
              (0.04213 / n + 0.01365 / (n * n));
    } else {
        fix = (-130.2137 + (745.2337 - (1705.091 - (1950.646 - (1116.360 - 255.7844 * x) * x) * x) * x) * x) / n;
    }
    const double p = x + fix;
    return p < 0 ? 0 : (p > 1 ? 1 : p);
}

double student_t_cdf(double x, double dof) {
    if (!(dof > 0) || std::isnan(x)) return std::numeric_limits<double>::quiet_NaN();
    const double tail = 0.5 * beta_regularised(dof / (dof + x * x), dof / 2, 0.5);
    return x >= 0 ? 1 - tail : tail;
}

double student_t_quantile(double p, double dof) {
    if (!(p > 0 && p < 1) || !(dof > 0)) return std::numeric_limits<double>::quiet_NaN();
    double lo = -1, hi = 1;
    while (student_t_cdf(lo, dof) > p) lo *= 2;
    while (student_t_cdf(hi, dof) < p) hi *= 2;
    for (int i = 0; i < 200 && hi - lo > 1e-12 * std::max(1.0, std::abs(lo)); ++i) {
        const double mid = 0.5 * (lo + hi);
        (student_t_cdf(mid, dof) < p ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}

double student_t_log_pdf(double x, double dof) {
    return log_gamma((dof + 1) / 2) - log_gamma(dof / 2) - 0.5 * std::log(dof * std::numbers::pi) - (dof + 1) / 2 * std::log1p(x * x / dof);
}

}  // namespace tanhui::risk
