// The price of a market h years after its spot date: its median and quantiles (DESIGN "Products",
// damage valuation). Closed form for GBM and OU without jumps (the log price is normal at h);
// with jumps, Monte Carlo on risk::PricePath with one fixing at h, the quantiles by DESIGN's rule
// (risk/metrics/order_statistics.hpp) and the median's SE from the order statistics around it.
#pragma once

#include "risk/metrics/estimate.hpp"
#include "risk/model/model.hpp"
#include "risk/simulation/cancel.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace tanhui::risk {

enum class PriceAtHorizonMethod : std::uint8_t { closed_form, monte_carlo };

struct PriceAtHorizon {
    PriceAtHorizonMethod method = PriceAtHorizonMethod::closed_form;
    Estimate median;                 // SE 0 for the closed form
    std::vector<double> levels;
    std::vector<double> quantiles;   // one per level
    std::uint32_t paths = 0;         // monte_carlo only
};

// The log price at h is normal without jumps:
//   GBM  mean ln S0 + (drift - vol^2 / 2) h, sd vol sqrt(h);
//   OU   mean theta + (ln S0 - theta) e^(-k h), sd vol sqrt((1 - e^(-2 k h)) / (2 k)); k = 0: ln S0, vol sqrt(h).
// With jumps `paths` simulated prices (path i is PricePath year i of `seed`); the correlation with
// the weather does not change the marginal, so it is dropped. levels each in (0, 1). `cancel`:
// risk/simulation/cancel.hpp, checked every items_per_cancel_check paths.
PriceAtHorizon price_at_horizon(const PriceModel& model, double horizon_years, std::span<const double> levels,
                                std::uint32_t paths, std::uint64_t seed, CancelFlag cancel = nullptr);

}  // namespace tanhui::risk
