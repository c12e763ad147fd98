#include "data/store/store.hpp"

#include "data/store/coalescing_wal.hpp"

#include "data/import/import.hpp"
#include "data/store/schema.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>

#include <fcntl.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <stdexcept>
#include <thread>
#include <unistd.h>

#ifndef TANHUI_SOURCE_DIR
#define TANHUI_SOURCE_DIR "."
#endif

namespace tanhui::data {

namespace fs = std::filesystem;

fs::path default_historical_dir() {
    if (const char* dir = std::getenv("TANHUI_DATA_DIR"); dir && *dir) return dir;
    return fs::path(TANHUI_SOURCE_DIR) / "data" / "historical";
}

fs::path default_database_path() {
    if (const char* db = std::getenv("TANHUI_DB"); db && *db) return db;
    return fs::path("var") / "tanhui.db";
}

namespace {

// The historical files in load order (references first). Prices: every prices_<MARKET>.csv.
struct HistoricalFile { const char* kind; const char* file; };
constexpr HistoricalFile historical_files[] = {
    {"regions", "regions.csv"},
    {"forest_area", "forest_area.csv"},
    {"markets", "markets.csv"},
    {"fire", "fire_history.csv"},
    {"disaster", "disaster_history.csv"},
    {"pest", "pest_history.csv"},
    {"geological_hazards", "geological_hazards.csv"},
    {"province_neighbours", "province_neighbours.csv"},
    {"forest_types", "forest_types.csv"},
    {"carbon_density", "carbon_density_by_age.csv"},
    {"assumptions", "assumptions.csv"},
    {"typhoon", "typhoon_tracks.csv"},
    {"region_centroids", "region_centroids.csv"},
};

}  // namespace

BuildReport build_database(const fs::path& path, const fs::path& historical_dir) {
    const auto start = std::chrono::steady_clock::now();
    if (!fs::is_directory(historical_dir))
        throw std::runtime_error("historical data folder not found: " + historical_dir.string() +
                                 " (set TANHUI_DATA_DIR)");
    if (path.has_parent_path()) fs::create_directories(path.parent_path());
    fs::path tmp = path;
    tmp += ".building-" + std::to_string(::getpid());
    auto remove_tmp = [&] {
        for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
            fs::path p = tmp;
            p += suffix;
            std::error_code ec;
            fs::remove(p, ec);
        }
    };
    remove_tmp();
    BuildReport report;
    try {
        {
            SQLite::Database db(tmp.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
            db.exec("PRAGMA foreign_keys = ON");
            db.exec("PRAGMA journal_mode = DELETE");  // one file to rename
            migrate(db);
            std::vector<std::pair<std::string, fs::path>> files;
            for (const auto& f : historical_files) {
                files.emplace_back(f.kind, historical_dir / f.file);
                if (std::string_view(f.kind) == "markets") {
                    std::vector<fs::path> prices;
                    for (const auto& entry : fs::directory_iterator(historical_dir)) {
                        const std::string name = entry.path().filename().string();
                        if (name.rfind("prices_", 0) == 0 && entry.path().extension() == ".csv")
                            prices.push_back(entry.path());
                    }
                    std::sort(prices.begin(), prices.end());
                    for (const auto& p : prices) files.emplace_back("prices", p);
                }
            }
            for (const auto& [kind, file] : files) {
                const ImportResult r = import_file(db, kind, file.string());
                ++report.files;
                report.rows += r.rows;
            }
            SQLite::Statement fk(db, "PRAGMA foreign_key_check");
            if (fk.executeStep())
                throw std::runtime_error("foreign key check failed on the historical data: table " +
                                         fk.getColumn(0).getString());
        }
        fs::rename(tmp, path);
    } catch (...) {
        remove_tmp();
        throw;
    }
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return report;
}

namespace {

std::string open_path(const fs::path& path, const StoreOptions& options, bool& created) {
    if (!fs::exists(path)) {
        if (options.read_only) throw std::runtime_error("database not found: " + path.string());
        build_database(path, options.historical_dir.empty() ? default_historical_dir() : options.historical_dir);
        created = true;
    }
    return path.string();
}

}  // namespace

Store::Store(const fs::path& path, const StoreOptions& options)
    : path_(path),
      db_(std::make_unique<SQLite::Database>(open_path(path, options, created_).c_str(),
                                             options.read_only ? SQLite::OPEN_READONLY : SQLite::OPEN_READWRITE, 0,
                                             options.coalesce_wal ? coalescing_wal_vfs() : nullptr)) {
    if (!options.read_only) {
        configure_connection(*db_);
        migrate(*db_);
        if (!options.wal_autocheckpoint) db_->exec("PRAGMA wal_autocheckpoint = 0");
        if (options.synchronous_full) db_->exec("PRAGMA synchronous = FULL");
        if (options.journal_size_limit > 0)
            db_->exec("PRAGMA journal_size_limit = " + std::to_string(options.journal_size_limit));
    } else {
        db_->setBusyTimeout(busy_timeout_ms);
    }
}

Store::~Store() = default;

Store::StatementLease::~StatementLease() { s_->tryReset(); }

Store::StatementLease Store::cached_statement(const char* sql) {
    auto& statement = statements_[sql];
    if (!statement) statement = std::make_unique<SQLite::Statement>(*db_, sql);
    else statement->clearBindings();
    return StatementLease(*statement);
}
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;

int Store::schema_version() { return db().execAndGet("PRAGMA user_version").getInt(); }

namespace {

// The checkpoint's busy handler while it restarts the WAL. SQLite's default handler sleeps 1, 2, 5,
// 10 ... ms between tries; every commit waits behind a restart in progress, and the transactions
// it waits for last tens of microseconds. 100 ms at most (from `*started`): then the restart gives up.
int retry_briefly(void* started, int) {
    const auto since = std::chrono::steady_clock::now() - *static_cast<std::chrono::steady_clock::time_point*>(started);
    if (since > std::chrono::milliseconds(100)) return 0;
    std::this_thread::sleep_for(std::chrono::microseconds(20));
    return 1;
}

// Writes the file's dirty pages to the disk (fdatasync), on a descriptor of its own: the
// checkpoints before a restart copy pages into the database without syncing it (SQLite syncs the
// database only when a checkpoint reaches the WAL's end), and the restart's own sync would
// otherwise write them all while the writer waits.
void flush_file(const fs::path& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;  // only an optimisation: the restart's own sync writes the pages then
    ::fdatasync(fd);
    ::close(fd);
}

}  // namespace

Store::CheckpointReport Store::checkpoint(std::int64_t restart_bytes) {
    sqlite3* handle = db().getHandle();
    int frames = 0, copied = 0;
    auto passive = [&] {
        const int rc = sqlite3_wal_checkpoint_v2(handle, nullptr, SQLITE_CHECKPOINT_PASSIVE, &frames, &copied);
        if (rc != SQLITE_OK && rc != SQLITE_BUSY) throw SQLite::Exception(handle, rc);
    };
    // A few passes, each copying what the last one's time let the writer append, until a pass
    // finds fewer than 256 new frames (each pass is shorter than the one before while the copy
    // outruns the writer; 8 passes at most).
    auto catch_up = [&] {
        for (int pass = 0; pass < 8; ++pass) {
            const int before = frames;
            passive();
            if (frames - before < 256) break;
        }
    };
    passive();
    CheckpointReport report;
    const std::int64_t page_size = db().execAndGet("PRAGMA page_size").getInt64();
    report.wal_bytes = static_cast<std::int64_t>(frames) * (page_size + 24);  // a frame's header: 24 bytes
    if (restart_bytes <= 0 || report.wal_bytes <= restart_bytes) return report;
    catch_up();
    flush_file(path_);
    catch_up();
    auto started = std::chrono::steady_clock::now();
    sqlite3_busy_handler(handle, retry_briefly, &started);
    const int rc = sqlite3_wal_checkpoint_v2(handle, nullptr, SQLITE_CHECKPOINT_RESTART, &frames, &copied);
    db().setBusyTimeout(busy_timeout_ms);  // the connection's handler again
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) throw SQLite::Exception(handle, rc);
    report.restarted = rc == SQLITE_OK;
    return report;
}

