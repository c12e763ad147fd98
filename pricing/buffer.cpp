#include "pricing/buffer.hpp"

#include "pricing/checks.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace tanhui::pricing {

BufferResult reversal_buffer(std::span<const double> cumulative_reversal_share, const BufferTerms& terms) {
    checks::positive(terms.horizon_years, "horizon_years");
    checks::open_unit(terms.alpha, "alpha");
    if (terms.buffer_share) checks::share(*terms.buffer_share, "buffer_share");
    if (cumulative_reversal_share.size() < 2)
        checks::fail("cumulative_reversal_share", "must hold at least 2 paths, got " +
                                                      std::to_string(cumulative_reversal_share.size()));
    std::vector<double> sorted(cumulative_reversal_share.begin(), cumulative_reversal_share.end());
    for (std::size_t i = 0; i < sorted.size(); ++i)
        checks::share(sorted[i], checks::indexed("cumulative_reversal_share", i));

    BufferResult r;
    r.paths = sorted.size();
    r.horizon_years = terms.horizon_years;
    r.alpha = terms.alpha;
    const auto n = static_cast<double>(r.paths);

    double sum = 0;
    for (const double x : sorted) sum += x;  // path order
    const double mean = sum / n;
    double squares = 0;
    for (const double x : sorted) squares += (x - mean) * (x - mean);
    r.mean_reversal_share = {mean, std::sqrt(squares / (n - 1) / n)};

    std::sort(sorted.begin(), sorted.end());
    // The k-th smallest, k clamped to 1..N.
    const auto order = [&](double k) {
        const double clamped = std::clamp(k, 1.0, n);
        return sorted[static_cast<std::size_t>(clamped) - 1];
    };
    // N alpha within 1e-9 of a whole number is that number (DESIGN "Metrics of a loss table").
    double rank = n * terms.alpha;
    if (std::abs(rank - std::round(rank)) <= 1e-9 * rank) rank = std::round(rank);
    r.buffer_share = order(std::ceil(rank));
    const double spread = std::sqrt(n * terms.alpha * (1 - terms.alpha));
    r.buffer_share_se = 0.5 * (order(std::ceil(rank + spread)) - order(std::floor(rank - spread)));

    if (terms.buffer_share) {
        const auto above = static_cast<double>(sorted.end() - std::upper_bound(sorted.begin(), sorted.end(), *terms.buffer_share));
        const double p = above / n;
        r.probability_exhausted = Estimate{p, std::sqrt(p * (1 - p) / n)};
    }
    return r;
}

}  // namespace tanhui::pricing
