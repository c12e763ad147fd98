#include "risk/random/year_cache.hpp"

#include <bit>
#include <list>
#include <mutex>
#include <unordered_map>
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
        // splitmix64 steps over the words of the key.
        std::uint64_t h = 0x9e3779b97f4a7c15ull;
        for (std::uint64_t w : {k.parameters, k.seed, (std::uint64_t{k.first_year} << 32) | k.years, k.inputs}) {
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

// A shard's rows, evicted by the clock (second chance) approximation of least recently used: a
// hit only marks its row referenced, in the map node it has just found (moving the row to the
// front of a list on every hit touched two more nodes, cache misses a quote paid thousands of
// times). Eviction takes rows from the back of the insertion list; a referenced one loses its
// mark and goes to the front instead, so a row in use survives and an idle one goes first.
struct YearDrawCache::Shard {
    using Order = std::list<YearRowKey>;  // newest (or given a second chance) first
    struct Entry {
        YearRow row;
        Order::iterator at;
        bool referenced = false;
    };
    std::mutex mutex;
    Order order;
    std::unordered_map<YearRowKey, Entry, KeyHash> index;
    std::size_t bytes = 0;
    std::uint64_t hits = 0, misses = 0, evictions = 0;

    // Evicts until `needed` more bytes fit within limit (or nothing is left).
    void make_room(std::size_t needed, std::size_t limit) {
        // Each row gets at most one second chance per call: the loop ends.
        std::size_t chances = order.size();
        while (!order.empty() && bytes + needed > limit) {
            const auto it = index.find(order.back());
            if (it->second.referenced && chances > 0) {
                --chances;
                it->second.referenced = false;
                order.splice(order.begin(), order, it->second.at);
                continue;
            }
            bytes -= row_bytes(it->second.row);
            order.pop_back();
            index.erase(it);
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

YearDrawCache::Shard& YearDrawCache::shard_of(const YearRowKey& key) {
    return shards_[(KeyHash{}(key) >> 7) % shards];
}

YearRow YearDrawCache::find(const YearRowKey& key) {
    Shard& s = shard_of(key);
    const std::lock_guard lock(s.mutex);
    const auto it = s.index.find(key);
    if (it == s.index.end()) {
        ++s.misses;
        return nullptr;
    }
    ++s.hits;
    it->second.referenced = true;
    return it->second.row;
}

YearRow YearDrawCache::insert(const YearRowKey& key, YearRow row) {
    const std::size_t limit = budget_.load(std::memory_order_relaxed) / shards;
    const std::size_t bytes = row_bytes(row);
    if (bytes > limit) return row;
    Shard& s = shard_of(key);
    const std::lock_guard lock(s.mutex);
    if (const auto it = s.index.find(key); it != s.index.end()) return it->second.row;  // filled meanwhile
    s.make_room(bytes, limit);
    s.order.push_front(key);
    s.index.emplace(key, Shard::Entry{row, s.order.begin(), false});
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
        s.order.clear();
        s.index.clear();
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
        out.rows += s.order.size();
        out.bytes += s.bytes;
    }
    return out;
}

YearDrawCache& year_draw_cache() {
    static YearDrawCache cache;
    return cache;
}

}  // namespace tanhui::risk
