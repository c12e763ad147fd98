// Revenue cover payout max(0, G - max(0, Q - L) A) (pricing/revenue_insurance.hpp) by hand and
// its invariants: it rises with the carbon lost and falls with the price.
#include "pricing/revenue_insurance.hpp"

#include "data/types.hpp"

#include <gtest/gtest.h>

namespace tanhui::pricing {
namespace {

RevenueInsuranceTerms sanming() {
    RevenueInsuranceTerms t;
    t.market = "FJEA";
    t.quantity_tco2e = 30'000;
    t.guaranteed_revenue_cny = 400'000;
    return t;
}

TEST(RevenuePayout, ByHand) {
    const auto t = sanming();
    EXPECT_EQ(payout_cny(t, 0, 15), 0.0);                       // 450,000 delivered value > G
    EXPECT_DOUBLE_EQ(payout_cny(t, 0, 12), 400'000 - 360'000.0);
    EXPECT_DOUBLE_EQ(payout_cny(t, 10'000, 15), 400'000 - 300'000.0);
    EXPECT_DOUBLE_EQ(payout_cny(t, 30'000, 15), 400'000.0);      // nothing left to deliver: G
    EXPECT_DOUBLE_EQ(payout_cny(t, 50'000, 15), 400'000.0);      // more lost than Q: still G
}

TEST(RevenuePayout, RisesWithTheLossAndFallsWithThePrice) {
    const auto t = sanming();
    for (double a : {5.0, 10.0, 13.0, 20.0}) {
        double last = -1;
        for (double lost = 0; lost <= 40'000; lost += 2'500) {
            const double p = payout_cny(t, lost, a);
            EXPECT_GE(p, last);
            EXPECT_LE(p, t.guaranteed_revenue_cny);
            last = p;
        }
    }
    double last = 1e300;
    for (double a = 0; a <= 30; a += 0.5) {
        const double p = payout_cny(t, 5'000, a);
        EXPECT_LE(p, last);
        last = p;
    }
}

TEST(RevenueTerms, Validation) {
    auto t = sanming();
    EXPECT_NO_THROW(validate(t));
    t.guaranteed_revenue_cny = 0;
    EXPECT_THROW(validate(t), InvalidInput);
}

}  // namespace
}  // namespace tanhui::pricing