void Store::check_writable(int wait_ms) {
    db().setBusyTimeout(wait_ms);
    try {
        db().exec("BEGIN IMMEDIATE");
        db().exec("ROLLBACK");
    } catch (...) {
        db().setBusyTimeout(busy_timeout_ms);
        throw;
    }
    db().setBusyTimeout(busy_timeout_ms);
}

std::vector<Store::TableCount> Store::table_counts() {
    std::vector<TableCount> out;
    SQLite::Statement tables(db(), "SELECT name FROM sqlite_master WHERE type = 'table' "
                                  "AND name NOT LIKE 'sqlite_%' ORDER BY name");
    while (tables.executeStep()) {
        const std::string name = tables.getColumn(0).getString();
        out.push_back({name, db().execAndGet("SELECT count(*) FROM \"" + name + "\"").getInt64()});
    }
    return out;
}

namespace {
constexpr const char* market_range_sql = R"sql(
SELECT m.market, m.name_en, m.currency,
       min(p.date), max(p.date), count(p.date), coalesce(sum(p.traded), 0),
       (SELECT close FROM price_history WHERE market = m.market ORDER BY date ASC LIMIT 1),
       (SELECT close FROM price_history WHERE market = m.market ORDER BY date DESC LIMIT 1)
FROM markets m LEFT JOIN price_history p ON p.market = m.market
)sql";

