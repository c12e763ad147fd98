// A loss table of (year, event, loss) rows, as the metrics and layer requests give it, reduced to
// what the metrics and layers need: each year's annual loss and its events. Units are the caller's.
#pragma once

#include <cstdint>
#include <vector>

namespace tanhui::risk {

struct LossRow {
    std::uint64_t year = 0;   // 1..years
    std::uint64_t event = 0;  // event id within the year
    double loss = 0;          // >= 0
};

struct LossTable {
    std::uint64_t years = 0;  // N; years without a row have no loss
    std::vector<LossRow> rows;
};

// Per year (index year - 1): the annual loss (the sum of the year's events) and its largest event;
// rows with the same (year, event) are one event (e.g. one row per location), summed in the order
// given; a year's events are summed in event-id order. `events` (each year's event losses in
// event-id order) is filled only when asked for. Throws InvalidInput ("losses[i].year") for a year
// outside 1..years.
struct YearTable {
    std::vector<double> annual;
    std::vector<double> max_event;            // 0 in a year without events
    std::vector<std::vector<double>> events;  // only with_events
};
YearTable year_table(const LossTable& table, bool with_events = false);

}  // namespace tanhui::risk
