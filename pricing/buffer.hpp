// Reversal buffer: the share of issued credits to withhold so that the cumulative reversal over
// a horizon exceeds it with probability at most 1 - alpha. DESIGN "Products" (reversal buffer).
// The paths themselves (cumulative reversal per simulated horizon) come from risk/.
#pragma once

#include "pricing/premium.hpp"

#include <cstddef>
#include <optional>
#include <span>

namespace tanhui::pricing {

struct BufferTerms {
    double horizon_years = 40;   // carried into the result: the paths' horizon
    double alpha = 0.99;         // P(reversal > buffer) <= 1 - alpha
    std::optional<double> buffer_share{};  // a buffer to test: the probability it is exhausted
};

struct BufferResult {
    std::size_t paths = 0;
    double horizon_years = 0;
    double alpha = 0;
    // The ceil(N alpha)-th smallest cumulative reversal share (DESIGN's VaR rule): at most
    // N (1 - alpha) paths reverse more than it. Its SE is distribution-free: half the distance
    // between the order statistics at N alpha -/+ sqrt(N alpha (1 - alpha)) (David & Nagaraja,
    // Order Statistics, 3rd ed., sec. 7.1); risk/metrics/order_statistics.hpp quantile_with_real_band.
    Estimate buffer_share;
    Estimate mean_reversal_share;
    double probability_of_any_reversal = 0;  // the share of paths with a reversal > 0
    // Of the given buffer_share: P(cumulative reversal > buffer), sqrt(p (1 - p) / N).
    std::optional<Estimate> probability_exhausted{};
};

// cumulative_reversal_share: one value per simulated path, the share (0-1) of the credits reversed
// over the horizon. Throws InvalidInput ("cumulative_reversal_share[i]", "alpha",
// "horizon_years", "buffer_share") for values outside [0, 1], fewer than 2 paths, ...
BufferResult reversal_buffer(std::span<const double> cumulative_reversal_share, const BufferTerms& terms = {});

}  // namespace tanhui::pricing
