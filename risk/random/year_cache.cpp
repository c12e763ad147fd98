#include "risk/random/year_cache.hpp"

#include <bit>
#include <algorithm>
#include <atomic>
#include <mutex>
#include <unordered_map>
#include <vector>
#include <utility>

namespace tanhui::risk {

YearRowParameters& YearRowParameters::add(double v) { return add(std::bit_cast<std::uint64_t>(v)); }

YearRowParameters& YearRowParameters::add(std::uint64_t v) {
    for (int i = 0; i < 8; ++i) bytes_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    return *this;
}

namespace {

struct KeyHash {
    std::size_t operator()(const YearRowKey& k) const {
        // splitmix64 steps over the words of the key but its inputs' fingerprint: the next block's
        // slot is then known before its numbers are (YearDrawCache::prefetch). Keys that differ
        // only in their inputs (a test's made-up normals) share a home slot and probe on.
        std::uint64_t h = 0x9e3779b97f4a7c15ull;
        for (std::uint64_t w : {k.parameters, k.seed, (std::uint64_t{k.first_year} << 32) | k.years}) {
            h ^= w;
            h += 0x9e3779b97f4a7c15ull;
            h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
            h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
            h ^= h >> 31;
        }
        return static_cast<std::size_t>(h);
    }
};

std::size_t row_bytes(const YearRow& row) {
    // The values and about what the list node, map node and shared block cost beside them.
    return row->size() * sizeof(double) + 160;
}

constexpr std::size_t max_interned = 65536;

}  // namespace

// A shard's rows in an open-addressing table (linear probing, at most half full): a lookup reads
// one 64-byte slot holding the key, its hash and the row, where a node-based map read a bucket,
// a node and the entry, each a likely cache miss (a warm five-peril quote makes about 2,000
// lookups). Eviction is the clock (second chance) approximation of least recently used: a hit
// marks its slot referenced; the hand sweeps the slots, clearing marks and evicting the first
// unmarked row. A new row starts marked, so it outlives at least one sweep. Deletion shifts the
// following run back (no tombstones), so a probe stops at the first empty slot.
struct YearDrawCache::Shard {
    struct alignas(64) Slot {
        YearRowKey key;
        const double* values = nullptr;  // row->data(), for prefetch_values without a miss on the row
        YearRow row;                     // null: an empty slot
        std::uint32_t hash = 0;          // the key's hash's low bits: its home at any table size
        bool referenced = false;
    };
    static_assert(sizeof(Slot) == 64, "a slot is one cache line");
    std::mutex mutex;
    std::vector<Slot> slots;  // size 0 or a power of two
    // The table's address and mask for prefetch, which reads them without the mutex: set under
    // it whenever slots is reallocated or emptied. A stale pair only prefetches a wrong line.
    std::atomic<const Slot*> table{nullptr};
    std::atomic<std::size_t> table_mask{0};

    void publish() {
        table.store(slots.empty() ? nullptr : slots.data(), std::memory_order_relaxed);
        table_mask.store(slots.empty() ? 0 : mask(), std::memory_order_relaxed);
    }
    std::size_t count = 0, hand = 0;
    std::size_t bytes = 0;
    std::uint64_t hits = 0, misses = 0, evictions = 0;

    std::size_t mask() const { return slots.size() - 1; }

    // The first slot of hash's probe run whose key `matches`, or null.
    template <class Matches>
    Slot* probe(std::uint64_t hash, Matches&& matches) {
        if (slots.empty()) return nullptr;
        for (std::size_t i = hash & mask();; i = (i + 1) & mask()) {
            Slot& s = slots[i];
            if (!s.row) return nullptr;
            if (s.hash == static_cast<std::uint32_t>(hash) && matches(s.key)) return &s;
        }
    }
    Slot* lookup(const YearRowKey& key, std::uint64_t hash) {
        return probe(hash, [&](const YearRowKey& k) { return k == key; });
    }

    // Adds a key that is not in the table.
    void put(const YearRowKey& key, std::uint64_t hash, YearRow row, bool referenced) {
        if ((count + 1) * 2 > slots.size()) grow();
        std::size_t i = hash & mask();
        while (slots[i].row) i = (i + 1) & mask();
        const double* values = row->data();
        slots[i] = Slot{key, values, std::move(row), static_cast<std::uint32_t>(hash), referenced};
        ++count;
    }

    void grow() {
        std::vector<Slot> old(std::max<std::size_t>(64, slots.size() * 2));
        old.swap(slots);
        count = 0;
        hand = 0;
        for (Slot& s : old)
            if (s.row) put(s.key, s.hash, std::move(s.row), s.referenced);
        publish();
    }

    // Empties slot i and shifts back each following slot of the run that may sit closer to its home.
    void erase_at(std::size_t i) {
        slots[i] = Slot{};
        --count;
        for (std::size_t j = (i + 1) & mask(); slots[j].row; j = (j + 1) & mask()) {
            const std::size_t home = slots[j].hash & mask();
            if (((j - home) & mask()) >= ((j - i) & mask())) {
                slots[i] = std::move(slots[j]);
                slots[j] = Slot{};
                i = j;
            }
        }
    }

