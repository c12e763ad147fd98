#include "data/store/storage_error.hpp"

#include <SQLiteCpp/Exception.h>
#include <sqlite3.h>

namespace tanhui::data {

namespace {

std::string outside_cause(int sqlite_code) {
    switch (sqlite_code & 0xff) {
        case SQLITE_FULL: return "the disk holding the database is full";
        case SQLITE_READONLY: return "the database is read-only";
        case SQLITE_IOERR: return "the database had an I/O error";
        case SQLITE_CANTOPEN: return "the database file cannot be opened";
        case SQLITE_PERM: return "the database denied access";
        case SQLITE_BUSY:
        case SQLITE_LOCKED: return "the database stayed locked by another writer";
        default: return {};
    }
}

}  // namespace

std::optional<StorageError> storage_error(const std::exception& e) {
    const auto* sqlite = dynamic_cast<const SQLite::Exception*>(&e);
    if (!sqlite) return std::nullopt;
    return StorageError{sqlite->getExtendedErrorCode(), outside_cause(sqlite->getExtendedErrorCode())};
}

}  // namespace tanhui::data
