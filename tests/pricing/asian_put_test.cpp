// Price insurance, risk-neutral: the discrete arithmetic-average Asian put and its engines.
#include "pricing/asian_put.hpp"

#include "data/types.hpp"
#include "pricing/china_calendar.hpp"

#include <ql/time/date.hpp>
#include <ql/time/period.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <thread>
#include <vector>

namespace tanhui::pricing {
namespace {

using namespace std::chrono;

double norm_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

Date add_days(Date d, int days) { return Date{sys_days{d} + std::chrono::days{days}}; }

constexpr Date today{year{2027}, January, day{4}};

// Kemna & Vorst (1990), discrete geometric average G = (prod S(t_i))^(1/n) at arbitrary times,
// with m fixings already known (their log sum): ln G ~ N(mu, v),
// mu = (past_log_sum + (n - m) ln S + (r - q - vol^2/2) sum t_i) / n, v = vol^2/n^2 sum_ij min(t_i, t_j)
// over the future times; Black's formula on G, discounted from the last fixing. Written here from
// the formula, independently of QuantLib.
double kemna_vorst(OptionType type, double spot, double strike, double r, double q, double vol,
                   const std::vector<double>& t, double past_log_sum = 0, int past = 0) {
    const auto n = static_cast<double>(t.size()) + past;
    const double sum_t = std::accumulate(t.begin(), t.end(), 0.0);
    double sum_min = 0;
    for (const double a : t)
        for (const double b : t) sum_min += std::min(a, b);
    const double mu = (past_log_sum + static_cast<double>(t.size()) * std::log(spot) +
                       (r - q - 0.5 * vol * vol) * sum_t) / n;
    const double v = vol * vol * sum_min / (n * n);
    const double sd = std::sqrt(v);
    const double d1 = (mu - std::log(strike) + v) / sd, d2 = d1 - sd;
    const double df = std::exp(-r * t.back());
    const double forward = std::exp(mu + 0.5 * v);
    return type == OptionType::call ? df * (forward * norm_cdf(d1) - strike * norm_cdf(d2))
                                    : df * (strike * norm_cdf(-d2) - forward * norm_cdf(-d1));
}

// Black & Scholes (1973) / Merton (1973) European put with a continuous yield q.
double black_scholes_put(double spot, double strike, double r, double q, double vol, double t) {
    const double sd = vol * std::sqrt(t);
    const double d1 = (std::log(spot / strike) + (r - q) * t) / sd + 0.5 * sd, d2 = d1 - sd;
    return strike * std::exp(-r * t) * norm_cdf(-d2) - spot * std::exp(-q * t) * norm_cdf(-d1);
}

BlackScholesMarket market(double spot, double vol, double r, double q,
                          DayCount dc = DayCount::actual_365_fixed) {
    return {.valuation_date = today, .spot = spot, .volatility = vol, .risk_free_rate = r,
            .dividend_yield = q, .day_count = dc};
}

AsianOption asian(OptionType type, double strike, std::vector<Date> dates, std::vector<double> past = {}) {
    return {.type = type, .strike = strike, .fixing_dates = std::move(dates), .past_fixings = std::move(past)};
}

AsianOption put(double strike, std::vector<Date> dates) { return asian(OptionType::put, strike, std::move(dates)); }

// A carbon-like market: FJEA-style spot 15.5 CNY/tCO2e, 35 % volatility, monthly fixings.
const BlackScholesMarket carbon = market(15.5, 0.35, 0.02, 0.0);
const std::vector<Date> monthly = fixing_schedule(today, 12, FixingFrequency::monthly);

// ---- Geometric closed form -------------------------------------------------------------------

// Published: Clewlow & Strickland, Implementing Derivative Models (1998), pp. 118-123, as typed
// into QuantLib 1.29 test-suite/asianoptions.cpp (testAnalyticDiscreteGeometricAveragePrice):
// geometric call, S = K = 100, q = 3 %, r = 6 %, vol = 20 %, 10 fixings every 36 days of an
// Actual/360 year, expiry at the last; 5.3425606635, tolerance 1e-10 as QuantLib's.
TEST(AsianGeometric, ReproducesClewlowStricklandCall) {
    std::vector<Date> dates;
    for (int k = 1; k <= 10; ++k) dates.push_back(add_days(today, 36 * k));
    const auto p = price_asian(asian(OptionType::call, 100, dates),
                               market(100, 0.20, 0.06, 0.03, DayCount::actual_360), "geometric");
    EXPECT_NEAR(p.value, 5.3425606635, 1e-10);
    EXPECT_EQ(p.standard_error, 0.0);
    EXPECT_EQ(p.engine, "geometric");
}

// The geometric engine against Kemna-Vorst at uneven fixing times, to 1e-10 relative (issue 5).
TEST(AsianGeometric, MatchesKemnaVorstAtArbitraryFixingTimes) {
    const std::vector<int> days = {17, 40, 41, 95, 180, 181, 250, 366, 400};
    std::vector<Date> dates;
    std::vector<double> t;
    for (const int d : days) {
        dates.push_back(add_days(today, d));
        t.push_back(d / 365.0);
    }
    for (const double strike : {10.0, 14.0, 15.5, 18.0, 25.0})
        for (const double vol : {0.1, 0.35, 0.8})
            for (const OptionType type : {OptionType::put, OptionType::call}) {
                SCOPED_TRACE(::testing::Message() << "strike " << strike << " vol " << vol << " call "
                                                  << (type == OptionType::call));
                const double expected = kemna_vorst(type, 15.5, strike, 0.02, 0.01, vol, t);
                const double got = price_asian(asian(type, strike, dates), market(15.5, vol, 0.02, 0.01), "geometric").value;
                EXPECT_NEAR(got, expected, 1e-10 * std::max(expected, 1e-3));
            }
}

// Seasoned: three fixings already known enter the running product (Kemna-Vorst with past logs).
TEST(AsianGeometric, MatchesKemnaVorstWithPastFixings) {
    const std::vector<Date> all = {add_days(today, -60), add_days(today, -30), add_days(today, -1),
                                   add_days(today, 30), add_days(today, 91), add_days(today, 182)};
    const std::vector<double> past = {14.0, 16.5, 15.0};
    const std::vector<double> t = {30 / 365.0, 91 / 365.0, 182 / 365.0};
    const double past_log_sum = std::log(14.0) + std::log(16.5) + std::log(15.0);
    for (const double strike : {13.0, 15.5, 17.0}) {
        SCOPED_TRACE(::testing::Message() << "strike " << strike);
        const double expected = kemna_vorst(OptionType::put, 15.5, strike, 0.02, 0.0, 0.35, t, past_log_sum, 3);
        const auto p = price_asian(asian(OptionType::put, strike, all, past), carbon, "geometric");
        EXPECT_NEAR(p.value, expected, 1e-10 * std::max(expected, 1e-3));
    }
}

// ---- Arithmetic: published tables --------------------------------------------------------------

// Published: Haug, The Complete Guide to Option Pricing Formulas, 2nd ed. (2007), Table 4-28,
// p. 201, flat-volatility rows, as typed into QuantLib 1.29 test-suite/asianoptions.cpp
// (testTurnbullWakemanAsianEngine): Turnbull-Wakeman values, S = 100, b = 0 (q = r = 5 %),
// vol = 20 %, 26 weekly fixings from t = 1/52 to 1/2. Weekly times are exact on Actual/364, so
// the tolerance is half the last printed digit.
struct HaugRow { OptionType type; double strike; double expected; };
constexpr HaugRow haug[] = {
    {OptionType::call, 80, 19.5152}, {OptionType::call, 90, 10.1437}, {OptionType::call, 100, 3.2700},
    {OptionType::call, 110, 0.5515}, {OptionType::call, 120, 0.0479}, {OptionType::put, 80, 0.0090},
    {OptionType::put, 90, 0.3906},   {OptionType::put, 100, 3.2700},  {OptionType::put, 110, 10.3046},
    {OptionType::put, 120, 19.5541},
};

TEST(AsianArithmetic, TurnbullWakemanReproducesHaugTable4_28) {
    std::vector<Date> dates;
    for (int i = 1; i <= 26; ++i) dates.push_back(add_days(today, 7 * i));
    for (const HaugRow& row : haug) {
        SCOPED_TRACE(::testing::Message() << "strike " << row.strike << " call " << (row.type == OptionType::call));
        const auto p = price_asian(asian(row.type, row.strike, dates),
                                   market(100, 0.20, 0.05, 0.05, DayCount::actual_364), "turnbull_wakeman");
        EXPECT_NEAR(p.value, row.expected, 5e-5);
        EXPECT_EQ(p.standard_error, 0.0);
    }
}

// Published: Levy (1997), "Asian options", in Clewlow & Strickland (eds.), Exotic Options: The
// State of the Art, as typed into QuantLib 1.29 test-suite/asianoptions.cpp
// (testMCDiscreteArithmeticAveragePrice): arithmetic put, S = 90, K = 87, q = 6 %, r = 2.5 %,
// vol = 13 %, n fixings evenly spread over 11/12 of a year from the first at `first`. Only rows
// whose fixing times are whole days of a 360-day year (n = 2, 4, 12) are used, on Actual/360.
// The table is itself approximate: its first row has an exact value (next test), 1.3939809,
// 3.0e-4 below the printed 1.3942836, and its later rows sit up to 1.6e-2 from a 200,000-path
// control-variate Monte Carlo (SE 2e-4). So the tolerances are QuantLib's for this table, 2e-2
// for Monte Carlo and 3e-2 for Turnbull-Wakeman, not multiples of our standard error.
struct LevyRow { double first; int fixings; double expected; };
constexpr LevyRow levy[] = {
    {0.0, 2, 1.3942835683},       {0.0, 4, 1.5852442983},       {0.0, 12, 1.6980019214},
    {1.0 / 12, 2, 1.8496053697},  {1.0 / 12, 4, 2.0111495205},  {1.0 / 12, 12, 2.1105094397},
    {3.0 / 12, 2, 2.63315092584}, {3.0 / 12, 4, 2.76723962361}, {3.0 / 12, 12, 2.84290301412},
};

std::vector<Date> levy_dates(const LevyRow& row) {
    const int first = static_cast<int>(std::lround(row.first * 360)), length = 330;
    std::vector<Date> dates;
    for (int i = 0; i < row.fixings; ++i) dates.push_back(add_days(today, first + i * length / (row.fixings - 1)));
    return dates;
}

TEST(AsianArithmetic, EnginesWithinTheirKnownAccuracyOfLevyTable) {
    const auto m = market(90, 0.13, 0.025, 0.06, DayCount::actual_360);
    for (const LevyRow& row : levy) {
        SCOPED_TRACE(::testing::Message() << "first " << row.first << " fixings " << row.fixings);
        const auto mc = price_asian(put(87, levy_dates(row)), m, "monte_carlo", {.paths = 50'000, .seed = 42});
        EXPECT_NEAR(mc.value, row.expected, 2e-2);
        EXPECT_NEAR(price_asian(put(87, levy_dates(row)), m, "turnbull_wakeman").value, row.expected, 3e-2);
    }
}

// ---- Arithmetic: exact cases -------------------------------------------------------------------

// One fixing: the average is S(T), so every engine must give the Black-Scholes European put.
TEST(AsianArithmetic, SingleFixingAtExpiryIsTheEuropeanPut) {
    const auto dates = fixing_schedule(today, 12, FixingFrequency::at_expiry);
    ASSERT_EQ(dates.size(), 1u);
    const double t = year_fraction(today, dates[0]);
    for (const double strike : {12.0, 15.5, 19.0}) {
        SCOPED_TRACE(::testing::Message() << "strike " << strike);
        const double expected = black_scholes_put(15.5, strike, 0.02, 0.0, 0.35, t);
        EXPECT_NEAR(price_asian(put(strike, dates), carbon, "turnbull_wakeman").value, expected, 1e-12);
        EXPECT_NEAR(price_asian(put(strike, dates), carbon, "geometric").value, expected, 1e-12);
        // With one fixing A = G: the geometric control variate is exact and leaves no error.
        const auto cv = price_asian(put(strike, dates), carbon, "monte_carlo", {.paths = 1'000, .seed = 7});
        EXPECT_NEAR(cv.value, expected, 1e-10);
        const auto mc = price_asian(put(strike, dates), carbon, "monte_carlo",
                                    {.paths = 100'000, .seed = 7, .control_variate = false});
        EXPECT_NEAR(mc.value, expected, 3 * mc.standard_error);
    }
}

// Two fixings, the first on the valuation date: A = (S0 + S_T)/2, so
// P = E[(K - S0/2 - S_T/2)+] = 1/2 BS put with strike 2K - S0. Levy's first row has this form.
TEST(AsianArithmetic, MonteCarloWithinThreeStandardErrorsOfExactTwoFixingPut) {
    const auto m = market(90, 0.13, 0.025, 0.06, DayCount::actual_360);
    const std::vector<Date> dates = {today, add_days(today, 330)};
    const double expected = 0.5 * black_scholes_put(90, 2 * 87 - 90, 0.025, 0.06, 0.13, 330 / 360.0);
    EXPECT_NEAR(expected, 1.3939809367, 1e-9);  // the value quoted in the Levy test above
    const auto mc = price_asian(put(87, dates), m, "monte_carlo", {.paths = 200'000, .seed = 42});
    EXPECT_NEAR(mc.value, expected, 3 * mc.standard_error);
}

// ---- Arithmetic: engines against each other and invariants --------------------------------------

// Turnbull & Wakeman (1991) match two moments of A with a lognormal; on a 12-monthly carbon put
// its error against Monte Carlo is below 0.8 % of the price at 20-35 % volatility and 1.5 % at
// 50 % (at and in the money; far out of the money it reaches 10-20 % of a tiny price). Allow
// 4 SE of Monte Carlo plus that bias.
TEST(AsianArithmetic, TurnbullWakemanAgreesWithMonteCarlo) {
    for (const double vol : {0.2, 0.35, 0.5})
        for (const double strike : {15.5, 18.0}) {
            SCOPED_TRACE(::testing::Message() << "vol " << vol << " strike " << strike);
            const auto m = market(15.5, vol, 0.02, 0.0);
            const auto mc = price_asian(put(strike, monthly), m, "monte_carlo", {.paths = 50'000, .seed = 3});
            const auto tw = price_asian(put(strike, monthly), m, "turnbull_wakeman");
            const double bias = (vol <= 0.35 ? 0.008 : 0.015) * mc.value;
            EXPECT_NEAR(tw.value, mc.value, 4 * mc.standard_error + bias);
        }
}

// Put-call parity of the arithmetic average: C - P = e^{-r T_n} (E[A] - K), E[A] = mean of
// S0 e^{(r-q) t_i}. Turnbull-Wakeman is Black's formula on E[A], so parity holds to rounding;
// Monte Carlo within 4 SE of the difference.
TEST(AsianArithmetic, PutCallParity) {
    std::vector<double> t;
    for (const Date d : monthly) t.push_back(year_fraction(today, d));
    double mean_forward = 0;
    for (const double ti : t) mean_forward += 15.5 * std::exp(0.02 * ti) / static_cast<double>(t.size());
    for (const double strike : {12.0, 15.5, 19.0}) {
        SCOPED_TRACE(::testing::Message() << "strike " << strike);
        const double parity = std::exp(-0.02 * t.back()) * (mean_forward - strike);
        const auto tw_call = price_asian(asian(OptionType::call, strike, monthly), carbon, "turnbull_wakeman");
        const auto tw_put = price_asian(put(strike, monthly), carbon, "turnbull_wakeman");
        EXPECT_NEAR(tw_call.value - tw_put.value, parity, 1e-12);
        EXPECT_NEAR(tw_put.expected_average, mean_forward, 1e-12);
        EXPECT_NEAR(tw_put.discount_factor, std::exp(-0.02 * t.back()), 1e-15);
        const MonteCarloSettings mc{.paths = 50'000, .seed = 5};
        const auto mc_call = price_asian(asian(OptionType::call, strike, monthly), carbon, "monte_carlo", mc);
        const auto mc_put = price_asian(put(strike, monthly), carbon, "monte_carlo", mc);
        EXPECT_NEAR(mc_call.value - mc_put.value, parity,
                    4 * std::hypot(mc_call.standard_error, mc_put.standard_error));
    }
}

// G <= A path by path, so the geometric put is worth at least the arithmetic put.
TEST(AsianArithmetic, GeometricPutBoundsArithmeticPut) {
    for (const double strike : {12.0, 15.5, 19.0}) {
        const auto mc = price_asian(put(strike, monthly), carbon, "monte_carlo", {.paths = 20'000, .seed = 9});
        EXPECT_GE(price_asian(put(strike, monthly), carbon, "geometric").value, mc.value - 3 * mc.standard_error);
    }
}

TEST(AsianArithmetic, PutRisesWithStrikeAndVolatility) {
    for (const char* engine : {"turnbull_wakeman", "geometric", "monte_carlo"}) {
        SCOPED_TRACE(engine);
        const MonteCarloSettings mc{.paths = 20'000, .seed = 13};  // common random numbers
        double previous = -1;
        for (const double strike : {8.0, 12.0, 14.0, 15.5, 17.0, 20.0, 30.0}) {
            const double v = price_asian(put(strike, monthly), carbon, engine, mc).value;
            EXPECT_GT(v, previous) << "strike " << strike;
            previous = v;
        }
        previous = -1;
        for (const double vol : {0.05, 0.1, 0.2, 0.35, 0.5, 0.8}) {
            const double v = price_asian(put(15.5, monthly), market(15.5, vol, 0.02, 0.0), engine, mc).value;
            EXPECT_GT(v, previous) << "vol " << vol;
            previous = v;
        }
    }
}

TEST(AsianArithmetic, MonteCarloIsReproducibleForASeed) {
    const MonteCarloSettings mc{.paths = 10'000, .seed = 17};
    const auto a = price_asian(put(15.5, monthly), carbon, "monte_carlo", mc);
    const auto b = price_asian(put(15.5, monthly), carbon, "monte_carlo", mc);
    EXPECT_EQ(a.value, b.value);
    EXPECT_EQ(a.standard_error, b.standard_error);
    const auto c = price_asian(put(15.5, monthly), carbon, "monte_carlo", {.paths = 10'000, .seed = 18});
    EXPECT_NE(a.value, c.value);
}

// The control variate and antithetic paths reduce the error, not move the price.
TEST(AsianArithmetic, VarianceReductionKeepsThePrice) {
    const auto plain = price_asian(put(15.5, monthly), carbon, "monte_carlo",
                                   {.paths = 100'000, .seed = 21, .antithetic = false, .control_variate = false});
    const auto cv = price_asian(put(15.5, monthly), carbon, "monte_carlo", {.paths = 100'000, .seed = 22});
    const auto anti = price_asian(put(15.5, monthly), carbon, "monte_carlo",
                                  {.paths = 50'000, .seed = 23, .antithetic = true, .control_variate = false});
    EXPECT_LT(cv.standard_error, plain.standard_error / 5);
    EXPECT_NEAR(cv.value, plain.value, 4 * std::hypot(cv.standard_error, plain.standard_error));
    EXPECT_NEAR(anti.value, plain.value, 4 * std::hypot(anti.standard_error, plain.standard_error));
}

// Each call builds its own QuantLib objects: prices on 4 threads at once are the same bits as
// one after the other (STYLE "the same bits come out at 1 thread and at N").
TEST(AsianArithmetic, SameBitsOnConcurrentThreads) {
    const char* engines[] = {"turnbull_wakeman", "geometric", "monte_carlo"};
    const MonteCarloSettings mc{.paths = 5'000, .seed = 99};
    std::vector<double> serial;
    for (const char* e : engines)
        for (const double strike : {13.0, 15.5, 18.0}) serial.push_back(price_asian(put(strike, monthly), carbon, e, mc).value);
    std::vector<std::vector<double>> parallel(4);
    std::vector<std::thread> threads;
    for (auto& out : parallel)
        threads.emplace_back([&out, &engines, &mc] {
            for (const char* e : engines)
                for (const double strike : {13.0, 15.5, 18.0}) out.push_back(price_asian(put(strike, monthly), carbon, e, mc).value);
        });
    for (auto& t : threads) t.join();
    for (const auto& out : parallel) EXPECT_EQ(out, serial);
}

// ---- Seasoned policies (past fixings) ----------------------------------------------------------

// With m of n fixings known (sum s), K - A = (n_f/n)(K' - A_f), K' = (nK - s)/n_f and A_f the
// average of the n_f future fixings: the seasoned put is n_f/n of an unseasoned put on the
// future fixings at strike K'. Exact for Turnbull-Wakeman (Black's formula is homogeneous).
TEST(AsianSeasoned, EqualsScaledUnseasonedPutAtAdjustedStrike) {
    std::vector<Date> all = {add_days(today, -90), add_days(today, -45)};
    std::vector<Date> future;
    for (int k = 1; k <= 4; ++k) future.push_back(add_days(today, 45 * k));
    all.insert(all.end(), future.begin(), future.end());
    const std::vector<double> past = {14.0, 17.0};
    const double n = 6, n_future = 4, strike = 16.0;
    const double adjusted = (n * strike - 31.0) / n_future;
    const auto seasoned = price_asian(asian(OptionType::put, strike, all, past), carbon, "turnbull_wakeman");
    const auto fresh = price_asian(put(adjusted, future), carbon, "turnbull_wakeman");
    EXPECT_NEAR(seasoned.value, n_future / n * fresh.value, 1e-12);
    const MonteCarloSettings mc{.paths = 50'000, .seed = 31};
    const auto seasoned_mc = price_asian(asian(OptionType::put, strike, all, past), carbon, "monte_carlo", mc);
    const auto fresh_mc = price_asian(put(adjusted, future), carbon, "monte_carlo", mc);
    EXPECT_NEAR(seasoned_mc.value, n_future / n * fresh_mc.value,
                4 * std::hypot(seasoned_mc.standard_error, n_future / n * fresh_mc.standard_error));
}

TEST(AsianSeasoned, KnownOutcomes) {
    const std::vector<Date> all = {add_days(today, -60), add_days(today, -30), today};
    // Only the fixing on the valuation date is left: it is the spot, the payout is known.
    for (const char* engine : {"turnbull_wakeman", "geometric", "monte_carlo"}) {
        const auto p = price_asian(asian(OptionType::put, 16.0, all, {14.0, 15.0}), carbon, engine);
        EXPECT_NEAR(p.value, 16.0 - (14.0 + 15.0 + 15.5) / 3, 1e-12) << engine;
        EXPECT_EQ(p.standard_error, 0.0);
    }
    // Past fixings so high that the average cannot fall below the strike: the put is worthless.
    std::vector<Date> dates = {add_days(today, -30), add_days(today, 30)};
    EXPECT_EQ(price_asian(asian(OptionType::put, 10.0, dates, {25.0}), carbon, "turnbull_wakeman").value, 0.0);
}

// ---- Schedules and dates -----------------------------------------------------------------------

TEST(FixingSchedule, MonthlyQuarterlyAtExpiryOnTheChinaCalendar) {
    // 2023 holidays of QuantLib's China (SSE) calendar: Spring Festival Jan 23-27, Labour Day
    // May 1-3, National Day Oct 2-6.
    const Date start{year{2022}, December, day{23}};
    const auto m = fixing_schedule(start, 12, FixingFrequency::monthly);
    ASSERT_EQ(m.size(), 12u);
    EXPECT_EQ(format_date(m[0]), "2023-01-30");  // Jan 23 holiday -> after the weekend
    EXPECT_EQ(format_date(m[1]), "2023-02-23");
    EXPECT_EQ(format_date(m[4]), "2023-05-23");
    EXPECT_EQ(format_date(m[11]), "2023-12-25");  // a Monday: no Christmas in China
    const auto may = fixing_schedule(Date{year{2023}, April, day{1}}, 1, FixingFrequency::monthly);
    EXPECT_EQ(format_date(may[0]), "2023-05-04");
    const auto oct = fixing_schedule(Date{year{2023}, September, day{2}}, 1, FixingFrequency::monthly);
    EXPECT_EQ(format_date(oct[0]), "2023-10-09");  // Oct 2-6 holidays, 7-8 weekend

    const auto q = fixing_schedule(start, 7, FixingFrequency::quarterly);
    ASSERT_EQ(q.size(), 3u);  // months 3, 6 and the term's end 7
    EXPECT_EQ(format_date(q[0]), "2023-03-23");
    EXPECT_EQ(format_date(q[2]), "2023-07-24");  // Jul 23 is a Sunday
    EXPECT_EQ(fixing_schedule(start, 12, FixingFrequency::quarterly).size(), 4u);
    const auto e = fixing_schedule(start, 12, FixingFrequency::at_expiry);
    ASSERT_EQ(e.size(), 1u);
    EXPECT_EQ(format_date(e[0]), "2023-12-25");
}

TEST(FixingSchedule, MonthEndsDoNotDrift) {
    const auto m = fixing_schedule(Date{year{2027}, January, day{31}}, 3, FixingFrequency::monthly);
    EXPECT_EQ(format_date(m[0]), "2027-03-01");  // Feb 28 2027 is a Sunday
    EXPECT_EQ(format_date(m[1]), "2027-03-31");
    EXPECT_EQ(format_date(m[2]), "2027-04-30");
}

TEST(Dates, ParseFormatAndYearFraction) {
    EXPECT_EQ(format_date(parse_date("2027-01-01")), "2027-01-01");
    EXPECT_EQ(parse_date("2028-02-29"), (Date{year{2028}, February, day{29}}));
    for (const char* bad : {"2027-02-29", "2027-1-01", "27-01-01", "2027/01/01", "2027-13-01", ""})
        EXPECT_THROW(parse_date(bad, "policy/start"), InvalidInput) << bad;
    EXPECT_EQ(parse_fixing_frequency("quarterly"), FixingFrequency::quarterly);
    EXPECT_FALSE(parse_fixing_frequency("weekly").has_value());
    EXPECT_DOUBLE_EQ(year_fraction(parse_date("2027-01-01"), parse_date("2028-01-01")), 1.0);
    EXPECT_DOUBLE_EQ(year_fraction(parse_date("2028-01-01"), parse_date("2029-01-01")), 366.0 / 365.0);
    EXPECT_DOUBLE_EQ(year_fraction(today, add_days(today, 90), DayCount::actual_360), 0.25);
}

TEST(FixingSchedule, MonthsAddAsQuantLibsPeriodDoes) {
    // fixing_schedule adds months by calendar arithmetic; QuantLib's Date + Period(k, Months) is
    // the reference (the day clamped to the month's end: Jan 31 + 1 month = Feb 28 or 29).
    for (Date start = parse_date("2019-12-01"); start < parse_date("2029-03-01"); start = add_days(start, 1)) {
        const auto schedule = fixing_schedule(start, 37, FixingFrequency::monthly);
        const QuantLib::Date base(static_cast<QuantLib::Day>(static_cast<unsigned>(start.day())),
                                  static_cast<QuantLib::Month>(static_cast<unsigned>(start.month())),
                                  static_cast<QuantLib::Year>(static_cast<int>(start.year())));
        for (int k = 1; k <= 37; ++k) {
            const QuantLib::Date q = base + QuantLib::Period(k, QuantLib::Months);
            const Date expected = china_exchange_following(Date{year{q.year()}, month{static_cast<unsigned>(q.month())},
                                                                day{static_cast<unsigned>(q.dayOfMonth())}});
            ASSERT_EQ(schedule[static_cast<std::size_t>(k - 1)], expected) << format_date(start) << " + " << k;
        }
    }
    // Past QuantLib's last date less 30 days: refused as before (past 2199 by QuantLib itself).
    EXPECT_THROW(fixing_schedule(parse_date("2199-06-15"), 6, FixingFrequency::at_expiry), InvalidInput);
    EXPECT_ANY_THROW(fixing_schedule(parse_date("2199-06-15"), 12, FixingFrequency::at_expiry));
    EXPECT_NO_THROW(fixing_schedule(parse_date("2199-06-15"), 5, FixingFrequency::at_expiry));
}

TEST(Dates, FormatIsPrintfsZeroPaddedForm) {
    // format_date writes by hand what snprintf("%04d-%02u-%02u") wrote, and falls back to it outside 0-9999.
    EXPECT_EQ(format_date(Date{year{5}, March, day{7}}), "0005-03-07");
    EXPECT_EQ(format_date(Date{year{999}, December, day{31}}), "0999-12-31");
    EXPECT_EQ(format_date(Date{year{9999}, January, day{1}}), "9999-01-01");
    EXPECT_EQ(format_date(Date{year{10000}, January, day{1}}), "10000-01-01");
    EXPECT_EQ(format_date(Date{year{-5}, January, day{1}}), "-005-01-01");
    for (Date d = parse_date("1999-12-25"); d < parse_date("2031-01-10"); d = add_days(d, 17)) {
        char expected[32];
        std::snprintf(expected, sizeof expected, "%04d-%02u-%02u", static_cast<int>(d.year()),
                      static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
        EXPECT_EQ(format_date(d), expected);
    }
}

// ---- Validation ----------------------------------------------------------------------------------

std::string field_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const InvalidInput& e) {
        return e.field();
    }
    return "<no throw>";
}

TEST(AsianValidation, NamesTheBadField) {
    const auto price = [](AsianOption o, BlackScholesMarket m, const char* engine = "turnbull_wakeman",
                          MonteCarloSettings mc = {}) { return [=] { price_asian(o, m, engine, mc); }; };
    auto m = carbon;
    m.spot = 0;
    EXPECT_EQ(field_of(price(put(15, monthly), m)), "spot");
    m = carbon;
    m.volatility = std::nan("");
    EXPECT_EQ(field_of(price(put(15, monthly), m)), "volatility");
    m = carbon;
    m.risk_free_rate = INFINITY;
    EXPECT_EQ(field_of(price(put(15, monthly), m)), "risk_free_rate");
    EXPECT_EQ(field_of(price(put(-1, monthly), carbon)), "strike");
    EXPECT_EQ(field_of(price(put(15, {}), carbon)), "fixing_dates");
    EXPECT_EQ(field_of(price(put(15, {add_days(today, 60), add_days(today, 30)}), carbon)), "fixing_dates[1]");
    EXPECT_EQ(field_of(price(put(15, {add_days(today, 30), add_days(today, 30)}), carbon)), "fixing_dates[1]");
    EXPECT_EQ(field_of(price(put(15, {add_days(today, -30), add_days(today, 30)}), carbon)), "past_fixings");
    EXPECT_EQ(field_of(price(asian(OptionType::put, 15, {add_days(today, -30), add_days(today, 30)}, {-2}), carbon)),
              "past_fixings[0]");
    EXPECT_EQ(field_of(price(put(15, {add_days(today, -30)}), carbon)), "valuation_date");
    EXPECT_EQ(field_of(price(put(15, monthly), carbon, "binomial")), "engine");
    EXPECT_EQ(field_of(price(put(15, monthly), carbon, "monte_carlo", {.paths = 1000, .seed = 0})), "monte_carlo.seed");
    EXPECT_EQ(field_of(price(put(15, monthly), carbon, "monte_carlo", {.paths = 1, .seed = 1})), "monte_carlo.paths");
    EXPECT_EQ(field_of([] { fixing_schedule(today, 0, FixingFrequency::monthly); }), "term_months");
    try {
        price_asian(put(15, monthly), [] { auto x = carbon; x.volatility = -0.2; return x; }(), "geometric");
        FAIL();
    } catch (const InvalidInput& e) {
        EXPECT_NE(std::string(e.what()).find("-0.2"), std::string::npos) << e.what();
    }
}

TEST(AsianEngines, RegistryListsTheThreeEngines) {
    std::vector<std::string> names;
    for (const auto& e : asian_engines()) names.emplace_back(e.name);
    EXPECT_EQ(names, (std::vector<std::string>{"turnbull_wakeman", "monte_carlo", "geometric"}));
    EXPECT_TRUE(find_asian_engine("geometric")->closed_form);
    EXPECT_FALSE(find_asian_engine("monte_carlo")->closed_form);
    EXPECT_EQ(find_asian_engine("nope"), nullptr);
}

}  // namespace
}  // namespace tanhui::pricing
