#include "risk/backtest/statistics.hpp"

#include "data/types.hpp"
#include "risk/metrics/order_statistics.hpp"
#include "risk/random/draws.hpp"
#include "risk/random/special.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace tanhui::risk {

namespace {

// x ln y with 0 ln 0 = 0.
double xlogy(double x, double y) { return x == 0 ? 0.0 : x * std::log(y); }

constexpr std::uint32_t pit_stream = 0x7a11;

}  // namespace

double randomized_pit(double cdf_below, double cdf_at, double v) {
    if (!(cdf_below >= 0 && cdf_at <= 1 + 1e-12 && cdf_below <= cdf_at + 1e-12))
        throw InvalidInput("cdf", "need 0 <= F(y-1) <= F(y) <= 1, got " + std::to_string(cdf_below) + ", " +
                                      std::to_string(cdf_at));
    return std::clamp(cdf_below + v * (cdf_at - cdf_below), 0.0, 1.0);
}

double pit_uniform(std::uint64_t seed, std::uint32_t a, std::uint32_t b) {
    const Words w = draw_words(seed, pit_stream, a, b, 0, 0);
    return uniform52(w[0], w[1]);
}

double binomial_two_sided_p_value(std::size_t successes, std::size_t trials, double p) {
    if (successes > trials) throw InvalidInput("successes", "must be <= trials");
    if (!(p >= 0 && p <= 1)) throw InvalidInput("p", "must be in [0, 1], got " + std::to_string(p));
    const auto n = static_cast<double>(trials);
    const auto log_pmf = [&](std::size_t k) {
        const auto kd = static_cast<double>(k);
        if (p == 0) return k == 0 ? 0.0 : -INFINITY;
        if (p == 1) return k == trials ? 0.0 : -INFINITY;
        return log_gamma(n + 1) - log_gamma(kd + 1) - log_gamma(n - kd + 1) + kd * std::log(p) +
               (n - kd) * std::log1p(-p);
    };
    const double d = log_pmf(successes);
    // R: sum of dbinom(i) over i with dbinom(i) <= d (1 + 1e-7).
    const double bound = d + std::log1p(1e-7);
    double total = 0;
    for (std::size_t k = 0; k <= trials; ++k) {
        const double lk = log_pmf(k);
        if (lk <= bound) total += std::exp(lk);
    }
    return std::min(1.0, total);
}

CoverageTest interval_coverage(std::span<const double> pit, double nominal) {
    if (!(nominal > 0 && nominal < 1)) throw InvalidInput("nominal", "must be in (0, 1)");
    CoverageTest c;
    c.nominal = nominal;
    c.trials = pit.size();
    const double lo = (1 - nominal) / 2, hi = (1 + nominal) / 2;
    for (const double u : pit) c.inside += (u >= lo && u <= hi) ? 1 : 0;
    c.observed = c.trials ? static_cast<double>(c.inside) / static_cast<double>(c.trials) : 0.0;
    c.binomial_p_value = c.trials ? binomial_two_sided_p_value(c.inside, c.trials, nominal) : 1.0;
    return c;
}

KupiecTest kupiec_pof(std::span<const std::uint8_t> exceedance, double p) {
    if (!(p > 0 && p < 1)) throw InvalidInput("tail_probability", "must be in (0, 1), got " + std::to_string(p));
    KupiecTest k;
    k.trials = exceedance.size();
    for (const auto e : exceedance) k.exceedances += e ? 1 : 0;
    k.expected_rate = p;
    if (k.trials == 0) return k;
    const auto n = static_cast<double>(k.trials), x = static_cast<double>(k.exceedances);
    k.observed_rate = x / n;
    const double restricted = xlogy(n - x, 1 - p) + xlogy(x, p);
    const double full = xlogy(n - x, 1 - k.observed_rate) + xlogy(x, k.observed_rate);
    k.statistic = std::max(0.0, -2 * (restricted - full));
    k.p_value = chi_square_sf(k.statistic, 1);
    return k;
}

ChristoffersenTest christoffersen_independence(std::span<const std::uint8_t> exceedance) {
    ChristoffersenTest c;
    for (std::size_t i = 1; i < exceedance.size(); ++i) {
        const bool a = exceedance[i - 1] != 0, b = exceedance[i] != 0;
        if (!a && !b) ++c.n00;
        if (!a && b) ++c.n01;
        if (a && !b) ++c.n10;
        if (a && b) ++c.n11;
    }
    const auto n00 = static_cast<double>(c.n00), n01 = static_cast<double>(c.n01);
    const auto n10 = static_cast<double>(c.n10), n11 = static_cast<double>(c.n11);
    const double total = n00 + n01 + n10 + n11;
    if (total == 0 || n01 + n11 == 0) return c;
    c.pi01 = n00 + n01 > 0 ? n01 / (n00 + n01) : 0.0;
    c.pi11 = n10 + n11 > 0 ? n11 / (n10 + n11) : 0.0;
    const double pi = (n01 + n11) / total;
    const double restricted = xlogy(n00 + n10, 1 - pi) + xlogy(n01 + n11, pi);
    const double full = xlogy(n00, 1 - c.pi01) + xlogy(n01, c.pi01) + xlogy(n10, 1 - c.pi11) + xlogy(n11, c.pi11);
    c.statistic = std::max(0.0, -2 * (restricted - full));
    c.p_value = chi_square_sf(c.statistic, 1);
    return c;
}

double gap_in_standard_errors(const Estimate& a, const Estimate& b) {
    return (a.value - b.value) / std::sqrt(a.standard_error * a.standard_error + b.standard_error * b.standard_error);
}

double two_sided_normal_p_value(double z) { return std::isfinite(z) ? 2 * (1 - normal_cdf(std::abs(z))) : 0.0; }

double empirical_quantile(std::vector<double> x, double q) {
    if (x.empty()) throw InvalidInput("x", "must not be empty");
    std::sort(x.begin(), x.end());
    return quantile(OrderStatistics::smallest_first(x), q, CountRounding::whole_within_1e9);
}

}  // namespace tanhui::risk