Store::MarketRange read_range(SQLite::Statement& q) {
    Store::MarketRange r;
    r.market = q.getColumn(0).getString();
    r.name_en = q.getColumn(1).getString();
    r.currency = q.getColumn(2).getString();
    r.first_date = q.getColumn(3).getString();
    r.last_date = q.getColumn(4).getString();
    r.rows = q.getColumn(5).getInt64();
    r.traded = q.getColumn(6).getInt64();
    r.first_close = q.getColumn(7).getDouble();
    r.last_close = q.getColumn(8).getDouble();
    return r;
}
}  // namespace

std::vector<Store::MarketRange> Store::market_ranges() {
    SQLite::Statement q(db(), std::string(market_range_sql) + " GROUP BY m.market ORDER BY m.market");
    std::vector<MarketRange> out;
    while (q.executeStep()) out.push_back(read_range(q));
    return out;
}

std::optional<Store::MarketRange> Store::market(const std::string& market) {
    SQLite::Statement q(db(), std::string(market_range_sql) + " WHERE m.market = ? GROUP BY m.market");
    q.bind(1, market);
    if (!q.executeStep()) return std::nullopt;
    return read_range(q);
}

// Asked for every quote request (the market of a price cover): prepared once per connection,
// reset when the lease ends (cached_statement).
std::optional<std::string> Store::market_currency(const std::string& market) {
    const StatementLease q = cached_statement("SELECT currency FROM markets WHERE market = ?");
    q->bind(1, market);
    if (!q->executeStep()) return std::nullopt;
    return q->getColumn(0).getString();
}

namespace {
std::vector<Store::HistoryRange> history_ranges(SQLite::Database& db, const char* table) {
    SQLite::Statement q(db, std::string("SELECT h.region, r.name_zh, min(h.year), max(h.year), count(*) FROM ") +
                                table + " h JOIN regions r ON r.code = h.region GROUP BY h.region ORDER BY h.region");
    std::vector<Store::HistoryRange> out;
    while (q.executeStep())
        out.push_back({q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getInt(),
                       q.getColumn(3).getInt(), q.getColumn(4).getInt64()});
    return out;
}
}  // namespace

std::vector<Store::HistoryRange> Store::fire_ranges() { return history_ranges(db(), "fire_history"); }
std::vector<Store::HistoryRange> Store::pest_ranges() { return history_ranges(db(), "pest_history"); }

std::vector<PricePoint> Store::prices(const std::string& market, const std::string& from, const std::string& to) {
    SQLite::Statement q(db(), "SELECT date, close, volume_t, traded FROM price_history WHERE market = ? "
                             "AND date >= ? AND date <= ? ORDER BY date");
    q.bind(1, market);
    q.bind(2, from.empty() ? std::string("0000-00-00") : from);
    q.bind(3, to.empty() ? std::string("9999-99-99") : to);
    std::vector<PricePoint> out;
    while (q.executeStep()) {
        PricePoint p;
        p.date = q.getColumn(0).getString();
        p.close = q.getColumn(1).getDouble();
        if (!q.getColumn(2).isNull()) p.volume_t = q.getColumn(2).getDouble();
        p.traded = q.getColumn(3).getInt() != 0;
        out.push_back(std::move(p));
    }
    return out;
}

std::vector<FireYear> Store::fire_history(const std::string& region, int from_year, int to_year) {
    SQLite::Statement q(db(), "SELECT region, year, fires, burned_area_ha, forest_damaged_ha, fires_general, "
                             "fires_larger, fires_major, fires_extreme FROM fire_history "
                             "WHERE region = ? AND year BETWEEN ? AND ? ORDER BY year");
    q.bind(1, normalise_region_code(region));
    q.bind(2, from_year);
    q.bind(3, to_year);
    std::vector<FireYear> out;
    auto nullable = [&q](int c) { return q.getColumn(c).isNull() ? std::nan("") : q.getColumn(c).getDouble(); };
    while (q.executeStep())
        out.push_back({q.getColumn(0).getString(), q.getColumn(1).getInt(), q.getColumn(2).getDouble(),
                       q.getColumn(3).getDouble(), q.getColumn(4).getDouble(), nullable(5), nullable(6),
                       nullable(7), nullable(8)});
    return out;
}

