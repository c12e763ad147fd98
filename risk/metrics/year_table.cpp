#include "risk/metrics/year_table.hpp"

#include "data/types.hpp"

#include <algorithm>
#include <string>
#include <utility>

namespace tanhui::risk {

YearTable year_table(const LossTable& table, bool with_events) {
    const auto n = static_cast<std::size_t>(table.years);
    std::vector<std::vector<std::pair<std::uint64_t, double>>> by_year(n);
    for (std::size_t i = 0; i < table.rows.size(); ++i) {
        const LossRow& row = table.rows[i];
        if (row.year < 1 || row.year > table.years)
            throw InvalidInput("losses[" + std::to_string(i) + "].year",
                               "must lie in 1.." + std::to_string(table.years) + ", got " + std::to_string(row.year));
        by_year[static_cast<std::size_t>(row.year - 1)].emplace_back(row.event, row.loss);
    }
    YearTable out;
    out.annual.assign(n, 0.0);
    out.max_event.assign(n, 0.0);
    if (with_events) out.events.resize(n);
    for (std::size_t y = 0; y < n; ++y) {
        auto& rows = by_year[y];
        std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        double annual = 0, largest = 0;
        for (std::size_t i = 0; i < rows.size();) {
            double event = 0;
            std::size_t j = i;
            for (; j < rows.size() && rows[j].first == rows[i].first; ++j) event += rows[j].second;
            annual += event;
            largest = std::max(largest, event);
            if (with_events) out.events[y].push_back(event);
            i = j;
        }
        out.annual[y] = annual;
        out.max_event[y] = largest;
    }
    return out;
}

}  // namespace tanhui::risk
