// Price insurance (pricing/price_insurance.hpp): the Turnbull-Wakeman lognormal average against
// its closed forms and a Monte Carlo of the same GBM, the payout and the closed-form quote
// against invariants, the fixing helpers against hand-worked dates.
#include "pricing/price_insurance.hpp"

#include "data/types.hpp"
#include "risk/random/special.hpp"
#include "risk/simulation/price_path.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace tanhui::pricing {
namespace {

const std::vector<double> monthly = [] {
    std::vector<double> t;
    for (int k = 1; k <= 12; ++k) t.push_back(k / 12.0);
    return t;
}();

// With one fixing A = S(t) is exactly lognormal: ln S(t) ~ N(ln S0 + (mu - sigma^2/2) t, sigma^2 t).
TEST(LognormalAverage, OneFixingIsTheExactLognormal) {
    const double s0 = 15.5, mu = 0.02, sigma = 0.35, t = 0.75;
    const LognormalAverage a = lognormal_average(s0, mu, sigma, std::vector<double>{t});
    EXPECT_NEAR(a.mean, s0 * std::exp(mu * t), 1e-12 * s0);
    EXPECT_NEAR(a.second_moment, s0 * s0 * std::exp(2 * mu * t + sigma * sigma * t), 1e-12 * s0 * s0);
    EXPECT_NEAR(a.log_mean, std::log(s0) + (mu - sigma * sigma / 2) * t, 1e-12);
    EXPECT_NEAR(a.log_sd, sigma * std::sqrt(t), 1e-12);
}

// Two fixings by hand: E[A^2] = S0^2 / 4 (e^{2 mu t1 + s^2 t1} + 2 e^{mu (t1 + t2) + s^2 t1} + e^{2 mu t2 + s^2 t2}).
TEST(LognormalAverage, TwoFixingsByHand) {
    const double s0 = 80, mu = 0.01, s = 0.3, t1 = 0.5, t2 = 1.0;
    const LognormalAverage a = lognormal_average(s0, mu, s, std::vector<double>{t1, t2});
    EXPECT_NEAR(a.mean, s0 * (std::exp(mu * t1) + std::exp(mu * t2)) / 2, 1e-12 * s0);
    const double m2 = s0 * s0 / 4 *
                      (std::exp(2 * mu * t1 + s * s * t1) + 2 * std::exp(mu * (t1 + t2) + s * s * t1) +
                       std::exp(2 * mu * t2 + s * s * t2));
    EXPECT_NEAR(a.second_moment, m2, 1e-11 * m2);
    // The lognormal keeps both moments: E[A] = e^{m + s^2/2}, E[A^2] = e^{2m + 2 s^2}.
    EXPECT_NEAR(std::exp(a.log_mean + a.log_sd * a.log_sd / 2), a.mean, 1e-12 * a.mean);
    EXPECT_NEAR(std::exp(2 * a.log_mean + 2 * a.log_sd * a.log_sd), a.second_moment, 1e-11 * m2);
}

// E[A] is the forward average, which QuantLib's engine also reports (pricing/asian_put.hpp).
TEST(LognormalAverage, MeanIsTheForwardAverageOfTheAsianEngine) {
    BlackScholesMarket market{.valuation_date = parse_date("2027-01-01"), .spot = 15.5, .volatility = 0.35,
                              .risk_free_rate = 0.025, .dividend_yield = 0.01};
    AsianOption option;
    option.strike = 15;
    option.fixing_dates = fixing_schedule(market.valuation_date, 12, FixingFrequency::monthly);
    const AsianPrice price = price_asian(option, market, "turnbull_wakeman");
    const auto times = fixing_times_years(market.valuation_date, option.fixing_dates);
    const LognormalAverage a = lognormal_average(market.spot, 0.025 - 0.01, 0.35, times);
    EXPECT_NEAR(a.mean, price.expected_average, 1e-12 * a.mean);
}

// A Monte Carlo of the same GBM (risk/simulation/price_path.hpp) has the same first two moments
// of A within 4 standard errors: the moments are exact, only the lognormal shape is assumed.
TEST(LognormalAverage, MomentsMatchASimulatedGbm) {
    risk::PriceModel gbm;
    gbm.spot = 15.5;
    gbm.drift = 0.02;
    gbm.volatility = 0.35;
    const risk::PricePath path(gbm, monthly, 0);
    const LognormalAverage a = lognormal_average(gbm.spot, gbm.drift, gbm.volatility, monthly);
    const int n = 200'000;
    double s1 = 0, s2 = 0, s3 = 0, s4 = 0;
    for (int y = 0; y < n; ++y) {
        const double avg = average_price(path.simulate(5, static_cast<std::uint32_t>(y)));
        s1 += avg;
        s2 += avg * avg;
        s3 += avg * avg * avg;
        s4 += avg * avg * avg * avg;
    }
    const double m1 = s1 / n, m2 = s2 / n;
    const double se1 = std::sqrt((m2 - m1 * m1) / n), se2 = std::sqrt((s4 / n - m2 * m2) / n);
    EXPECT_NEAR(a.mean, m1, 4 * se1);
    EXPECT_NEAR(a.second_moment, m2, 4 * se2);
    (void)s3;
}

TEST(LognormalAverage, ProbabilityIsADistributionFunctionAndQuantileItsInverse) {
    const LognormalAverage a = lognormal_average(15.5, 0.02, 0.35, monthly);
    double last = 0;
    for (double k : {1.0, 10.0, 14.0, 15.5, 17.0, 25.0, 100.0}) {
        const double p = probability_below(a, k);
        EXPECT_GE(p, last) << k;
        EXPECT_GE(p, 0.0);
        EXPECT_LE(p, 1.0);
        last = p;
    }
    for (double p : {0.001, 0.01, 0.1, 0.5, 0.9}) EXPECT_NEAR(probability_below(a, average_quantile(a, p)), p, 1e-9) << p;
    // No volatility: A is the forward average for sure.
    const LognormalAverage flat = lognormal_average(15.5, 0.0, 0.0, monthly);
    EXPECT_EQ(probability_below(flat, 15.6), 1.0);
    EXPECT_EQ(probability_below(flat, 15.4), 0.0);
}

TEST(PricePayout, RisesAsTheAverageFallsAndIsZeroAboveTheTarget) {
    PriceInsuranceTerms terms;
    terms.quantity_tco2e = 1000;
    terms.target_price_cny = 15;
    EXPECT_EQ(payout_cny(terms, 15), 0.0);
    EXPECT_EQ(payout_cny(terms, 20), 0.0);
    EXPECT_DOUBLE_EQ(payout_cny(terms, 12), 3000.0);
    EXPECT_DOUBLE_EQ(payout_cny(terms, 12, 0.98), 0.98 * 3000.0);
    double last = -1;
    for (double a = 30; a >= 0; a -= 0.5) {
        const double p = payout_cny(terms, a);
        EXPECT_GE(p, last) << a;
        last = p;
    }
    EXPECT_DOUBLE_EQ(last, 15000.0);  // A = 0: Q x K
    EXPECT_DOUBLE_EQ(sum_insured_cny(terms), 15000.0);
}

// Closed-form quote: pure = Q x the put, load = theta x pure, and the return-period payouts rise
// with the return period (a rarer year has a lower average) up to at most the discounted Q x K.
TEST(PriceClosedForm, QuoteInvariants) {
    PriceInsuranceTerms terms;
    terms.quantity_tco2e = 100'000;
    terms.target_price_cny = 15;
    AsianPrice put;
    put.value = 0.9;
    put.discount_factor = 0.98;
    const LognormalAverage a = lognormal_average(15.5, 0.02, 0.35, monthly);
    PremiumTerms premium;
    premium.parameter = 0.1;
    premium.expense_ratio = 0.2;
    const std::vector<double> rps{2, 5, 10, 100, 1000};
    const PremiumQuote q = closed_form_quote(terms, put, a, premium, rps);
    EXPECT_DOUBLE_EQ(q.pure_premium_cny, 90'000);
    EXPECT_DOUBLE_EQ(q.risk_load_cny, 9'000);
    EXPECT_DOUBLE_EQ(q.gross_premium_cny, 99'000 / 0.8);
    EXPECT_DOUBLE_EQ(q.sum_insured_cny, 1'500'000);
    EXPECT_EQ(q.pure_premium_se_cny, 0.0);
    EXPECT_DOUBLE_EQ(q.probability_of_payout, probability_below(a, 15));
    double last = -1;
    for (const auto& r : q.payout_at_return_period_cny) {
        EXPECT_GE(r.payout_cny, last) << r.return_period_years;
        EXPECT_LE(r.payout_cny, 0.98 * 1'500'000);
        last = r.payout_cny;
    }
    EXPECT_GT(last, 0.0);
}

TEST(PriceClosedForm, AppliesToExpectedValueWithAClosedFormEngine) {
    PremiumTerms ev, sd;
    sd.principle = Principle::std_dev;
    EXPECT_TRUE(closed_form_applies(ev, *find_asian_engine("turnbull_wakeman")));
    EXPECT_TRUE(closed_form_applies(ev, *find_asian_engine("geometric")));
    EXPECT_FALSE(closed_form_applies(ev, *find_asian_engine("monte_carlo")));
    EXPECT_FALSE(closed_form_applies(sd, *find_asian_engine("turnbull_wakeman")));
}

// The risk-neutral Monte Carlo table of a GBM with drift r - q has mean E[A] = the forward average.
TEST(PriceRiskNeutral, SimulatedTableAveragesToTheForward) {
    risk::PriceModel physical;
    physical.process = risk::PriceProcess::ou;
    physical.spot = 15.5;
    physical.volatility = 0.2;
    physical.mean_reversion = 1.5;
    physical.jump_intensity = 3;
    physical.risk_free_rate = 0.03;
    physical.dividend_yield = 0.01;
    physical.risk_neutral_volatility = 0.3;
    const Date start = parse_date("2027-01-01");
    const BlackScholesMarket market = risk_neutral_market(physical, start, false);
    EXPECT_EQ(market.volatility, 0.3);
    EXPECT_EQ(risk_neutral_market(physical, start, true).volatility, 0.2);
    const risk::PriceModel q = risk_neutral_model(physical, market);
    EXPECT_EQ(q.process, risk::PriceProcess::gbm);
    EXPECT_EQ(q.jump_intensity, 0.0);
    EXPECT_DOUBLE_EQ(q.drift, 0.02);
    PriceInsuranceTerms terms;
    terms.quantity_tco2e = 1;
    terms.target_price_cny = 1e9;  // always pays K - A: the table's mean is K - E[A]
    const risk::PricePath path(q, monthly, 0);
    const auto sim = simulate_payouts(terms, path, 3, 100'000);
    const LognormalAverage a = lognormal_average(15.5, 0.02, 0.3, monthly);
    EXPECT_NEAR(sim.mean_average_price, a.mean, 4 * std::sqrt((a.second_moment - a.mean * a.mean) / 100'000));
}

TEST(Fixings, ExplicitDatesBeforeTheStartAreNamedAndTimesAreActual365) {
    const Date start = parse_date("2027-01-01");
    Fixings f;
    f.dates = {parse_date("2027-03-31"), parse_date("2028-01-01")};
    EXPECT_EQ(fixing_dates(f, start, 12).size(), 2u);
    const auto t = fixing_times_years(start, fixing_dates(f, start, 12));
    EXPECT_DOUBLE_EQ(t[0], 89.0 / 365);
    EXPECT_DOUBLE_EQ(t[1], 1.0);
    f.dates = {parse_date("2027-03-31"), parse_date("2026-12-31")};
    try {
        fixing_dates(f, start, 12);
        FAIL() << "no error";
    } catch (const InvalidInput& e) {
        EXPECT_EQ(e.field(), "fixings[1]");
    }
    EXPECT_EQ(fixing_dates(Fixings{}, start, 12).size(), 12u);
    EXPECT_EQ(fixing_dates(Fixings{.frequency = FixingFrequency::at_expiry, .dates = {}}, start, 12).size(), 1u);
    EXPECT_EQ(average_price(std::vector<double>{}), 0.0);
    EXPECT_DOUBLE_EQ(average_price(std::vector<double>{1, 2, 6}), 3.0);
}

TEST(PriceTerms, NamesAndValidation) {
    EXPECT_EQ(parse_price_method("actuarial"), PriceMethod::actuarial);
    EXPECT_EQ(parse_price_method("risk-neutral"), std::nullopt);
    EXPECT_EQ(to_string(PriceMethod::risk_neutral), "risk_neutral");
    EXPECT_EQ(to_string(FixingFrequency::at_expiry), "at_expiry");
    PriceInsuranceTerms t;
    EXPECT_THROW(validate(t), InvalidInput);
    t.quantity_tco2e = 1;
    t.target_price_cny = 1;
    EXPECT_NO_THROW(validate(t));
    EXPECT_EQ(engine_of(t).name, "turnbull_wakeman");
}

}  // namespace
}  // namespace tanhui::pricing

namespace tanhui::pricing {
namespace {

// Extreme jumps overflow exp of the log price: the simulated average is +inf, and the problem
// names the parameters with their values.
TEST(PriceOverflow, ExtremeJumpsAreNamed) {
    risk::PriceModel m;
    m.spot = 15.5;
    m.volatility = 0.4;
    m.jump_intensity = 365;
    m.jump_mean = 5;
    m.jump_std = 5;
    const risk::PricePath path(m, monthly, 0);
    PriceInsuranceTerms terms;
    terms.quantity_tco2e = 1;
    terms.target_price_cny = 15;
    const auto sim = simulate_payouts(terms, path, 1, 50);
    EXPECT_FALSE(std::isfinite(sim.mean_average_price));
    const auto problem = overflow_problem(sim.mean_average_price, m);
    ASSERT_TRUE(problem);
    EXPECT_NE(problem->find("jump_intensity 365, jump_mean 5, jump_std 5"), std::string::npos) << *problem;
    EXPECT_FALSE(overflow_problem(1.0, m));
}

}  // namespace
}  // namespace tanhui::pricing
