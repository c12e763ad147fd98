#include "risk/simulation/reversal.hpp"

#include "data/types.hpp"
#include "risk/simulation/simulate.hpp"

#include <algorithm>

namespace tanhui::risk {

double carbon_stock_tco2e(const Book& book) {
    double stock = 0;
    for (const auto& h : book.holdings) stock += h.area_ha * h.stock_tco2e_per_ha;
    return stock;
}

std::vector<double> cumulative_reversal_shares(const Book& book, std::uint32_t horizon, std::uint32_t paths,
                                               std::uint64_t seed, unsigned threads, CancelFlag cancel) {
    const double stock = carbon_stock_tco2e(book);
    if (!(stock > 0)) throw InvalidInput("/holdings", "the project holds no carbon (stock 0 tCO2e)");
    const std::uint64_t total = std::uint64_t{horizon} * paths;
    if (total > 0xffffffffULL) throw InvalidInput("/simulation/paths", "paths x horizon_years must be below 2^32");
    Simulation sim;
    sim.years = static_cast<std::uint32_t>(total);
    sim.seed = seed;
    sim.threads = threads;
    sim.cancel = cancel;
    std::vector<double> lost(sim.years);
    simulate(book, sim, [&](const YearResult& y) { lost[y.year - sim.first_year] = y.total_tco2e; });
    std::vector<double> shares(paths);
    for (std::uint32_t p = 0; p < paths; ++p) {
        double sum = 0;
        for (std::uint32_t t = 0; t < horizon; ++t) sum += lost[std::size_t{p} * horizon + t];
        shares[p] = std::min(1.0, sum / stock);
    }
    return shares;
}

std::vector<double> cumulative_loss_by_peril(const Book& book, std::uint32_t horizon, std::uint32_t paths, std::uint64_t seed,
                                             unsigned threads, CancelFlag cancel) {
    const std::size_t n = book.perils.size();
    std::vector<double> out(std::size_t{paths} * n, 0.0);
    if (horizon == 0 || paths == 0) return out;
    const std::uint32_t slice = std::max<std::uint32_t>(1, (1u << 20) / horizon);  // paths per simulation
    for (std::uint32_t first = 0; first < paths; first += slice) {
        const std::uint32_t count = std::min(slice, paths - first);
        Simulation sim;
        sim.years = count * horizon;
        sim.first_year = first * horizon;
        sim.seed = seed;
        sim.threads = threads;
        sim.cancel = cancel;
        const std::vector<double> rows = simulate_year_losses(book, sim, true, false).peril_tco2e;
        for (std::uint32_t p = 0; p < count; ++p)
            for (std::uint32_t t = 0; t < horizon; ++t)
                for (std::size_t k = 0; k < n; ++k)
                    out[(std::size_t{first} + p) * n + k] += rows[(std::size_t{p} * horizon + t) * n + k];
    }
    return out;
}

}  // namespace tanhui::risk
