#include "risk/simulation/price_path.hpp"
#include "risk/random/draws.hpp"
#include "tests/risk/sample_moments.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

namespace tanhui::risk {
namespace {

std::vector<double> monthly() {
    std::vector<double> t;
    for (int m = 1; m <= 12; ++m) t.push_back(m / 12.0);
    return t;
}

// Fixing j of `years` simulated years.
std::vector<double> fixing(const PricePath& path, std::size_t j, std::uint32_t years, std::uint64_t seed, bool log = false) {
    std::vector<double> out(path.fixings()), x;
    for (std::uint32_t y = 0; y < years; ++y) {
        path.simulate(seed, y, 0.0, out);
        x.push_back(log ? std::log(out[j]) : out[j]);
    }
    return x;
}

// GBM: E[S_t] = S0 e^(drift t); ln S_t ~ N(ln S0 + (drift - vol^2/2) t, vol^2 t) (Hull, Options,
// Futures and Other Derivatives, 10th ed., eq. 15.3).
TEST(PricePath, GbmMeanAndLogVariance) {
    const PriceModel m{.market = "FJEA", .process = PriceProcess::gbm, .spot = 15.5, .spot_date = "2026-01-01", .drift = 0.05, .volatility = 0.35};
    const PricePath path(m, monthly());
    const Moments s = moments(fixing(path, 11, 200'000, 31));
    EXPECT_NEAR(s.mean, 15.5 * std::exp(0.05), 4 * s.se_mean);
    const Moments l = moments(fixing(path, 5, 200'000, 31, true));
    EXPECT_NEAR(l.mean, std::log(15.5) + (0.05 - 0.5 * 0.35 * 0.35) * 0.5, 4 * l.se_mean);
    EXPECT_NEAR(l.variance, 0.35 * 0.35 * 0.5, 4 * l.se_variance);
}

// OU on the log price: E[X_t] = theta + (x0 - theta) e^(-k t), Var[X_t] = vol^2 (1 - e^(-2 k t)) / (2 k)
// (Schwartz 1997, J. Finance 52(3), eq. 5-6).
TEST(PricePath, OrnsteinUhlenbeckMeanAndVariance) {
    const double k = 1.5, theta = std::log(20.0), vol = 0.4, x0 = std::log(12.0);
    const PriceModel m{.market = "made-up", .process = PriceProcess::ou, .spot = 12, .spot_date = "2026-01-01", .volatility = vol, .mean_reversion = k, .long_run_log_price = theta};
    const PricePath path(m, {0.25, 0.5, 2.0});
    for (std::size_t j : {1u, 2u}) {
        const double t = path.fixing_times_years()[j];
        const Moments l = moments(fixing(path, j, 200'000, 32, true));
        EXPECT_NEAR(l.mean, theta + (x0 - theta) * std::exp(-k * t), 4 * l.se_mean) << "t " << t;
        EXPECT_NEAR(l.variance, vol * vol * (1 - std::exp(-2 * k * t)) / (2 * k), 4 * l.se_variance) << "t " << t;
    }
}

// Merton (1976) jumps, not compensated (model.hpp): under GBM
// E[S_t] = S0 exp((drift + lambda (e^(m + s^2/2) - 1)) t); under OU each jump decays from its
// time, so E[X_t] gains lambda m (1 - e^(-k t)) / k.
TEST(PricePath, MertonJumpMeans) {
    const double lambda = 2, jm = -0.1, js = 0.2;
    const PriceModel gbm{.market = "made-up", .spot = 10, .spot_date = "2026-01-01", .drift = 0.03, .volatility = 0.2, .jump_intensity = lambda, .jump_mean = jm, .jump_std = js};
    const PricePath g(gbm, monthly());
    const Moments s = moments(fixing(g, 11, 200'000, 33));
    EXPECT_NEAR(s.mean, 10 * std::exp(0.03 + lambda * (std::exp(jm + 0.5 * js * js) - 1)), 4 * s.se_mean);

    const double k = 2, theta = std::log(10.0);
    const PriceModel ou{.market = "made-up", .process = PriceProcess::ou, .spot = 10, .spot_date = "2026-01-01", .volatility = 0.2, .mean_reversion = k,
                        .long_run_log_price = theta, .jump_intensity = lambda, .jump_mean = jm, .jump_std = js};
    const PricePath o(ou, {1.0});  // one step: the decay from each jump's time matters
    const Moments l = moments(fixing(o, 0, 200'000, 34, true));
    EXPECT_NEAR(l.mean, theta + lambda * jm * (1 - std::exp(-k)) / k, 4 * l.se_mean);
}

// corr(ln S_T, Z_y) = correlation_with_weather, and ln S_T keeps its GBM variance.
TEST(PricePath, CorrelationWithTheFireWeatherNormal) {
    const double rho = 0.6;
    const PriceModel m{.market = "made-up", .spot = 10, .spot_date = "2026-01-01", .volatility = 0.3, .correlation_with_weather = rho};
    const PricePath path(m, monthly());
    const int n = 100'000;
    std::vector<double> x, z;
    std::vector<double> out(12);
    for (std::uint32_t y = 0; y < n; ++y) {
        const Words w = draw_words(99, 7, y, 0, 0, 0);  // an independent Z_y
        z.push_back(normal_from_words(w[0], w[1]));
        path.simulate(35, y, z.back(), out);
        x.push_back(std::log(out[11]));
    }
    const Moments mx = moments(x), mz = moments(z);
    double cov = 0;
    for (int i = 0; i < n; ++i) cov += (x[i] - mx.mean) * (z[i] - mz.mean);
    const double corr = cov / (n - 1) / std::sqrt(mx.variance * mz.variance);
    EXPECT_NEAR(corr, rho, 4 * (1 - rho * rho) / std::sqrt(double(n)));  // SE of Pearson's r
    EXPECT_NEAR(mx.variance, 0.09, 4 * mx.se_variance);
}

TEST(PricePath, AddressedByYearOnlyAndSameBitsTwice) {
    const PriceModel m{.market = "made-up", .spot = 10, .spot_date = "2026-01-01", .volatility = 0.3, .jump_intensity = 1, .jump_std = 0.1};
    const PricePath path(m, monthly());
    const auto a = path.simulate(40, 17);
    const auto b = path.simulate(40, 17);
    ASSERT_EQ(a.size(), 12u);
    EXPECT_EQ(0, std::memcmp(a.data(), b.data(), a.size() * sizeof(double)));
    EXPECT_NE(a, path.simulate(40, 18));
    EXPECT_NE(a, path.simulate(41, 17));
}

TEST(PricePath, FixingAtZeroIsTheSpotAndTimesMustNotDecrease) {
    const PriceModel m{.market = "made-up", .spot = 12.5, .spot_date = "2026-01-01", .volatility = 0.3};
    EXPECT_DOUBLE_EQ(PricePath(m, {0.0, 0.5}).simulate(1, 1)[0], 12.5);  // exp(ln 12.5)
    EXPECT_THROW(PricePath(m, {0.5, 0.25}), InvalidInput);
    EXPECT_THROW(PricePath(PriceModel{.market = "made-up", .spot = -1, .spot_date = "2026-01-01"}, {0.5}), InvalidInput);
}

}  // namespace
}  // namespace tanhui::risk
