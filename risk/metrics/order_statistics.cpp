#include "risk/metrics/order_statistics.hpp"

#include <algorithm>
#include <cmath>

namespace tanhui::risk {

double rounded_count(double x, CountRounding rounding) {
    if (rounding == CountRounding::nearest_1e9) return std::round(x * 1e9) / 1e9;
    const double whole = std::round(x);
    return std::abs(x - whole) <= 1e-9 * std::max(1.0, std::abs(x)) ? whole : x;
}

OrderStatistics OrderStatistics::largest_first(std::span<const double> descending, std::size_t n) {
    return OrderStatistics(descending.first(std::min(descending.size(), n)), n, true);
}

OrderStatistics OrderStatistics::smallest_first(std::span<const double> ascending) {
    return OrderStatistics(ascending, ascending.size(), false);
}

double OrderStatistics::largest(std::size_t rank) const {
    if (!descending_) return values_[n_ - rank];
    return rank <= values_.size() ? values_[rank - 1] : 0.0;
}

double OrderStatistics::smallest(std::size_t rank) const { return largest(n_ - rank + 1); }

std::size_t OrderStatistics::clamp(std::ptrdiff_t rank) const {
    return static_cast<std::size_t>(std::clamp<std::ptrdiff_t>(rank, 1, static_cast<std::ptrdiff_t>(n_)));
}

namespace {

// The k-th smallest for a real k (a ceiling or a floor), clamped to 1..N.
double smallest_at(const OrderStatistics& x, double k) {
    return x.smallest(static_cast<std::size_t>(std::clamp(k, 1.0, static_cast<double>(x.size()))));
}

}  // namespace

double quantile_above(const OrderStatistics& x, double p) {
    const std::size_t n = x.size();
    return x.smallest(std::min(n - 1, static_cast<std::size_t>(p * static_cast<double>(n))) + 1);
}

std::size_t quantile_rank(std::size_t n, double level, CountRounding rounding) {
    const double count = rounded_count(static_cast<double>(n) * level, rounding);
    return static_cast<std::size_t>(std::clamp(std::ceil(count), 1.0, static_cast<double>(n)));
}

double quantile(const OrderStatistics& x, double level, CountRounding rounding) {
    return x.smallest(quantile_rank(x.size(), level, rounding));
}

Estimate quantile_with_real_band(const OrderStatistics& x, double level, CountRounding rounding) {
    const auto n = static_cast<double>(x.size());
    const double rank = rounded_count(n * level, rounding);
    const double d = std::sqrt(n * level * (1 - level));
    return {smallest_at(x, std::ceil(rank)), 0.5 * (smallest_at(x, std::ceil(rank + d)) - smallest_at(x, std::floor(rank - d)))};
}

Estimate quantile_with_whole_band(const OrderStatistics& x, double level, CountRounding rounding) {
    const auto n = static_cast<double>(x.size());
    const double count = rounded_count(n * level, rounding);
    const std::size_t r = x.clamp(static_cast<std::ptrdiff_t>(std::ceil(count)));
    const double d = std::sqrt(n * level * (1 - level));
    const auto c = static_cast<std::ptrdiff_t>(std::ceil(d));
    const auto ri = static_cast<std::ptrdiff_t>(r);
    return {x.smallest(r), 0.5 * (x.smallest(x.clamp(ri + c)) - x.smallest(x.clamp(ri - c)))};
}

double tail_mean(const OrderStatistics& x, double m) {
    const auto k = static_cast<std::size_t>(std::floor(m));
    const double f = m - static_cast<double>(k);
    double sum = 0;
    for (std::size_t r = 1; r <= k; ++r) sum += x.largest(r);
    if (f > 0 && k < x.size()) sum += f * x.largest(k + 1);
    return sum / m;
}

double tail_value_at_risk(const OrderStatistics& x, double level, CountRounding rounding) {
    return tail_mean(x, rounded_count(static_cast<double>(x.size()) * (1 - level), rounding));
}

Estimate tail_mean_with_error(const OrderStatistics& x, double m, double level, double boundary) {
    if (!(m > 0)) return {x.largest(1), 0};
    const double tvar = tail_mean(x, m);
    const auto k = static_cast<std::size_t>(std::floor(m));
    const double f = m - static_cast<double>(k);
    double ss = 0;
    for (std::size_t r = 1; r <= k; ++r) ss += (x.largest(r) - tvar) * (x.largest(r) - tvar);
    if (f > 0 && k < x.size()) ss += f * (x.largest(k + 1) - tvar) * (x.largest(k + 1) - tvar);
    const double tail_var = ss / m;
    return {tvar, std::sqrt((tail_var + level * (tvar - boundary) * (tvar - boundary)) / m)};
}

ReturnPeriodValue return_period_value(const OrderStatistics& x, double return_period, CountRounding rounding) {
    const double r = rounded_count(static_cast<double>(x.size()) / return_period, rounding);
    if (r < 1) return {r, x.largest(1), true};
    const auto lo = static_cast<std::size_t>(std::floor(r));
    const auto hi = static_cast<std::size_t>(std::ceil(r));
    return {r, x.largest(lo) + (r - static_cast<double>(lo)) * (x.largest(hi) - x.largest(lo)), false};
}

double return_period_standard_error(const OrderStatistics& x, double rank) {
    const double rr = std::max(rank, 1.0);
    const double d = std::sqrt(rr * (1 - rr / static_cast<double>(x.size())));
    const auto c = static_cast<std::ptrdiff_t>(std::ceil(d));
    const auto centre = static_cast<std::ptrdiff_t>(std::llround(rr));
    return 0.5 * (x.largest(x.clamp(centre - c)) - x.largest(x.clamp(centre + c)));
}

}  // namespace tanhui::risk
