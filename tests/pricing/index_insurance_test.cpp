// Index insurance payouts (DESIGN "Products") and their premiums.
#include "pricing/index_insurance.hpp"

#include "data/types.hpp"
#include "pricing/premium.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <stdexcept>
#include <vector>

namespace tanhui::pricing {
namespace {

// The Longyan-style example of DESIGN's JSON contract: 20 CNY/tCO2e, limit 20 million.
const PerTonneCover longyan{.price_cny_per_tco2e = 20, .deductible_tco2e = 1'000, .limit_cny = 2e7};
const LinearCover linear{.sum_insured_cny = 6e6, .trigger = 0.05, .exit = 0.5};

TEST(IndexPayout, PerTonneFormula) {
    EXPECT_EQ(payout_cny(longyan, 0), 0.0);
    EXPECT_EQ(payout_cny(longyan, 1'000), 0.0);                 // at the deductible
    EXPECT_DOUBLE_EQ(payout_cny(longyan, 1'500), 500.0 * 20);   // (L - d) x price
    EXPECT_DOUBLE_EQ(payout_cny(longyan, 1'001'000), 2e7);      // exactly the limit
    EXPECT_DOUBLE_EQ(payout_cny(longyan, 5e6), 2e7);            // capped
    const PerTonneCover unlimited{.price_cny_per_tco2e = 20};
    EXPECT_DOUBLE_EQ(payout_cny(unlimited, 3e6), 6e7);          // no limit given: none applies
}

TEST(IndexPayout, LinearFormula) {
    EXPECT_EQ(payout_cny(linear, 0.0), 0.0);
    EXPECT_EQ(payout_cny(linear, 0.05), 0.0);                   // at the trigger
    EXPECT_DOUBLE_EQ(payout_cny(linear, 0.275), 3e6);           // halfway
    EXPECT_DOUBLE_EQ(payout_cny(linear, 0.5), 6e6);             // at the exit
    EXPECT_DOUBLE_EQ(payout_cny(linear, 0.9), 6e6);
    EXPECT_DOUBLE_EQ(loss_ratio(30, 300), 0.1);
    EXPECT_DOUBLE_EQ(loss_ratio(600, 300), 1.0);                // cannot lose more than the stock
}

TEST(IndexPayout, RisesWithTheLossAndStaysWithinTheCover) {
    const double stock_tco2e = 2'000 * 150.0;  // 2,000 ha at 150 tCO2e/ha
    const PerTonneCover small_limit{.price_cny_per_tco2e = 20, .deductible_tco2e = 500, .limit_cny = 1e6};
    for (const PerTonneCover& c : {longyan, small_limit}) {
        double previous = 0;
        for (double loss = 0; loss <= stock_tco2e; loss += 997) {
            const double p = payout_cny(c, loss);
            EXPECT_GE(p, previous) << loss;
            EXPECT_LE(p, c.limit_cny);
            EXPECT_LE(p, sum_insured_cny(c, stock_tco2e));
            EXPECT_LE(p, max_payout_cny(c, stock_tco2e));
            previous = p;
        }
    }
    double previous = 0;
    for (double ratio = 0; ratio <= 1; ratio += 0.001) {
        const double p = payout_cny(linear, ratio);
        EXPECT_GE(p, previous) << ratio;
        EXPECT_LE(p, sum_insured_cny(linear));
        previous = p;
    }
}

TEST(IndexPayout, SumInsuredAndVectors) {
    EXPECT_DOUBLE_EQ(sum_insured_cny(longyan, 300'000), 6e6);  // stock x agreed price
    EXPECT_DOUBLE_EQ(max_payout_cny(longyan, 300'000), (300'000 - 1'000) * 20.0);
    EXPECT_DOUBLE_EQ(max_payout_cny(longyan, 3e6), 2e7);
    EXPECT_DOUBLE_EQ(sum_insured_cny(linear), 6e6);
    const std::vector<double> losses = {0, 1'500, 2e6};
    EXPECT_EQ(payouts_cny(longyan, losses), (std::vector<double>{0, 10'000, 2e7}));
    const auto l = payouts_cny(linear, std::vector<double>{0, 82'500, 300'000}, 300'000);
    ASSERT_EQ(l.size(), 3u);
    EXPECT_EQ(l[0], 0.0);
    EXPECT_NEAR(l[1], 3e6, 1e-6);  // loss ratio 0.275: halfway from trigger to exit
    EXPECT_EQ(l[2], 6e6);
}

// Poisson fire counts, each fire burning a fixed area: L = N a s f with N ~ Poisson(lambda).
// Without deductible or limit the per-tonne payout is linear, E = lambda a s f price, and
// P(payout > 0) = 1 - e^-lambda (Klugman, Panjer & Willmot, Loss Models, sec. 9.3).
TEST(IndexPremium, PoissonFixedAreaClosedForm) {
    const double lambda = 0.2, area_ha = 30, stock = 150, fraction = 0.6, price = 20;
    std::mt19937_64 rng(20270101);
    std::poisson_distribution<int> fires(lambda);
    std::vector<double> loss(200'000);
    for (auto& l : loss) l = fires(rng) * area_ha * stock * fraction;
    const PerTonneCover cover{.price_cny_per_tco2e = price};
    const auto payouts = payouts_cny(cover, loss);
    const auto q = quote_premium(payouts, sum_insured_cny(cover, 2'000 * stock), {}, std::vector<double>{});
    EXPECT_NEAR(q.pure_premium_cny, lambda * area_ha * stock * fraction * price, 4 * q.pure_premium_se_cny);
    EXPECT_NEAR(q.probability_of_payout, 1 - std::exp(-lambda), 4 * q.probability_of_payout_se);
}

// On one table of simulated losses: premiums fall as the deductible or the trigger rises.
TEST(IndexPremium, MonotoneInDeductibleAndTrigger) {
    std::mt19937_64 rng(5);
    std::lognormal_distribution<double> severity(7.0, 1.5);
    std::bernoulli_distribution fire(0.3);
    std::vector<double> loss(20'000);
    for (auto& l : loss) l = fire(rng) ? std::min(300'000.0, severity(rng)) : 0.0;
    const PremiumTerms terms{.principle = Principle::std_dev, .parameter = 0.25, .expense_ratio = 0.2};
    double previous = INFINITY;
    for (const double deductible : {0.0, 100.0, 500.0, 1'000.0, 5'000.0, 20'000.0}) {
        const PerTonneCover c{.price_cny_per_tco2e = 20, .deductible_tco2e = deductible, .limit_cny = 2e6};
        const double gross = quote_premium(payouts_cny(c, loss), 6e6, terms, std::vector<double>{}).gross_premium_cny;
        EXPECT_LT(gross, previous) << "deductible " << deductible;
        previous = gross;
    }
    previous = INFINITY;
    for (const double trigger : {0.0, 0.001, 0.005, 0.01, 0.02}) {
        const LinearCover c{.sum_insured_cny = 6e6, .trigger = trigger, .exit = 0.1};
        const double gross =
            quote_premium(payouts_cny(c, loss, 300'000), 6e6, terms, std::vector<double>{}).gross_premium_cny;
        EXPECT_LT(gross, previous) << "trigger " << trigger;
        previous = gross;
    }
}

std::string field_of(const auto& f) {
    try {
        f();
    } catch (const InvalidInput& e) {
        return e.field();
    }
    return "<no throw>";
}

TEST(IndexValidation, NamesTheBadField) {
    EXPECT_EQ(field_of([] { validate(PerTonneCover{.price_cny_per_tco2e = -1}); }), "price_cny_per_tco2e");
    EXPECT_EQ(field_of([] { validate(PerTonneCover{.price_cny_per_tco2e = NAN}); }), "price_cny_per_tco2e");
    EXPECT_EQ(field_of([] { validate(PerTonneCover{.price_cny_per_tco2e = 20, .deductible_tco2e = -5}); }),
              "deductible_tco2e");
    EXPECT_EQ(field_of([] { validate(PerTonneCover{.price_cny_per_tco2e = 20, .limit_cny = NAN}); }), "limit_cny");
    EXPECT_EQ(field_of([] { validate(LinearCover{.sum_insured_cny = -1}); }), "sum_insured_cny");
    EXPECT_EQ(field_of([] { validate(LinearCover{.sum_insured_cny = 1, .trigger = 0.5, .exit = 0.5}); }), "exit");
    EXPECT_EQ(field_of([] { validate(LinearCover{.sum_insured_cny = 1, .trigger = 0.5, .exit = 0.2}); }), "exit");
    EXPECT_EQ(field_of([] { validate(LinearCover{.sum_insured_cny = 1, .trigger = -0.1, .exit = 0.2}); }), "trigger");
    EXPECT_EQ(field_of([] { validate(LinearCover{.sum_insured_cny = 1, .trigger = 0.1, .exit = 1.5}); }), "exit");
    EXPECT_EQ(field_of([] { payouts_cny(longyan, std::vector<double>{1, -1}); }), "loss_tco2e[1]");
    EXPECT_EQ(field_of([] { payouts_cny(linear, std::vector<double>{1}, 0); }), "carbon_stock_tco2e");
    try {
        validate(LinearCover{.sum_insured_cny = 1, .trigger = 0.3, .exit = 0.25});
    } catch (const InvalidInput& e) {
        EXPECT_NE(std::string(e.what()).find("0.25"), std::string::npos) << e.what();
    }
}

// The batch of a quote's years is the year-by-year payout, bit for bit, in both forms, with and
// without a franchise (a loss just below, at and above it).
TEST(IndexPayout, ThePayoutsOfAllYearsAreEachYearsPayout) {
    std::mt19937_64 rng(20261207);
    std::lognormal_distribution<double> size(6, 2);
    std::vector<double> loss(5000);
    for (auto& x : loss) x = rng() % 3 == 0 ? 0.0 : size(rng);
    loss[1] = 500;
    loss[2] = std::nextafter(500.0, 0.0);
    for (const double franchise : {0.0, 500.0}) {
        for (const IndexForm form : {IndexForm::per_tonne, IndexForm::linear}) {
            IndexPolicy p;
            p.form = form;
            p.per_tonne = longyan;
            p.linear = linear;
            p.carbon_stock_tco2e = 2e4;
            p.franchise_tco2e = franchise;
            std::vector<double> out(loss.size());
            payouts_cny(p, loss, out);
            for (std::size_t i = 0; i < loss.size(); ++i) ASSERT_EQ(out[i], payout_cny(p, loss[i])) << i;
            if (franchise > 0) {
                EXPECT_EQ(out[2], 0.0);
            }
        }
    }
    std::vector<double> too_few(2);
    EXPECT_THROW(payouts_cny(IndexPolicy{}, loss, too_few), std::logic_error);
}

}  // namespace
}  // namespace tanhui::pricing

namespace tanhui::pricing {
namespace {

// The agreed terms on a pool: per_tonne's sum insured is stock x price and its limit defaults to
// the sum insured; linear needs its sum insured; a pool without carbon is named.
TEST(IndexPolicy, FillsTheSumInsuredAndTheLimit) {
    IndexInsuranceTerms t;
    t.price_cny_per_tco2e = 20;
    t.deductible_tco2e = 500;
    const IndexPolicy p = index_policy(t, 300'000);
    EXPECT_DOUBLE_EQ(p.sum_insured_cny, 6e6);
    EXPECT_DOUBLE_EQ(p.per_tonne.limit_cny, 6e6);
    t.limit_cny = 2e6;
    EXPECT_DOUBLE_EQ(index_policy(t, 300'000).per_tonne.limit_cny, 2e6);
    try {
        index_policy(t, 0);
        FAIL() << "no error";
    } catch (const InvalidInput& e) {
        EXPECT_EQ(e.field(), "holdings");
    }
    IndexInsuranceTerms l;
    l.form = IndexForm::linear;
    l.trigger = 0.05;
    l.exit = 0.5;
    EXPECT_THROW(index_policy(l, 1000), InvalidInput);
    l.sum_insured_cny = 6e6;
    EXPECT_DOUBLE_EQ(index_policy(l, 1000).sum_insured_cny, 6e6);
}

// The per-year payout of a policy is the vector form's, number for number.
TEST(IndexPolicy, PayoutIsTheVectorFormsYearByYear) {
    const std::vector<double> losses{0, 10, 400, 700, 5000, 1e6};
    IndexInsuranceTerms t;
    t.price_cny_per_tco2e = 20;
    t.deductible_tco2e = 500;
    const IndexPolicy p = index_policy(t, 300'000);
    const auto v = payouts_cny(p.per_tonne, losses);
    for (std::size_t i = 0; i < losses.size(); ++i) EXPECT_EQ(payout_cny(p, losses[i]), v[i]);
    t.form = IndexForm::linear;
    t.sum_insured_cny = 6e6;
    t.trigger = 0.001;
    t.exit = 0.01;
    const IndexPolicy q = index_policy(t, 300'000);
    const auto w = payouts_cny(q.linear, losses, 300'000);
    for (std::size_t i = 0; i < losses.size(); ++i) EXPECT_EQ(payout_cny(q, losses[i]), w[i]);
    EXPECT_EQ(parse_index_form("linear"), IndexForm::linear);
    EXPECT_EQ(parse_index_form("flat"), std::nullopt);
    EXPECT_EQ(to_string(IndexForm::per_tonne), "per_tonne");
}

}  // namespace
}  // namespace tanhui::pricing
