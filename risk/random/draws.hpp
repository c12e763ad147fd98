// Addressed random numbers: Philox4x32-10 (Salmon, Moraes, Dror & Shaw, "Parallel random numbers:
// as easy as 1, 2, 3", SC11; Random123, Debian librandom123-dev) and the distributions Tanhui
// draws from its words. Every draw is a pure function of (seed, stream, year, holding, peril,
// block): nothing is streamed across holdings or years, so any year of any holding can be
// regenerated alone and the result never depends on threads, ranks or order.
//
// Address layout (part of the model version: changing it changes every result):
//   key     = (seed & 0xffffffff, seed >> 32)
//   counter = (year, holding, peril << 16 | block, stream)
// Streams and peril numbers are listed below; docs/risk-model.md gives what each block holds.
// Regional event perils (freeze, landslide) draw their year's event on the stream `regional`
// with the region's number (region_number: "35" -> 35) in the holding word: every holding of a
// province, in any book, sees the same event of a year.
#pragma once

#include <Random123/philox.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>

namespace tanhui::risk {

using Words = std::array<std::uint32_t, 4>;

// Counter word 3. A new use of random numbers gets a new stream, never a reuse of an old one.
enum class Stream : std::uint32_t {
    holding_perils = 0,  // holding word = the holding's draw index, peril word = PerilId
    weather = 1,         // holding word = region number (0: the shared normal Z_y); peril word 1 (fire's, kept)
    price = 2,           // holding word = market number; see risk/simulation/price_path.hpp
    sink = 3,            // the growth factor (risk/simulation/sink.hpp): peril word 0; block 0 holding word =
                         // sink region number, block 1 = the holding's draw index, block 2 = measurement (0)
    regional = 4,        // holding word = region number (0: the peril's shared normal), peril word = PerilId
};

// The peril half of counter word 2: each peril's number, paired with its name in the peril
// registry (risk/perils/registry.cpp). 0 is reserved; freeze, typhoon, landslide come next.
enum class PerilId : std::uint16_t { fire = 1, pest = 2, freeze = 3, typhoon = 4, landslide = 5 };

inline Words draw_words(std::uint64_t seed, std::uint32_t stream, std::uint32_t year,
                        std::uint32_t holding, std::uint16_t peril, std::uint16_t block) {
    const r123::Philox4x32_R<10> philox;
    const r123::Philox4x32::key_type key = {
        {static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
    const r123::Philox4x32::ctr_type counter = {
        {year, holding, (std::uint32_t{peril} << 16) | block, stream}};
    const auto r = philox(counter, key);
    return {r[0], r[1], r[2], r[3]};
}

// The fixed part of an address; blocks are counted from it.
struct DrawAddress {
    std::uint64_t seed = 0;
    Stream stream = Stream::holding_perils;
    std::uint32_t year = 0;
    std::uint32_t holding = 0;
    std::uint16_t peril = 0;

    Words operator()(std::uint16_t block) const {
        return draw_words(seed, static_cast<std::uint32_t>(stream), year, holding, peril, block);
    }
};

// The address of a region's event of a year for a regional event peril (stream regional).
inline DrawAddress regional_address(std::uint64_t seed, std::uint32_t year, std::uint32_t region_number, PerilId peril) {
    return {seed, Stream::regional, year, region_number, static_cast<std::uint16_t>(peril)};
}

inline constexpr double two_to_32 = 4294967296.0;

// (w + 1/2) / 2^32: in [2^-33, 1 - 2^-33], never 0 or 1.
inline double uniform32(std::uint32_t w) { return (double(w) + 0.5) / two_to_32; }

// (k + 1/2) / 2^52 with k the top 52 of the 64 bits (hi, lo): never 0 or 1, and 1 - u is exact
// in double, which keeps far tails (GPD, normal beyond 6 sigma) resolved.
inline double uniform52(std::uint32_t hi, std::uint32_t lo) {
    const std::uint64_t k = (std::uint64_t{hi} << 20) | (lo >> 12);
    return (double(k) + 0.5) * 0x1p-52;
}

// Raw-word event test: an event happens when the word is below the threshold, so its
// probability is threshold / 2^32, which is p to within 2^-33. p >= 1 gives 2^32 (always).
inline std::uint64_t word_threshold(double probability) {
    if (!(probability > 0)) return 0;
    if (probability >= 1) return std::uint64_t{1} << 32;
    return static_cast<std::uint64_t>(probability * two_to_32 + 0.5);
}

// The central branch of AS 241 (|q| <= 0.425, q = p - 1/2) and the first tail branch (r =
// sqrt(-ln min(p, 1 - p)) <= 5, returning the magnitude). Separate so that the SIMD batch
// (risk/perils/registry.cpp, normals_from_words) computes exactly these operations.
inline double as241_central(double q) {
    const double r = 0.180625 - q * q;
    return q *
           (((((((2509.0809287301226727 * r + 33430.575583588128105) * r + 67265.770927008700853) * r +
                45921.953931549871457) * r + 13731.693765509461125) * r + 1971.5909503065514427) * r +
             133.14166789178437745) * r + 3.3871328727963666080) /
           (((((((5226.4952788528545610 * r + 28729.085735721942674) * r + 39307.895800092710610) * r +
                21213.794301586595867) * r + 5394.1960214247511077) * r + 687.18700749205790830) * r +
             42.313330701600911252) * r + 1.0);
}
inline double as241_tail(double r) {
    r -= 1.6;
    return (((((((7.74545014278341407640e-4 * r + 2.27238449892691845833e-2) * r + 2.41780725177450611770e-1) * r +
                1.27045825245236838258) * r + 3.64784832476320460504) * r + 5.76949722146069140550) * r +
             4.63033784615654529590) * r + 1.42343711074968357734) /
           (((((((1.05075007164441684324e-9 * r + 5.47593808499534494600e-4) * r + 1.51986665636164571966e-2) * r +
                1.48103976427480074590e-1) * r + 6.89767334985100004550e-1) * r + 1.67638483018380384940) * r +
             2.05319162663775882187) * r + 1.0);
}

// Standard normal quantile: Wichura (1988), algorithm AS 241 PPND16, Applied Statistics 37(3),
// 477-484; relative accuracy about 1e-16. Inversion keeps one uniform per normal, so a copula
// or a correlation can be put on the uniforms and each draw stays addressable.
inline double normal_quantile_as241(double p) {
    const double q = p - 0.5;
    if (std::fabs(q) <= 0.425) return as241_central(q);
    double r = q < 0 ? p : 1.0 - p;
    if (!(r > 0)) return q < 0 ? -std::numeric_limits<double>::infinity()
                               : std::numeric_limits<double>::infinity();
    r = std::sqrt(-std::log(r));
    double value;
    if (r <= 5.0) {
        value = as241_tail(r);
    } else {
        r -= 5.0;
        value = (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r +
                      1.24266094738807843860e-3) * r + 2.65321895265761230930e-2) * r +
                    2.96560571828504891230e-1) * r + 1.78482653991729133580) * r + 5.46378491116411436990) * r +
                 6.65790464350110377720) /
                (((((((2.04426310338993978564e-15 * r + 1.42151175831644588870e-7) * r +
                      1.84631831751005468180e-5) * r + 7.86869131145613259100e-4) * r +
                    1.48753612908506148525e-2) * r + 1.36929880922735805310e-1) * r + 5.99832206555887937690e-1) * r +
                 1.0);
    }
    return q < 0 ? -value : value;
}

