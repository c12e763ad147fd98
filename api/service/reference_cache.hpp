// The reference data quote requests are checked against (a market's currency, whether a region
// exists), kept for a while after it is read (docs/performance.md "The reference cache").
//
// Without it every price quote's check is a read transaction of its own: file-lock syscalls and,
// while the quote writer commits, re-reads of the pages (SQLite drops a connection's page cache
// whenever another connection has committed). At 10,000 price quotes a second that was about a
// fifth of the workers' CPU. A market or region an import adds is seen within `ttl`, as a revoked
// key still works for ServerOptions::key_cache_ttl.
#pragma once

#include "api/json/references.hpp"

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace tanhui::data {
class Store;
}

namespace tanhui::api {

class ReferenceCache {
public:
    // At most `max_entries` values of each kind are kept: a request names any market or region it
    // likes, and unknown ones are cached too. When a kind is full it is emptied and refilled.
    explicit ReferenceCache(std::chrono::milliseconds ttl, std::size_t max_entries = 4'096)
        : ttl_(ttl), max_entries_(max_entries) {}
    ReferenceCache(const ReferenceCache&) = delete;
    ReferenceCache& operator=(const ReferenceCache&) = delete;

    // The checks of store_references(store), answered from the cache while a value is younger
    // than the ttl and read on `store` (the calling thread's connection) otherwise. The functions
    // refer to this cache and to `store`: use them on this thread, while both live.
    ReferenceData references(data::Store& store);

    std::size_t size() const;  // values kept, both kinds (for tests)

private:
    template <class V>
    struct Entry {
        V value;
        std::chrono::steady_clock::time_point read;
    };
    template <class V, class Read>
    V lookup(std::unordered_map<std::string, Entry<V>>& kind, const std::string& key, Read read);

    std::chrono::milliseconds ttl_;
    std::size_t max_entries_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Entry<std::optional<std::string>>> currencies_;
    std::unordered_map<std::string, Entry<bool>> regions_;
};

}  // namespace tanhui::api
