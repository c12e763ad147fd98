#!/usr/bin/env python3
"""Writes data/historical/china_holidays.csv: mainland China's public-holiday periods, the days on
which Chinese exchanges (and so the carbon exchanges whose prices fix Tanhui's price covers) are
closed on weekdays.

- 2024-2026: the State Council General Office's notices as published (basis `notice`), typed
  from the notices' text (sources in PUBLISHED below; each row carries its notice number).
- 2027-2030, until the notices are published: the principles the State Council set out in
  国办发明电〔2024〕12号 (from 2025 on, after the revised 全国年节及纪念日放假办法 of November 2024):
  Spring Festival 8 days from New Year's Eve; National Day 7 days from 1 October, 8 days combined
  when Mid-Autumn falls in it; Labour Day 5 days (1-5 May); New Year's Day, Qingming, Dragon Boat
  and Mid-Autumn 3 days each with the adjacent weekend, only the day itself when it is a Wednesday
  (basis `rule`). The lunar festival dates (FESTIVALS below) are those of the Hong Kong
  Observatory's Gregorian-Lunar calendar conversion tables; Qingming is the solar term.
  A notice may depart from the rule ("除个别特殊情形外": 2026's Spring Festival started two days
  before the eve); replace a year's rule rows by the notice's when it is published.

Exchanges are closed on every weekday inside a period; make-up working days (调休上班, always a
Saturday or Sunday) are listed for completeness but are not trading days.

Usage: data/prep/china_holidays.py [OUT_CSV]   (default data/historical/china_holidays.csv)
       data/prep/china_holidays.py --check     the rule reproduces the 2025 and 2026 notices
"""
import csv
import datetime as dt
import sys
from pathlib import Path

NOTICES = {
    2024: "国办发明电〔2023〕7号, 国务院办公厅关于2024年部分节假日安排的通知, 2023-10-25",
    2025: "国办发明电〔2024〕12号, 国务院办公厅关于2025年部分节假日安排的通知, 2024-11-12",
    2026: "国务院办公厅关于2026年部分节假日安排的通知, 2025-11-04 (Xinhua)",
}
# (year, holiday, first day, last day, make-up working days) as the notices give them.
PUBLISHED = [
    (2024, "new_year", "2023-12-30", "2024-01-01", ""),
    (2024, "spring_festival", "2024-02-10", "2024-02-17", "2024-02-04;2024-02-18"),
    (2024, "qingming", "2024-04-04", "2024-04-06", "2024-04-07"),
    (2024, "labour_day", "2024-05-01", "2024-05-05", "2024-04-28;2024-05-11"),
    (2024, "dragon_boat", "2024-06-08", "2024-06-10", ""),
    (2024, "mid_autumn", "2024-09-15", "2024-09-17", "2024-09-14"),
    (2024, "national_day", "2024-10-01", "2024-10-07", "2024-09-29;2024-10-12"),
    (2025, "new_year", "2025-01-01", "2025-01-01", ""),
    (2025, "spring_festival", "2025-01-28", "2025-02-04", "2025-01-26;2025-02-08"),
    (2025, "qingming", "2025-04-04", "2025-04-06", ""),
    (2025, "labour_day", "2025-05-01", "2025-05-05", "2025-04-27"),
    (2025, "dragon_boat", "2025-05-31", "2025-06-02", ""),
    (2025, "national_day_mid_autumn", "2025-10-01", "2025-10-08", "2025-09-28;2025-10-11"),
    (2026, "new_year", "2026-01-01", "2026-01-03", "2026-01-04"),
    (2026, "spring_festival", "2026-02-15", "2026-02-23", "2026-02-14;2026-02-28"),
    (2026, "qingming", "2026-04-04", "2026-04-06", ""),
    (2026, "labour_day", "2026-05-01", "2026-05-05", "2026-05-09"),
    (2026, "dragon_boat", "2026-06-19", "2026-06-21", ""),
    (2026, "mid_autumn", "2026-09-25", "2026-09-27", ""),
    (2026, "national_day", "2026-10-01", "2026-10-07", "2026-09-20;2026-10-10"),
]
# Lunar New Year's Day, Qingming, Dragon Boat (5/5), Mid-Autumn (8/15) by year.
FESTIVALS = {
    2027: ("2027-02-06", "2027-04-05", "2027-06-09", "2027-09-15"),
    2028: ("2028-01-26", "2028-04-04", "2028-05-28", "2028-10-03"),
    2029: ("2029-02-13", "2029-04-04", "2029-06-16", "2029-09-22"),
    2030: ("2030-02-03", "2030-04-05", "2030-06-05", "2030-09-12"),
}
# The same for the years with notices, to check the rule against them (--check).
CHECK_FESTIVALS = {
    2025: ("2025-01-29", "2025-04-04", "2025-05-31", "2025-10-06"),
    2026: ("2026-02-17", "2026-04-05", "2026-06-19", "2026-09-25"),
}
# Where a notice departs from the rule ("除个别特殊情形外"): 2026's Spring Festival began on 腊月二十八.
KNOWN_DEPARTURES = {(2026, "spring_festival")}
RULE = ("rule of 国办发明电〔2024〕12号 (until the year's notice is published); "
        "festival dates: Hong Kong Observatory Gregorian-Lunar calendar conversion table")

