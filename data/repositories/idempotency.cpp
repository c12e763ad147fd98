#include "data/repositories/idempotency.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

namespace tanhui::data {

std::optional<IdempotencyRecord> Idempotency::find(const std::string& key_id, const std::string& idempotency_key,
                                                   const std::string& now) {
    SQLite::Statement q(db(), "SELECT request_sha256, status, response, created, expires FROM idempotency_keys "
                              "WHERE key_id = ? AND idempotency_key = ? AND expires > ?");
    q.bind(1, key_id);
    q.bind(2, idempotency_key);
    q.bind(3, now);
    if (!q.executeStep()) return std::nullopt;
    return IdempotencyRecord{key_id,
                             idempotency_key,
                             q.getColumn(0).getString(),
                             q.getColumn(1).getInt(),
                             q.getColumn(2).getString(),
                             q.getColumn(3).getString(),
                             q.getColumn(4).getString()};
}

bool Idempotency::add(const IdempotencyRecord& r) {
    // An expired record of the same key is replaced; a live one stays and nothing is written.
    SQLite::Statement insert(db(), "INSERT INTO idempotency_keys (key_id, idempotency_key, request_sha256, status, "
                                   "response, created, expires) VALUES (?, ?, ?, ?, ?, ?, ?) "
                                   "ON CONFLICT (key_id, idempotency_key) DO UPDATE SET "
                                   "request_sha256 = excluded.request_sha256, status = excluded.status, "
                                   "response = excluded.response, created = excluded.created, "
                                   "expires = excluded.expires WHERE idempotency_keys.expires <= excluded.created");
    insert.bind(1, r.key_id);
    insert.bind(2, r.idempotency_key);
    insert.bind(3, r.request_sha256);
    insert.bind(4, r.status);
    insert.bind(5, r.response);
    insert.bind(6, r.created);
    insert.bind(7, r.expires);
    return insert.exec() == 1;
}

long long Idempotency::purge(const std::string& now) {
    SQLite::Statement del(db(), "DELETE FROM idempotency_keys WHERE expires <= ?");
    del.bind(1, now);
    return del.exec();
}

}  // namespace tanhui::data
