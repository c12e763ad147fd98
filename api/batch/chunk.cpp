#include "api/batch/chunk.hpp"

#include "api/batch/split.hpp"
#include "api/batch/year.hpp"
#include "risk/simulation/parallel.hpp"

#include <algorithm>

namespace tanhui::api::batch {

namespace {

// The chunk's identity and pass 0's per-year tables, zeroed.
ChunkResult empty_chunk(const Layout& layout, std::size_t pass, std::size_t chunk) {
    ChunkResult r;
    r.pass = static_cast<std::uint32_t>(pass);
    r.chunk = static_cast<std::uint32_t>(chunk);
    r.first_year = layout.first_year(chunk);
    r.years = layout.chunk_size(chunk);
    r.group_begin = static_cast<std::uint32_t>(layout.group_begin(pass));
    r.group_end = static_cast<std::uint32_t>(layout.group_end(pass));
    if (pass == 0) {
        for (auto* v : {&r.total_tco2e, &r.max_event_tco2e, &r.max_event_exposure_tco2e, &r.total_cny, &r.max_payout_cny})
            v->assign(r.years, 0.0);
        r.max_payout_policy.assign(r.years, none);
    }
    return r;
}

// out[i] = the rows[b * width + i] added from 0 in block order.
std::vector<double> sum_blocks(const std::vector<double>& rows, std::size_t blocks, std::size_t width) {
    std::vector<double> out(width, 0.0);
    for (std::size_t b = 0; b < blocks; ++b)
        for (std::size_t i = 0; i < width; ++i) out[i] += rows[b * width + i];
    return out;
}

}  // namespace

ChunkResult compute_chunk(const Prepared& prep, const Layout& layout, std::size_t pass, std::size_t chunk,
                          std::uint64_t seed, unsigned threads, std::atomic<std::uint64_t>& progress) {
    ChunkResult r = empty_chunk(layout, pass, chunk);
    const std::size_t n = r.years;
    const std::size_t policies = prep.policies.size();
    const bool first = pass == 0;
    r.payouts.assign((r.group_end - r.group_begin) * n, 0.0);
    const std::size_t blocks = (n + block_years - 1) / block_years;
    std::vector<double> block_sum(first ? blocks * policies : 0, 0.0), block_sq(first ? blocks * policies : 0, 0.0);
    std::vector<std::vector<pricing::EventLoss>> block_occurrences(first ? blocks : 0);
    const std::size_t split_n = prep.split.size;
    std::vector<double> block_split(first ? blocks * split_n : 0, 0.0);

    risk::parallel_indexed(
        blocks, threads, [&] { return PortfolioYear(prep); },
        [&](PortfolioYear& year, std::size_t b) {
            const std::size_t begin = b * block_years, end = std::min(n, begin + block_years);
            std::vector<double> pays(first ? policies : 0);
            SplitScratch scratch;
            for (std::size_t off = begin; off < end; ++off) {
                const std::uint32_t y = r.first_year + static_cast<std::uint32_t>(off);
                year.run(seed, y);
                if (!first) {
                    for (std::size_t p = r.group_begin; p < r.group_end; ++p) {
                        const PolicyModel& m = prep.policies[p];
                        r.payouts[(p - r.group_begin) * n + off] = year.payout_cny(m);
                    }
                    continue;
                }
                r.total_tco2e[off] = year.total_tco2e();
                r.max_event_tco2e[off] = year.max_event_tco2e();
                r.max_event_exposure_tco2e[off] = year.max_event_exposure_tco2e();
                double cny = 0, largest = 0;
                std::uint32_t largest_policy = none;
                for (std::size_t p = 0; p < policies; ++p) {
                    const PolicyModel& m = prep.policies[p];
                    const double pool = year.pool_loss_tco2e(m);
                    const double pay = year.payout_cny(m, pool);
                    block_sum[b * policies + p] += pool;
                    block_sq[b * policies + p] += pool * pool;
                    cny += pay;
                    if (pay > largest) {
                        largest = pay;
                        largest_policy = static_cast<std::uint32_t>(p);
                    }
                    if (layout.occurrence_threshold && pay > *layout.occurrence_threshold)
                        block_occurrences[b].push_back({std::size_t{y} + 1, pay});
                    if (p >= r.group_begin && p < r.group_end) r.payouts[(p - r.group_begin) * n + off] = pay;
                    pays[p] = pay;
                }
                add_split_year(prep, prep.split, year, pays,
                               std::span<double>(block_split.data() + b * split_n, split_n), scratch);
                r.total_cny[off] = cny;
                r.max_payout_cny[off] = largest;
                r.max_payout_policy[off] = largest_policy;
            }
            progress.fetch_add(end - begin);
        });

    if (first) {
        r.pool_sum_tco2e = sum_blocks(block_sum, blocks, policies);
        r.pool_sum_sq_tco2e = sum_blocks(block_sq, blocks, policies);
        for (auto& o : block_occurrences) r.occurrences.insert(r.occurrences.end(), o.begin(), o.end());
        r.split = sum_blocks(block_split, blocks, split_n);
    }
    return r;
}

}  // namespace tanhui::api::batch
