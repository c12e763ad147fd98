// Burning cost: a policy priced on the historical years as they happened. DESIGN "Premiums".
// The caller replays history into per-year index values (carbon lost on the insured pool, tCO2e),
// trend-adjusted to today as the risk engine's calibration does.
#pragma once

#include "pricing/index_insurance.hpp"
#include "pricing/premium.hpp"

#include <cstddef>
#include <span>
#include <vector>

namespace tanhui::pricing {

struct BurningCost {
    std::size_t years = 0;
    Estimate burning_cost_cny;           // mean payout per year, SE = sd / sqrt(years)
    double std_dev_cny = 0;              // N - 1
    double probability_of_payout = 0;    // share of years that would have paid
    std::vector<double> payouts_cny;     // per historical year, in the order given
};

// From payouts already computed (any product). At least 2 years, each finite and >= 0
// (InvalidInput "payouts_cny[i]").
BurningCost burning_cost(std::span<const double> payouts_cny);
// Index insurance replayed on indexed losses ("loss_tco2e[i]").
BurningCost burning_cost(const PerTonneCover& cover, std::span<const double> indexed_loss_tco2e);
BurningCost burning_cost(const LinearCover& cover, std::span<const double> indexed_loss_tco2e,
                         double carbon_stock_tco2e);

}  // namespace tanhui::pricing
