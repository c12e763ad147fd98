#include "risk/simulation/weather.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

namespace tanhui::risk {
namespace {

// Gaussian copula of the weather factors: correlation 1 gives one shared factor; 0
// independent ones (the Spearman correlation of the G's is then near 0).
TEST(Weather, CrossRegionCorrelation) {
    const Weather shared({{"35", 2.0}, {"36", 2.0}}, 1.0);
    const Weather independent({{"35", 2.0}, {"36", 2.0}}, 0.0);
    std::vector<double> g(3);
    double sum_product = 0, sum1 = 0, sum2 = 0, ss1 = 0, ss2 = 0;
    const int n = 50'000;
    for (std::uint32_t y = 0; y < n; ++y) {
        shared.draw(5, y, g);
        ASSERT_EQ(g[0], 1.0);
        ASSERT_EQ(g[1], g[2]);
        independent.draw(5, y, g);
        sum1 += g[1];
        sum2 += g[2];
        sum_product += g[1] * g[2];
        ss1 += g[1] * g[1];
        ss2 += g[2] * g[2];
    }
    const double cov = sum_product / n - (sum1 / n) * (sum2 / n);
    const double corr = cov / std::sqrt((ss1 / n - sum1 * sum1 / n / n) * (ss2 / n - sum2 * sum2 / n / n));
    EXPECT_NEAR(corr, 0.0, 4 / std::sqrt(double(n)));
    EXPECT_NEAR(sum1 / n, 1.0, 4 * std::sqrt(0.5 / n));  // mean 1, variance 1/k
}

// The block draw (SIMD across years, in chunks of 256) gives each year's draw() bits, for a
// copula with and without idiosyncratic normals and a region without a factor.
TEST(Weather, BlockDrawHasTheBitsOfTheYearDraw) {
    for (double rho : {0.6, 1.0}) {
        const Weather w({{"35", 2.5}, {"36", 4.0}, {"43", std::numeric_limits<double>::infinity()}}, rho);
        const std::size_t n = 700, stride = w.slots() + 2;
        std::vector<double> z(n), g(n * stride, -1.0), one(w.slots());
        w.draw_block(77, 5'000, n, z.data(), g.data(), stride);
        for (std::size_t k = 0; k < n; ++k) {
            const double zk = w.draw(77, 5'000 + static_cast<std::uint32_t>(k), one);
            ASSERT_EQ(std::memcmp(&zk, &z[k], sizeof(double)), 0) << k;
            ASSERT_EQ(std::memcmp(one.data(), &g[k * stride], w.slots() * sizeof(double)), 0) << k;
            EXPECT_EQ(g[k * stride + 3], 1.0);
            EXPECT_EQ(g[k * stride + w.slots()], -1.0);  // the stride's padding is left alone
        }
    }
}

}  // namespace
}  // namespace tanhui::risk
