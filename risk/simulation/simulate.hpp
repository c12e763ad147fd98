// Year-based Monte Carlo (DESIGN "Simulation"): for each simulated year the carbon lost by each
// holding and by each peril, the year's largest single event, and the carbon price at the
// fixings. Every year is a pure function of (book, seed, year): threads take blocks of years,
// any year can be regenerated alone, and results are the same bits for 1 or N threads.
// Memory is bounded: a year's numbers live in per-thread scratch and go to a visitor.
#pragma once

#include "data/types.hpp"
#include "risk/model/model.hpp"
#include "risk/perils/peril.hpp"
#include "risk/perils/registry.hpp"
#include "risk/simulation/cancel.hpp"
#include "risk/simulation/price_path.hpp"
#include "risk/simulation/weather.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace tanhui::risk {

// The price leg of a book: a market's model and the fixing times (years from its spot date).
struct PriceLeg {
    PriceModel model;
    std::vector<double> fixing_times_years;
    std::uint32_t market_number = 0;  // the holding word of its random numbers
};

struct BookOptions {
    std::vector<std::string> perils = default_perils();  // names in risk/perils/registry.cpp, in this order
    ModelOverrides overrides;
    std::optional<PriceLeg> price;
};

// Holdings and perils prepared once; shared read-only by every thread.
struct Book {
    std::vector<PreparedHolding> holdings;
    Weather weather;
    std::vector<std::shared_ptr<const Peril>> perils;
    std::optional<PricePath> price;
};

// Prepares each holding (carbon by risk/model/growth.hpp, its weather region: the longest prefix of
// its region code that is a key of model.weather.year_factor_shape) and the named perils. Draw
// index = position. Throws InvalidInput naming the field ("holdings/3/region", "model/fire/35/...").
Book prepare_book(const Model& model, std::span<const Holding> holdings, const BookOptions& options = {});

struct Simulation {
    std::uint32_t years = 10'000;
    std::uint64_t seed = 1;
    std::uint32_t first_year = 0;  // simulate years first_year .. first_year + years - 1 (split runs)
    unsigned threads = 0;          // 0: std::thread::hardware_concurrency()
    bool record_events = false;    // fill YearResult::events
    // When set, checked before each block of years: once true, the run stops within a block and
    // throws Cancelled (a server whose client hung up, or whose deadline passed). No effect on
    // the numbers of a run that is not cancelled.
    CancelFlag cancel = nullptr;  // risk/simulation/cancel.hpp
};

// Threads take blocks of this many consecutive years (counted from first_year) and run each
// block in year order; reductions are done per block and combined in block order.
inline constexpr std::uint32_t years_per_block = 256;

// One simulated year, as views into the simulating thread's scratch: valid during the visit.
struct YearResult {
    std::uint32_t year = 0;
    std::span<const double> loss_tco2e;        // by holding, book order, all perils
    std::span<const double> peril_loss_tco2e;  // by peril, book order
    double total_tco2e = 0;                    // sum of loss_tco2e in holding order
    double max_event_tco2e = 0;                // the year's largest single event (OEP)
    std::uint64_t event_count = 0;
    std::span<const Event> events;             // only with Simulation::record_events
    std::span<const double> price_fixings;     // when the book has a price leg
    double weather_normal = 0;                 // Z_y
    std::span<const double> weather;           // G by weather slot
};

// Calls visit once for each year. It is called from several threads at once, for different
// years (write to a slot per year, or use simulate_reduce); within a block, years come in
// order on one thread. The first exception thrown stops the run and is rethrown here.
using YearVisitor = std::function<void(const YearResult&)>;
void simulate(const Book& book, const Simulation& sim, const YearVisitor& visit);

inline std::size_t block_count(const Simulation& sim) {
    return (std::size_t{sim.years} + years_per_block - 1) / years_per_block;
}
inline std::size_t block_of(const Simulation& sim, std::uint32_t year) {
    return (year - sim.first_year) / years_per_block;
}

// A thread-count-independent reduction: add(acc, year) into one accumulator per block (years in
// order), then combine(total, block_acc) in block order, starting from init.
template <class Acc, class Add, class Combine>
Acc simulate_reduce(const Book& book, const Simulation& sim, const Acc& init, Add add, Combine combine) {
    std::vector<Acc> partial(block_count(sim), init);
    simulate(book, sim, [&](const YearResult& y) { add(partial[block_of(sim, y.year)], y); });
    Acc total = init;
    for (const Acc& p : partial) combine(total, p);
    return total;
}

// One year regenerated alone (Euler allocation of tail years, audit of a quote): the same
// numbers as that year inside any full run with the same book and seed.
struct YearOutcome {
    std::uint32_t year = 0;
    std::vector<double> loss_tco2e;
    std::vector<double> peril_loss_tco2e;
    double total_tco2e = 0;
    double max_event_tco2e = 0;
    std::uint64_t event_count = 0;
    std::vector<Event> events;
    std::vector<double> price_fixings;
    double weather_normal = 0;
    std::vector<double> weather;
};
YearOutcome simulate_year(const Book& book, std::uint64_t seed, std::uint32_t year, bool record_events = true);

// Per-year totals of the book, index = year - first_year: the input of risk/metrics/metrics.hpp.
// With by_peril, also each peril's loss (YearResult::peril_loss_tco2e): peril_tco2e[i * perils + p].
// Without largest_events, max_event_tco2e stays empty (a cover on the year's total, which needs
// no occurrence figures, skips a pass over the events and a row a year).
struct YearLosses {
    std::vector<double> total_tco2e;
    std::vector<double> max_event_tco2e;  // only with largest_events
    std::vector<double> peril_tco2e;      // only with by_peril
};
YearLosses simulate_year_losses(const Book& book, const Simulation& sim, bool by_peril = false, bool largest_events = true);

// Euler TVaR contribution of each holding at `level` (risk/metrics/metrics.hpp, euler_contributions):
// regenerates the tail years of annual_total_tco2e (from simulate_year_losses with the same
// book and sim) and returns one value per holding; they sum to the portfolio TVaR.
std::vector<double> euler_tvar_tco2e(const Book& book, const Simulation& sim,
                                     std::span<const double> annual_total_tco2e, double level);

}  // namespace tanhui::risk
