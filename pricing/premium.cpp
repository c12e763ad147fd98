#include "pricing/premium.hpp"

#include "pricing/checks.hpp"
#include "risk/metrics/order_statistics.hpp"

#include <boost/math/special_functions/erf.hpp>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <span>
#include <utility>
#include <string>

namespace tanhui::pricing {
namespace {

// Years of a loss table reduced to what the statistics need: most years pay nothing, so only the
// positive payouts are sorted (largest first); sums run in year order.
struct Table {
    std::size_t n = 0;
    double mean = 0;
    double variance = 0;                    // sample variance, N - 1
    std::unique_ptr<double[]> storage;      // positive_desc's values
    std::span<const double> positive_desc;  // payouts > 0, largest first
};

// Sorts the n positive finite doubles whose IEEE 754 bit patterns are keys[0 .. n) into out,
// largest first. Bit patterns of positive doubles order as the values do, so a least-significant-
// digit radix sort of the patterns gives exactly std::sort's order in O(n): a 100,000-year quote
// has tens of thousands of positive payouts, and the comparison sort was a tenth of its time.
// The patterns are taken less the smallest (the order is kept), and only their top 32 differing
// bits are sorted, with the key's index below them in the same 64-bit word: at most 3 passes of
// 11-bit digits (a pass whose digit is the same for every key skipped), where the 58 bits in
// which a payout table spanning a few powers of ten differs took 5. Keys whose top bits are equal
// (values within about 2^-26 of each other, or equal) then come next to each other, and each such
// run is put in order by its full patterns.
// lo and hi are the smallest and the largest of the patterns; a and b are n words of scratch.
void sort_positive_descending(const std::uint64_t* keys, std::uint64_t* a, std::uint64_t* b, std::size_t n,
                              std::uint64_t lo, std::uint64_t hi, double* out) {
    if (n < 1024 || n > std::numeric_limits<std::uint32_t>::max()) {  // indexes and counts are 32-bit
        for (std::size_t i = 0; i < n; ++i) out[i] = std::bit_cast<double>(keys[i]);
        std::sort(out, out + n, std::greater<>());
        return;
    }
    constexpr int bits = 11;
    constexpr std::size_t buckets = std::size_t{1} << bits;
    const auto width = static_cast<int>(std::bit_width(hi - lo));
    const int drop = std::max(0, width - 32);  // the low bits left to the runs
    const int passes = (width - drop + bits - 1) / bits;
    std::vector<std::uint32_t> count(static_cast<std::size_t>(passes) * buckets, 0);
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint64_t top = (keys[i] - lo) >> drop;
        a[i] = (top << 32) | i;
        for (int p = 0; p < passes; ++p) ++count[static_cast<std::size_t>(p) * buckets + ((top >> (p * bits)) & (buckets - 1))];
    }
    for (int p = 0; p < passes; ++p) {
        std::uint32_t* c = count.data() + static_cast<std::size_t>(p) * buckets;
        if (std::find(c, c + buckets, n) != c + buckets) continue;  // the same digit in every key
        std::uint32_t offset = 0;
        for (std::size_t d = 0; d < buckets; ++d) offset += std::exchange(c[d], offset);
        const int shift = 32 + p * bits;
        for (std::size_t i = 0; i < n; ++i) {
            const std::uint64_t w = a[i];
            b[c[(w >> shift) & (buckets - 1)]++] = w;
        }
        std::swap(a, b);
    }
    // a is in ascending order of the top bits; out takes the values largest first.
    for (std::size_t i = 0; i < n; ++i) out[n - 1 - i] = std::bit_cast<double>(keys[a[i] & 0xffffffffu]);
    if (drop == 0) return;  // equal top bits are equal values
    // Where each run of two or more keys with equal top bits begins, listed into the scratch b
    // without a branch per key (about a third of a five-peril quote's paying years are in such
    // runs: a branch on it was mispredicted). Most runs are of equal payouts (a year that pays
    // a fixed sum): already in order, they are not sorted.
    const auto top = [&](std::size_t i) { return a[i] >> 32; };
    std::size_t runs = 0;
    std::uint64_t differs_before = 1;  // key i's top bits differ from key i - 1's (or i == 0)
    for (std::size_t i = 0; i + 1 < n; ++i) {
        const std::uint64_t differs_after = top(i + 1) != top(i) ? 1 : 0;
        std::uint64_t begins = (differs_after ^ 1) & differs_before;
        asm("" : "+r"(begins));  // as in tabulate: GCC would make a branch of it
        b[runs] = i;
        runs += begins;
        differs_before = differs_after;
    }
    for (std::size_t r = 0; r < runs; ++r) {
        const std::size_t i = b[r];
        std::size_t j = i + 2;
        while (j < n && top(j) == top(i)) ++j;
        double* const first = out + (n - j);
        double* const last = out + (n - i);
        if (!std::is_sorted(first, last, std::greater<>())) std::sort(first, last, std::greater<>());
    }
}

Table tabulate(std::span<const double> payouts, std::size_t min_years) {
    if (payouts.size() < min_years)
        checks::fail("payouts_cny", "must hold at least " + std::to_string(min_years) + " years, got " +
                                        std::to_string(payouts.size()));
    Table t;
    t.n = payouts.size();
    // The positive payouts' bit patterns are gathered without a branch per year (whether a year
    // pays is the branch no predictor learns), into buffers that are written before they are read.
    const auto keys = std::make_unique_for_overwrite<std::uint64_t[]>(payouts.size());
    // The smallest and largest pattern come in the same loop: it waits on the sum's chain of
    // additions, and has the time for them.
    std::size_t positive = 0;
    double sum = 0;
    std::uint64_t lo = std::numeric_limits<std::uint64_t>::max(), hi = 0;
    for (std::size_t i = 0; i < payouts.size(); ++i) {
        const double x = payouts[i];
        if (!(x >= 0) || !std::isfinite(x))
            checks::fail(checks::indexed("payouts_cny", i), "must be a finite number >= 0, got " + checks::number(x));
        sum += x;
        const auto key = std::bit_cast<std::uint64_t>(x);
        keys[positive] = key;
        std::uint64_t pays = x > 0 ? 1 : 0;
        // Integer masks on a value the compiler cannot see through: from `pays ? key : lo` (and
        // from the masks on a plain comparison) it made a branch, mispredicted on about one year
        // in three. A year that pays nothing (-0.0 has the pattern 2^63) leaves lo under
        // min(lo, 2^64 - 1) and hi under max(hi, 0).
        asm("" : "+r"(pays));
        positive += pays;
        lo = std::min(lo, key | (pays - 1));
        hi = std::max(hi, key & (0 - pays));
    }
    t.mean = sum / static_cast<double>(t.n);
    double squares = 0;
    for (const double x : payouts) squares += (x - t.mean) * (x - t.mean);
    t.variance = t.n > 1 ? squares / static_cast<double>(t.n - 1) : 0.0;
    t.storage = std::make_unique_for_overwrite<double[]>(positive);
    const auto a = std::make_unique_for_overwrite<std::uint64_t[]>(positive);
    const auto b = std::make_unique_for_overwrite<std::uint64_t[]>(positive);
    sort_positive_descending(keys.get(), a.get(), b.get(), positive, lo, hi, t.storage.get());
    t.positive_desc = std::span<const double>(t.storage.get(), positive);
    return t;
}

constexpr auto rounding = risk::CountRounding::whole_within_1e9;

risk::OrderStatistics ranked(const Table& t) { return risk::OrderStatistics::largest_first(t.positive_desc, t.n); }

double var_of(const Table& t, double level) { return risk::quantile(ranked(t), level, rounding); }

double tvar_of(const Table& t, double level) { return risk::tail_value_at_risk(ranked(t), level, rounding); }

double norm_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

// g(u) = Phi(Phi^-1(u) + lambda) on [0, 1], Phi^-1(u) = -sqrt(2) erfc^-1(2u).
double wang_distortion(double u, double lambda) {
    if (u <= 0) return 0;
    if (u >= 1) return 1;
    return norm_cdf(-std::sqrt(2.0) * boost::math::erfc_inv(2 * u) + lambda);
}

// g(i / N) for i = 0..P, P the number of positive payouts: all the Wang sums need.
std::vector<double> wang_levels(const Table& t, double lambda) {
    const auto n = static_cast<double>(t.n);
    std::vector<double> g(t.positive_desc.size() + 1);
    for (std::size_t i = 0; i < g.size(); ++i) g[i] = wang_distortion(static_cast<double>(i) / n, lambda);
    return g;
}

double wang_of(const Table& t, const std::vector<double>& g) {
    const auto& x = t.positive_desc;
    double premium = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double below = i + 1 < x.size() ? x[i + 1] : 0.0;
        premium += (x[i] - below) * g[i + 1];
    }
    return premium;
}

