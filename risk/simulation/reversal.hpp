// Cumulative reversal of a project's carbon over a horizon: the paths behind a reversal buffer
// (pricing/buffer.hpp, DESIGN "Products").
#pragma once

#include "risk/simulation/cancel.hpp"

#include <cstdint>
#include <vector>

namespace tanhui::risk {

struct Book;

// The book's carbon stock at the start, tCO2e: sum of area x stock density, in book order.
double carbon_stock_tco2e(const Book& book);

// Path p is the simulated years p x horizon .. p x horizon + horizon - 1 of `seed` (so paths are
// independent and each can be regenerated alone); its cumulative reversal share is
// min(1, sum of the book's carbon lost over those years, in year order / the book's carbon stock):
// gross losses, no credit for regrowth, the stock held at its starting value. The same bits for
// any thread count. Throws InvalidInput ("/holdings") for a book without carbon and
// ("/simulation/paths") when paths x horizon reaches 2^32. `cancel` (both functions):
// risk/simulation/cancel.hpp, checked between blocks of years.
std::vector<double> cumulative_reversal_shares(const Book& book, std::uint32_t horizon_years, std::uint32_t paths,
                                               std::uint64_t seed, unsigned threads, CancelFlag cancel = nullptr);

// Each path's carbon lost by each of the book's perils over the horizon (tCO2e, uncapped): one row
// of book.perils.size() values per path, each peril's years added in year order; the same paths
// and years as cumulative_reversal_shares. Simulated a slice of paths at a time (memory bounded).
std::vector<double> cumulative_loss_by_peril(const Book& book, std::uint32_t horizon_years, std::uint32_t paths,
                                             std::uint64_t seed, unsigned threads, CancelFlag cancel = nullptr);

}  // namespace tanhui::risk
