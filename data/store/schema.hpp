// The database schema as an ordered list of migrations; PRAGMA user_version = migrations applied.
#pragma once

#include <SQLiteCpp/Database.h>

#include <string_view>
#include <vector>

namespace tanhui::data {

struct Migration {
    int version;            // user_version after this migration
    std::string_view why;   // one line for `tanhui data list` and the logs
    std::string_view sql;
};

const std::vector<Migration>& migrations();
int latest_schema_version();

// Applies every migration above the database's user_version, each in its own transaction.
// Throws when the database is newer than this program.
void migrate(SQLite::Database& db, int target = -1);

// How long a connection waits for another's lock before "database is locked" (its busy timeout).
inline constexpr int busy_timeout_ms = 10'000;

// WAL, foreign keys, busy timeout: for every connection.
void configure_connection(SQLite::Database& db);

}  // namespace tanhui::data