// A standard normal from two words (52-bit uniform, AS 241).
inline double normal_from_words(std::uint32_t hi, std::uint32_t lo) { return normal_quantile_as241(uniform52(hi, lo)); }

// ln k! : exact table below 16, Stirling's series above (error < 1e-14). Used instead of
// std::lgamma, which writes the global signgam and so races between threads.
inline double log_factorial_stirling(std::uint64_t k) {
    static constexpr double table[16] = {
        0.0, 0.0, 0.69314718055994530942, 1.79175946922805500081, 3.17805383034794561964,
        4.78749174278204599425, 6.57925121201010099506, 8.52516136106541430017, 10.6046029027452502284,
        12.8018274800814696112, 15.1044125730755152952, 17.5023078458738858393, 19.9872144956618861495,
        22.5521638531234228856, 25.1912211827386815001, 27.8992713838408915661};
    if (k < 16) return table[k];
    const double n = double(k) + 1.0;  // ln Gamma(n)
    const double inv = 1.0 / n, inv2 = inv * inv;
    return (n - 0.5) * std::log(n) - n + 0.91893853320467274178 +
           inv * (1.0 / 12 - inv2 * (1.0 / 360 - inv2 * (1.0 / 1260 - inv2 / 1680)));
}

// Poisson by inversion of one uniform (sequential search from 0). Exact up to rounding; cost
// grows with the mean, so callers use it for means up to poisson_inversion_max_mean.
inline constexpr double poisson_inversion_max_mean = 50.0;
inline std::uint64_t poisson_inversion(double u, double mean) {
    double p = std::exp(-mean);
    double cdf = p;
    std::uint64_t n = 0;
    while (u >= cdf) {
        ++n;
        p *= mean / double(n);
        const double next = cdf + p;
        if (next == cdf && double(n) > mean) break;  // cdf has stopped moving: the far tail
        cdf = next;
    }
    return n;
}

