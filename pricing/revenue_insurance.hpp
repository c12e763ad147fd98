// Revenue cover (DESIGN "Products"): quantity and price jointly. The insured expects to sell Q
// tCO2e at the average price A of the fixings; a year's carbon lost L reduces what it can
// deliver, so payout = max(0, guaranteed revenue - max(0, Q - L) x A). The loss comes from the
// simulated perils of its holdings, the fixings from its market's price path in the same year.
#pragma once

#include "pricing/price_insurance.hpp"

#include <string>
#include <vector>

namespace tanhui::pricing {

struct RevenueInsuranceTerms {
    std::string market;
    double quantity_tco2e = 0;           // Q
    double guaranteed_revenue_cny = 0;   // the sum insured
    std::vector<std::string> perils;     // covered perils (risk/perils registry names)
    Fixings fixings;
};

// Throws InvalidInput ("quantity_tco2e", "guaranteed_revenue_cny") for terms out of domain.
void validate(const RevenueInsuranceTerms& terms);

// One year: max(0, guaranteed revenue - max(0, Q - lost) x A), lost >= 0 in tCO2e, A in CNY/tCO2e.
double payout_cny(const RevenueInsuranceTerms& terms, double lost_tco2e, double average_price_cny);

}  // namespace tanhui::pricing
