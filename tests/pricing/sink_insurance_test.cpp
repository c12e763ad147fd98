// Sink (target) insurance payouts (pricing/sink_insurance.hpp) and the index franchise.
#include "pricing/sink_insurance.hpp"

#include "data/types.hpp"
#include "pricing/index_insurance.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace tanhui::pricing {
namespace {

SinkInsuranceTerms gaochun() {
    SinkInsuranceTerms t;
    t.target.tco2e = 1'000;
    t.price_cny_per_tco2e = 35;
    return t;
}

TEST(SinkPayout, ShortfallTimesPriceWithinTheLimit) {
    SinkInsuranceTerms t = gaochun();
    t.deductible_tco2e = 50;
    const SinkPolicy p = sink_policy(t, 10'000, 12);
    EXPECT_DOUBLE_EQ(p.sum_insured_cny, 35'000);
    EXPECT_DOUBLE_EQ(p.limit_cny, 35'000);
    EXPECT_EQ(shortfall_payout_cny(p, 1'000, 1'200), 0.0);
    EXPECT_EQ(shortfall_payout_cny(p, 1'000, 950), 0.0);          // within the deductible
    EXPECT_DOUBLE_EQ(shortfall_payout_cny(p, 1'000, 700), 250.0 * 35);
    EXPECT_DOUBLE_EQ(shortfall_payout_cny(p, 1'000, -5'000), 35'000);  // a year of heavy loss: the limit
}

TEST(SinkPayout, GrowthFractionTargetIsTheTco2eItImplies) {
    SinkInsuranceTerms by_share = gaochun();
    by_share.target = {.tco2e = std::nullopt, .growth_fraction = 0.02};
    SinkInsuranceTerms by_tonnes = gaochun();
    by_tonnes.target.tco2e = 0.02 * 123'456.0;
    const SinkPolicy a = sink_policy(by_share, 123'456.0, 36), b = sink_policy(by_tonnes, 123'456.0, 36);
    EXPECT_EQ(a.target_tco2e, b.target_tco2e);
    EXPECT_EQ(a.sum_insured_cny, b.sum_insured_cny);
    EXPECT_EQ(a.limit_cny, b.limit_cny);
    const std::vector<double> sinks{2'000, 2'700, 2'100};
    EXPECT_EQ(term_payout_cny(a, sinks), term_payout_cny(b, sinks));
}

TEST(SinkPayout, AnnualAndTermSettlementAgreeWhenOnlyOneYearCanPay) {
    SinkInsuranceTerms annual = gaochun();
    annual.limit_cny = 1e9;  // the limits differ by settlement (a year's, the term's): out of the way
    SinkInsuranceTerms term = annual;
    term.settlement = Settlement::term;
    std::mt19937_64 rng(5);
    std::normal_distribution<double> sink(1'000, 300);
    for (int years : {1, 3, 5}) {
        const SinkPolicy pa = sink_policy(annual, 0, 12 * years), pt = sink_policy(term, 0, 12 * years);
        for (int i = 0; i < 200; ++i) {
            std::vector<double> s(static_cast<std::size_t>(years), 1'000.0);  // the others exactly on target
            s[static_cast<std::size_t>(i % years)] = sink(rng);
            // Equal up to rounding: the term sums the years' sinks before it subtracts.
            EXPECT_NEAR(term_payout_cny(pa, s), term_payout_cny(pt, s), 1e-9 * (1 + term_payout_cny(pa, s)));
        }
    }
    // With more than one year short they differ: a good year offsets a bad one only on the term.
    const SinkPolicy pa = sink_policy(annual, 0, 24), pt = sink_policy(term, 0, 24);
    EXPECT_GT(term_payout_cny(pa, std::vector<double>{600, 1'400}), term_payout_cny(pt, std::vector<double>{600, 1'400}));
}

// The quote's loop over its paths (term_payouts_cny) is term_payout_cny of each, bit for bit:
// both settlements, one to five policy years (and seven, past what a policy allows), sinks that
// pay nothing, part or the limit.
TEST(SinkPayout, EveryPathAtOnceIsEachPathAlone) {
    std::mt19937_64 rng(11);
    std::normal_distribution<double> sink(900, 400);
    for (const Settlement settlement : {Settlement::annual, Settlement::term})
        for (const int years : {1, 2, 3, 4, 5, 7}) {
            SinkInsuranceTerms t = gaochun();
            t.settlement = settlement;
            t.deductible_tco2e = 20;
            SinkPolicy p = sink_policy(t, 0, 12 * std::min(years, 5));
            p.term_years = years;  // 7: past what sink_policy allows, the path-by-path loop
            const std::size_t paths = 997;
            std::vector<double> s(paths * static_cast<std::size_t>(years));
            for (double& x : s) x = sink(rng);
            std::vector<double> out(paths);
            term_payouts_cny(p, s, out);
            for (std::size_t i = 0; i < paths; ++i) {
                const std::span<const double> one(s.data() + i * static_cast<std::size_t>(years), static_cast<std::size_t>(years));
                ASSERT_EQ(out[i], term_payout_cny(p, one)) << "path " << i << ", " << years << " years";
            }
        }
    SinkInsuranceTerms t = gaochun();
    const SinkPolicy p = sink_policy(t, 0, 24);
    std::vector<double> too_few(3), out(2);
    EXPECT_THROW(term_payouts_cny(p, too_few, out), InvalidInput);
}

TEST(SinkPayout, TermsAreChecked) {
    SinkInsuranceTerms t = gaochun();
    EXPECT_THROW(sink_policy(t, 0, 18), InvalidInput);
    EXPECT_THROW(sink_policy(t, 0, 72), InvalidInput);
    t.target.growth_fraction = 0.02;  // both given
    EXPECT_THROW(sink_policy(t, 100, 12), InvalidInput);
    t.target = {.tco2e = std::nullopt, .growth_fraction = 0.02};
    EXPECT_THROW(sink_policy(t, 0, 12), InvalidInput);  // no stock: a target of 0
    EXPECT_NEAR(expected_shortfall_normal(100, 100, 10), 10 / std::sqrt(2 * M_PI), 1e-12);
    EXPECT_DOUBLE_EQ(expected_shortfall_normal(100, 50, 0), 50);
}

TEST(IndexFranchise, NothingBelowTheWholeLossFromIt) {
    IndexInsuranceTerms t;
    t.price_cny_per_tco2e = 20;
    t.deductible_tco2e = 100;
    t.franchise_tco2e = 500;
    t.limit_cny = 1e9;
    const IndexPolicy p = index_policy(t, 1e6);
    EXPECT_EQ(payout_cny(p, 0), 0.0);
    EXPECT_EQ(payout_cny(p, 499.999), 0.0);
    EXPECT_DOUBLE_EQ(payout_cny(p, 500), 400.0 * 20);
    EXPECT_DOUBLE_EQ(payout_cny(p, 900), 800.0 * 20);
    t.franchise_tco2e = 0;
    const IndexPolicy none = index_policy(t, 1e6);
    EXPECT_DOUBLE_EQ(payout_cny(none, 499), 399.0 * 20);
    t.franchise_tco2e = -1;
    EXPECT_THROW(index_policy(t, 1e6), InvalidInput);
    EXPECT_EQ(parse_index_basis("sink_loss"), IndexBasis::sink_loss);
    EXPECT_FALSE(parse_index_basis("stock"));
}

}  // namespace
}  // namespace tanhui::pricing