void check_level(double level, const std::string& field) { checks::open_unit(level, field); }

// The principle's load on the sample, and its influence function psi: at each positive payout,
// and at 0 for the years that pay nothing.
struct Influence {
    double load = 0;
    std::unique_ptr<double[]> positive;  // psi at positive_desc[i]
    double at_zero = 0;            // psi of the years that pay nothing
};

// Sample standard deviations over the N years of psi(x) - x (the load alone) and of psi(x) (the
// premium). The two run side by side in the same loops: each sum is its own chain of additions in
// the order it always had (the same bits), and the processor overlaps the two chains.
struct InfluenceSd {
    double load = 0;
    double premium = 0;
};
InfluenceSd influence_sd(const Table& t, const Influence& psi) {
    const auto& x = t.positive_desc;
    const double* v = psi.positive.get();
    const std::size_t zeros = t.n - x.size();
    const double z = static_cast<double>(zeros);
    double sum_load = z * psi.at_zero, sum_premium = z * psi.at_zero;
    for (std::size_t i = 0; i < x.size(); ++i) {
        sum_load += v[i] - x[i];
        sum_premium += v[i];
    }
    const double mean_load = sum_load / static_cast<double>(t.n), mean_premium = sum_premium / static_cast<double>(t.n);
    double sq_load = z * (psi.at_zero - mean_load) * (psi.at_zero - mean_load);
    double sq_premium = z * (psi.at_zero - mean_premium) * (psi.at_zero - mean_premium);
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double l = v[i] - x[i], p = v[i];
        sq_load += (l - mean_load) * (l - mean_load);
        sq_premium += (p - mean_premium) * (p - mean_premium);
    }
    if (t.n <= 1) return {};
    const auto dof = static_cast<double>(t.n - 1);
    return {std::sqrt(sq_load / dof), std::sqrt(sq_premium / dof)};
}