day = dt.timedelta(days=1)


def three_days(d):
    """The 3-day period around statutory day d and its make-up day (None when there is none)."""
    wd = d.weekday()  # Monday 0
    if wd == 2:                      # Wednesday: the day alone
        return d, d, None
    if wd == 0:                      # Monday: Sat-Mon
        return d - 2 * day, d, None
    if wd == 1:                      # Tuesday: Sun-Tue, the Saturday before works
        return d - 2 * day, d, d - 3 * day
    if wd == 3:                      # Thursday: Thu-Sat, the Sunday after works
        return d, d + 2 * day, d + 3 * day
    if wd == 4:                      # Friday: Fri-Sun
        return d, d + 2 * day, None
    if wd == 5:                      # Saturday: Sat-Mon
        return d, d + 2 * day, None
    return d - day, d + day, None    # Sunday: Sat-Mon


def rule_rows(year, festivals=FESTIVALS):
    lny, qingming, dragon, mid_autumn = (dt.date.fromisoformat(s) for s in festivals[year])
    rows = []
    def add(name, first, last, makeup=None):
        rows.append((year, name, first.isoformat(), last.isoformat(), makeup.isoformat() if makeup else ""))
    add("new_year", *three_days(dt.date(year, 1, 1)))
    eve = lny - day
    add("spring_festival", eve, eve + 7 * day)
    add("qingming", *three_days(qingming))
    add("labour_day", dt.date(year, 5, 1), dt.date(year, 5, 5))
    add("dragon_boat", *three_days(dragon))
    if dt.date(year, 10, 1) <= mid_autumn <= dt.date(year, 10, 8):
        add("national_day_mid_autumn", dt.date(year, 10, 1), dt.date(year, 10, 8))
    else:
        add("mid_autumn", *three_days(mid_autumn))
        add("national_day", dt.date(year, 10, 1), dt.date(year, 10, 7))
    return sorted(rows, key=lambda r: r[2])


def check(verbose=True):
    """The rule against the notices of 2025 and 2026 (the years under the 2024 principles)."""
    bad = 0
    for year in sorted(CHECK_FESTIVALS):
        ruled = {r[1]: (r[2], r[3]) for r in rule_rows(year, CHECK_FESTIVALS)}
        for r in (p for p in PUBLISHED if p[0] == year):
            same = ruled.get(r[1]) == (r[2], r[3])
            if not same and (year, r[1]) not in KNOWN_DEPARTURES:
                print("rule differs from the notice:", year, r[1], ruled.get(r[1]), "vs", (r[2], r[3]))
                bad += 1
    if verbose:
        print("china_holidays: rule checked against the 2025 and 2026 notices:", "ok" if bad == 0 else "%d differences" % bad)
    return 1 if bad else 0


def check_quiet():
    return check(verbose=False)


def write(out):
    """Writes the CSV to `out`; returns its data rows."""
    rows = [[*r, "notice", NOTICES[r[0]]] for r in PUBLISHED]
    for year in sorted(FESTIVALS):
        rows += [[*r, "rule", RULE] for r in rule_rows(year)]
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["year", "holiday", "first_day", "last_day", "makeup_workdays", "basis", "source"])
        w.writerows(rows)
    return rows


def main():
    if sys.argv[1:] == ["--check"]:
        sys.exit(check())
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "historical" / "china_holidays.csv"
    write(out)
    print("wrote", out)


if __name__ == "__main__":
    main()
