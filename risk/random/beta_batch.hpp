// Beta draws for many addresses at once (risk/random/draws.hpp's beta_from_gammas one address at
// a time): the affected shares of a block's events (freeze footprints, pest outbreaks).
#pragma once

#include "risk/random/draws.hpp"

#include <cstddef>
#include <cstdint>

namespace tanhui::risk {

// The Beta(a, b) draws of beta_from_gammas(a, b, blocks first_block ..) at n addresses that
// differ in year and holding only, where the first Marsaglia-Tsang try of both gammas is accepted
// by the squeeze (SIMD across addresses): there beta[i] = X / (X + Y) and accepted[i] = 1, the
// same bits; elsewhere accepted[i] = 0 and beta[i] means nothing (the caller takes
// beta_from_gammas). Shapes below 1 (the U^(1/shape) boost) are never accepted here.
void beta_first_tries(std::uint64_t seed, Stream stream, PerilId peril, std::uint16_t first_block, int max_blocks,
                      double a, double b, const std::uint32_t* year, const std::uint32_t* holding, std::size_t n,
                      double* beta, unsigned char* accepted);

}  // namespace tanhui::risk
