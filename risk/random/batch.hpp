// Philox words and normals for many addresses at once (risk/random/draws.hpp gives one address
// at a time): the batches behind the perils' "no event" tests and the weather normals. One batch
// lets the compiler run several Philox calls side by side in SIMD registers (SSE2; AVX2 and
// AVX-512 clones chosen at run time on x86-64): integer arithmetic, so every clone gives the
// same bits as draw_words (tests/risk/random/draws_test.cpp compares them).
#pragma once

#include "risk/random/draws.hpp"

#include <cstddef>
#include <cstdint>
#include <span>

namespace tanhui::risk {

// Word 0 of block 0 (stream holding_perils) for each of n holdings of a peril-year: the "no
// event" words, exactly draw_words(seed, 0, year, draw_index[i], peril, 0)[0].
void occurrence_words(std::uint64_t seed, std::uint32_t year, PerilId peril, const std::uint32_t* draw_index,
                      std::size_t n, std::uint32_t* out);
// Batches of this many holdings keep the words in L1.
inline constexpr std::size_t occurrence_batch = 256;
// The same words for one holding over n consecutive years: out[k] is the occurrence word of
// year first_year + k (SIMD across years, for books of a few holdings).
void occurrence_words_over_years(std::uint64_t seed, std::uint32_t first_year, std::size_t n, PerilId peril,
                                 std::uint32_t draw_index, std::uint32_t* out);
// The occurrence words of several holdings (draw indices) over n <= 256 consecutive years,
// year-major: out[k * holdings.size() + h], as a block of years hands them to Peril::add_block.
void occurrence_words_block(std::uint64_t seed, std::uint32_t first_year, std::size_t n, PerilId peril,
                            std::span<const std::uint32_t> holdings, std::uint32_t* out);
// Words 0 and 1 of one address over n consecutive years (the pair behind a normal draw).
void word_pairs_over_years(std::uint64_t seed, Stream stream, std::uint32_t first_year, std::size_t n,
                           std::uint32_t holding, PerilId peril, std::uint16_t block, std::uint32_t* hi, std::uint32_t* lo);
// Words 0, 1 and 2 of n addresses that differ in year and holding only (the first try of a
// gamma draw for each of a block's events).
void words_at(std::uint64_t seed, Stream stream, PerilId peril, std::uint16_t block, const std::uint32_t* year,
              const std::uint32_t* holding, std::size_t n, std::uint32_t* w0, std::uint32_t* w1, std::uint32_t* w2);
// out[k] = normal_from_words(hi[k], lo[k]), the same bits, with the central branch of AS 241
// computed for all k in SIMD and the tails (|p - 1/2| > 0.425, 15% of draws) one by one.
void normals_from_words(const std::uint32_t* hi, const std::uint32_t* lo, std::size_t n, double* out);

}  // namespace tanhui::risk
