#include "risk/simulation/event_losses.hpp"

#include "risk/simulation/simulate.hpp"

namespace tanhui::risk {

SimulatedEvents simulate_event_losses(const Book& book, std::uint32_t years, std::uint64_t seed, unsigned threads,
                                      double price, double keep_above_cny, CancelFlag cancel) {
    SimulatedEvents out;
    out.events_cny.resize(years);
    out.annual_cny.assign(years, 0.0);
    Simulation sim;
    sim.years = years;
    sim.seed = seed;
    sim.threads = threads;
    sim.record_events = true;
    sim.cancel = cancel;
    // Each visit writes only its own year's slots: safe from any thread, same bits for any count.
    simulate(book, sim, [&](const YearResult& y) {
        const std::size_t i = y.year - sim.first_year;
        out.annual_cny[i] = y.total_tco2e * price;
        for (const Event& e : y.events) {
            const double cny = e.loss_tco2e * price;
            if (cny > keep_above_cny) out.events_cny[i].push_back(cny);
        }
    });
    return out;
}

}  // namespace tanhui::risk
