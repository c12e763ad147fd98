#include "risk/metrics/peril_split.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <sstream>

namespace tanhui::risk {

PerilShares peril_shares(std::size_t perils) {
    PerilShares s;
    s.by_peril.assign(perils, 0.0);
    return s;
}

void add_shared(std::span<double> sums, std::span<const double> weights, double amount) {
    if (sums.size() != weights.size() + 1) throw std::logic_error("add_shared: one sum per weight and one more");
    if (amount == 0) return;
    double total = 0;
    for (const double w : weights) total += w;
    if (!(total > 0)) {
        sums.back() += amount;
        return;
    }
    for (std::size_t p = 0; p < weights.size(); ++p)
        if (weights[p] > 0) sums[p] += amount * (weights[p] / total);
}

void add_year(PerilShares& acc, std::span<const double> peril_loss, double amount) {
    if (peril_loss.size() != acc.by_peril.size()) throw std::logic_error("add_year: one loss per peril");
    acc.years += 1;
    if (amount == 0) return;
    double sum = 0;
    for (const double l : peril_loss) sum += l;
    if (!(sum > 0)) {
        acc.unattributed += amount;
        return;
    }
    for (std::size_t p = 0; p < peril_loss.size(); ++p)
        if (peril_loss[p] > 0) acc.by_peril[p] += amount * (peril_loss[p] / sum);
}

void combine(PerilShares& acc, const PerilShares& part) {
    if (part.by_peril.size() != acc.by_peril.size()) throw std::logic_error("combine: different perils");
    for (std::size_t p = 0; p < acc.by_peril.size(); ++p) acc.by_peril[p] += part.by_peril[p];
    acc.unattributed += part.unattributed;
    acc.years += part.years;
}

namespace {
double left_to_right(std::span<const double> parts) {
    double s = 0;
    for (const double x : parts) s += x;
    return s;
}
}  // namespace

namespace {
// Moves parts[m] (from its raw value) until the left-to-right sum is the total: a few steps by
// the residual, then single ulps, monotonically. False when the sum jumps over the total (a
// tie of the rounding: then another part, on a finer grid, must move).
bool adjust(std::vector<double>& parts, std::size_t m, double total) {
    for (int step = 0; step < 64; ++step) {
        const double s = left_to_right(parts);
        if (s == total) return true;
        if (step < 4) {
            parts[m] = std::max(0.0, parts[m] + (total - s));
            continue;
        }
        const double before = parts[m];
        parts[m] = std::nextafter(parts[m], s < total ? std::numeric_limits<double>::infinity() : 0.0);
        if (parts[m] == before) return false;
        const double after = left_to_right(parts);
        if ((s < total && after > total) || (s > total && after < total)) return false;
    }
    return false;
}
}  // namespace

std::vector<double> exact_parts(std::span<const double> raw, double total) {
    std::vector<double> parts(raw.begin(), raw.end());
    if (parts.empty()) return parts;
    if (total == 0) {
        std::fill(parts.begin(), parts.end(), 0.0);
        return parts;
    }
    if (!std::isfinite(total) || left_to_right(parts) == total) return parts;
    // The largest part takes the residual; when rounding ties make that impossible, the next
    // largest, and so on. A part that is 0 (a peril that lost nothing) stays 0.
    std::vector<std::size_t> order(parts.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return raw[a] > raw[b]; });
    for (const std::size_t m : order) {
        if (!(raw[m] > 0) && m != order.front()) break;
        if (adjust(parts, m, total)) return parts;
        parts.assign(raw.begin(), raw.end());
    }
    std::ostringstream what;
    what.precision(17);
    what << "exact_parts: no adjustment of one part reproduces the total " << total << " from";
    for (const double x : raw) what << ' ' << x;
    throw std::logic_error(what.str());
}

std::vector<NamedPart> split_means(std::span<const std::string> perils, const PerilShares& acc, double total,
                                   const std::string& unattributed_name) {
    if (perils.size() != acc.by_peril.size()) throw std::logic_error("split_means: one name per peril");
    std::vector<NamedPart> named;
    const double n = acc.years > 0 ? acc.years : 1;
    for (std::size_t p = 0; p < perils.size(); ++p) named.emplace_back(perils[p], acc.by_peril[p] / n);
    if (acc.unattributed != 0 && !unattributed_name.empty()) {
        named.emplace_back(unattributed_name, acc.unattributed / n);
    } else if (acc.unattributed != 0) {
        throw std::logic_error("split_means: an amount in a year without loss, and no name for it");
    }
    std::sort(named.begin(), named.end(), [](const NamedPart& a, const NamedPart& b) { return a.first < b.first; });
    std::vector<double> raw(named.size());
    for (std::size_t i = 0; i < named.size(); ++i) raw[i] = named[i].second;
    const std::vector<double> exact = exact_parts(raw, total);
    for (std::size_t i = 0; i < named.size(); ++i) named[i].second = exact[i];
    return named;
}

}  // namespace tanhui::risk
