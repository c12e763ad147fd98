#include "data/repositories/calibrations.hpp"

#include "data/import/import.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <algorithm>
#include <map>
#include <stdexcept>
#include <utility>

namespace tanhui::data {

namespace {

// model_versions.calibrations holds the ids as a JSON array of strings; SQLite's own JSON
// functions read and write it, so data/ needs no JSON library.
std::vector<std::string> ids_of(SQLite::Database& db, const std::string& json_array) {
    SQLite::Statement q(db, "SELECT value FROM json_each(?) ORDER BY key");
    q.bind(1, json_array);
    std::vector<std::string> out;
    while (q.executeStep()) out.push_back(q.getColumn(0).getString());
    return out;
}

std::string json_array_of(SQLite::Database& db, const std::vector<std::string>& ids) {
    SQLite::Statement append(db, "SELECT json_insert(?, '$[#]', ?)");
    std::string out = "[]";
    for (const std::string& id : ids) {
        append.reset();
        append.bind(1, out);
        append.bind(2, id);
        append.executeStep();
        out = append.getColumn(0).getString();
    }
    return out;
}

StoredModelVersion version_of(SQLite::Database& db, SQLite::Statement& q) {
    return {q.getColumn(0).getString(), q.getColumn(1).getString(), ids_of(db, q.getColumn(2).getString()),
            q.getColumn(3).getInt() == 1};
}

}  // namespace

std::string Calibrations::store_version(std::span<const StoredCalibration> calibrations) {
    SQLite::Transaction tx(db(), SQLite::TransactionBehavior::IMMEDIATE);
    std::map<std::pair<std::string, std::string>, std::string> set;
    if (const auto current = current_version())
        for (const std::string& id : current->calibration_ids) {
            const auto c = find(id);
            if (!c) throw std::runtime_error("model version " + current->version + " names a missing calibration " + id);
            set[{c->family, c->scope}] = c->id;
        }
    SQLite::Statement insert(db(), "INSERT INTO calibrations(id, family, scope, created, data_hash, report) "
                                   "VALUES(?,?,?,?,?,?) ON CONFLICT(id) DO NOTHING");
    for (const StoredCalibration& c : calibrations) {
        insert.reset();
        insert.bind(1, c.id);
        insert.bind(2, c.family);
        insert.bind(3, c.scope);
        insert.bind(4, c.created);
        insert.bind(5, c.data_hash);
        insert.bind(6, c.document);
        insert.exec();
        set[{c.family, c.scope}] = c.id;
    }
    std::vector<std::string> ids;
    for (const auto& [key, id] : set) ids.push_back(id);
    std::sort(ids.begin(), ids.end());
    std::string joined;
    for (const auto& id : ids) joined += id + "\n";
    const std::string version = "m-" + sha256_hex(joined).substr(0, 12);
    db().exec("UPDATE model_versions SET is_current = 0 WHERE is_current = 1");
    SQLite::Statement mv(db(), "INSERT INTO model_versions(version, created, calibrations, is_current) VALUES(?,?,?,1) "
                               "ON CONFLICT(version) DO UPDATE SET is_current = 1");
    mv.bind(1, version);
    mv.bind(2, utc_now_iso8601());
    mv.bind(3, json_array_of(db(), ids));
    mv.exec();
    tx.commit();
    return version;
}

std::optional<StoredModelVersion> Calibrations::current_version() {
    SQLite::Statement q(db(), "SELECT version, created, calibrations, is_current FROM model_versions WHERE is_current = 1");
    if (!q.executeStep()) return std::nullopt;
    return version_of(db(), q);
}

std::optional<StoredModelVersion> Calibrations::version(const std::string& version) {
    SQLite::Statement q(db(), "SELECT version, created, calibrations, is_current FROM model_versions WHERE version = ?");
    q.bind(1, version);
    if (!q.executeStep()) return std::nullopt;
    return version_of(db(), q);
}

std::vector<StoredModelVersion> Calibrations::versions() {
    SQLite::Statement q(db(), "SELECT version, created, calibrations, is_current FROM model_versions ORDER BY created, version");
    std::vector<StoredModelVersion> out;
    while (q.executeStep()) out.push_back(version_of(db(), q));
    return out;
}

std::optional<StoredCalibration> Calibrations::find(const std::string& id) {
    SQLite::Statement q(db(), "SELECT id, family, scope, created, data_hash, report FROM calibrations WHERE id = ?");
    q.bind(1, id);
    if (!q.executeStep()) return std::nullopt;
    return StoredCalibration{q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString(),
                             q.getColumn(3).getString(), q.getColumn(4).getString(), q.getColumn(5).getString()};
}

}  // namespace tanhui::data
