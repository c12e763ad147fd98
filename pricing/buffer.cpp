#include "pricing/buffer.hpp"

#include "pricing/checks.hpp"
#include "risk/metrics/order_statistics.hpp"

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
    std::size_t any = 0;
    for (const double x : sorted) any += x > 0 ? 1 : 0;
    r.probability_of_any_reversal = static_cast<double>(any) / n;

    std::sort(sorted.begin(), sorted.end());
    r.buffer_share = risk::quantile_with_real_band(risk::OrderStatistics::smallest_first(sorted), terms.alpha,
                                                   risk::CountRounding::whole_within_1e9);

    if (terms.buffer_share) {
        const auto above = static_cast<double>(sorted.end() - std::upper_bound(sorted.begin(), sorted.end(), *terms.buffer_share));
        const double p = above / n;
        r.probability_exhausted = Estimate{p, std::sqrt(p * (1 - p) / n)};
    }
    return r;
}

}  // namespace tanhui::pricing
