#include "pricing/burning_cost.hpp"

#include "pricing/checks.hpp"

#include <cmath>
#include <string>

namespace tanhui::pricing {

BurningCost burning_cost(std::span<const double> payouts_cny) {
    if (payouts_cny.size() < 2)
        checks::fail("payouts_cny", "must hold at least 2 years, got " + std::to_string(payouts_cny.size()));
    BurningCost b;
    b.years = payouts_cny.size();
    b.payouts_cny.assign(payouts_cny.begin(), payouts_cny.end());
    const auto n = static_cast<double>(b.years);
    double sum = 0;
    std::size_t paid = 0;
    for (std::size_t i = 0; i < payouts_cny.size(); ++i) {
        checks::non_negative(payouts_cny[i], checks::indexed("payouts_cny", i));
        sum += payouts_cny[i];
        paid += payouts_cny[i] > 0 ? 1 : 0;
    }
    const double mean = sum / n;
    double squares = 0;
    for (const double x : payouts_cny) squares += (x - mean) * (x - mean);
    b.std_dev_cny = std::sqrt(squares / (n - 1));
    b.burning_cost_cny = {mean, b.std_dev_cny / std::sqrt(n)};
    b.probability_of_payout = static_cast<double>(paid) / n;
    return b;
}

BurningCost burning_cost(const PerTonneCover& cover, std::span<const double> indexed_loss_tco2e) {
    return burning_cost(payouts_cny(cover, indexed_loss_tco2e));
}

BurningCost burning_cost(const LinearCover& cover, std::span<const double> indexed_loss_tco2e,
                         double carbon_stock_tco2e) {
    return burning_cost(payouts_cny(cover, indexed_loss_tco2e, carbon_stock_tco2e));
}

}  // namespace tanhui::pricing
