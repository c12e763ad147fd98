#include "risk/random/draws.hpp"
#include "risk/random/batch.hpp"
#include "risk/random/beta_batch.hpp"
#include "tests/risk/sample_moments.hpp"

#include <boost/math/special_functions/gamma.hpp>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <set>
#include <utility>
#include <vector>

namespace tanhui::risk {
namespace {

// Random123 1.14, tests/kat_vectors, the three "philox4x32 10" lines
// (github.com/DEShawResearch/random123): counter (4 words), key (2 words), expected output.
// The counter and key are spread over draw_words' arguments as the address layout says, so the
// layout (key = seed low, seed high; counter = year, holding, peril << 16 | block, stream) is
// checked too.
TEST(Philox, KnownAnswerVectorsOfRandom123) {
    struct Row {
        std::uint32_t ctr[4];
        std::uint32_t key[2];
        std::uint32_t expected[4];
    };
    const Row rows[] = {
        {{0x00000000, 0x00000000, 0x00000000, 0x00000000}, {0x00000000, 0x00000000},
         {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
        {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, {0xffffffff, 0xffffffff},
         {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
        {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0},
         {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
    };
    for (const Row& r : rows) {
        const std::uint64_t seed = (std::uint64_t{r.key[1]} << 32) | r.key[0];
        const Words w = draw_words(seed, r.ctr[3], r.ctr[0], r.ctr[1], static_cast<std::uint16_t>(r.ctr[2] >> 16),
                                   static_cast<std::uint16_t>(r.ctr[2] & 0xffff));
        for (int i = 0; i < 4; ++i) EXPECT_EQ(w[i], r.expected[i]) << "word " << i;
    }
}

TEST(Philox, SameAddressSameBitsAndEachFieldMatters) {
    const Words a = draw_words(20270101, 0, 7, 42, 1, 0);
    EXPECT_EQ(a, draw_words(20270101, 0, 7, 42, 1, 0));
    std::set<Words> seen{a};
    seen.insert(draw_words(20270102, 0, 7, 42, 1, 0));
    seen.insert(draw_words(20270101 + (std::uint64_t{1} << 32), 0, 7, 42, 1, 0));
    seen.insert(draw_words(20270101, 1, 7, 42, 1, 0));
    seen.insert(draw_words(20270101, 0, 8, 42, 1, 0));
    seen.insert(draw_words(20270101, 0, 7, 43, 1, 0));
    seen.insert(draw_words(20270101, 0, 7, 42, 2, 0));
    seen.insert(draw_words(20270101, 0, 7, 42, 1, 1));
    EXPECT_EQ(seen.size(), 8u);
    const DrawAddress at{20270101, Stream::holding_perils, 7, 42, 1};
    EXPECT_EQ(at(0), a);
}

TEST(Uniforms, NeverZeroOrOne) {
    EXPECT_GT(uniform32(0), 0.0);
    EXPECT_LT(uniform32(0xffffffffu), 1.0);
    EXPECT_EQ(uniform32(0), 0x1p-33);
    EXPECT_GT(uniform52(0, 0), 0.0);
    EXPECT_LT(uniform52(0xffffffffu, 0xffffffffu), 1.0);
    EXPECT_EQ(uniform52(0, 0), 0x1p-53);
    // 1 - u is exact: u + (1 - u) == 1 and (1 - u) is the mirror image of u.
    const double u = uniform52(0xffffffffu, 0xffffffffu);
    EXPECT_EQ(1.0 - u, 0x1p-53);
    // 10^6 draws of the words: the mean of uniform32 is 1/2 within 4 SE (SE = sqrt(1/12 / n)).
    double sum = 0;
    const int n = 250'000;
    for (int i = 0; i < n; ++i) {
        const Words w = draw_words(3, 0, static_cast<std::uint32_t>(i), 0, 1, 0);
        for (std::uint32_t x : w) {
            const double v = uniform32(x);
            ASSERT_GT(v, 0.0);
            ASSERT_LT(v, 1.0);
            sum += v;
        }
    }
    EXPECT_NEAR(sum / (4.0 * n), 0.5, 4 * std::sqrt(1.0 / 12 / (4.0 * n)));
}

TEST(WordThreshold, ProbabilityIsThresholdOverTwoTo32) {
    EXPECT_EQ(word_threshold(0), 0u);
    EXPECT_EQ(word_threshold(-1), 0u);
    EXPECT_EQ(word_threshold(std::nan("")), 0u);
    EXPECT_EQ(word_threshold(1), std::uint64_t{1} << 32);
    EXPECT_EQ(word_threshold(0.5), std::uint64_t{1} << 31);
    EXPECT_EQ(word_threshold(0.25), std::uint64_t{1} << 30);
}

// Phi by glibc's erfc, independently of AS 241; and two published quantiles.
TEST(NormalQuantile, InvertsErfcAndMatchesPublishedValues) {
    EXPECT_EQ(normal_quantile_as241(0.5), 0.0);
    EXPECT_NEAR(normal_quantile_as241(0.975), 1.959963984540054, 1e-15);  // Abramowitz & Stegun 26.2
    EXPECT_NEAR(normal_quantile_as241(0.995), 2.5758293035489004, 1e-14);
    for (double p : {1e-300, 1e-20, 1e-10, 1e-5, 0.001, 0.02, 0.1, 0.3, 0.4999, 0.6, 0.9, 0.99, 0.999999}) {
        const double z = normal_quantile_as241(p);
        const double back = 0.5 * std::erfc(-z / std::sqrt(2.0));
        EXPECT_NEAR(back / p, 1.0, 1e-13) << "p " << p;
        if (p >= 1e-5) {  // 1 - p is only exact enough for the mirror test away from 0
            EXPECT_NEAR(normal_quantile_as241(1 - p), -z, 1e-9 * std::max(1.0, std::fabs(z))) << "p " << p;
        }
    }
}

// P(N <= n) = Q(n + 1, mean), the regularised upper incomplete gamma (Boost), independently of
// the summation inside poisson_inversion.
// The SIMD batch of normals (central branch for all, tails one by one) has the bits of the
// scalar AS 241 on every draw, tails included, whichever clone the machine runs.
TEST(NormalQuantile, BatchHasTheBitsOfTheScalarFunction) {
    const std::size_t n = 1'000'003;  // not a multiple of any vector width or batch size
    std::vector<std::uint32_t> hi(n), lo(n);
    for (std::size_t k = 0; k < n; ++k) {
        const Words w = draw_words(99, 0, static_cast<std::uint32_t>(k), 7, 1, 0);
        hi[k] = w[0];
        lo[k] = w[1];
    }
    // The extreme words: u = 2^-53 and 1 - 2^-53, beyond the 5-sigma switch of AS 241.
    hi[0] = lo[0] = 0;
    hi[1] = lo[1] = 0xffffffffu;
    std::vector<double> batch(n);
    normals_from_words(hi.data(), lo.data(), n, batch.data());
    std::size_t tails = 0;
    for (std::size_t k = 0; k < n; ++k) {
        const double scalar = normal_from_words(hi[k], lo[k]);
        ASSERT_EQ(std::memcmp(&scalar, &batch[k], sizeof(double)), 0) << k;
        tails += std::fabs(scalar) > 1.28 ? 1 : 0;  // beyond |p - 1/2| = 0.4
    }
    EXPECT_GT(tails, n / 10);
    EXPECT_LT(batch[0], -8.0);
    EXPECT_GT(batch[1], 8.0);
}

// The per-year batches of words are the words of the single addresses.
TEST(Philox, WordsOverYearsAreTheAddressedWords) {
    const std::size_t n = 300;
    std::vector<std::uint32_t> occ(n), hi(n), lo(n), w0(n), w1(n), w2(n), year(n), holding(n);
    occurrence_words_over_years(12345, 1000, n, PerilId::pest, 42, occ.data());
    word_pairs_over_years(12345, Stream::weather, 1000, n, 35, PerilId::fire, 0, hi.data(), lo.data());
    for (std::size_t k = 0; k < n; ++k) {
        year[k] = static_cast<std::uint32_t>(7 * k);
        holding[k] = static_cast<std::uint32_t>(k % 5);
    }
    words_at(12345, Stream::holding_perils, PerilId::pest, 9, year.data(), holding.data(), n, w0.data(), w1.data(), w2.data());
    for (std::size_t k = 0; k < n; ++k) {
        const auto y = static_cast<std::uint32_t>(1000 + k);
        EXPECT_EQ(occ[k], draw_words(12345, 0, y, 42, 2, 0)[0]);
        const Words w = draw_words(12345, 1, y, 35, 1, 0);
        EXPECT_EQ(hi[k], w[0]);
        EXPECT_EQ(lo[k], w[1]);
        const Words v = draw_words(12345, 0, year[k], holding[k], 2, 9);
        EXPECT_EQ(w0[k], v[0]);
        EXPECT_EQ(w1[k], v[1]);
        EXPECT_EQ(w2[k], v[2]);
    }
}

// A block's occurrence words, year-major over its holdings, are the addressed words, for one
// holding (written straight out) and for several (gathered through a column).
TEST(Philox, OccurrenceWordsBlockIsYearMajorAddressedWords) {
    const std::size_t n = 256;
    for (const std::vector<std::uint32_t>& holdings : {std::vector<std::uint32_t>{42}, std::vector<std::uint32_t>{3, 42, 7}}) {
        std::vector<std::uint32_t> out(n * holdings.size());
        occurrence_words_block(12345, 2000, n, PerilId::landslide, holdings, out.data());
        for (std::size_t k = 0; k < n; ++k)
            for (std::size_t h = 0; h < holdings.size(); ++h)
                EXPECT_EQ(out[k * holdings.size() + h],
                          draw_words(12345, 0, static_cast<std::uint32_t>(2000 + k), holdings[h],
                                     static_cast<std::uint16_t>(PerilId::landslide), 0)[0])
                    << "year " << k << ", holding " << h;
    }
}

TEST(Poisson, InversionSwitchesAtTheCdfSteps) {
    for (double mean : {0.01, 0.7, 3.0, 25.0, 49.0}) {
        for (std::uint64_t n = 0; n < 80; ++n) {
            const double cdf = boost::math::gamma_q(double(n) + 1, mean);
            const double below = n == 0 ? 0.0 : boost::math::gamma_q(double(n), mean);
            // Only steps that a 1e-9 nudge resolves: P(N = n) and P(N > n) above 1e-8 of the cdf.
            if (cdf - below < 1e-8 * cdf || 1 - cdf < 1e-8) continue;
            EXPECT_EQ(poisson_inversion(cdf * (1 - 1e-9), mean), n) << "mean " << mean;
            if (cdf * (1 + 1e-9) < 1) {
                EXPECT_EQ(poisson_inversion(cdf * (1 + 1e-9), mean), n + 1) << "mean " << mean;
            }
        }
    }
}

TEST(Poisson, PtrsHasPoissonMeanAndVariance) {
    for (double mean : {60.0, 1000.0}) {
        std::vector<double> x;
        for (std::uint32_t y = 0; y < 100'000; ++y) {
            const DrawAddress at{11, Stream::holding_perils, y, 0, 1};
            x.push_back(double(poisson_ptrs(mean, [&](int i) { return at(static_cast<std::uint16_t>(i)); })));
        }
        const Moments m = moments(x);
        EXPECT_NEAR(m.mean, mean, 4 * m.se_mean);
        EXPECT_NEAR(m.variance, mean, 4 * m.se_variance);
    }
}

// Gamma(k, 1): mean k, variance k; Beta(a, b): mean a / (a + b), variance ab / ((a+b)^2 (a+b+1)).
TEST(Gamma, MarsagliaTsangHasGammaMoments) {
    for (double shape : {0.3, 1.0, 2.5, 40.0}) {
        std::vector<double> x;
        for (std::uint32_t y = 0; y < 200'000; ++y) {
            const DrawAddress at{5, Stream::holding_perils, y, 3, 2};
            x.push_back(gamma_marsaglia_tsang(shape, [&](int i) { return at(static_cast<std::uint16_t>(i)); }));
        }
        const Moments m = moments(x);
        EXPECT_NEAR(m.mean, shape, 4 * m.se_mean) << "shape " << shape;
        EXPECT_NEAR(m.variance, shape, 4 * m.se_variance) << "shape " << shape;
    }
}

TEST(Beta, TwoGammasHaveBetaMoments) {
    const double a = 2, b = 8;
    std::vector<double> x;
    for (std::uint32_t y = 0; y < 200'000; ++y) {
        const DrawAddress at{9, Stream::holding_perils, y, 1, 2};
        const double f = beta_from_gammas(a, b, [&](int i) { return at(static_cast<std::uint16_t>(1 + i)); });
        ASSERT_GT(f, 0.0);
        ASSERT_LT(f, 1.0);
        x.push_back(f);
    }
    const Moments m = moments(x);
    EXPECT_NEAR(m.mean, a / (a + b), 4 * m.se_mean);
    EXPECT_NEAR(m.variance, a * b / ((a + b) * (a + b) * (a + b + 1)), 4 * m.se_variance);
}

// The batched first tries give beta_from_gammas's bits wherever they accept, and accept most
// draws for shapes >= 1 (none below 1).
TEST(Beta, FirstTriesHaveTheBitsOfTheScalarDraw) {
    const std::size_t n = 20'000;
    std::vector<std::uint32_t> year(n), holding(n);
    for (std::size_t i = 0; i < n; ++i) {
        year[i] = static_cast<std::uint32_t>(1000 + i / 3);
        holding[i] = static_cast<std::uint32_t>(35 + i % 3);
    }
    for (const auto& [a, b] : std::vector<std::pair<double, double>>{{2, 8}, {1, 1}, {3.5, 40}, {0.5, 3}}) {
        std::vector<double> beta(n);
        std::vector<unsigned char> accepted(n);
        beta_first_tries(7, Stream::regional, PerilId::freeze, 1, 8, a, b, year.data(), holding.data(), n, beta.data(),
                         accepted.data());
        std::size_t taken = 0;
        for (std::size_t i = 0; i < n; ++i) {
            if (!accepted[i]) continue;
            ++taken;
            const DrawAddress at = regional_address(7, year[i], holding[i], PerilId::freeze);
            const double want = beta_from_gammas(a, b, [&](int k) { return at(static_cast<std::uint16_t>(1 + k)); }, 8);
            ASSERT_EQ(std::memcmp(&want, &beta[i], sizeof(double)), 0) << a << " " << b << " " << i;
        }
        if (a < 1) EXPECT_EQ(taken, 0u);
        else EXPECT_GT(taken, n * 8 / 10) << a << " " << b;
    }
}

TEST(LogFactorial, MatchesLgammaBothSidesOfTheTable) {
    for (std::uint64_t k : {0u, 1u, 5u, 15u, 16u, 17u, 100u, 100000u})
        EXPECT_NEAR(log_factorial_stirling(k), std::lgamma(double(k) + 1), 1e-12 * std::max(1.0, std::lgamma(double(k) + 1)));
}

}  // namespace
}  // namespace tanhui::risk
