#include "pricing/asian_put.hpp"

#include "pricing/checks.hpp"
#include "pricing/china_calendar.hpp"

#include <ql/time/date.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace tanhui::pricing {
namespace {

namespace ql = QuantLib;

// QuantLib's Date covers 1901-01-01 .. 2199-12-31.
bool in_quantlib_range(Date d) {
    return d.ok() && d.year() >= std::chrono::year{1901} && d.year() <= std::chrono::year{2199};
}

ql::Date to_quantlib(Date d) {
    return ql::Date(static_cast<ql::Day>(static_cast<unsigned>(d.day())),
                    static_cast<ql::Month>(static_cast<unsigned>(d.month())),
                    static_cast<ql::Year>(static_cast<int>(d.year())));
}

Date from_quantlib(const ql::Date& d) {
    return Date{std::chrono::year{d.year()}, std::chrono::month{static_cast<unsigned>(d.month())},
                std::chrono::day{static_cast<unsigned>(d.dayOfMonth())}};
}

void check_date(Date d, const std::string& field) {
    if (!in_quantlib_range(d))
        checks::fail(field, "must be a valid date between 1901-01-01 and 2199-12-31, got " +
                                format_date(d));
}

// start + k months as QuantLib's `Date + Period(k, Months)` gives it (the day clamped to the
// month's last day), by calendar arithmetic: a QuantLib Date addition and the conversions around
// it cost about 1,500 instructions, 12 per monthly quote (docs/performance.md "Issue 18 item 5").
Date add_months(Date start, int k) {
    using namespace std::chrono;
    const year_month ym = year_month{start.year(), start.month()} + months{k};
    const day last = year_month_day_last{ym.year(), month_day_last{ym.month()}}.day();
    return Date{ym.year(), ym.month(), std::min(start.day(), last)};
}

// The k-th month's fixing date, unadjusted. Past QuantLib's last date less 30 days the fixing
// is QuantLib's own, which refuses it (a date past 2199), as before.
Date unadjusted_fixing(Date start, int k, int term_months) {
    const Date unadjusted = add_months(start, k);
    if (unadjusted <= Date{std::chrono::year{2199}, std::chrono::December, std::chrono::day{1}}) return unadjusted;
    const ql::Date ql_unadjusted = to_quantlib(start) + ql::Period(k, ql::Months);
    if (ql_unadjusted > ql::Date::maxDate() - 30)
        checks::fail("term_months", "runs past 2199, got " + std::to_string(term_months));
    return from_quantlib(ql_unadjusted);
}

}  // namespace

