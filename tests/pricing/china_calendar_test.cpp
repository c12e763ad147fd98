// The exchange calendar against the State Council's published holiday lists (typed here from the
// notices, independently of data/historical/china_holidays.csv) and the rule for later years.
#include "pricing/asian_put.hpp"
#include "pricing/china_calendar.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace tanhui::pricing {
namespace {

using namespace std::chrono;

std::string iso(year_month_day d) { return format_date(d); }

// Weekdays of `y` on which exchanges are closed, by the calendar under test.
std::set<std::string> closed_weekdays(int y) {
    std::set<std::string> out;
    for (sys_days d{year{y} / January / 1}; d <= sys_days{year{y} / December / 31}; d += days{1}) {
        const weekday wd{d};
        if (wd != Saturday && wd != Sunday && !is_china_exchange_business_day(year_month_day{d}))
            out.insert(iso(year_month_day{d}));
    }
    return out;
}

TEST(ChinaCalendar, Matches2025Notice) {
    // 国办发明电〔2024〕12号: New Year Jan 1; Spring Festival Jan 28 - Feb 4; Qingming Apr 4-6;
    // Labour Day May 1-5; Dragon Boat May 31 - Jun 2; National Day and Mid-Autumn Oct 1-8.
    const std::set<std::string> expected = {
        "2025-01-01", "2025-01-28", "2025-01-29", "2025-01-30", "2025-01-31", "2025-02-03",
        "2025-02-04", "2025-04-04", "2025-05-01", "2025-05-02", "2025-05-05", "2025-06-02",
        "2025-10-01", "2025-10-02", "2025-10-03", "2025-10-06", "2025-10-07", "2025-10-08"};
    EXPECT_EQ(closed_weekdays(2025), expected);
    // 261 weekdays less 18 holidays: the SSE's 243 trading days of 2025.
    // Make-up working days are weekends: not trading days.
    for (const auto d : {2025y / January / 26, 2025y / February / 8, 2025y / April / 27, 2025y / September / 28,
                         2025y / October / 11})
        EXPECT_FALSE(is_china_exchange_business_day(d)) << iso(d);
}

TEST(ChinaCalendar, Matches2026Notice) {
    // Notice of 2025-11-04: New Year Jan 1-3; Spring Festival Feb 15-23; Qingming Apr 4-6; Labour
    // Day May 1-5; Dragon Boat Jun 19-21; Mid-Autumn Sep 25-27; National Day Oct 1-7.
    const std::set<std::string> expected = {
        "2026-01-01", "2026-01-02", "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19",
        "2026-02-20", "2026-02-23", "2026-04-06", "2026-05-01", "2026-05-04", "2026-05-05",
        "2026-06-19", "2026-09-25", "2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06",
        "2026-10-07"};
    EXPECT_EQ(closed_weekdays(2026), expected);
    EXPECT_FALSE(is_china_exchange_business_day(2026y / February / 14));  // a make-up Saturday
    EXPECT_TRUE(is_china_exchange_business_day(2026y / February / 24));
}

TEST(ChinaCalendar, UpTo2023ItIsQuantLibsSseCalendar) {
    EXPECT_FALSE(is_china_exchange_business_day(2023y / January / 23));  // Spring Festival 2023
    EXPECT_FALSE(is_china_exchange_business_day(2023y / October / 6));
    EXPECT_TRUE(is_china_exchange_business_day(2023y / October / 9));
}

TEST(ChinaCalendar, A2027SpringFestivalFixingMovesAsAnExchangeWould) {
    // Lunar New Year 2027 is Saturday Feb 6: by the rule the holiday runs from the eve (Fri Feb 5)
    // for 8 days to Fri Feb 12, so a fixing due Monday Feb 8 is taken on Monday Feb 15.
    const auto at_expiry = fixing_schedule(2026y / November / 8, 3, FixingFrequency::at_expiry);
    ASSERT_EQ(at_expiry.size(), 1u);
    EXPECT_EQ(iso(at_expiry[0]), "2027-02-15");
    // National Day 2027: Oct 1-7, so a fixing due Friday Oct 1 moves to Friday Oct 8.
    EXPECT_EQ(iso(china_exchange_following(2027y / October / 1)), "2027-10-08");
    // 2028: Mid-Autumn (Oct 3) falls in National Day: Oct 1-8 together.
    EXPECT_EQ(iso(china_exchange_following(2028y / October / 2)), "2028-10-09");
}

TEST(ChinaCalendar, AfterTheTableOnlyFixedDateHolidays) {
    EXPECT_EQ(china_calendar_last_year(), 2030);
    EXPECT_EQ(iso(china_exchange_following(2031y / May / 1)), "2031-05-06");
    EXPECT_EQ(iso(china_exchange_following(2031y / October / 1)), "2031-10-08");
    EXPECT_TRUE(is_china_exchange_business_day(2031y / January / 2));
}

}  // namespace
}  // namespace tanhui::pricing
