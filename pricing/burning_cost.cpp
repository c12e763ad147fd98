#include "pricing/burning_cost.hpp"

#include "pricing/checks.hpp"

#include <algorithm>
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

FireReplay replay_fire_years(std::span<const DamagedYear> history, const FireReplayTerms& terms) {
    checks::positive(terms.province_forest_area_ha, "province_forest_area_ha");
    FireReplay out;
    out.share_of_province_forest = terms.area_ha / terms.province_forest_area_ha;
    out.years.reserve(history.size());
    for (const DamagedYear& d : history) {
        ReplayedYear y;
        y.year = d.year;
        y.forest_damaged_ha = d.forest_damaged_ha;
        y.trend_factor = std::exp(terms.trend_per_year * static_cast<double>(terms.adjusted_to_year - d.year));
        y.adjusted_damaged_ha = d.forest_damaged_ha * y.trend_factor;
        y.burned_ha = std::min(terms.area_ha, y.adjusted_damaged_ha * out.share_of_province_forest * terms.flammability);
        y.loss_tco2e = y.burned_ha * terms.stock_tco2e_per_ha * terms.loss_fraction;
        out.years.push_back(y);
    }
    return out;
}

std::vector<double> replayed_losses_tco2e(std::span<const FireReplay> replays) {
    std::vector<double> loss(replays.empty() ? 0 : replays.front().years.size(), 0.0);
    for (const FireReplay& r : replays) {
        if (r.years.size() != loss.size())
            checks::fail("replays", "every replay must cover the same years: " + std::to_string(r.years.size()) + " and " +
                                        std::to_string(loss.size()));
        for (std::size_t i = 0; i < loss.size(); ++i) loss[i] += r.years[i].loss_tco2e;
    }
    return loss;
}

}  // namespace tanhui::pricing
