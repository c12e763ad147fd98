// Temporary databases for the data tests.
#pragma once

#include "data/store/schema.hpp"
#include "tests/paths.hpp"

#include <SQLiteCpp/Database.h>

#include <filesystem>
#include <random>
#include <string>

namespace tanhui::testing {

// A fresh folder under the system temp dir, removed with the object.
class TempDir {
public:
    TempDir() {
        std::random_device rd;
        path_ = std::filesystem::temp_directory_path() / ("tanhui-test-" + std::to_string(rd()) + std::to_string(rd()));
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

inline std::filesystem::path historical_dir() {
    return std::filesystem::path(TANHUI_SOURCE_DIR) / "data" / "historical";
}

// An empty database with the latest schema and no rows at `path`, for a data::Store to open
// (a Store given a missing path would build the whole historical database instead).
inline std::filesystem::path empty_database(const std::filesystem::path& path) {
    SQLite::Database db(path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    data::migrate(db);
    return path;
}

}  // namespace tanhui::testing
