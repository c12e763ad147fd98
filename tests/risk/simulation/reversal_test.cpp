// risk/simulation/reversal.hpp: cumulative reversal paths regenerated year by year, the same bits
// at 1 and 4 threads, the stock they are measured against.
#include "risk/simulation/reversal.hpp"

#include "data/types.hpp"
#include "risk/simulation/simulate.hpp"
#include "tests/risk/made_up_book.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace tanhui::risk {
namespace {

Book book_of(int holdings) {
    BookOptions o;
    o.perils = {"fire"};
    return prepare_book(made_up_model(), made_up_holdings(holdings), o);
}

TEST(Reversal, StockIsAreaTimesDensitySummed) {
    const Book book = book_of(7);
    double stock = 0;
    for (const auto& h : book.holdings) stock += h.area_ha * h.stock_tco2e_per_ha;
    EXPECT_GT(stock, 0);
    EXPECT_EQ(carbon_stock_tco2e(book), stock);
}

// Path p is the years p x H .. p x H + H - 1: regenerated one year at a time it is the same number,
// and 1 thread or 4 give the same bits.
TEST(Reversal, PathsAreAddressableAndThreadIndependent) {
    const Book book = book_of(3);
    const double stock = carbon_stock_tco2e(book);
    const std::uint32_t H = 7;
    const auto one = cumulative_reversal_shares(book, H, 300, 9, 1);
    const auto four = cumulative_reversal_shares(book, H, 300, 9, 4);
    EXPECT_EQ(one, four);
    for (const std::uint32_t p : {0u, 123u, 299u}) {
        double lost = 0;
        for (std::uint32_t t = 0; t < H; ++t) lost += simulate_year(book, 9, p * H + t, false).total_tco2e;
        EXPECT_EQ(one[p], std::min(1.0, lost / stock)) << p;
    }
    for (const double s : one) {
        EXPECT_GE(s, 0);
        EXPECT_LE(s, 1);
    }
}

TEST(Reversal, NoCarbonIsRefused) {
    std::vector<Holding> bare = made_up_holdings(1);
    bare[0].carbon_stock_tco2e_per_ha = 0;
    BookOptions o;
    o.perils = {"fire"};
    const Book book = prepare_book(made_up_model(), bare, o);
    try {
        cumulative_reversal_shares(book, 10, 10, 1, 1);
        ADD_FAILURE() << "a book without carbon accepted";
    } catch (const InvalidInput& e) {
        EXPECT_EQ(e.field(), "/holdings");
    }
}

}  // namespace
}  // namespace tanhui::risk
