// Issue 19's price families: the noise-corrected volatility recovers the efficient price's
// volatility from simulated thin trading with bid-ask bounce, where the plain GBM fit takes the
// bounce for volatility; the Student-t fit recovers its degrees of freedom.
#include "risk/calibration/price.hpp"

#include "risk/calibration/price_law.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace tanhui::risk {
namespace {

// Thin trading: a trade on each business day with probability 0.4 (gaps of days to weeks), the
// efficient log price a GBM, each trade's log close off it by N(0, noise_sd^2) (bounce).
LogPriceSeries thin_trading(double vol, double noise_sd, std::size_t trades, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> z(0, 1);
    std::bernoulli_distribution trade(0.4);
    LogPriceSeries s;
    double x = std::log(20.0), day = 0, last = 0;
    s.t_years.push_back(0);
    s.log_price.push_back(x + noise_sd * z(rng));
    while (s.t_years.size() < trades) {
        day += (static_cast<long>(day) % 7 == 4) ? 3 : 1;
        if (!trade(rng)) continue;
        const double h = (day - last) / 365.0;
        x += -vol * vol / 2 * h + vol * std::sqrt(h) * z(rng);
        last = day;
        s.t_years.push_back(day / 365.0);
        s.log_price.push_back(x + noise_sd * z(rng));
    }
    s.last_close = std::exp(s.log_price.back());
    return s;
}

}  // namespace

TEST(PriceFamilies, NoiseCorrectedVolatilityRecoversTheEfficientPrices) {
    const double vol = 0.35, noise = 0.03;
    const LogPriceSeries s = thin_trading(vol, noise, 3000, 7);
    const PriceFit plain = fit_gbm(s, "SIM");
    const PriceFit noisy = fit_noisy(s, "SIM", PriceProcess::gbm);
    EXPECT_GT(plain.model.volatility, 1.4 * vol);  // the bounce taken for volatility
    EXPECT_NEAR(noisy.model.volatility, vol, 0.1 * vol);
    EXPECT_NEAR(noisy.model.noise_sd, noise, 0.15 * noise);
    EXPECT_EQ(noisy.report.family, "gbm_noise");
    // Without bounce the noise term goes to (near) zero and the volatility stays.
    const PriceFit clean = fit_noisy(thin_trading(vol, 0.0, 3000, 8), "SIM", PriceProcess::gbm);
    EXPECT_NEAR(clean.model.volatility, vol, 0.1 * vol);
    EXPECT_LT(clean.model.noise_sd, 0.01);
}

TEST(PriceFamilies, StudentTFitRecoversItsTail) {
    PriceModel truth;
    truth.spot = 30;
    truth.volatility = 0.4;
    truth.tail_dof = 4;
    std::mt19937_64 rng(11);
    std::uniform_real_distribution<double> u(1e-12, 1 - 1e-12);
    LogPriceSeries s;
    double x = std::log(30.0);
    for (int i = 0; i < 4000; ++i) {
        s.t_years.push_back(i / 250.0);
        s.log_price.push_back(x);
        x += step_law(truth, x, 1 / 250.0).quantile(u(rng));
    }
    s.last_close = std::exp(s.log_price.back());
    const PriceFit f = fit_student_t(s, "SIM", PriceProcess::gbm);
    EXPECT_NEAR(f.model.tail_dof, 4, 1.0);
    EXPECT_NEAR(f.model.volatility, 0.4, 0.04);
    EXPECT_EQ(price_families().size(), 8u);
    EXPECT_THROW(fit_price_family(s, "SIM", "nig"), InvalidInput);
}

TEST(PriceFamilies, StepLawQuantileInvertsItsCdf) {
    StepLaw law;
    law.mean = 0.01;
    law.variance = 0.04;
    for (const double dof : {0.0, 3.0}) {
        law.dof = dof;
        for (const double lambda : {0.0, 0.7}) {
            law.jump_count_mean = lambda;
            law.jump_mean = -0.1;
            law.jump_var = 0.01;
            for (const double p : {0.01, 0.05, 0.5, 0.99}) EXPECT_NEAR(law.cdf(law.quantile(p)), p, 1e-7);  // I_x(a, b) to ~1e-8
        }
    }
}

}  // namespace tanhui::risk
