#include "pricing/china_calendar.hpp"

#include "pricing/china_holidays_csv.hpp"

#include <ql/time/calendars/china.hpp>
#include <ql/time/date.hpp>

#include <algorithm>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace tanhui::pricing {
namespace {

namespace ql = QuantLib;
using std::chrono::sys_days;
using std::chrono::year_month_day;

constexpr int last_quantlib_year = 2023;  // QuantLib 1.29's China(SSE) holidays end here

struct Period {
    sys_days first;
    sys_days last;
};

struct Table {
    std::vector<Period> periods;  // sorted by first day
    int last_year = 0;
};

year_month_day parse_iso(const std::string& text) {
    int y = 0;
    unsigned m = 0;
    unsigned d = 0;
    char dash1 = 0;
    char dash2 = 0;
    std::istringstream in(text);
    in >> y >> dash1 >> m >> dash2 >> d;
    const year_month_day date{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
    if (!in || dash1 != '-' || dash2 != '-' || !date.ok())
        throw std::logic_error("china_holidays.csv: bad date \"" + text + "\"");
    return date;
}

// The compiled-in CSV: year,holiday,first_day,last_day,makeup_workdays,basis,source. A malformed
// table is a build defect (tests/pricing/china_calendar_test.cpp reads every row), hence logic_error.
Table load() {
    Table table;
    std::istringstream in(generated::china_holidays_csv);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        std::vector<std::string> cells;
        std::size_t start = 0;
        for (int i = 0; i < 4; ++i) {
            const auto comma = line.find(',', start);
            if (comma == std::string::npos) throw std::logic_error("china_holidays.csv: short row \"" + line + "\"");
            cells.push_back(line.substr(start, comma - start));
            start = comma + 1;
        }
        const int year = std::stoi(cells[0]);
        const Period period{sys_days{parse_iso(cells[2])}, sys_days{parse_iso(cells[3])}};
        if (period.last < period.first) throw std::logic_error("china_holidays.csv: period ends before it starts");
        table.periods.push_back(period);
        table.last_year = std::max(table.last_year, year);
    }
    std::sort(table.periods.begin(), table.periods.end(),
              [](const Period& a, const Period& b) { return a.first < b.first; });
    return table;
}

const Table& table() {
    static const Table t = load();
    return t;
}

bool in_table_holiday(sys_days day) {
    const auto& periods = table().periods;
    // The last period starting on or before `day`; periods do not overlap.
    auto it = std::upper_bound(periods.begin(), periods.end(), day,
                               [](sys_days d, const Period& p) { return d < p.first; });
    if (it == periods.begin()) return false;
    --it;
    return day <= it->last;
}

// After the table: the fixed-date holidays only (New Year's Day, 1-5 May, 1-7 October).
bool fixed_date_holiday(year_month_day d) {
    const unsigned month = static_cast<unsigned>(d.month());
    const unsigned dom = static_cast<unsigned>(d.day());
    return (month == 1 && dom == 1) || (month == 5 && dom <= 5) || (month == 10 && dom <= 7);
}

}  // namespace

int china_calendar_last_year() { return table().last_year; }

bool is_china_exchange_business_day(year_month_day d) {
    const int year = static_cast<int>(d.year());
    if (year <= last_quantlib_year) {
        const ql::Date q(static_cast<ql::Day>(static_cast<unsigned>(d.day())),
                         static_cast<ql::Month>(static_cast<unsigned>(d.month())), static_cast<ql::Year>(year));
        return ql::China(ql::China::SSE).isBusinessDay(q);
    }
    const sys_days day{d};
    const std::chrono::weekday wd{day};
    if (wd == std::chrono::Saturday || wd == std::chrono::Sunday) return false;
    if (year > table().last_year) return !fixed_date_holiday(d);
    return !in_table_holiday(day);
}

year_month_day china_exchange_following(year_month_day d) {
    sys_days day{d};
    while (!is_china_exchange_business_day(year_month_day{day})) day += std::chrono::days{1};
    return year_month_day{day};
}

}  // namespace tanhui::pricing
