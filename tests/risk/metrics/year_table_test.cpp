// risk/metrics/year_table.hpp on a table worked by hand.
#include "risk/metrics/year_table.hpp"

#include "data/types.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace tanhui::risk {
namespace {

// Five years. Year 1: events 1 (10) and 2 (5). Year 3: event 1 in two rows (2 + 3) and event 2
// (1), given out of order. Year 5: event 7 (100). Years 2 and 4: nothing.
const LossTable table{5, {{1, 1, 10}, {3, 2, 1}, {1, 2, 5}, {3, 1, 2}, {5, 7, 100}, {3, 1, 3}}};

TEST(YearTable, AnnualAndLargestEventByHand) {
    const YearTable t = year_table(table);
    EXPECT_EQ(t.annual, (std::vector<double>{15, 0, 6, 0, 100}));
    EXPECT_EQ(t.max_event, (std::vector<double>{10, 0, 5, 0, 100}));  // year 3: event 1 is 2 + 3 = 5
    EXPECT_TRUE(t.events.empty());
}

TEST(YearTable, EventsInEventIdOrderWhenAskedFor) {
    const YearTable t = year_table(table, true);
    ASSERT_EQ(t.events.size(), 5u);
    EXPECT_EQ(t.events[0], (std::vector<double>{10, 5}));
    EXPECT_TRUE(t.events[1].empty());
    EXPECT_EQ(t.events[2], (std::vector<double>{5, 1}));
    EXPECT_EQ(t.events[4], (std::vector<double>{100}));
    // The annual loss is the sum of the year's events.
    for (std::size_t y = 0; y < 5; ++y) {
        double sum = 0;
        for (const double e : t.events[y]) sum += e;
        EXPECT_EQ(t.annual[y], sum) << y;
    }
}

TEST(YearTable, YearOutsideTheTableIsNamed) {
    for (const std::uint64_t year : {std::uint64_t{0}, std::uint64_t{6}}) {
        const LossTable bad{5, {{1, 1, 1}, {year, 1, 1}}};
        try {
            year_table(bad);
            ADD_FAILURE() << "year " << year << " accepted";
        } catch (const InvalidInput& e) {
            EXPECT_EQ(e.field(), "losses[1].year");
        }
    }
}

}  // namespace
}  // namespace tanhui::risk
