#include "pricing/sink_insurance.hpp"

#include "pricing/checks.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace tanhui::pricing {

std::optional<Settlement> parse_settlement(std::string_view name) {
    if (name == "annual") return Settlement::annual;
    if (name == "term") return Settlement::term;
    return std::nullopt;
}

std::string_view to_string(Settlement s) { return s == Settlement::term ? "term" : "annual"; }

double target_tco2e(const SinkTarget& target, double stock_tco2e) {
    if (target.tco2e.has_value() == target.growth_fraction.has_value())
        checks::fail("target", "needs exactly one of tco2e and growth_fraction");
    if (target.tco2e) {
        checks::positive(*target.tco2e, "target.tco2e");
        return *target.tco2e;
    }
    checks::positive(*target.growth_fraction, "target.growth_fraction");
    checks::non_negative(stock_tco2e, "carbon_stock_tco2e");
    return *target.growth_fraction * stock_tco2e;
}

SinkPolicy sink_policy(const SinkInsuranceTerms& terms, double stock_tco2e, int term_months) {
    if (term_months < 12 || term_months > 60 || term_months % 12 != 0)
        checks::fail("term_months", "must be 12, 24, 36, 48 or 60 (whole policy years), got " + std::to_string(term_months));
    SinkPolicy p;
    p.term_years = term_months / 12;
    p.target_tco2e = target_tco2e(terms.target, stock_tco2e);
    if (!(p.target_tco2e > 0)) checks::fail("target", "is 0 tCO2e: the pool holds no carbon");
    checks::positive(terms.price_cny_per_tco2e, "price_cny_per_tco2e");
    checks::non_negative(terms.deductible_tco2e, "deductible_tco2e");
    checks::non_negative(terms.measurement_cv, "measurement.cv");
    p.price_cny_per_tco2e = terms.price_cny_per_tco2e;
    p.deductible_tco2e = terms.deductible_tco2e;
    p.settlement = terms.settlement;
    p.measurement_cv = terms.measurement_cv;
    p.sum_insured_cny = p.target_tco2e * p.term_years * p.price_cny_per_tco2e;
    const double per_settlement = p.settlement == Settlement::term ? p.sum_insured_cny : p.target_tco2e * p.price_cny_per_tco2e;
    p.limit_cny = terms.limit_cny.value_or(per_settlement);
    checks::positive(p.limit_cny, "limit_cny");
    return p;
}

namespace {
inline double one_term(const SinkPolicy& p, const double* sink, std::size_t years) {
    if (p.settlement == Settlement::annual) {
        double total = 0;
        for (std::size_t t = 0; t < years; ++t) total += shortfall_payout_cny(p, p.target_tco2e, sink[t]);
        return total;
    }
    double sum = 0;
    for (std::size_t t = 0; t < years; ++t) sum += sink[t];
    return shortfall_payout_cny(p, p.target_tco2e * static_cast<double>(years), sum);
}
}  // namespace

double term_payout_cny(const SinkPolicy& p, std::span<const double> measured_sink_tco2e) {
    return one_term(p, measured_sink_tco2e.data(), measured_sink_tco2e.size());
}

void term_payouts_cny(const SinkPolicy& p, std::span<const double> measured_sink_tco2e, std::span<double> out) {
    const auto years = static_cast<std::size_t>(p.term_years);
    if (years == 0 || measured_sink_tco2e.size() < out.size() * years)
        checks::fail("measured_sink_tco2e", "needs term_years values for every path");
    const double* s = measured_sink_tco2e.data();
    if (years == 1) {  // the one-year cover: one settlement a path, 0 + x being x
        for (std::size_t i = 0; i < out.size(); ++i) out[i] = 0.0 + shortfall_payout_cny(p, p.target_tco2e, s[i]);
        return;
    }
    // A chunk of paths at a time, in two passes: the sums of each path's years (adds only, in
    // one_term's order), then the settlements in a loop without branches over contiguous values
    // (it vectorises, as the one-year loop above). Settling path by path mispredicted on whether
    // the shortfall was positive, a coin toss, and took 18 times the one-year loop.
    constexpr std::size_t chunk = 256, most_years = 5;  // a term has at most 5 years (sink_policy)
    std::array<double, chunk * most_years> buffer;
    const double term_target = p.target_tco2e * static_cast<double>(years);
    for (std::size_t first = 0; first < out.size(); first += chunk) {
        const std::size_t m = std::min(chunk, out.size() - first);
        const double* x = s + first * years;
        double* o = out.data() + first;
        if (years > most_years) {  // not a policy sink_policy makes; path by path
            for (std::size_t i = 0; i < m; ++i) o[i] = one_term(p, x + i * years, years);
            continue;
        }
        if (p.settlement == Settlement::annual) {
            double* pay = buffer.data();
            for (std::size_t j = 0; j < m * years; ++j) pay[j] = shortfall_payout_cny(p, p.target_tco2e, x[j]);
            for (std::size_t i = 0; i < m; ++i) {
                double total = 0;
                for (std::size_t t = 0; t < years; ++t) total += pay[i * years + t];
                o[i] = total;
            }
            continue;
        }
        double* sum = buffer.data();
        for (std::size_t i = 0; i < m; ++i) {
            double total = 0;
            for (std::size_t t = 0; t < years; ++t) total += x[i * years + t];
            sum[i] = total;
        }
        for (std::size_t i = 0; i < m; ++i) o[i] = shortfall_payout_cny(p, term_target, sum[i]);
    }
}

double expected_shortfall_normal(double target, double mean, double sd) {
    if (!(sd > 0)) return std::max(0.0, target - mean);
    const double d = (target - mean) / sd;
    return (target - mean) * 0.5 * std::erfc(-d / std::sqrt(2.0)) + sd * std::exp(-0.5 * d * d) / std::sqrt(2 * M_PI);
}

}  // namespace tanhui::pricing
