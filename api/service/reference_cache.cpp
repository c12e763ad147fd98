#include "api/service/reference_cache.hpp"

#include "api/service/quote_service.hpp"

namespace tanhui::api {

template <class V, class Read>
V ReferenceCache::lookup(std::unordered_map<std::string, Entry<V>>& kind, const std::string& key, Read read) {
    const auto now = std::chrono::steady_clock::now();
    {
        std::lock_guard lock(mutex_);
        if (const auto it = kind.find(key); it != kind.end() && now - it->second.read < ttl_) return it->second.value;
    }
    V value = read();  // outside the lock: a read must not hold up the other workers' hits
    std::lock_guard lock(mutex_);
    if (kind.size() >= max_entries_ && !kind.contains(key)) kind.clear();
    kind.insert_or_assign(key, Entry<V>{value, now});
    return value;
}

ReferenceData ReferenceCache::references(data::Store& store) {
    ReferenceData direct = store_references(store);
    ReferenceData cached;
    cached.region_exists = [this, check = direct.region_exists](const std::string& region) {
        return lookup(regions_, region, [&] { return check(region); });
    };
    cached.market_currency = [this, check = direct.market_currency](const std::string& market) {
        return lookup(currencies_, market, [&] { return check(market); });
    };
    return cached;
}

std::size_t ReferenceCache::size() const {
    std::lock_guard lock(mutex_);
    return currencies_.size() + regions_.size();
}

}  // namespace tanhui::api
