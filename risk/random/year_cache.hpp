// The process-wide cache of book-independent year-level draws (docs/architecture.md "Shared
// caches"): rows of numbers that depend only on the seed, the years and a province's or region's
// calibrated parameters, never on the book: a province's regional event shares (freeze), its
// landslide year factors, the weather normal Z_y and a region's weather factors G, the sink's
// regional growth normal; and for small books, rows of a holding's draw index (its sink normal
// and growth factor, its pest outbreaks' affected shares), which depend on the position in the
// book, not on the book. The service quotes the same seed over and over; a warm quote reads the
// rows instead of drawing Philox words and inverse normals again.
//
// A row is the n <= 256 values of one block of years of the simulation (the block the runner
// draws, risk/simulation/simulate.hpp), so a cold fill is a block's work at a time and the block
// loop's cancel check still stops it. Its key is exact: (what the row is and every parameter it
// depends on, interned once per book as a number; seed; first year; years). The cache computes
// nothing itself: on a miss the caller fills the row with the very code that ran before the
// cache, so the numbers are the same bits with the cache, without it, and whatever the threads.
//
// Bounded: once the rows' bytes pass the budget (default 256 MB; set_budget_bytes(0) switches
// the cache off) the rows not used lately go first (the clock approximation of least recently
// used: a row read since the hand last passed gets a second chance). Each shard is an
// open-addressing table, one 64-byte slot a lookup. Thread-safe: 16 shards, each behind its own
// mutex; two threads missing the same row both fill it and the first to insert wins (the rows are
// equal). Rows are shared_ptr: a row evicted while a thread reads it stays alive until it is done.
#pragma once

#include "risk/random/thread_scope.hpp"

#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tanhui::risk {

// Builds the exact identity of a row's parameters: the bit patterns of its numbers, in order.
class YearRowParameters {
public:
    explicit YearRowParameters(std::string_view kind) : bytes_(kind) { bytes_.push_back('\0'); }
    YearRowParameters& add(double v);
    YearRowParameters& add(std::uint64_t v);
    const std::string& bytes() const { return bytes_; }

private:
    std::string bytes_;
};

struct YearRowKey {
    std::uint64_t parameters = 0;  // YearDrawCache::intern of the row's parameters
    std::uint64_t seed = 0;
    std::uint32_t first_year = 0;
    std::uint32_t years = 0;
    std::uint64_t inputs = 0;  // fingerprint() of the numbers the row is computed from (Z), 0: none
    bool operator==(const YearRowKey&) const = default;
};

// A fingerprint of the years' weather normals a row is computed from (Fletcher-style sums of their
// bits, in four lanes: the years k, k + 4, ... in lane k mod 4). In the simulation they are Z_y of
// the seed and years, already in the key; a caller that passes other numbers (a test's made-up Z)
// then gets its own rows, not the simulation's. Each peril that reads regional rows takes it once
// a block: four independent chains of additions (the compiler makes them two-lane vectors) instead
// of one that waited on each year's addition.
inline std::uint64_t fingerprint(const double* x, std::size_t n) {
    std::uint64_t a[4] = {}, b[4] = {};
    std::size_t k = 0;
    for (; k + 4 <= n; k += 4)
        for (std::size_t j = 0; j < 4; ++j) {
            a[j] += std::bit_cast<std::uint64_t>(x[k + j]);
            b[j] += a[j];
        }
    for (std::size_t j = 0; k + j < n; ++j) {
        a[j] += std::bit_cast<std::uint64_t>(x[k + j]);
        b[j] += a[j];
    }
    std::uint64_t h = n << 1 | 1;
    for (std::size_t j = 0; j < 4; ++j) h = (h ^ a[j] ^ (b[j] * 0x9e3779b97f4a7c15ull)) * 0xbf58476d1ce4e5b9ull;
    return h | 1;
}

using YearRow = std::shared_ptr<const std::vector<double>>;

class YearDrawCache {
public:
    static constexpr std::size_t default_budget_bytes = std::size_t{256} << 20;
    static constexpr std::size_t shards = 16;

