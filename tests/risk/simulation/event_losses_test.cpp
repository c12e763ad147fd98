// risk/simulation/event_losses.hpp against the simulation year by year: each kept event is an
// event of the year above the threshold, in money at the price; the total is the year's.
#include "risk/simulation/event_losses.hpp"

#include "risk/simulation/simulate.hpp"
#include "tests/risk/made_up_book.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <vector>

namespace tanhui::risk {
namespace {

TEST(EventLosses, YearByYearAtThePriceAboveTheThreshold) {
    const Book book = prepare_book(made_up_model(), made_up_holdings(20));
    const double price = 20, keep_above = 50'000;
    const SimulatedEvents s = simulate_event_losses(book, 400, 5, 2, price, keep_above);
    ASSERT_EQ(s.annual_cny.size(), 400u);
    ASSERT_EQ(s.events_cny.size(), 400u);
    std::size_t kept = 0;
    for (std::uint32_t y = 0; y < 400; ++y) {
        const YearOutcome o = simulate_year(book, 5, y, true);
        EXPECT_EQ(s.annual_cny[y], o.total_tco2e * price) << y;
        std::vector<double> above;
        for (const Event& e : o.events)
            if (e.loss_tco2e * price > keep_above) above.push_back(e.loss_tco2e * price);
        EXPECT_EQ(s.events_cny[y], above) << y;
        kept += above.size();
    }
    EXPECT_GT(kept, 0u);  // the threshold is not above every event
}

TEST(EventLosses, SameBitsForAnyThreadCountAndNoneKeptAtInfinity) {
    const Book book = prepare_book(made_up_model(), made_up_holdings(20));
    const SimulatedEvents one = simulate_event_losses(book, 600, 8, 1, 15, 0);
    const SimulatedEvents four = simulate_event_losses(book, 600, 8, 4, 15, 0);
    EXPECT_EQ(one.annual_cny, four.annual_cny);
    EXPECT_EQ(one.events_cny, four.events_cny);
    const SimulatedEvents none = simulate_event_losses(book, 600, 8, 2, 15, std::numeric_limits<double>::infinity());
    EXPECT_EQ(none.annual_cny, one.annual_cny);
    for (const auto& e : none.events_cny) EXPECT_TRUE(e.empty());
}

}  // namespace
}  // namespace tanhui::risk
