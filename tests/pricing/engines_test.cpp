// "turnbull_wakeman" is QuantLib 1.29's TurnbullWakemanAsianEngine written out on flat curves
// (pricing/engines.cpp). QuantLib's engine itself, built as the price used to be built (curves,
// process, engine, arguments filled as DiscreteAveragingAsianOption would), must give the same
// bits for random markets, valuation dates, day counts, schedules, puts and calls, seasoned
// policies with past fixings, and effective strikes at or below 0; on this thread and another.
#include "pricing/asian_put.hpp"

#include <ql/exercise.hpp>
#include <ql/instruments/asianoption.hpp>
#include <ql/instruments/payoffs.hpp>
#include <ql/pricingengines/asian/turnbullwakemanasianengine.hpp>
#include <ql/processes/blackscholesprocess.hpp>
#include <ql/quotes/simplequote.hpp>
#include <ql/termstructures/volatility/equityfx/blackconstantvol.hpp>
#include <ql/termstructures/yield/flatforward.hpp>
#include <ql/time/calendars/nullcalendar.hpp>
#include <ql/time/daycounters/actual360.hpp>
#include <ql/time/daycounters/actual364.hpp>
#include <ql/time/daycounters/actual365fixed.hpp>

#include <gtest/gtest.h>

#include <bit>
#include <chrono>
#include <cstdint>
#include <random>
#include <thread>
#include <vector>