// The load, and the influence function of the premium functional pi = E + load, evaluated on the
// sample (Hampel 1974; Serfling 1980, ch. 6 and 8): Var(pi_hat) ~ Var(psi(X)) / N.
//   expected_value  psi = (1 + theta) x
//   std_dev         psi = x + k ((x - mu)^2 - sigma^2) / (2 sigma)
//   cost_of_capital psi = (1 - rate) x + rate (VaR + (x - VaR)+ / (1 - alpha))
//   wang            psi(x) = integral_0^x g'(S(t)) dt, g' taken as the slope of g over the rank
Influence influence(const Table& t, const PremiumTerms& terms) {
    Influence psi;
    const auto& x = t.positive_desc;
    psi.positive = std::make_unique_for_overwrite<double[]>(x.size());
    const double p = terms.parameter;
    switch (terms.principle) {
    case Principle::expected_value:
        psi.load = p * t.mean;
        for (std::size_t i = 0; i < x.size(); ++i) psi.positive[i] = (1 + p) * x[i];
        psi.at_zero = 0;
        break;
    case Principle::std_dev: {
        const double sigma = std::sqrt(t.variance);
        psi.load = p * sigma;
        const auto f = [&](double v) {
            return sigma > 0 ? v + p * ((v - t.mean) * (v - t.mean) - t.variance) / (2 * sigma) : v;
        };
        for (std::size_t i = 0; i < x.size(); ++i) psi.positive[i] = f(x[i]);
        psi.at_zero = f(0);
        break;
    }
    case Principle::cost_of_capital: {
        const double var = var_of(t, terms.tvar_level);
        psi.load = p * (tvar_of(t, terms.tvar_level) - t.mean);
        const auto f = [&](double v) {
            return (1 - p) * v + p * (var + std::max(0.0, v - var) / (1 - terms.tvar_level));
        };
        for (std::size_t i = 0; i < x.size(); ++i) psi.positive[i] = f(x[i]);
        psi.at_zero = f(0);
        break;
    }
    case Principle::wang: {
        const auto n = static_cast<double>(t.n);
        const std::vector<double> g = wang_levels(t, p);
        psi.load = wang_of(t, g) - t.mean;
        double cumulative = 0;
        for (std::size_t j = x.size(); j-- > 0;) {
            const double below = j + 1 < x.size() ? x[j + 1] : 0.0;
            cumulative += n * (g[j + 1] - g[j]) * (x[j] - below);
            psi.positive[j] = cumulative;
        }
        psi.at_zero = 0;
        break;
    }
    }
    return psi;
}

double denominator(const PremiumTerms& terms) {
    return 1 - terms.expense_ratio - terms.commission - terms.profit_margin;
}

}  // namespace

std::optional<Principle> parse_principle(std::string_view name) {
    for (const Principle p : {Principle::expected_value, Principle::std_dev, Principle::wang, Principle::cost_of_capital})
        if (to_string(p) == name) return p;
    return std::nullopt;
}

std::string_view to_string(Principle principle) {
    switch (principle) {
    case Principle::expected_value: return "expected_value";
    case Principle::std_dev: return "std_dev";
    case Principle::wang: return "wang";
    case Principle::cost_of_capital: return "cost_of_capital";
    }
    return "?";
}

