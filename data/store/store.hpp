// The embedded SQLite store: opening (with migrations), building from data/historical on first
// use, and the read queries the CLI and the service need. One Store per thread.
#pragma once

#include "data/types.hpp"

#include <SQLiteCpp/Database.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace tanhui::data {

struct StoreOptions {
    std::filesystem::path historical_dir;  // data/historical: used when the database is created
    bool read_only = false;
};

// The default historical folder: $TANHUI_DATA_DIR, else the source tree's data/historical.
std::filesystem::path default_historical_dir();
// The default database: $TANHUI_DB, else ./var/tanhui.db.
std::filesystem::path default_database_path();

struct BuildReport {
    std::size_t files = 0;
    std::size_t rows = 0;
    double seconds = 0;
};

// Creates a complete database at `path` from the historical CSV files. It is built under a
// temporary name and renamed into place, so no half-built database ever carries the final name.
BuildReport build_database(const std::filesystem::path& path, const std::filesystem::path& historical_dir);

class Store {
public:
    // Opens `path`, building it first when it does not exist, and migrates it to the latest schema.
    explicit Store(const std::filesystem::path& path, const StoreOptions& options = {});

    SQLite::Database& db() { return db_; }
    const std::filesystem::path& path() const { return path_; }
    bool created() const { return created_; }  // built by this open
    int schema_version();

    struct TableCount { std::string table; long long rows; };
    std::vector<TableCount> table_counts();

    struct MarketRange {
        std::string market, name_en, currency;
        std::string first_date, last_date;
        long long rows = 0, traded = 0;
        double first_close = 0, last_close = 0;
    };
    std::vector<MarketRange> market_ranges();
    std::optional<MarketRange> market(const std::string& market);

    struct HistoryRange { std::string region, name_zh; int first_year = 0, last_year = 0; long long rows = 0; };
    std::vector<HistoryRange> fire_ranges();
    std::vector<HistoryRange> pest_ranges();

    // Observations of a market between two ISO dates (inclusive; empty = open).
    std::vector<PricePoint> prices(const std::string& market, const std::string& from = {}, const std::string& to = {});
    std::vector<FireYear> fire_history(const std::string& region, int from_year = 0, int to_year = 9999);
    std::vector<PestYear> pest_history(const std::string& region, const std::string& pest = {});
    std::vector<Region> regions(const std::string& level = {});
    std::optional<Region> region(const std::string& code);
    // Forest area (ha) of a region from its latest inventory that reports one.
    std::optional<double> forest_area_ha(const std::string& region);
    std::optional<double> assumption(const std::string& key);

private:
    std::filesystem::path path_;
    bool created_ = false;
    SQLite::Database db_;
};

}  // namespace tanhui::data
