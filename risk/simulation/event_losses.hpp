// Event losses of a simulated portfolio in money at a flat carbon price: the input of a
// per-occurrence reinsurance layer (pricing/layers.hpp) on a portfolio (DESIGN "Products").
#pragma once

#include "risk/simulation/cancel.hpp"

#include <cstdint>
#include <vector>

namespace tanhui::risk {

struct Book;

// Per simulated year (in year order, years 0 .. years - 1 of `seed`) the loss of each event above
// `keep_above_cny` (events at or below it recover nothing from a layer attaching there; infinity
// keeps none), and each year's total; loss in CNY = tCO2e x price_cny_per_tco2e. The same bits
// for any thread count. `cancel`: risk/simulation/cancel.hpp, checked between blocks of years.
struct SimulatedEvents {
    std::vector<std::vector<double>> events_cny;
    std::vector<double> annual_cny;
};
SimulatedEvents simulate_event_losses(const Book& book, std::uint32_t years, std::uint64_t seed, unsigned threads,
                                      double price_cny_per_tco2e, double keep_above_cny, CancelFlag cancel = nullptr);

}  // namespace tanhui::risk