std::vector<GeoHazardYear> Store::geological_hazards(const std::string& region) {
    SQLite::Statement q(db(), "SELECT region, year, hazards_total, landslides, collapses, debris_flows "
                             "FROM geological_hazards WHERE region = ? ORDER BY year");
    q.bind(1, normalise_region_code(region));
    std::vector<GeoHazardYear> out;
    while (q.executeStep())
        out.push_back({q.getColumn(0).getString(), q.getColumn(1).getInt(), q.getColumn(2).getDouble(),
                       q.getColumn(3).getDouble(), q.getColumn(4).getDouble(), q.getColumn(5).getDouble()});
    return out;
}

std::vector<DisasterYear> Store::disaster_history(const std::string& region) {
    SQLite::Statement q(db(), "SELECT region, year, coalesce(lowtemp_freeze_snow_affected_kha, 0), "
                             "coalesce(flood_geo_typhoon_affected_kha, 0) FROM disaster_history "
                             "WHERE region = ? ORDER BY year");
    q.bind(1, normalise_region_code(region));
    std::vector<DisasterYear> out;
    while (q.executeStep())
        out.push_back({q.getColumn(0).getString(), q.getColumn(1).getInt(), q.getColumn(2).getDouble(),
                       q.getColumn(3).getDouble()});
    return out;
}

std::vector<std::string> Store::province_neighbours(const std::string& region) {
    SQLite::Statement q(db(), "SELECT neighbour FROM province_neighbours WHERE region = ? ORDER BY neighbour");
    q.bind(1, normalise_region_code(region));
    std::vector<std::string> out;
    while (q.executeStep()) out.push_back(q.getColumn(0).getString());
    return out;
}

std::vector<TrackPoint> Store::typhoon_tracks(int from_year, int to_year) {
    SQLite::Statement q(db(), "SELECT storm, year, cma_number, time, class, lat, lon, pressure_hpa, wind_ms "
                             "FROM typhoon_tracks WHERE year BETWEEN ? AND ? ORDER BY year, storm, time");
    q.bind(1, from_year);
    q.bind(2, to_year);
    std::vector<TrackPoint> out;
    while (q.executeStep())
        out.push_back({q.getColumn(0).getString(), q.getColumn(1).getInt(), q.getColumn(2).getString(),
                       q.getColumn(3).getString(), q.getColumn(4).getInt(), q.getColumn(5).getDouble(),
                       q.getColumn(6).getDouble(), q.getColumn(7).getDouble(), q.getColumn(8).getDouble()});
    return out;
}

std::vector<RegionPoint> Store::region_centroids() {
    SQLite::Statement q(db(), "SELECT region, latitude, longitude FROM region_centroids ORDER BY region");
    std::vector<RegionPoint> out;
    while (q.executeStep())
        out.push_back({q.getColumn(0).getString(), q.getColumn(1).getDouble(), q.getColumn(2).getDouble()});
    return out;
}

std::vector<PestYear> Store::pest_history(const std::string& region, const std::string& pest) {
    SQLite::Statement q(db(), "SELECT region, year, pest, occurrence_area_ha FROM pest_history "
                             "WHERE region = ? AND (? = '' OR pest = ?) ORDER BY pest, year");
    q.bind(1, normalise_region_code(region));
    q.bind(2, pest);
    q.bind(3, pest);
    std::vector<PestYear> out;
    while (q.executeStep())
        out.push_back({q.getColumn(0).getString(), q.getColumn(1).getInt(), q.getColumn(2).getString(),
                       q.getColumn(3).getDouble()});
    return out;
}

std::vector<Region> Store::regions(const std::string& level) {
    SQLite::Statement q(db(), "SELECT code, level, name_zh, name_pinyin, coalesce(parent_code, '') FROM regions "
                             "WHERE ? = '' OR level = ? ORDER BY code");
    q.bind(1, level);
    q.bind(2, level);
    std::vector<Region> out;
    while (q.executeStep())
        out.push_back({q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString(),
                       q.getColumn(3).getString(), q.getColumn(4).getString()});
    return out;
}

