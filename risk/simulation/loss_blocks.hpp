// The book's losses a block of years at a time (risk/simulation/simulate.hpp's block path, for
// consumers that need each holding's loss of every year, as the stochastic sink does).
#pragma once

#include "risk/simulation/simulate.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>

namespace tanhui::risk {

// Years first_year .. first_year + years - 1, one block of years_per_block (counted from
// Simulation::first_year): loss_tco2e[k * holdings + h] the same bits as YearResult::loss_tco2e
// of year first_year + k, total_tco2e[k] as YearResult::total_tco2e, weather_normal[k] as
// YearResult::weather_normal (Z), weather[k * weather_slots + s] as YearResult::weather (G);
// when asked for (by_peril), peril_tco2e[k * perils + p] as YearLosses::peril_tco2e, else empty.
// Valid during the visit.
struct LossBlock {
    std::uint32_t first_year = 0;
    std::size_t years = 0;
    std::span<const double> loss_tco2e;
    std::span<const double> total_tco2e;
    std::span<const double> weather_normal;
    std::span<const double> weather;
    std::size_t weather_slots = 1;
    std::span<const double> peril_tco2e;
    // When asked for (forgone_growth), forgone_growth[k * holdings + h]: the growth the book's
    // perils that reduce growth took from holding h in year first_year + k (Peril::
    // add_forgone_growth, the perils added in book order; 0 where none), else empty. A peril with
    // a block path computes it in the same pass over its outbreaks as the losses.
    std::span<const double> forgone_growth;
};
// Calls visit once for each block, from several threads at once (one block each); the same
// blocks for any thread count. The first exception stops the run and is rethrown here.
using LossBlockVisitor = std::function<void(const LossBlock&)>;
void simulate_loss_blocks(const Book& book, const Simulation& sim, const LossBlockVisitor& visit, bool by_peril = false,
                          bool forgone_growth = false);

}  // namespace tanhui::risk