void validate(const PremiumTerms& terms) {
    checks::non_negative(terms.parameter, "parameter");
    check_level(terms.tvar_level, "tvar_level");
    for (const auto& [value, field] : {std::pair{terms.expense_ratio, "expense_ratio"},
                                       std::pair{terms.commission, "commission"},
                                       std::pair{terms.profit_margin, "profit_margin"}})
        if (!(value >= 0 && value < 1)) checks::fail(field, "must lie in [0, 1), got " + checks::number(value));
    if (!(denominator(terms) > 0))
        checks::fail("expense_ratio", "expense_ratio + commission + profit_margin must be < 1, got " +
                                          checks::number(1 - denominator(terms)));
    checks::share(terms.subsidy_share, "subsidy_share");
}

Estimate pure_premium(std::span<const double> payouts_cny) {
    const Table t = tabulate(payouts_cny, 2);
    return {t.mean, std::sqrt(t.variance / static_cast<double>(t.n))};
}

Estimate risk_load(std::span<const double> payouts_cny, const PremiumTerms& terms) {
    validate(terms);
    const Table t = tabulate(payouts_cny, 2);
    const Influence psi = influence(t, terms);
    return {psi.load, influence_sd(t, psi).load / std::sqrt(static_cast<double>(t.n))};
}

GrossPremium gross_premium(double pure_premium_cny, double risk_load_cny, const PremiumTerms& terms) {
    validate(terms);
    checks::non_negative(pure_premium_cny, "pure_premium_cny");
    checks::finite(risk_load_cny, "risk_load_cny");
    GrossPremium g;
    g.gross_premium_cny = (pure_premium_cny + risk_load_cny) / denominator(terms);
    g.subsidy_cny = terms.subsidy_share * g.gross_premium_cny;
    g.insured_pays_cny = g.gross_premium_cny - g.subsidy_cny;
    return g;
}

double value_at_risk(std::span<const double> payouts_cny, double level) {
    check_level(level, "level");
    return var_of(tabulate(payouts_cny, 1), level);
}

double tail_value_at_risk(std::span<const double> payouts_cny, double level) {
    check_level(level, "level");
    return tvar_of(tabulate(payouts_cny, 1), level);
}

double wang_premium(std::span<const double> payouts_cny, double lambda) {
    checks::finite(lambda, "parameter");
    const Table t = tabulate(payouts_cny, 1);
    return wang_of(t, wang_levels(t, lambda));
}

namespace {
ReturnPeriodPayout return_period_of(const Table& t, double years, const std::string& field) {
    if (!(years >= 1) || !std::isfinite(years)) checks::fail(field, "must be a number >= 1, got " + checks::number(years));
    const risk::ReturnPeriodValue v = risk::return_period_value(ranked(t), years, rounding);
    return {years, v.value, v.beyond_simulation};
}
}  // namespace

double payout_at_return_period(std::span<const double> payouts_cny, double return_period_years) {
    return return_period_of(tabulate(payouts_cny, 1), return_period_years, "return_period").payout_cny;
}

PremiumQuote quote_premium(std::span<const double> payouts_cny, double sum_insured_cny,
                           const PremiumTerms& terms, std::span<const double> return_periods) {
    validate(terms);
    checks::positive(sum_insured_cny, "sum_insured_cny");
    const Table t = tabulate(payouts_cny, 2);
    const auto n = static_cast<double>(t.n);

    PremiumQuote q;
    q.years = t.n;
    q.sum_insured_cny = sum_insured_cny;
    q.pure_premium_cny = t.mean;
    q.std_dev_cny = std::sqrt(t.variance);
    q.pure_premium_se_cny = q.std_dev_cny / std::sqrt(n);

    const Influence psi = influence(t, terms);
    q.risk_load_cny = psi.load;
    const InfluenceSd sd = influence_sd(t, psi);
    q.risk_load_se_cny = sd.load / std::sqrt(n);
    const double premium_se = sd.premium / std::sqrt(n);

    const GrossPremium g = gross_premium(q.pure_premium_cny, q.risk_load_cny, terms);
    q.gross_premium_cny = g.gross_premium_cny;
    q.gross_premium_se_cny = premium_se / denominator(terms);
    q.subsidy_cny = g.subsidy_cny;
    q.insured_pays_cny = g.insured_pays_cny;
    q.rate_on_sum_insured = q.gross_premium_cny / sum_insured_cny;

    const double p = static_cast<double>(t.positive_desc.size()) / n;
    q.probability_of_payout = p;
    q.probability_of_payout_se = std::sqrt(p * (1 - p) / n);
    q.var_cny = var_of(t, terms.tvar_level);
    q.tvar_cny = tvar_of(t, terms.tvar_level);

    for (std::size_t i = 0; i < return_periods.size(); ++i)
        q.payout_at_return_period_cny.push_back(
            return_period_of(t, return_periods[i], checks::indexed("return_periods", i)));
    return q;
}

}  // namespace tanhui::pricing
