// What went wrong in the store, for callers that must tell a storage failure from a bug without
// knowing SQLite (api/http/session.cpp maps the first to 503, the second to 500).
#pragma once

#include <exception>
#include <optional>
#include <string>

namespace tanhui::data {

struct StorageError {
    int code = 0;       // SQLite's extended result code
    std::string cause;  // in words when the cause lies outside the program (disk full, read-only,
                        // I/O error, cannot open, permission, locked past the busy timeout); empty
                        // for every other SQLite error (a constraint, corruption, a bad statement)
};

// The store error behind `e`, or nothing when `e` did not come from SQLite.
std::optional<StorageError> storage_error(const std::exception& e);

}  // namespace tanhui::data
