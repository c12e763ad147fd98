// Idempotency keys (table idempotency_keys): the answer a POST stored under a client's
// Idempotency-Key, so that a retry with the same key and body gets the same answer and stores
// nothing twice (docs/api.md "Retries"). Scoped by API key: two clients may use the same key.
#pragma once

#include "data/repositories/repository.hpp"

#include <optional>
#include <string>

namespace tanhui::data {

struct IdempotencyRecord {
    std::string key_id;           // the API key's id; "" in local mode
    std::string idempotency_key;  // as the client sent it
    std::string request_sha256;   // of the canonical request body (api/ decides what that is)
    int status = 200;             // of the stored answer
    std::string response;         // the answer's body
    std::string created, expires;  // ISO 8601 UTC; the record is live while now < expires
};

class Idempotency : public Repository {
public:
    explicit Idempotency(Store& store) : Repository(store) {}

    // The live record of (key_id, idempotency_key) at `now` (ISO 8601 UTC), or nothing.
    std::optional<IdempotencyRecord> find(const std::string& key_id, const std::string& idempotency_key,
                                          const std::string& now);
    // Stores the record, replacing an expired one; false, and nothing written, when a live record
    // of (key_id, idempotency_key) exists at record.created.
    bool add(const IdempotencyRecord& record);
    // Deletes the records expired at `now`; returns how many.
    long long purge(const std::string& now);
};

}  // namespace tanhui::data
