// The trading calendar of Chinese exchanges, on which a price cover's fixings are moved
// (docs/pricing.md "Fixing calendar"; issue 19 item 5).
//
// Up to 2023: QuantLib's China(SSE) calendar, which lists the exchange's holidays year by year to
// 2023. From 2024: the public-holiday periods of data/historical/china_holidays.csv (the State
// Council's notices for 2024-2026; for 2027-2030 the rule of 国办发明电〔2024〕12号 applied to the
// festival dates, until the notices are published; data/prep/china_holidays.py writes it). The
// file is compiled into the library (pricing stays pure: no file is read at run time). An
// exchange is closed on Saturdays, Sundays and every weekday inside a holiday period; make-up
// working days (调休上班, always at a weekend) are not trading days. After the table's last year
// only the fixed-date holidays are known (1 January, 1-5 May, 1-7 October) and lunar festivals
// are not (docs/pricing.md says so).
#pragma once

#include <chrono>

namespace tanhui::pricing {

bool is_china_exchange_business_day(std::chrono::year_month_day d);

// d when it is a business day, else the next one (the Following convention).
std::chrono::year_month_day china_exchange_following(std::chrono::year_month_day d);

// The last year whose lunar-festival holidays the table holds.
int china_calendar_last_year();

}  // namespace tanhui::pricing
