// API keys (table api_keys): what is stored of a key, never the key. Generating keys, hashing
// secrets and comparing hashes is auth logic and stays in api/http/auth.cpp; this is the storage.
#pragma once

#include "data/repositories/repository.hpp"

#include <optional>
#include <string>
#include <vector>

namespace tanhui::data {

struct StoredKey {
    std::string id;    // 12 hex digits
    std::string name;
    std::string role;  // underwriter, actuary or admin (the table refuses anything else)
    std::vector<unsigned char> salt, hash;
    std::string created;                 // ISO 8601 UTC
    std::optional<std::string> revoked;  // when revoked
};

enum class RevokeResult { revoked, already_revoked, not_found };

class Keys : public Repository {
public:
    explicit Keys(Store& store) : Repository(store) {}

    // Stores a new key; false, and nothing written, when a key with this id exists.
    bool add(const StoredKey& key);
    // Every key, oldest first (ties by id); salt and hash left empty.
    std::vector<StoredKey> list();
    // The key with this id, salt and hash included, for verifying a token.
    std::optional<StoredKey> find(const std::string& id);
    // Marks the key revoked now; a revoked key stays revoked with its first date.
    RevokeResult revoke(const std::string& id);
    // Keys not revoked.
    long long active_count();
};

}  // namespace tanhui::data
