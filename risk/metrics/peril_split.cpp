#include "risk/metrics/peril_split.hpp"

#include "risk/random/simd_clones.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
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

namespace {
// The ratios loss[p] / sum(loss) of m years into ratio (0 where add_year would add nothing: the
// peril lost nothing, or no peril did), each year's sum taken in peril order as add_year takes
// it, repeated for its perils in sum_of: the division then runs over all the block's peril-years
// at once, SIMD.
// N > 0: n == N known to the compiler (the year's sum unrolled, the loops over a block's
// peril-years of a fixed shape); N == 0: any n. The same operations in the same order either way.
template <std::size_t N>
TANHUI_SIMD_CLONES
void ratios_of(const double* loss, std::size_t m, std::size_t n_any, double* sum_of, double* ratio) {
    const std::size_t n = N > 0 ? N : n_any;
    for (std::size_t i = 0; i < m; ++i) {
        double s = 0;
        for (std::size_t p = 0; p < n; ++p) s += loss[i * n + p];
        for (std::size_t p = 0; p < n; ++p) sum_of[i * n + p] = s;
    }
    for (std::size_t j = 0; j < m * n; ++j) {
        const double x = loss[j], s = sum_of[j];
        const double r = x / s;
        ratio[j] = x > 0 && s > 0 ? r : 0.0;
    }
}

void ratios(const double* loss, std::size_t m, std::size_t n, double* sum_of, double* ratio) {
    switch (n) {
    case 1: return ratios_of<1>(loss, m, n, sum_of, ratio);
    case 2: return ratios_of<2>(loss, m, n, sum_of, ratio);
    case 3: return ratios_of<3>(loss, m, n, sum_of, ratio);
    case 4: return ratios_of<4>(loss, m, n, sum_of, ratio);
    case 5: return ratios_of<5>(loss, m, n, sum_of, ratio);
    case 6: return ratios_of<6>(loss, m, n, sum_of, ratio);
    default: return ratios_of<0>(loss, m, n, sum_of, ratio);
    }
}

// The block's terms added to `by` (n perils) and to the unattributed sum. A term add_year skips
// (no amount; the peril or every peril lost nothing) is a product with a ratio of 0 here: +0.0 for
// a finite amount, which leaves a sum unchanged (a sum starting at +0.0 never becomes -0.0), so
// the sums are add_year's bit for bit. Amounts must be finite (add_years_of checks).
template <std::size_t A>
void accumulate(const double* const* amount, const double* ratio, const double* sum_of, std::size_t m, std::size_t n,
                double* const* by, double* unattributed) {
    std::array<double, A> u{};
    for (std::size_t a = 0; a < A; ++a) u[a] = unattributed[a];
    for (std::size_t i = 0; i < m; ++i) {
        // 1 when no peril lost anything (the amount is unattributed), else 0: a product, not a
        // branch (whether a year lost anything is a coin toss); v x 0 leaves u's bits (u is never -0).
        const auto none = static_cast<double>(!(sum_of[i * n] > 0));
        for (std::size_t a = 0; a < A; ++a) {
            const double v = amount[a][i];
            for (std::size_t p = 0; p < n; ++p) by[a][p] += v * ratio[i * n + p];
            u[a] += v * none;
        }
    }
    for (std::size_t a = 0; a < A; ++a) unattributed[a] = u[a];
}

// accumulate for 1 to 8 perils, a peril per lane of K vectors of 4 (256 bits: 512-bit arithmetic
// slows the whole core on some processors): each year adds amount x ratio to every peril's sum
// in K multiplies and K adds. Each lane is the scalar sum's own multiply and add, in the same
// order (risk/ is compiled with -ffp-contract=off), so the sums are the same bits; the lanes past
// n add the next year's ratios (finite: ratio holds `lanes` spare entries past the block) and are
// never read. A five-peril quote's split took 10 chains of a scalar multiply and add a year.
constexpr std::size_t lanes = 8;
template <std::size_t A, std::size_t K>
TANHUI_AVX2_CLONES
void accumulate_lanes(const double* const* amount, const double* ratio, const double* sum_of, std::size_t m,
                      std::size_t n, double* const* by, double* unattributed) {
    typedef double vector __attribute__((vector_size(4 * sizeof(double))));
    typedef double unaligned __attribute__((vector_size(4 * sizeof(double)), aligned(sizeof(double)), may_alias));
    // Values read and written through the unaligned type, never through their address: the sums
    // stay in registers.
    vector acc[A][K];
    double u[A];
    for (std::size_t a = 0; a < A; ++a) {
        double start[4 * K] = {};
        std::memcpy(start, by[a], n * sizeof(double));
        for (std::size_t k = 0; k < K; ++k) acc[a][k] = *reinterpret_cast<const unaligned*>(start + 4 * k);
        u[a] = unattributed[a];
    }
    for (std::size_t i = 0; i < m; ++i) {
        // 1 when no peril lost anything (the amount is unattributed), else 0: a product, not a
        // branch (whether a year lost anything is a coin toss); v x 0 leaves u's bits (u is never -0).
        const auto none = static_cast<double>(!(sum_of[i * n] > 0));
        vector r[K];
        for (std::size_t k = 0; k < K; ++k) r[k] = *reinterpret_cast<const unaligned*>(ratio + i * n + 4 * k);
        for (std::size_t a = 0; a < A; ++a) {
            const double v = amount[a][i];
            for (std::size_t k = 0; k < K; ++k) acc[a][k] += v * r[k];
            u[a] += v * none;
        }
    }
    for (std::size_t a = 0; a < A; ++a) {
        double end[4 * K];
        for (std::size_t k = 0; k < K; ++k) *reinterpret_cast<unaligned*>(end + 4 * k) = acc[a][k];
        std::memcpy(by[a], end, n * sizeof(double));
        unattributed[a] = u[a];
    }
}

using Accumulate = void (*)(const double* const*, const double*, const double*, std::size_t, std::size_t, double* const*,
                            double*);
template <std::size_t A>
Accumulate accumulate_for(std::size_t n) {
    if (n >= 1 && n <= 4) return accumulate_lanes<A, 1>;
    if (n >= 5 && n <= lanes) return accumulate_lanes<A, 2>;
    return accumulate<A>;
}

// add_years for one or two amounts a year (acc.size() == amounts.size() <= 2).
void add_years_of(std::span<PerilShares* const> acc, std::span<const std::span<const double>> amounts,
                  std::span<const double> peril_loss) {
    const std::size_t n = acc[0]->by_peril.size();
    const std::size_t years = amounts[0].size();
    for (std::size_t a = 0; a < acc.size(); ++a)
        if (acc[a]->by_peril.size() != n || amounts[a].size() != years)
            throw std::logic_error("add_years: one amount per year and the same perils");
    if (peril_loss.size() != years * n) throw std::logic_error("add_years: one loss per peril and year");
    // add_year itself takes a run without perils (every amount unattributed: no ratios to take)
    // and one with an infinite or NaN amount (a product with a ratio of 0 is not 0 then; never a
    // model's).
    const auto finite = [](std::span<const double> of) { return std::ranges::all_of(of, [](double v) { return std::isfinite(v); }); };
    if (n == 0 || !std::ranges::all_of(amounts, finite)) {
        for (std::size_t a = 0; a < acc.size(); ++a)
            for (std::size_t i = 0; i < years; ++i) add_year(*acc[a], peril_loss.subspan(i * n, n), amounts[a][i]);
        return;
    }
    constexpr std::size_t block = 256;
    std::vector<double> sum_of(block * n), ratio(block * n + lanes);  // accumulate_lanes reads past the block
    const Accumulate add = acc.size() == 1 ? accumulate_for<1>(n) : accumulate_for<2>(n);
    std::array<double*, 2> by{};
    std::array<double, 2> unattributed{};
    for (std::size_t a = 0; a < acc.size(); ++a) {
        by[a] = acc[a]->by_peril.data();
        unattributed[a] = acc[a]->unattributed;
    }
    for (std::size_t start = 0; start < years; start += block) {
        const std::size_t m = std::min(block, years - start);
        ratios(peril_loss.data() + start * n, m, n, sum_of.data(), ratio.data());
        std::array<const double*, 2> amount{};
        for (std::size_t a = 0; a < acc.size(); ++a) amount[a] = amounts[a].data() + start;
        add(amount.data(), ratio.data(), sum_of.data(), m, n, by.data(), unattributed.data());
    }
    for (std::size_t a = 0; a < acc.size(); ++a) acc[a]->unattributed = unattributed[a];
    for (PerilShares* s : acc) s->years += static_cast<double>(years);
}
}  // namespace

void add_years(PerilShares& acc, std::span<const double> peril_loss, std::span<const double> amounts) {
    PerilShares* const accs[1] = {&acc};
    const std::span<const double> of[1] = {amounts};
    add_years_of(accs, of, peril_loss);
}

void add_years(PerilShares& acc_a, std::span<const double> amounts_a, PerilShares& acc_b, std::span<const double> amounts_b,
               std::span<const double> peril_loss) {
    PerilShares* const accs[2] = {&acc_a, &acc_b};
    const std::span<const double> of[2] = {amounts_a, amounts_b};
    add_years_of(accs, of, peril_loss);
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
