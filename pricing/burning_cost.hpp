// Burning cost: a policy priced on the historical years as they happened. DESIGN "Premiums".
// replay_fire_years turns a province's fire history into a holding's carbon lost per year
// (tCO2e), trend-adjusted to today as the fire calibration does; burning_cost prices a cover on
// those losses. Used by `tanhui burning-cost` and by `tanhui validate` (docs/products.md,
// docs/validation.md).
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

// One year of a province's fire history: the forest area damaged by fire (ha).
struct DamagedYear {
    int year = 0;
    double forest_damaged_ha = 0;
};

struct FireReplayTerms {
    double trend_per_year = 0;          // b: the calibration's count trend + burned-area trend, per year
    int adjusted_to_year = 0;           // Y: min(policy year, the calibration's last data year)
    double province_forest_area_ha = 0;
    double area_ha = 0;                 // the holding's
    double stock_tco2e_per_ha = 0;      // the holding's
    double loss_fraction = 0;           // carbon lost per burned ha / stock, the holding's forest type
    double flammability = 1;            // the forest type's factor; the burning-cost product leaves it 1
};

struct ReplayedYear {
    int year = 0;
    double forest_damaged_ha = 0;       // D_y
    double trend_factor = 0;            // exp(b (Y - y))
    double adjusted_damaged_ha = 0;     // D_y x trend factor
    double burned_ha = 0;               // min(area, adjusted x share x flammability)
    double loss_tco2e = 0;              // burned x stock density x loss fraction
};

struct FireReplay {
    double share_of_province_forest = 0;  // area / province forest area
    std::vector<ReplayedYear> years;      // in the order of the history given
};

// Year y of the history burns the holding's share of the province's trend-adjusted damaged area,
// capped at its area. Throws InvalidInput ("province_forest_area_ha") unless the forest area is > 0.
FireReplay replay_fire_years(std::span<const DamagedYear> history, const FireReplayTerms& terms);

// The replayed losses of one holding, or a pool's: each year's loss summed over the replays in
// the order given (every replay on the same years). Throws InvalidInput ("replays") otherwise.
std::vector<double> replayed_losses_tco2e(std::span<const FireReplay> replays);

}  // namespace tanhui::pricing
