// Premium principles, gross-up, and the statistics of a quote, on hand-worked tables and on
// distributions with closed forms.
#include "pricing/premium.hpp"

#include "data/types.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <random>
#include <vector>

namespace tanhui::pricing {
namespace {

double norm_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

// Phi^-1 by bisection on std::erfc: slow, but independent of the library's erfc_inv.
double norm_quantile(double u) {
    double lo = -40, hi = 40;
    for (int i = 0; i < 200 && hi - lo > 1e-15 * std::max(1.0, std::abs(lo)); ++i) {
        const double mid = 0.5 * (lo + hi);
        (norm_cdf(mid) < u ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}

double wang_g(double u, double lambda) { return norm_cdf(norm_quantile(u) + lambda); }

// Ten years, two of which pay: the table of the brief.
const std::vector<double> ten = {0, 0, 0, 0, 0, 0, 0, 0, 10, 30};

TEST(PremiumTable, HandWorkedMomentsAndProbability) {
    // mean 4; squares 8 x 16 + 36 + 676 = 840 over N - 1 = 9.
    const auto pure = pure_premium(ten);
    EXPECT_DOUBLE_EQ(pure.value, 4.0);
    EXPECT_NEAR(pure.standard_error, std::sqrt(840.0 / 9 / 10), 1e-12);
    const auto q = quote_premium(ten, 100, {}, std::vector<double>{});
    EXPECT_DOUBLE_EQ(q.std_dev_cny, std::sqrt(840.0 / 9));
    EXPECT_DOUBLE_EQ(q.probability_of_payout, 0.2);
    EXPECT_NEAR(q.probability_of_payout_se, std::sqrt(0.2 * 0.8 / 10), 1e-15);
    EXPECT_EQ(q.years, 10u);
}

TEST(PremiumTable, ValueAtRiskAndFractionalTailValueAtRisk) {
    // VaR_a: the ceil(10 a)-th smallest.
    EXPECT_DOUBLE_EQ(value_at_risk(ten, 0.8), 0.0);
    EXPECT_DOUBLE_EQ(value_at_risk(ten, 0.9), 10.0);   // 9th smallest, 10 x 0.9 snapped to 9
    EXPECT_DOUBLE_EQ(value_at_risk(ten, 0.95), 30.0);  // ceil(9.5) = 10th
    // TVaR_a: the mean of the 10 (1 - a) largest with a fractional share of the next.
    EXPECT_DOUBLE_EQ(tail_value_at_risk(ten, 0.9), 30.0);                      // 1 year
    EXPECT_NEAR(tail_value_at_risk(ten, 0.85), (30 + 0.5 * 10) / 1.5, 1e-12);  // 1.5 years
    EXPECT_DOUBLE_EQ(tail_value_at_risk(ten, 0.8), 20.0);                      // 2 years
    EXPECT_DOUBLE_EQ(tail_value_at_risk(ten, 0.5), 8.0);                       // 5 years
    EXPECT_DOUBLE_EQ(tail_value_at_risk(ten, 0.995), 30.0);                    // 0.05 of the largest
    // DESIGN: N = 10,000, a = 0.99 is 100 years, not 100.00000000000009.
    std::vector<double> many(10'000);
    std::iota(many.begin(), many.end(), 1.0);  // 1..10000
    EXPECT_DOUBLE_EQ(tail_value_at_risk(many, 0.99), (9901.0 + 10000.0) / 2);
    EXPECT_DOUBLE_EQ(value_at_risk(many, 0.99), 9900.0);
}

TEST(PremiumTable, PayoutsAtReturnPeriods) {
    EXPECT_DOUBLE_EQ(payout_at_return_period(ten, 10), 30.0);  // the largest
    EXPECT_DOUBLE_EQ(payout_at_return_period(ten, 5), 10.0);   // the 2nd largest
    EXPECT_DOUBLE_EQ(payout_at_return_period(ten, 2), 0.0);    // the 5th largest
    EXPECT_DOUBLE_EQ(payout_at_return_period(ten, 4), 5.0);    // rank 2.5: halfway 10 -> 0
    EXPECT_DOUBLE_EQ(payout_at_return_period(ten, 20), 30.0);  // beyond 10 years: the largest
    EXPECT_THROW(payout_at_return_period(ten, 0.5), InvalidInput);
    const auto q = quote_premium(ten, 100, {}, std::vector<double>{10, 5, 200});
    ASSERT_EQ(q.payout_at_return_period_cny.size(), 3u);
    EXPECT_DOUBLE_EQ(q.payout_at_return_period_cny[0].payout_cny, 30.0);
    EXPECT_FALSE(q.payout_at_return_period_cny[0].beyond_simulation);
    EXPECT_DOUBLE_EQ(q.payout_at_return_period_cny[1].return_period_years, 5.0);
    EXPECT_DOUBLE_EQ(q.payout_at_return_period_cny[1].payout_cny, 10.0);
    EXPECT_DOUBLE_EQ(q.payout_at_return_period_cny[2].payout_cny, 30.0);
    EXPECT_TRUE(q.payout_at_return_period_cny[2].beyond_simulation);
    try {
        quote_premium(ten, 100, {}, std::vector<double>{10, 0});
        FAIL();
    } catch (const InvalidInput& e) {
        EXPECT_EQ(e.field(), "return_periods[1]");
    }
}

// Tables of more than 1,024 paying years are ordered by a radix sort on the bit patterns; the
// order statistics must be those of a plain sort of the same years, including repeated values
// (a limit hit often), values a few ulps apart and subnormal-size payouts.
TEST(PremiumTable, LargeTablesHaveTheOrderStatisticsOfASortedCopy) {
    std::mt19937_64 rng(4);
    std::lognormal_distribution<double> severity(8.0, 2.0);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    // Several tables (whole counts at every level and return period below), whose paying years
    // (about 30 %, a random number) split into the sort's four lockstep quarters evenly or not.
    for (const std::size_t n : {std::size_t{50'000}, std::size_t{7'000}, std::size_t{13'000}, std::size_t{21'000}}) {
    SCOPED_TRACE(n);
    std::vector<double> payouts(n, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        const double u = unit(rng);
        if (u < 0.3) payouts[i] = std::min(severity(rng), 2e5);      // capped at a limit
        else if (u < 0.301) payouts[i] = std::nextafter(1000.0, 2000.0 + double(i % 3));  // ulps apart
        else if (u < 0.302) payouts[i] = 1e-300 * double(1 + i % 5);  // tiny
    }
    std::vector<double> desc = payouts;
    std::sort(desc.begin(), desc.end(), std::greater<>());
    for (const double level : {0.9, 0.99, 0.995, 0.999}) {
        const auto k = static_cast<std::size_t>(std::ceil(double(n) * level));  // the k-th smallest
        EXPECT_EQ(value_at_risk(payouts, level), desc[n - k]) << level;
        const auto tail = static_cast<std::size_t>(std::llround(double(n) * (1 - level)));
        double sum = 0;
        for (std::size_t j = 0; j < tail; ++j) sum += desc[j];
        EXPECT_DOUBLE_EQ(tail_value_at_risk(payouts, level), sum / double(tail)) << level;
    }
    for (const double t : {2.0, 10.0, 100.0, 1000.0})
        EXPECT_EQ(payout_at_return_period(payouts, t), desc[static_cast<std::size_t>(double(n) / t) - 1]) << t;
    }
}

// The radix sort behind the order statistics (pricing/premium.cpp) sorts only the bits in which
// the positive payouts differ, in 11- or 12-bit digits, skipping a digit that is the same for all:
// tables spanning ten powers of ten (12-bit digits), a thousandth of a unit (few digits, most
// skipped), two values, and one value repeated. Every rank of every table, read as a T-year payout
// with T = N / rank, must be that of std::sort's copy, and the tail sums must add the same values
// in the same order (the same bits).
TEST(PremiumTable, EveryRankOfTheRadixSortIsThatOfStdSort) {
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    const std::size_t n = 3'000;  // about 2,000 paying years: the radix path (1,024 or more)
    const std::vector<std::function<double()>> draws{
        [&] { return std::pow(10.0, -3.0 + 10.0 * unit(rng)); },  // 1e-3 .. 1e7
        [&] { return 1000.0 + 1e-3 * unit(rng); },                // within a thousandth
        [&] { return unit(rng) < 0.5 ? 250.0 : 4000.0; },         // two values
        [&] { return 77.5; },                                     // one value
        [&] {  // eleven powers of ten, each with its next 7 doubles: wide, and equal but for the last bits
            double x = std::pow(10.0, std::floor(-3.0 + 11.0 * unit(rng)));
            for (int j = static_cast<int>(8.0 * unit(rng)); j > 0; --j) x = std::nextafter(x, INFINITY);
            return x;
        },
    };
    for (std::size_t d = 0; d < draws.size(); ++d) {
        SCOPED_TRACE(d);
        std::vector<double> payouts(n, 0.0);
        for (double& x : payouts) {
            if (unit(rng) < 0.66) x = draws[d]();
            else if (unit(rng) < 0.1) x = -0.0;  // pays nothing, with the sign bit set
        }
        std::vector<double> desc = payouts;
        std::sort(desc.begin(), desc.end(), std::greater<>());
        const auto paying = static_cast<std::size_t>(std::count_if(payouts.begin(), payouts.end(), [](double x) { return x > 0; }));
        ASSERT_GE(paying, std::size_t{1024});
        for (std::size_t rank = 1; rank <= paying; ++rank)
            ASSERT_EQ(payout_at_return_period(payouts, double(n) / double(rank)), desc[rank - 1]) << rank;
        for (const std::size_t m : {std::size_t{1}, std::size_t{30}, std::size_t{300}, paying}) {
            double sum = 0;
            for (std::size_t j = 0; j < m; ++j) sum += desc[j];
            EXPECT_EQ(tail_value_at_risk(payouts, 1.0 - double(m) / double(n)), sum / double(m)) << m;
        }
    }
}

TEST(PremiumPrinciples, ExpectedValueAndStdDevLoads) {
    EXPECT_DOUBLE_EQ(risk_load(ten, {.principle = Principle::expected_value, .parameter = 0.2}).value, 0.8);
    EXPECT_DOUBLE_EQ(risk_load(ten, {.principle = Principle::std_dev, .parameter = 0.25}).value,
                     0.25 * std::sqrt(840.0 / 9));
}

// cost_of_capital: rate x (TVaR_alpha - E), TVaR with the fractional share: at alpha = 0.85,
// TVaR = (30 + 0.5 x 10) / 1.5; at the default 0.995, 0.05 of a year: the largest, 30.
TEST(PremiumPrinciples, CostOfCapitalUsesFractionalTailValueAtRisk) {
    const PremiumTerms at85{.principle = Principle::cost_of_capital, .parameter = 0.1, .tvar_level = 0.85};
    EXPECT_NEAR(risk_load(ten, at85).value, 0.1 * ((30 + 0.5 * 10) / 1.5 - 4), 1e-12);
    const PremiumTerms by_default{.principle = Principle::cost_of_capital, .parameter = 0.1};
    EXPECT_DOUBLE_EQ(by_default.tvar_level, 0.995);
    EXPECT_NEAR(risk_load(ten, by_default).value, 0.1 * (30 - 4), 1e-12);
}

// Wang: x_(9) = 10 carries g(0.2) - g(0.1), x_(10) = 30 carries g(0.1) (the survival levels above
// 10 and 30 are 0.1 and 0): 20 g(0.1) + 10 g(0.2).
TEST(PremiumPrinciples, WangOnTheHandWorkedTable) {
    for (const double lambda : {0.0, 0.25, 0.5, 1.0}) {
        SCOPED_TRACE(::testing::Message() << "lambda " << lambda);
        const double expected = 20 * wang_g(0.1, lambda) + 10 * wang_g(0.2, lambda);
        EXPECT_NEAR(wang_premium(ten, lambda), expected, 1e-12);
        EXPECT_NEAR(risk_load(ten, {.principle = Principle::wang, .parameter = lambda}).value, expected - 4, 1e-12);
    }
    EXPECT_NEAR(wang_premium(ten, 0.5), 20 * norm_cdf(norm_quantile(0.1) + 0.5) + 10 * norm_cdf(norm_quantile(0.2) + 0.5), 1e-12);
}

TEST(PremiumPrinciples, WangWithZeroLambdaIsTheMean) {
    std::mt19937_64 rng(2027);
    std::exponential_distribution<double> exp1(0.5);
    std::vector<double> x(5'000);
    for (auto& v : x) v = rng() % 3 == 0 ? exp1(rng) : 0.0;
    const double mean = std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(x.size());
    EXPECT_NEAR(wang_premium(x, 0.0), mean, 1e-12 * mean);
    EXPECT_NEAR(risk_load(x, {.principle = Principle::wang, .parameter = 0}).value, 0.0, 1e-12 * mean);
}

// Wang (2000): the transform of LN(mu, sigma) is LN(mu + lambda sigma, sigma), so the premium is
// exp(mu + lambda sigma + sigma^2 / 2). On 400,000 simulated years the quote's premium lies
// within 4 of its own standard errors of it.
TEST(PremiumPrinciples, WangOfLognormalMatchesClosedForm) {
    const double mu = 1.0, sigma = 0.6;
    std::mt19937_64 rng(7);
    std::lognormal_distribution<double> ln(mu, sigma);
    std::vector<double> x(400'000);
    for (auto& v : x) v = ln(rng);
    for (const double lambda : {0.0, 0.3, 0.8}) {
        SCOPED_TRACE(::testing::Message() << "lambda " << lambda);
        const double expected = std::exp(mu + lambda * sigma + 0.5 * sigma * sigma);
        const auto q = quote_premium(x, 1000, {.principle = Principle::wang, .parameter = lambda}, std::vector<double>{});
        EXPECT_NEAR(q.gross_premium_cny, expected, 4 * q.gross_premium_se_cny);
        EXPECT_GT(q.gross_premium_se_cny, 0.0);
    }
    // On the quantiles of LN (no sampling noise) the discretisation error alone: 1e-3 relative.
    std::vector<double> grid(100'000);
    for (std::size_t i = 0; i < grid.size(); ++i)
        grid[i] = std::exp(mu + sigma * norm_quantile((static_cast<double>(i) + 0.5) / static_cast<double>(grid.size())));
    EXPECT_NEAR(wang_premium(grid, 0.8), std::exp(mu + 0.8 * sigma + 0.5 * sigma * sigma),
                1e-3 * std::exp(mu + 0.8 * sigma + 0.5 * sigma * sigma));
}

// The asymptotic standard errors against the spread of the estimates over independent tables:
// 300 tables of 2,000 years of a zero-inflated exponential payout; the mean reported SE must be
// within 15 % of the observed standard deviation of the estimates.
TEST(PremiumPrinciples, StandardErrorsMatchReplication) {
    const std::vector<PremiumTerms> principles = {
        {.principle = Principle::expected_value, .parameter = 0.2},
        {.principle = Principle::std_dev, .parameter = 0.3},
        {.principle = Principle::wang, .parameter = 0.5},
        {.principle = Principle::cost_of_capital, .parameter = 0.1, .tvar_level = 0.95},
    };
    std::mt19937_64 rng(11);
    std::exponential_distribution<double> exp1(1.0);
    std::bernoulli_distribution pays(0.3);
    const int tables = 300;
    std::vector<std::vector<double>> loads(principles.size()), ses(principles.size());
    for (int r = 0; r < tables; ++r) {
        std::vector<double> x(2'000);
        for (auto& v : x) v = pays(rng) ? exp1(rng) : 0.0;
        for (std::size_t p = 0; p < principles.size(); ++p) {
            const auto q = quote_premium(x, 10, principles[p], std::vector<double>{});
            loads[p].push_back(q.gross_premium_cny);
            ses[p].push_back(q.gross_premium_se_cny);
        }
    }
    for (std::size_t p = 0; p < principles.size(); ++p) {
        SCOPED_TRACE(to_string(principles[p].principle));
        const double m = std::accumulate(loads[p].begin(), loads[p].end(), 0.0) / tables;
        double sq = 0;
        for (const double v : loads[p]) sq += (v - m) * (v - m);
        const double observed = std::sqrt(sq / (tables - 1));
        const double reported = std::accumulate(ses[p].begin(), ses[p].end(), 0.0) / tables;
        EXPECT_NEAR(reported, observed, 0.15 * observed);
    }
}

TEST(PremiumGross, GrossUpAndSubsidySplit) {
    const PremiumTerms terms{.principle = Principle::expected_value, .parameter = 0.2, .expense_ratio = 0.15,
                             .commission = 0.05, .profit_margin = 0.05, .subsidy_share = 0.5};
    const auto q = quote_premium(ten, 100, terms, std::vector<double>{});
    EXPECT_DOUBLE_EQ(q.pure_premium_cny, 4.0);
    EXPECT_DOUBLE_EQ(q.risk_load_cny, 0.8);
    EXPECT_NEAR(q.gross_premium_cny, 4.8 / 0.75, 1e-12);
    EXPECT_NEAR(q.subsidy_cny, 3.2, 1e-12);
    EXPECT_NEAR(q.insured_pays_cny, 3.2, 1e-12);
    EXPECT_NEAR(q.rate_on_sum_insured, 0.064, 1e-15);
    // expected_value: the premium is (1 + theta) x the mean, so its SE is (1 + theta) SE / 0.75.
    EXPECT_NEAR(q.gross_premium_se_cny, 1.2 * q.pure_premium_se_cny / 0.75, 1e-12);
    EXPECT_NEAR(q.risk_load_se_cny, 0.2 * q.pure_premium_se_cny, 1e-12);
    const auto g = gross_premium(100, 20, terms);  // a risk-neutral price as the pure premium
    EXPECT_NEAR(g.gross_premium_cny, 160, 1e-12);
    EXPECT_NEAR(g.subsidy_cny + g.insured_pays_cny, 160, 1e-12);
}

std::string field_of(const PremiumTerms& terms, std::span<const double> payouts = ten, double si = 100) {
    try {
        quote_premium(payouts, si, terms, std::vector<double>{});
    } catch (const InvalidInput& e) {
        return e.field();
    }
    return "<no throw>";
}

TEST(PremiumValidation, NamesTheBadField) {
    EXPECT_EQ(field_of({.expense_ratio = 0.5, .commission = 0.3, .profit_margin = 0.2}), "expense_ratio");
    EXPECT_EQ(field_of({.expense_ratio = 0.4, .commission = 0.3, .profit_margin = 0.3}), "expense_ratio");
    EXPECT_EQ(field_of({.commission = -0.1}), "commission");
    EXPECT_EQ(field_of({.profit_margin = std::nan("")}), "profit_margin");
    EXPECT_EQ(field_of({.subsidy_share = 1.2}), "subsidy_share");
    EXPECT_EQ(field_of({.principle = Principle::std_dev, .parameter = -1}), "parameter");
    EXPECT_EQ(field_of({.principle = Principle::cost_of_capital, .parameter = 0.1, .tvar_level = 1}), "tvar_level");
    EXPECT_EQ(field_of({}, ten, 0), "sum_insured_cny");
    const std::vector<double> bad = {0, 1, -2};
    EXPECT_EQ(field_of({}, bad), "payouts_cny[2]");
    const std::vector<double> one = {1};
    EXPECT_EQ(field_of({}, one), "payouts_cny");
    EXPECT_EQ(parse_principle("wang"), Principle::wang);
    EXPECT_FALSE(parse_principle("esscher").has_value());
    EXPECT_EQ(to_string(Principle::cost_of_capital), "cost_of_capital");
}

}  // namespace
}  // namespace tanhui::pricing