// Asked for every holding of a quote request: prepared once per connection, reset when the lease
// ends (cached_statement).
std::optional<Region> Store::region(const std::string& code) {
    const StatementLease q = cached_statement(
        "SELECT code, level, name_zh, name_pinyin, coalesce(parent_code, '') FROM regions WHERE code = ?");
    q->bind(1, normalise_region_code(code));
    if (!q->executeStep()) return std::nullopt;
    return Region{q->getColumn(0).getString(), q->getColumn(1).getString(), q->getColumn(2).getString(),
                  q->getColumn(3).getString(), q->getColumn(4).getString()};
}

std::optional<double> Store::forest_area_ha(const std::string& region) {
    SQLite::Statement q(db(), "SELECT forest_area_ha FROM forest_area WHERE region = ? AND forest_area_ha IS NOT NULL "
                             "ORDER BY reference_year DESC LIMIT 1");
    q.bind(1, normalise_region_code(region));
    if (!q.executeStep()) return std::nullopt;
    return q.getColumn(0).getDouble();
}

std::optional<double> Store::assumption(const std::string& key) {
    SQLite::Statement q(db(), "SELECT value FROM assumptions WHERE key = ?");
    q.bind(1, key);
    if (!q.executeStep()) return std::nullopt;
    return q.getColumn(0).getDouble();
}

namespace {

Store::Assumption assumption_of(SQLite::Statement& q) {
    const auto optional = [&](int column) {
        return q.isColumnNull(column) ? std::nullopt : std::optional<double>(q.getColumn(column).getDouble());
    };
    return Store::Assumption{q.getColumn(0).getString(), q.getColumn(1).getDouble(), q.getColumn(2).getString(),
                             q.getColumn(3).getString(),  q.getColumn(4).getString(), q.getColumn(5).getString(),
                             optional(6),                 optional(7)};
}

}  // namespace

std::optional<Store::Assumption> Store::labelled_assumption(const std::string& key) {
    SQLite::Statement q(db(), "SELECT key, value, unit, applies_to, rationale, citation, low, high FROM assumptions WHERE key = ?");
    q.bind(1, key);
    if (!q.executeStep()) return std::nullopt;
    return assumption_of(q);
}

std::vector<Store::Assumption> Store::labelled_assumptions() {
    SQLite::Statement q(db(), "SELECT key, value, unit, applies_to, rationale, citation, low, high FROM assumptions ORDER BY key");
    std::vector<Assumption> out;
    while (q.executeStep()) out.push_back(assumption_of(q));
    return out;
}

std::vector<Store::InventoryArea> Store::forest_area_series(const std::string& region) {
    SQLite::Statement q(db(), "SELECT reference_year, forest_area_ha FROM forest_area WHERE region = ? "
                              "AND forest_area_ha IS NOT NULL ORDER BY reference_year");
    q.bind(1, normalise_region_code(region));
    std::vector<InventoryArea> out;
    while (q.executeStep()) out.push_back({q.getColumn(0).getInt(), q.getColumn(1).getDouble()});
    return out;
}

long long Store::region_count(const std::string& level, const std::string& code_prefix) {
    // A prefix compare, not LIKE: '_' and '%' in a prefix stay literal characters.
    SQLite::Statement q(db(), "SELECT count(*) FROM regions WHERE level = ? AND substr(code, 1, length(?)) = ?");
    q.bind(1, level);
    q.bind(2, code_prefix);
    q.bind(3, code_prefix);
    q.executeStep();
    return q.getColumn(0).getInt64();
}

std::vector<Store::CarbonDensity> Store::carbon_density_by_age() {
    SQLite::Statement q(db(), "SELECT forest_type, origin, age_from_years, age_to_years, tree_carbon_tc_per_ha "
                              "FROM carbon_density_by_age ORDER BY forest_type, origin, age_from_years");
    // NAN, the bits calibration has always hashed for an open bound (the growth data hash).
    auto nullable = [&q](int c) { return q.getColumn(c).isNull() ? double(NAN) : q.getColumn(c).getDouble(); };
    std::vector<CarbonDensity> out;
    while (q.executeStep())
        out.push_back({q.getColumn(0).getString(), q.getColumn(1).getString(), nullable(2), nullable(3),
                       q.getColumn(4).getDouble()});
    return out;
}

std::optional<double> Store::tree_carbon_tc_per_ha(ForestType type) {
    SQLite::Statement q(db(), "SELECT tree_carbon_tc_per_ha FROM forest_types WHERE forest_type = ?");
    q.bind(1, std::string(to_string(type)));
    if (!q.executeStep() || q.getColumn(0).isNull()) return std::nullopt;
    return q.getColumn(0).getDouble();
}

}  // namespace tanhui::data
