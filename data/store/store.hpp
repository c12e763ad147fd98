// The embedded SQLite store: opening (with migrations), building from data/historical on first
// use, and the typed reads of the historical data (prices, fire and pest history, regions, forest
// area, forest types, assumptions). One Store per thread. What users and the service write (keys,
// quotes, calibrations and model versions, holdings) goes through data/repositories/; nothing
// outside data/ sees the connection.
#pragma once

#include "data/types.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace SQLite {
class Database;
class Statement;
}

namespace tanhui::data {

struct StoreOptions {
    std::filesystem::path historical_dir;  // data/historical: used when the database is created
    bool read_only = false;
    // False for a connection whose commits must never wait for a checkpoint (the service's quote
    // writer: api/service/quote_writer.hpp); another connection then calls checkpoint().
    bool wal_autocheckpoint = true;
    // True: every commit is fsynced (SQLite synchronous=FULL) and survives a power cut; false
    // (NORMAL): a commit survives the process's crash or kill -9, not an OS crash.
    bool synchronous_full = false;
    // Above 0: the size in bytes SQLite truncates the WAL file to when a commit restarts it
    // (PRAGMA journal_size_limit); the file otherwise keeps its largest size.
    std::int64_t journal_size_limit = 0;
    // True: the connection's WAL frames of a transaction are written with one system call
    // (data/store/coalescing_wal.hpp), not two a page; the same bytes, at the same offsets.
    bool coalesce_wal = false;
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
    ~Store();
    Store(Store&&) noexcept;
    Store& operator=(Store&&) noexcept;

    const std::filesystem::path& path() const { return path_; }
    bool created() const { return created_; }  // built by this open
    int schema_version();
    struct CheckpointReport {
        std::int64_t wal_bytes = 0;  // the WAL's frames when the checkpoint began, in bytes
        bool restarted = false;      // the WAL was restarted: the next commit writes from its start
    };
    // Copies what the WAL holds into the database without waiting for anyone (PASSIVE). When the
    // WAL holds more than `restart_bytes` (> 0), also restarts it, so that the next commit writes
    // from the file's start and the WAL stays bounded under a writer that never pauses (SQLite
    // restarts a WAL only once a checkpoint has copied all of it, which a PASSIVE checkpoint
    // beside such a writer never does). The restart holds the writer back for about one fsync of
    // the last pages copied: the bulk is copied and flushed first, without blocking anyone
    // (docs/reliability.md "A bounded WAL"). A restart that cannot get its locks in about 100 ms
    // gives up (`restarted` false); the next checkpoint tries again.
    CheckpointReport checkpoint(std::int64_t restart_bytes = 0);
    // Whether the database can take a write now: begins and rolls back an IMMEDIATE transaction,
    // waiting at most `wait_ms` for another writer. Throws the store's error when it cannot.
    void check_writable(int wait_ms);

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
    // The currency a market is quoted in, or nothing for an unknown market (one row read: the
    // quote requests' check; market() reads the whole price history for its range).
    std::optional<std::string> market_currency(const std::string& market);

    struct HistoryRange { std::string region, name_zh; int first_year = 0, last_year = 0; long long rows = 0; };
    std::vector<HistoryRange> fire_ranges();
    std::vector<HistoryRange> pest_ranges();

    // Observations of a market between two ISO dates (inclusive; empty = open).
    std::vector<PricePoint> prices(const std::string& market, const std::string& from = {}, const std::string& to = {});
    std::vector<FireYear> fire_history(const std::string& region, int from_year = 0, int to_year = 9999);
    std::vector<PestYear> pest_history(const std::string& region, const std::string& pest = {});
    // The regional event perils' history (issue 16): geological hazards (oldest first), the
    // freeze and flood columns of disaster_history, a province's land neighbours.
    std::vector<GeoHazardYear> geological_hazards(const std::string& region);
    std::vector<DisasterYear> disaster_history(const std::string& region);
    std::vector<std::string> province_neighbours(const std::string& region);
    // Typhoon best-track points of the seasons from..to, by storm and time (typhoon_tracks.csv).
    std::vector<TrackPoint> typhoon_tracks(int from_year = 0, int to_year = 9999);
    // Every region's seat coordinates (region_centroids.csv), by code.
    std::vector<RegionPoint> region_centroids();
    std::vector<Region> regions(const std::string& level = {});
    std::optional<Region> region(const std::string& code);
    // Forest area (ha) of a region from its latest inventory that reports one.
    std::optional<double> forest_area_ha(const std::string& region);
    std::optional<double> assumption(const std::string& key);
    // A labelled assumption with its unit and where it comes from (assumptions.csv).
    struct Assumption {
        std::string key;
        double value = 0;
        std::string unit, applies_to, rationale, citation;
        std::optional<double> low, high;  // the band, where the row gives one
    };
    std::optional<Assumption> labelled_assumption(const std::string& key);
    // Every labelled assumption, by key.
    std::vector<Assumption> labelled_assumptions();

    // Every inventory of a region that reports a forest area, oldest first.
    struct InventoryArea { int reference_year = 0; double forest_area_ha = 0; };
    std::vector<InventoryArea> forest_area_series(const std::string& region);
    // Regions of a level whose code starts with `code_prefix` ("" = every region of the level).
    long long region_count(const std::string& level, const std::string& code_prefix = {});

    // Tree-layer carbon by age class (carbon_density_by_age.csv), ordered by forest type, origin
    // and first age; NaN where the class has no lower or upper bound.
    struct CarbonDensity {
        std::string forest_type, origin;
        double age_from_years = 0, age_to_years = 0, tree_carbon_tc_per_ha = 0;
    };
    std::vector<CarbonDensity> carbon_density_by_age();
    // A forest type's tree-layer carbon (forest_types.csv), nothing when the file leaves it empty.
    std::optional<double> tree_carbon_tc_per_ha(ForestType type);

private:
    friend class Repository;  // data/repositories/repository.hpp: the only way to the connection
    SQLite::Database& db() { return *db_; }
    // A statement of a hot path, prepared once per connection, lent for one use: its bindings
    // are cleared when it is handed out, and it is reset when the lease ends, also when a step or
    // a column read throws, so that no read transaction stays open (it would hold back WAL
    // checkpoints). `sql` must be a string literal: its address is the key.
    class StatementLease {
    public:
        explicit StatementLease(SQLite::Statement& s) : s_(&s) {}
        ~StatementLease();  // tryReset: never throws
        StatementLease(const StatementLease&) = delete;
        StatementLease& operator=(const StatementLease&) = delete;
        SQLite::Statement& operator*() const { return *s_; }
        SQLite::Statement* operator->() const { return s_; }

    private:
        SQLite::Statement* s_;
    };
    StatementLease cached_statement(const char* sql);

    std::filesystem::path path_;
    bool created_ = false;
    std::unique_ptr<SQLite::Database> db_;
    std::map<const char*, std::unique_ptr<SQLite::Statement>> statements_;  // after db_: finalised first
};

}  // namespace tanhui::data
