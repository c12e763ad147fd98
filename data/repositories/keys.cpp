#include "data/repositories/keys.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

namespace tanhui::data {

namespace {

std::vector<unsigned char> blob(const SQLite::Column& c) {
    const auto* p = static_cast<const unsigned char*>(c.getBlob());
    return std::vector<unsigned char>(p, p + c.getBytes());
}

}  // namespace

bool Keys::add(const StoredKey& key) {
    SQLite::Statement insert(db(), "INSERT INTO api_keys (id, name, role, salt, hash, created, revoked) "
                                   "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING");
    insert.bind(1, key.id);
    insert.bind(2, key.name);
    insert.bind(3, key.role);
    insert.bind(4, key.salt.data(), static_cast<int>(key.salt.size()));
    insert.bind(5, key.hash.data(), static_cast<int>(key.hash.size()));
    insert.bind(6, key.created);
    if (key.revoked) insert.bind(7, *key.revoked);
    else insert.bind(7);
    return insert.exec() == 1;
}

std::vector<StoredKey> Keys::list() {
    SQLite::Statement q(db(), "SELECT id, name, role, created, revoked FROM api_keys ORDER BY created, id");
    std::vector<StoredKey> out;
    while (q.executeStep()) {
        StoredKey k;
        k.id = q.getColumn(0).getString();
        k.name = q.getColumn(1).getString();
        k.role = q.getColumn(2).getString();
        k.created = q.getColumn(3).getString();
        if (!q.getColumn(4).isNull()) k.revoked = q.getColumn(4).getString();
        out.push_back(std::move(k));
    }
    return out;
}

std::optional<StoredKey> Keys::find(const std::string& id) {
    SQLite::Statement q(db(), "SELECT id, name, role, salt, hash, created, revoked FROM api_keys WHERE id = ?");
    q.bind(1, id);
    if (!q.executeStep()) return std::nullopt;
    StoredKey k;
    k.id = q.getColumn(0).getString();
    k.name = q.getColumn(1).getString();
    k.role = q.getColumn(2).getString();
    k.salt = blob(q.getColumn(3));
    k.hash = blob(q.getColumn(4));
    k.created = q.getColumn(5).getString();
    if (!q.getColumn(6).isNull()) k.revoked = q.getColumn(6).getString();
    return k;
}

RevokeResult Keys::revoke(const std::string& id) {
    SQLite::Statement q(db(), "SELECT revoked FROM api_keys WHERE id = ?");
    q.bind(1, id);
    if (!q.executeStep()) return RevokeResult::not_found;
    if (!q.getColumn(0).isNull()) return RevokeResult::already_revoked;
    q.reset();
    SQLite::Statement u(db(), "UPDATE api_keys SET revoked = ? WHERE id = ? AND revoked IS NULL");
    u.bind(1, utc_now_iso8601());
    u.bind(2, id);
    return u.exec() == 1 ? RevokeResult::revoked : RevokeResult::already_revoked;
}

long long Keys::active_count() {
    return db().execAndGet("SELECT count(*) FROM api_keys WHERE revoked IS NULL").getInt64();
}

}  // namespace tanhui::data
