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
                                               std::uint64_t seed, unsigned threads) {
    const double stock = carbon_stock_tco2e(book);
    if (!(stock > 0)) throw InvalidInput("/holdings", "the project holds no carbon (stock 0 tCO2e)");
    const std::uint64_t total = std::uint64_t{horizon} * paths;
    if (total > 0xffffffffULL) throw InvalidInput("/simulation/paths", "paths x horizon_years must be below 2^32");
    Simulation sim;
    sim.years = static_cast<std::uint32_t>(total);
    sim.seed = seed;
    sim.threads = threads;
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

}  // namespace tanhui::risk