Date parse_date(std::string_view text, const std::string& field) {
    const auto bad = [&] {
        checks::fail(field, "must be a date YYYY-MM-DD, got \"" + std::string(text) + "\"");
    };
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') bad();
    int y = 0;
    unsigned m = 0, d = 0;
    const char* s = text.data();
    if (std::from_chars(s, s + 4, y).ptr != s + 4 || std::from_chars(s + 5, s + 7, m).ptr != s + 7 ||
        std::from_chars(s + 8, s + 10, d).ptr != s + 10)
        bad();
    const Date date{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
    if (!date.ok()) bad();
    return date;
}

std::string format_date(Date date) {
    const int y = static_cast<int>(date.year());
    const unsigned m = static_cast<unsigned>(date.month()), d = static_cast<unsigned>(date.day());
    if (y < 0 || y > 9999 || m > 99 || d > 99) {
        char buffer[32];
        std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", y, m, d);
        return buffer;
    }
    // What snprintf("%04d-%02u-%02u") writes, by hand: a quote formats every fixing date, and
    // snprintf cost more than the rest of the answer's dates (docs/performance.md "Issue 18 item 5").
    const auto digit = [](unsigned v) { return static_cast<char>('0' + v % 10); };
    const auto year = static_cast<unsigned>(y);
    return {digit(year / 1000), digit(year / 100), digit(year / 10), digit(year), '-', digit(m / 10), digit(m), '-',
            digit(d / 10), digit(d)};
}

std::optional<FixingFrequency> parse_fixing_frequency(std::string_view name) {
    if (name == "monthly") return FixingFrequency::monthly;
    if (name == "quarterly") return FixingFrequency::quarterly;
    if (name == "at_expiry") return FixingFrequency::at_expiry;
    return std::nullopt;
}

std::vector<Date> fixing_schedule(Date start, int term_months, FixingFrequency frequency) {
    check_date(start, "start");
    if (!(term_months >= 1 && term_months <= 600))
        checks::fail("term_months", "must lie in 1..600, got " + std::to_string(term_months));
    std::vector<int> months;
    switch (frequency) {
    case FixingFrequency::monthly:
        for (int k = 1; k <= term_months; ++k) months.push_back(k);
        break;
    case FixingFrequency::quarterly:
        for (int k = 3; k < term_months; k += 3) months.push_back(k);
        months.push_back(term_months);
        break;
    case FixingFrequency::at_expiry:
        months.push_back(term_months);
        break;
    }
    // Each date from the start, never from the previous fixing, so month ends do not drift.
    std::vector<Date> out;
    out.reserve(months.size());
    for (const int k : months) out.push_back(china_exchange_following(unadjusted_fixing(start, k, term_months)));
    return out;
}

double year_fraction(Date from, Date to, DayCount day_count) {
    const auto days = static_cast<double>(
        (std::chrono::sys_days{to} - std::chrono::sys_days{from}).count());
    switch (day_count) {
    case DayCount::actual_360: return days / 360.0;
    case DayCount::actual_364: return days / 364.0;
    case DayCount::actual_365_fixed: break;
    }
    return days / 365.0;
}

AsianPrice price_asian(const AsianOption& option, const BlackScholesMarket& market,
                       std::string_view engine, const MonteCarloSettings& mc) {
    const AsianEngineEntry* entry = find_asian_engine(engine);
    if (entry == nullptr) {
        std::string names;
        for (const auto& e : asian_engines()) names += (names.empty() ? "" : ", ") + std::string(e.name);
        checks::fail("engine", "must be one of " + names + ", got \"" + std::string(engine) + "\"");
    }
    check_date(market.valuation_date, "valuation_date");
    checks::positive(market.spot, "spot");
    checks::positive(market.volatility, "volatility");
    if (!(market.volatility <= 5)) checks::fail("volatility", "must be <= 5, got " + checks::number(market.volatility));
    checks::finite(market.risk_free_rate, "risk_free_rate");
    checks::finite(market.dividend_yield, "dividend_yield");
    checks::positive(option.strike, "strike");

    if (option.fixing_dates.empty()) checks::fail("fixing_dates", "must hold at least one date");
    for (std::size_t i = 0; i < option.fixing_dates.size(); ++i) {
        // The field's name ("fixing_dates[3]") is built only for a date that fails.
        if (!in_quantlib_range(option.fixing_dates[i])) check_date(option.fixing_dates[i], checks::indexed("fixing_dates", i));
        if (i > 0 && !(option.fixing_dates[i - 1] < option.fixing_dates[i]))
            checks::fail(checks::indexed("fixing_dates", i),
                         "must be after the previous fixing " + format_date(option.fixing_dates[i - 1]) +
                             ", got " + format_date(option.fixing_dates[i]));
    }
    const Date last = option.fixing_dates.back();
    if (last < market.valuation_date)
        checks::fail("valuation_date", "must be on or before the last fixing " + format_date(last) +
                                           " (the policy has expired), got " +
                                           format_date(market.valuation_date));

    AsianProblem problem;
    problem.type = option.type;
    problem.strike = option.strike;
    problem.market = market;
    problem.last_fixing_date = last;
    for (const Date d : option.fixing_dates) {
        if (d < market.valuation_date) ++problem.past_count;
        else problem.future_fixing_dates.push_back(d);
    }
    if (option.past_fixings.size() != problem.past_count)
        checks::fail("past_fixings", "must hold one price per fixing before the valuation date (" +
                                         std::to_string(problem.past_count) + "), got " +
                                         std::to_string(option.past_fixings.size()));
    for (std::size_t i = 0; i < option.past_fixings.size(); ++i) {
        checks::positive(option.past_fixings[i], checks::indexed("past_fixings", i));
        problem.past_sum += option.past_fixings[i];
        problem.past_log_sum += std::log(option.past_fixings[i]);
    }
    if (entry->name == "geometric" && !(problem.past_log_sum < 700))
        checks::fail("past_fixings", "their product overflows the geometric engine's running product");

    const auto n = static_cast<double>(option.fixing_dates.size());
    const double carry = market.risk_free_rate - market.dividend_yield;
    double forward_sum = 0;
    for (const Date d : problem.future_fixing_dates)
        forward_sum += market.spot * std::exp(carry * year_fraction(market.valuation_date, d, market.day_count));
    const double t_last = year_fraction(market.valuation_date, last, market.day_count);

    AsianPrice price;
    if (problem.future_fixing_dates.size() == 1 && problem.future_fixing_dates.front() == market.valuation_date) {
        // Only the fixing on the valuation date is left: it is the spot, the payout is known.
        const double average = (problem.past_sum + market.spot) / n;
        price.value = option.type == OptionType::put ? std::max(0.0, option.strike - average)
                                                     : std::max(0.0, average - option.strike);
        price.standard_error = 0;
        price.engine = std::string(entry->name);
    } else {
        if (entry->name == "monte_carlo") {
            if (mc.seed == 0) checks::fail("monte_carlo.seed", "must be non-zero (QuantLib seeds 0 from the clock)");
            if (!(mc.paths >= 2 && mc.paths <= 100'000'000))
                checks::fail("monte_carlo.paths", "must lie in 2..100000000, got " + std::to_string(mc.paths));
        }
        price = entry->price(problem, mc);
    }
    price.discount_factor = std::exp(-market.risk_free_rate * t_last);
    price.expected_average = (problem.past_sum + forward_sum) / n;
    price.time_to_last_fixing_years = t_last;
    return price;
}

}  // namespace tanhui::pricing