namespace tanhui::pricing {
namespace {

namespace ql = QuantLib;

ql::Date ql_date(Date d) {
    return ql::Date(static_cast<ql::Day>(static_cast<unsigned>(d.day())), static_cast<ql::Month>(static_cast<unsigned>(d.month())),
                    static_cast<ql::Year>(static_cast<int>(d.year())));
}

ql::DayCounter ql_day_counter(DayCount dc) {
    if (dc == DayCount::actual_360) return ql::Actual360();
    if (dc == DayCount::actual_364) return ql::Actual364();
    return ql::Actual365Fixed();
}

// The engine's arguments as pricing/engines.cpp filled them: the future fixings, the count and
// sum of the past ones.
double quantlib_turnbull_wakeman(const AsianOption& o, const BlackScholesMarket& m) {
    const ql::Date today = ql_date(m.valuation_date);
    const ql::DayCounter dc = ql_day_counter(m.day_count);
    const auto risk_free = ql::ext::make_shared<ql::FlatForward>(today, m.risk_free_rate, dc, ql::Continuous);
    const auto dividend = ql::ext::make_shared<ql::FlatForward>(today, m.dividend_yield, dc, ql::Continuous);
    const auto vol = ql::ext::make_shared<ql::BlackConstantVol>(today, ql::NullCalendar(), m.volatility, dc);
    risk_free->enableExtrapolation();
    dividend->enableExtrapolation();
    vol->enableExtrapolation();
    const auto process = ql::ext::make_shared<ql::BlackScholesMertonProcess>(
        ql::Handle<ql::Quote>(ql::ext::make_shared<ql::SimpleQuote>(m.spot)), ql::Handle<ql::YieldTermStructure>(dividend),
        ql::Handle<ql::YieldTermStructure>(risk_free), ql::Handle<ql::BlackVolTermStructure>(vol));
    ql::TurnbullWakemanAsianEngine engine(process);
    auto* args = dynamic_cast<ql::DiscreteAveragingAsianOption::arguments*>(engine.getArguments());
    args->payoff = ql::ext::make_shared<ql::PlainVanillaPayoff>(o.type == OptionType::put ? ql::Option::Put : ql::Option::Call,
                                                                o.strike);
    args->exercise = ql::ext::make_shared<ql::EuropeanExercise>(ql_date(o.fixing_dates.back()));
    args->averageType = ql::Average::Arithmetic;
    args->pastFixings = o.past_fixings.size();
    double past_sum = 0;
    for (const double x : o.past_fixings) past_sum += x;
    args->runningAccumulator = past_sum;
    args->fixingDates.clear();
    for (const Date d : o.fixing_dates)
        if (!(d < m.valuation_date)) args->fixingDates.push_back(ql_date(d));
    args->validate();
    engine.calculate();
    return dynamic_cast<const ql::DiscreteAveragingAsianOption::results*>(engine.getResults())->value;
}

struct Case {
    AsianOption option;
    BlackScholesMarket market;
};

// Runs of a few cases on one valuation date and day count, then another, and back.
std::vector<Case> cases() {
    using namespace std::chrono;
    std::mt19937_64 rng(20261207);
    const Date dates[] = {Date{year{2027}, January, day{1}}, Date{year{2026}, March, day{31}}, Date{year{2030}, July, day{15}}};
    const DayCount day_counts[] = {DayCount::actual_365_fixed, DayCount::actual_360, DayCount::actual_364};
    const FixingFrequency frequencies[] = {FixingFrequency::monthly, FixingFrequency::quarterly, FixingFrequency::at_expiry};
    std::uniform_real_distribution<double> u(0, 1);
    std::vector<Case> out;
    Date date = dates[0];
    DayCount day_count = day_counts[0];
    for (int i = 0; i < 400; ++i) {
        if (rng() % 5 == 0) date = dates[rng() % 3];
        if (rng() % 7 == 0) day_count = day_counts[rng() % 3];
        Case c;
        c.market = {.valuation_date = date, .spot = 5 + 45 * u(rng), .volatility = 0.05 + 1.45 * u(rng),
                    .risk_free_rate = -0.02 + 0.12 * u(rng), .dividend_yield = 0.05 * u(rng), .day_count = day_count};
        if (rng() % 10 == 0 && !out.empty()) c.market.spot = out.back().market.spot;  // a number left as it was
        c.option.type = rng() % 4 == 0 ? OptionType::call : OptionType::put;
        c.option.strike = c.market.spot * (0.5 + u(rng));
        c.option.fixing_dates = fixing_schedule(date, 3 + static_cast<int>(rng() % 22), frequencies[rng() % 3]);
        const std::size_t n = c.option.fixing_dates.size();
        if (n > 1 && rng() % 3 == 0) {
            // Seasoned: valued the day after fixing k - 1, the first k fixings known; now and then
            // so high that the average is above the strike whatever comes (effective strike <= 0).
            const std::size_t k = 1 + rng() % (n - 1);
            c.market.valuation_date = Date{sys_days{c.option.fixing_dates[k - 1]} + days{1}};
            const double level = rng() % 4 == 0 ? 4 * static_cast<double>(n) * c.option.strike : c.market.spot;
            for (std::size_t j = 0; j < k; ++j) c.option.past_fixings.push_back(level * (0.7 + 0.6 * u(rng)));
        }
        out.push_back(std::move(c));
    }
    return out;
}

TEST(TurnbullWakeman, SameBitsAsQuantLibsEngine) {
    const std::vector<Case> all = cases();
    int seasoned = 0, certain_calls = 0, calls = 0;
    for (const Case& c : all) {
        double past_sum = 0;
        for (const double x : c.option.past_fixings) past_sum += x;
        seasoned += !c.option.past_fixings.empty();
        calls += c.option.type == OptionType::call;
        certain_calls += c.option.type == OptionType::call &&
                         c.option.strike - past_sum / static_cast<double>(c.option.fixing_dates.size()) <= 0;
    }
    EXPECT_GT(seasoned, 50);
    EXPECT_GT(calls, 50);
    EXPECT_GT(certain_calls, 3);
    std::vector<double> fresh;
    for (const Case& c : all) fresh.push_back(quantlib_turnbull_wakeman(c.option, c.market));
    // On this thread, then on a new one.
    for (int pass = 0; pass < 2; ++pass) {
        std::vector<double> kept;
        const auto price_all = [&] {
            for (const Case& c : all) kept.push_back(price_asian(c.option, c.market, "turnbull_wakeman").value);
        };
        if (pass == 0) price_all();
        else std::thread(price_all).join();
        ASSERT_EQ(kept.size(), fresh.size());
        for (std::size_t i = 0; i < all.size(); ++i)
            ASSERT_EQ(std::bit_cast<std::uint64_t>(kept[i]), std::bit_cast<std::uint64_t>(fresh[i]))
                << "case " << i << ": " << kept[i] << " against " << fresh[i];
    }
}

}  // namespace
}  // namespace tanhui::pricing