    // Evicts until `needed` more bytes fit within limit (or nothing is left). Two sweeps of the
    // hand clear every mark; past them rows go whatever their mark, so the loop ends.
    void make_room(std::size_t needed, std::size_t limit) {
        std::size_t steps = 2 * slots.size() + 2;
        while (count > 0 && bytes + needed > limit) {
            Slot& s = slots[hand];
            if (!s.row || (s.referenced && steps > 0)) {
                s.referenced = false;
                hand = (hand + 1) & mask();
                if (steps > 0) --steps;
                continue;
            }
            bytes -= row_bytes(s.row);
            erase_at(hand);  // the slot may now hold a shifted row: look at it again
            ++evictions;
        }
    }
};

struct YearDrawCache::Interned {
    std::mutex mutex;
    std::unordered_map<std::string, std::uint64_t> ids;
    std::uint64_t next = 1;
};

YearDrawCache::YearDrawCache() : shards_(new Shard[shards]), interned_(std::make_unique<Interned>()) {}
YearDrawCache::~YearDrawCache() = default;

std::uint64_t YearDrawCache::intern(const YearRowParameters& parameters) {
    const std::lock_guard lock(interned_->mutex);
    auto& ids = interned_->ids;
    if (auto it = ids.find(parameters.bytes()); it != ids.end()) return it->second;
    if (ids.size() >= max_interned) ids.clear();
    const std::uint64_t id = interned_->next++;
    ids.emplace(parameters.bytes(), id);
    return id;
}

void YearDrawCache::prefetch(const YearRowKey& key) const {
    const std::uint64_t hash = KeyHash{}(key);
    const Shard& s = shards_[(hash >> 60) % shards];
    const Shard::Slot* table = s.table.load(std::memory_order_relaxed);
    if (table) __builtin_prefetch(table + (hash & s.table_mask.load(std::memory_order_relaxed)));
}

void YearDrawCache::prefetch_values(const YearRowKey& key) {
    const std::uint64_t hash = KeyHash{}(key);
    Shard& s = shards_[(hash >> 60) % shards];
    const std::unique_lock lock(s.mutex, std::try_to_lock);
    if (!lock.owns_lock()) return;
    const Shard::Slot* slot = s.probe(hash, [&](const YearRowKey& k) {
        return k.parameters == key.parameters && k.seed == key.seed && k.first_year == key.first_year && k.years == key.years;
    });
    if (!slot) return;
    // The values from the slot itself (the row's own block would be one more miss).
    const char* at = reinterpret_cast<const char*>(slot->values);
    const std::size_t bytes = std::size_t{key.years} * sizeof(double);
    for (std::size_t b = 0; b < bytes; b += 64) __builtin_prefetch(at + b);
}

YearRow YearDrawCache::find(const YearRowKey& key) {
    const std::uint64_t hash = KeyHash{}(key);
    Shard& s = shards_[(hash >> 60) % shards];
    const std::lock_guard lock(s.mutex);
    Shard::Slot* slot = s.lookup(key, hash);
    if (!slot) {
        ++s.misses;
        return nullptr;
    }
    ++s.hits;
    slot->referenced = true;
    return slot->row;
}

YearRow YearDrawCache::insert(const YearRowKey& key, YearRow row) {
    const std::size_t limit = budget_.load(std::memory_order_relaxed) / shards;
    const std::size_t bytes = row_bytes(row);
    if (bytes > limit) return row;
    const std::uint64_t hash = KeyHash{}(key);
    Shard& s = shards_[(hash >> 60) % shards];
    const std::lock_guard lock(s.mutex);
    if (Shard::Slot* slot = s.lookup(key, hash)) return slot->row;  // filled meanwhile
    s.make_room(bytes, limit);
    s.put(key, hash, row, true);
    s.bytes += bytes;
    return row;
}

void YearDrawCache::set_budget_bytes(std::size_t bytes) {
    budget_.store(bytes, std::memory_order_relaxed);
    for (std::size_t i = 0; i < shards; ++i) {
        Shard& s = shards_[i];
        const std::lock_guard lock(s.mutex);
        s.make_room(0, bytes / shards);
    }
}

void YearDrawCache::clear() {
    for (std::size_t i = 0; i < shards; ++i) {
        Shard& s = shards_[i];
        const std::lock_guard lock(s.mutex);
        s.slots.clear();
        s.publish();
        s.count = 0;
        s.hand = 0;
        s.bytes = 0;
    }
}

YearDrawCache::Stats YearDrawCache::stats() const {
    Stats out;
    for (std::size_t i = 0; i < shards; ++i) {
        Shard& s = shards_[i];
        const std::lock_guard lock(s.mutex);
        out.hits += s.hits;
        out.misses += s.misses;
        out.evictions += s.evictions;
        out.rows += s.count;
        out.bytes += s.bytes;
    }
    return out;
}

YearDrawCache& year_draw_cache() {
    static YearDrawCache cache;
    return cache;
}

}  // namespace tanhui::risk