    YearDrawCache();
    ~YearDrawCache();
    YearDrawCache(const YearDrawCache&) = delete;
    YearDrawCache& operator=(const YearDrawCache&) = delete;

    // A number that stands for exactly these parameters: equal numbers mean equal bytes. Numbers
    // are never reused; the table of parameters is forgotten past 65,536 distinct sets (rows
    // keyed by the old numbers then age out).
    std::uint64_t intern(const YearRowParameters& parameters);

    // The row of key: from the cache, or fill(std::vector<double>& row) (row sized key.years,
    // zero) and then kept. With the cache off, fill runs every time.
    template <class Fill>
    YearRow get(const YearRowKey& key, Fill&& fill) {
        if (enabled()) {
            // Blocks run in order: the next block's slot is fetched while this block runs (its
            // lookup otherwise waits on memory: the rows of a quote outgrow the caches). Reading
            // ahead (ReadAhead), the slot of the block after next, and the values of the next
            // block's row (its slot fetched by the block before).
            const bool ahead = ReadAhead::current();
            prefetch({key.parameters, key.seed, key.first_year + (ahead ? 2 : 1) * key.years, key.years, 0});
            if (YearRow row = find(key)) {
                if (ahead) prefetch_values({key.parameters, key.seed, key.first_year + key.years, key.years, 0});
                return row;
            }
        }
        auto row = std::make_shared<std::vector<double>>(key.years);
        fill(*row);
        if (!enabled()) return row;
        return insert(key, std::move(row));
    }

    bool enabled() const { return budget_.load(std::memory_order_relaxed) > 0; }
    void set_budget_bytes(std::size_t bytes);  // 0: off (and empties it)
    std::size_t budget_bytes() const { return budget_.load(std::memory_order_relaxed); }
    void clear();

    struct Stats {
        std::uint64_t hits = 0, misses = 0, evictions = 0;
        std::size_t rows = 0, bytes = 0;
    };
    Stats stats() const;

    // While one is alive on a thread with the value true, get() also fetches the values of the next
    // block's row (prefetch_values). For runs whose rows outgrow the processor's caches (the
    // runner's read_ahead_years): in a shorter run they are still there, and the extra lookup
    // would cost more than it saves (a 100,000-year quote 6 % slower, a 500,000-year one 8 %
    // faster, docs/performance.md).
    struct ReadAheadTag;
    using ReadAhead = ThreadScope<bool, ReadAheadTag>;

    // Fetches the cache line of key's home slot (no lock; a hint, it changes nothing).
    void prefetch(const YearRowKey& key) const;
    // Fetches the values of a row of key, whatever its inputs' fingerprint (a hint: nothing when
    // there is none, or when another thread holds its shard).
    void prefetch_values(const YearRowKey& key);

private:
    struct Shard;
    YearRow find(const YearRowKey& key);
    YearRow insert(const YearRowKey& key, YearRow row);

    std::atomic<std::size_t> budget_{default_budget_bytes};
    std::unique_ptr<Shard[]> shards_;
    struct Interned;
    std::unique_ptr<Interned> interned_;
};

// The cache every quote, batch and validation of the process shares.
YearDrawCache& year_draw_cache();

// The rows of one block for several parameter sets (a row per province or region, row_ids[s] its
// interned parameters), gathered year-major: out[k * row_ids.size() + s] is row s's value of year
// k. On a miss, fill(s, row) computes row s exactly as it would without the cache.
template <class Fill>
void gather_year_rows(std::span<const std::uint64_t> row_ids, std::uint64_t seed, std::uint32_t first_year,
                      std::size_t n, std::uint64_t inputs, double* out, Fill&& fill) {
    YearDrawCache& cache = year_draw_cache();
    const std::size_t count = row_ids.size();
    for (std::size_t s = 0; s < count; ++s) {
        const YearRowKey key{row_ids[s], seed, first_year, static_cast<std::uint32_t>(n), inputs};
        const YearRow row = cache.get(key, [&](std::vector<double>& r) { fill(s, r); });
        const double* r = row->data();
        for (std::size_t k = 0; k < n; ++k) out[k * count + s] = r[k];
    }
}

}  // namespace tanhui::risk
