#include "pricing/revenue_insurance.hpp"

#include "pricing/checks.hpp"

#include <algorithm>

namespace tanhui::pricing {

void validate(const RevenueInsuranceTerms& terms) {
    checks::positive(terms.quantity_tco2e, "quantity_tco2e");
    checks::positive(terms.guaranteed_revenue_cny, "guaranteed_revenue_cny");
}

double payout_cny(const RevenueInsuranceTerms& terms, double lost_tco2e, double average_price_cny) {
    const double delivered = std::max(0.0, terms.quantity_tco2e - lost_tco2e);
    return std::max(0.0, terms.guaranteed_revenue_cny - delivered * average_price_cny);
}

}  // namespace tanhui::pricing