// Poisson for large means: Hormann (1993), "The transformed rejection method for generating
// Poisson random variables" (PTRS), valid for mean >= 10. Two tries per block from block(0),
// block(1), ... at most max_blocks; if every try is rejected (probability < 1e-30) the normal
// approximation of the last try's uniform is returned. Deterministic: a pure function of blocks.
template <class Blocks>
std::uint64_t poisson_ptrs(double mean, Blocks&& block, int max_blocks = 16) {
    const double smu = std::sqrt(mean);
    const double b = 0.931 + 2.53 * smu;
    const double a = -0.059 + 0.02483 * b;
    const double inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
    const double vr = 0.9277 - 3.6224 / (b - 2.0);
    const double log_mean = std::log(mean);
    double last_u = 0.5;
    for (int i = 0; i < max_blocks; ++i) {
        const Words w = block(i);
        for (int t = 0; t < 2; ++t) {
            const double u = uniform32(w[2 * t]) - 0.5;
            const double v = uniform32(w[2 * t + 1]);
            last_u = u + 0.5;
            const double us = 0.5 - std::fabs(u);
            const double k = std::floor((2.0 * a / us + b) * u + mean + 0.43);
            if (us >= 0.07 && v <= vr) return static_cast<std::uint64_t>(k);
            if (k < 0 || (us < 0.013 && v > us)) continue;
            const auto ki = static_cast<std::uint64_t>(k);
            if (std::log(v) + std::log(inv_alpha) - std::log(a / (us * us) + b) <=
                -mean + k * log_mean - log_factorial_stirling(ki))
                return ki;
        }
    }
    const double approx = std::floor(mean + smu * normal_quantile_as241(last_u) + 0.5);
    return approx > 0 ? static_cast<std::uint64_t>(approx) : 0;
}

// Gamma(shape, scale 1): Marsaglia & Tsang (2000), "A simple method for generating gamma
// variables", ACM TOMS 26(3). One try per block: words 0-1 the normal, word 2 the acceptance
// uniform, word 3 the U^(1/shape) boost for shape < 1 (taken from the accepted block). At most
// max_blocks tries (acceptance >= 0.95 each, so 8 fail together with probability < 4e-11); then
// the last candidate d v is returned (v clamped positive). Deterministic: a pure function of blocks.
template <class Blocks>
double gamma_marsaglia_tsang(double shape, Blocks&& block, int max_blocks = 8) {
    const bool boost = shape < 1.0;
    const double alpha = boost ? shape + 1.0 : shape;
    const double d = alpha - 1.0 / 3.0;
    const double c = 1.0 / std::sqrt(9.0 * d);
    double v = 1.0;
    Words w{};
    for (int i = 0; i < max_blocks; ++i) {
        w = block(i);
        const double z = normal_from_words(w[0], w[1]);
        const double t = 1.0 + c * z;
        if (t <= 0) continue;
        v = t * t * t;
        const double u = uniform32(w[2]);
        if (u < 1.0 - 0.0331 * (z * z) * (z * z) ||
            std::log(u) < 0.5 * z * z + d * (1.0 - v + std::log(v)))
            break;
    }
    double x = d * (v > 0 ? v : std::numeric_limits<double>::min());
    if (boost) x *= std::pow(uniform32(w[3]), 1.0 / shape);
    return x;
}

// Beta(a, b) = X / (X + Y), X ~ Gamma(a) from blocks first.., Y ~ Gamma(b) from blocks
// first + max_blocks.. (Devroye 1986, ch. IX.4).
template <class Blocks>
double beta_from_gammas(double a, double b, Blocks&& block, int max_blocks = 8) {
    const double x = gamma_marsaglia_tsang(a, [&](int i) { return block(i); }, max_blocks);
    const double y = gamma_marsaglia_tsang(b, [&](int i) { return block(max_blocks + i); }, max_blocks);
    return x / (x + y);
}

}  // namespace tanhui::risk
