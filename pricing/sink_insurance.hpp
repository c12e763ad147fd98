// Carbon-sink (target) insurance (issue 17): pays when the sink of the insured pool falls short of
// a target: Guizhou Longli (target carbon growth of 2 % of the stock), Gaochun, Nanjing (sink at
// expiry below a target), Fuding (the annual incremental sink). Plain values in and out.
//
//   payout = min(limit, max(0, target - measured sink - deductible) x price)
//
// per policy year (settlement annual: the target, deductible and limit are per year) or once on
// the term's totals (settlement term: target x years, the deductible and the limit once). The
// sink is the pool's sequestration minus the carbon its covered perils destroyed
// (risk/simulation/sink.hpp); "measured" is that times a measurement error (remote sensing) of a
// stated CV, the basis risk. Sum insured = target x years x price.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tanhui::pricing {

enum class Settlement : std::uint8_t { annual, term };
std::optional<Settlement> parse_settlement(std::string_view name);
std::string_view to_string(Settlement s);

// Exactly one of the two: tCO2e a policy year, or a share of the pool's stock at inception a
// policy year (Longli's 2 % target carbon growth).
struct SinkTarget {
    std::optional<double> tco2e;
    std::optional<double> growth_fraction;
};

struct SinkInsuranceTerms {
    std::vector<std::string> perils;  // covered perils (risk/perils registry names)
    SinkTarget target;
    double price_cny_per_tco2e = 0;
    std::optional<double> limit_cny;  // per settlement; absent: the sum insured of that settlement
    double deductible_tco2e = 0;      // per settlement
    Settlement settlement = Settlement::annual;
    double measurement_cv = 0;        // 0: the index is the sink itself
};

// The terms on a pool: everything filled in and checked.
struct SinkPolicy {
    double target_tco2e = 0;  // a policy year
    double price_cny_per_tco2e = 0;
    double deductible_tco2e = 0;
    double limit_cny = 0;     // per settlement
    int term_years = 1;
    Settlement settlement = Settlement::annual;
    double measurement_cv = 0;
    double sum_insured_cny = 0;  // target x years x price
};

// The target in tCO2e a policy year: tco2e, or growth_fraction x stock.
double target_tco2e(const SinkTarget& target, double stock_tco2e);

// Throws InvalidInput naming the field ("target", "price_cny_per_tco2e", "term_months", ...).
SinkPolicy sink_policy(const SinkInsuranceTerms& terms, double stock_tco2e, int term_months);

// One settlement on a target and a measured sink (tCO2e); unchecked (the inner loop).
inline double shortfall_payout_cny(const SinkPolicy& p, double target_tco2e, double sink_tco2e) {
    const double shortfall = target_tco2e - sink_tco2e - p.deductible_tco2e;
    const double cny = (shortfall > 0 ? shortfall : 0.0) * p.price_cny_per_tco2e;
    return cny < p.limit_cny ? cny : p.limit_cny;
}

// The payout of one term from its measured sinks by policy year (size term_years): the sum of
// the annual settlements, or one settlement of the totals.
double term_payout_cny(const SinkPolicy& p, std::span<const double> measured_sink_tco2e);
// term_payout_cny of every path: out[i] from measured_sink_tco2e[i * term_years ..] (out.size()
// paths of p.term_years years; the same bits, in one loop the compiler can keep in registers).
void term_payouts_cny(const SinkPolicy& p, std::span<const double> measured_sink_tco2e, std::span<double> out);

// E[max(0, T - G)] for G ~ N(mean, sd^2): (T - mean) Phi(d) + sd phi(d), d = (T - mean) / sd.
double expected_shortfall_normal(double target, double mean, double sd);

}  // namespace tanhui::pricing
