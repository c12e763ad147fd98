// Damage valuation for carbon-sink compensation cases (碳汇司法): carbon stock lost plus the
// sequestration forgone until the stand has regrown, in tCO2e, and its replacement cost at a
// market's carbon price. DESIGN "Products" (damage valuation).
#pragma once

#include "risk/model/growth.hpp"
#include "risk/model/model.hpp"

#include <optional>
#include <vector>

namespace tanhui::pricing {

struct PriceQuantile {
    double level = 0;                // in (0, 1), e.g. 0.05 and 0.95 of the price model
    double price_cny_per_tco2e = 0;
};

struct DamageCase {
    risk::GrowthCurve growth;             // undisturbed stand: stock(age), tCO2e/ha
    double age_years = 0;                 // stand age on the damage date
    double damaged_area_ha = 0;
    double stock_loss_fraction = 1;       // share of the stand's carbon lost on the damaged area
    // The regrowing stand (e.g. a replanted species); default the same curve. It resumes from the
    // age at which its curve holds the carbon left standing (0 after a total loss).
    std::optional<risk::GrowthCurve> regrowth{};
    double regrowth_delay_years = 0;      // years before regrowth starts (clearing, replanting)
    double max_recovery_years = 100;      // cap on the recovery period
    double price_median_cny_per_tco2e = 0;
    std::vector<PriceQuantile> price_quantiles{};
};

struct QuantileCost {
    double level = 0;
    double cost_cny = 0;
};

// With U(t) the undisturbed stock t years after the damage and R(t) the regrowing stock, per ha:
//   stock lost                 U(0) - R(0) = fraction x stock(age)
//   recovery period T          first t with R(t) >= U(0) (the stand holds its pre-damage stock
//                              again), at most max_recovery_years (then recovered = false)
//   sequestration forgone      U(T) - U(0): what the undisturbed stand would have taken up over
//                              the recovery period (the regrowth only restores the stock lost)
//   carbon gap                 integral_0^T (U(t) - R(t)) dt, tCO2e-years: the carbon kept out of
//                              the stand, for ton-year accounting (Moura-Costa & Wilson 2000)
// each times the damaged area; total = stock lost + sequestration forgone; replacement cost =
// total x the median price, and total x each price quantile.
struct DamageValuation {
    double stock_lost_tco2e = 0;
    double recovery_years = 0;
    bool recovered = true;
    double sequestration_forgone_tco2e = 0;
    double total_tco2e = 0;
    double carbon_gap_tco2e_years = 0;
    double replacement_cost_cny = 0;
    std::vector<QuantileCost> replacement_cost_range_cny;
};

// The curves are risk/model/growth.hpp's Chapman-Richards stock(age) and its inverse
// (risk::carbon_stock_tco2e_per_ha, risk::age_at_stock_years).
// Throws InvalidInput ("growth.rate_per_year", "age_years", "stock_loss_fraction",
// "price_quantiles[i].level", ...).
DamageValuation value_damage(const DamageCase& c);

}  // namespace tanhui::pricing
