#include "risk/random/batch.hpp"
#include "risk/random/beta_batch.hpp"
#include "risk/random/simd_clones.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <cmath>

namespace tanhui::risk {

namespace {

// Philox4x32-10 as draw_words computes it (Random123's round: the products M0 c0 and M1 c2, the
// high halves xor-ed with the other counter words and the key, the key bumped by the Weyl
// constants between rounds), written on 64-bit integers that hold 32-bit values: GCC then
// vectorises each product as one 32 x 32 -> 64 multiply per lane instead of a 64-bit multiply,
// twice the batched throughput. Integer arithmetic: the same bits (tests compare every batch
// function with draw_words).
inline Words philox_wide(std::uint64_t seed, std::uint32_t c0_in, std::uint32_t c1_in, std::uint32_t c2_in,
                         std::uint32_t c3_in) {
    constexpr std::uint64_t m0 = 0xD2511F53, m1 = 0xCD9E8D57, w0 = 0x9E3779B9, w1 = 0xBB67AE85, low = 0xffffffffu;
    std::uint64_t k0 = seed & low, k1 = seed >> 32;
    std::uint64_t c0 = c0_in, c1 = c1_in, c2 = c2_in, c3 = c3_in;
    for (int round = 0; round < 10; ++round) {
        if (round > 0) {
            k0 = (k0 + w0) & low;
            k1 = (k1 + w1) & low;
        }
        const std::uint64_t p0 = m0 * c0, p1 = m1 * c2;
        const std::uint64_t n0 = ((p1 >> 32) ^ c1 ^ k0) & low;
        const std::uint64_t n2 = ((p0 >> 32) ^ c3 ^ k1) & low;
        c1 = p1 & low;
        c3 = p0 & low;
        c0 = n0;
        c2 = n2;
    }
    return {static_cast<std::uint32_t>(c0), static_cast<std::uint32_t>(c1), static_cast<std::uint32_t>(c2),
            static_cast<std::uint32_t>(c3)};
}

inline std::uint32_t peril_word(PerilId peril, std::uint16_t block) {
    return (std::uint32_t{static_cast<std::uint16_t>(peril)} << 16) | block;
}

}  // namespace

TANHUI_SIMD_CLONES
void occurrence_words(std::uint64_t seed, std::uint32_t year, PerilId peril, const std::uint32_t* draw_index,
                      std::size_t n, std::uint32_t* out) {
    const std::uint32_t word2 = peril_word(peril, 0);
    const auto stream = static_cast<std::uint32_t>(Stream::holding_perils);
    for (std::size_t i = 0; i < n; ++i) out[i] = philox_wide(seed, year, draw_index[i], word2, stream)[0];
}

TANHUI_SIMD_CLONES
void occurrence_words_over_years(std::uint64_t seed, std::uint32_t first_year, std::size_t n, PerilId peril,
                                 std::uint32_t draw_index, std::uint32_t* out) {
    const std::uint32_t word2 = peril_word(peril, 0);
    const auto stream = static_cast<std::uint32_t>(Stream::holding_perils);
    for (std::size_t k = 0; k < n; ++k)
        out[k] = philox_wide(seed, first_year + static_cast<std::uint32_t>(k), draw_index, word2, stream)[0];
}

TANHUI_SIMD_CLONES
void word_pairs_over_years(std::uint64_t seed, Stream stream, std::uint32_t first_year, std::size_t n,
                           std::uint32_t holding, PerilId peril, std::uint16_t block, std::uint32_t* hi, std::uint32_t* lo) {
    const std::uint32_t word2 = peril_word(peril, block);
    const auto s = static_cast<std::uint32_t>(stream);
    for (std::size_t k = 0; k < n; ++k) {
        const Words w = philox_wide(seed, first_year + static_cast<std::uint32_t>(k), holding, word2, s);
        hi[k] = w[0];
        lo[k] = w[1];
    }
}

TANHUI_SIMD_CLONES
void words_at(std::uint64_t seed, Stream stream, PerilId peril, std::uint16_t block, const std::uint32_t* year,
              const std::uint32_t* holding, std::size_t n, std::uint32_t* w0, std::uint32_t* w1, std::uint32_t* w2) {
    const std::uint32_t word2 = peril_word(peril, block);
    const auto s = static_cast<std::uint32_t>(stream);
    for (std::size_t k = 0; k < n; ++k) {
        const Words w = philox_wide(seed, year[k], holding[k], word2, s);
        w0[k] = w[0];
        w1[k] = w[1];
        w2[k] = w[2];
    }
}

// The central branch is normal_quantile_as241's expression, operation for operation; risk/ is
// compiled with -ffp-contract=off, so no clone fuses a multiply and an add, and every clone gives
// the bits of the scalar function (tests/risk/random/draws_test.cpp compares them on 10^6 draws).
TANHUI_SIMD_CLONES
void normals_from_words(const std::uint32_t* hi, const std::uint32_t* lo, std::size_t n, double* out) {
    // In chunks of 256: the central branch for all draws in SIMD, with a flag for the tails
    // (|p - 1/2| > 0.425, 15% of draws), then the tails, gathered without a branch per draw: the
    // logarithm of each is the scalar libm call, as in normal_quantile_as241, and the square root
    // and the rational function of the r <= 5 branch are SIMD (IEEE square root and arithmetic:
    // the same bits); r > 5 (p below 1e-11) is scalar.
    constexpr std::size_t chunk = 256;
    unsigned char tail[chunk];
    std::uint32_t at[chunk];
    double r[chunk], value[chunk];
    for (std::size_t start = 0; start < n; start += chunk) {
        const std::size_t m = std::min(chunk, n - start);
        for (std::size_t k = 0; k < m; ++k) {
            const double q = uniform52(hi[start + k], lo[start + k]) - 0.5;
            out[start + k] = as241_central(q);
            tail[k] = std::fabs(q) > 0.425 ? 1 : 0;
        }
        std::size_t count = 0;
        for (std::size_t k = 0; k < m; ++k) {
            at[count] = static_cast<std::uint32_t>(start + k);
            count += tail[k];
        }
        for (std::size_t t = 0; t < count; ++t) {
            const double p = uniform52(hi[at[t]], lo[at[t]]);
            r[t] = std::log(p - 0.5 < 0 ? p : 1.0 - p);
        }
        for (std::size_t t = 0; t < count; ++t) value[t] = as241_tail(std::sqrt(-r[t]));
        for (std::size_t t = 0; t < count; ++t) {
            const double p = uniform52(hi[at[t]], lo[at[t]]);
            out[at[t]] = std::sqrt(-r[t]) <= 5.0 ? (p - 0.5 < 0 ? -value[t] : value[t]) : normal_quantile_as241(p);
        }
    }
}

void beta_first_tries(std::uint64_t seed, Stream stream, PerilId peril, std::uint16_t first_block, int max_blocks,
                      double a, double b, const std::uint32_t* year, const std::uint32_t* holding, std::size_t n,
                      double* beta, unsigned char* accepted) {
    if (!(a >= 1 && b >= 1)) {
        std::fill(accepted, accepted + n, static_cast<unsigned char>(0));
        return;
    }
    constexpr std::size_t chunk = 256;
    std::uint32_t w0[chunk], w1[chunk], w2[chunk];
    double z[chunk], x[chunk];
    for (std::size_t start = 0; start < n; start += chunk) {
        const std::size_t m = std::min(chunk, n - start);
        unsigned char* ok = accepted + start;
        // As gamma_marsaglia_tsang's first try: accepted when t > 0 and the squeeze
        // u < 1 - 0.0331 z^4 holds; X = d t^3.
        const auto first_try = [&](double shape, std::uint16_t block, double* out) {
            words_at(seed, stream, peril, block, year + start, holding + start, m, w0, w1, w2);
            normals_from_words(w0, w1, m, z);
            const double d = shape - 1.0 / 3.0;
            const double c = 1.0 / std::sqrt(9.0 * d);
            for (std::size_t e = 0; e < m; ++e) {
                const double t = 1.0 + c * z[e];
                const double v = t * t * t;
                const double u = uniform32(w2[e]);
                const bool good = t > 0 && u < 1.0 - 0.0331 * (z[e] * z[e]) * (z[e] * z[e]) && v > 0;
                out[e] = d * v;
                ok[e] = static_cast<unsigned char>(ok[e] & static_cast<unsigned char>(good));
            }
        };
        std::fill(ok, ok + m, static_cast<unsigned char>(1));
        first_try(a, first_block, x);
        first_try(b, static_cast<std::uint16_t>(first_block + max_blocks), beta + start);
        for (std::size_t e = 0; e < m; ++e) beta[start + e] = x[e] / (x[e] + beta[start + e]);
    }
}

void occurrence_words_block(std::uint64_t seed, std::uint32_t first_year, std::size_t n, PerilId peril,
                            std::span<const std::uint32_t> holdings, std::uint32_t* out) {
    constexpr std::size_t max_years = 256;
    if (n > max_years) throw std::logic_error("occurrence_words_block: at most 256 years");
    const std::size_t h_count = holdings.size();
    if (h_count == 1) {  // year-major is the column itself
        occurrence_words_over_years(seed, first_year, n, peril, holdings[0], out);
        return;
    }
    std::array<std::uint32_t, max_years> column;
    for (std::size_t h = 0; h < h_count; ++h) {
        occurrence_words_over_years(seed, first_year, n, peril, holdings[h], column.data());
        for (std::size_t k = 0; k < n; ++k) out[k * h_count + h] = column[k];
    }
}

}  // namespace tanhui::risk
