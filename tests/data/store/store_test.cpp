// The store: migrations, the database built from data/historical, and crash safety.
#include "data/import/import.hpp"
#include "data/store/schema.hpp"
#include "data/store/store.hpp"
#include "tests/data/test_db.hpp"

#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace tanhui::data;
namespace fs = std::filesystem;

namespace {

std::string schema_of(SQLite::Database& db) {
    std::string out;
    SQLite::Statement q(db, "SELECT type, name, coalesce(sql, '') FROM sqlite_master ORDER BY type, name");
    while (q.executeStep())
        out += q.getColumn(0).getString() + " " + q.getColumn(1).getString() + " " + q.getColumn(2).getString() + "\n";
    return out;
}

// One database built from data/historical for the whole suite; tests copy it.
class Historical : public ::testing::Test {
protected:
    static inline tanhui::testing::TempDir* dir = nullptr;
    static inline fs::path built;
    static void SetUpTestSuite() {
        dir = new tanhui::testing::TempDir;
        built = *dir / "historical.db";
        build_database(built, tanhui::testing::historical_dir());
    }
    static void TearDownTestSuite() { delete dir; }
};

}  // namespace

TEST(Migrations, FromEmptyAndFromEachEarlierVersionGiveTheSameSchema) {
    tanhui::testing::TempDir dir;
    SQLite::Database fresh((dir / "fresh.db").string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    migrate(fresh);
    EXPECT_EQ(fresh.execAndGet("PRAGMA user_version").getInt(), latest_schema_version());
    const std::string expected = schema_of(fresh);
    for (const Migration& m : migrations()) {
        SCOPED_TRACE("from version " + std::to_string(m.version));
        const fs::path p = dir / ("v" + std::to_string(m.version) + ".db");
        SQLite::Database db(p.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        migrate(db, m.version);
        EXPECT_EQ(db.execAndGet("PRAGMA user_version").getInt(), m.version);
        migrate(db);
        EXPECT_EQ(db.execAndGet("PRAGMA user_version").getInt(), latest_schema_version());
        EXPECT_EQ(schema_of(db), expected);
    }
}

TEST(Migrations, ANewerDatabaseIsRefused) {
    tanhui::testing::TempDir dir;
    SQLite::Database db((dir / "future.db").string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("PRAGMA user_version = 999");
    EXPECT_THROW(migrate(db), std::runtime_error);
}

TEST(StoreOpen, ConnectionUsesWalAndForeignKeys) {
    tanhui::testing::TempDir dir;
    SQLite::Database db((dir / "c.db").string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    configure_connection(db);
    EXPECT_EQ(db.execAndGet("PRAGMA journal_mode").getString(), "wal");
    EXPECT_EQ(db.execAndGet("PRAGMA foreign_keys").getInt(), 1);
}

TEST_F(Historical, FujianFireHistoryEqualsTheRawFile) {
    Store store(built);
    // Raw: fire/minatome__minatome/forest_fire_by_province_2004_2021.csv, row
    // "福建,2004,1164.0,1004.0,0.0,6.0,0.0,22444.8,13589.8,...".
    const auto fj = store.fire_history("35");
    ASSERT_EQ(fj.size(), 18u);
    EXPECT_EQ(fj.front().year, 2004);
    EXPECT_EQ(fj.front().fires, 1164);
    EXPECT_DOUBLE_EQ(fj.front().burned_area_ha, 22444.8);
    EXPECT_DOUBLE_EQ(fj.front().forest_damaged_ha, 13589.8);
    EXPECT_EQ(fj.back().year, 2021);
}

TEST_F(Historical, ThirtyOneProvincesOfFireHistory2004To2021) {
    Store store(built);
    const auto ranges = store.fire_ranges();
    EXPECT_EQ(ranges.size(), 31u);
    for (const auto& r : ranges) {
        EXPECT_EQ(r.first_year, 2004) << r.region;
        EXPECT_EQ(r.last_year, 2021) << r.region;
        EXPECT_EQ(r.rows, 18) << r.region;
    }
}

TEST_F(Historical, MarketFirstAndLastObservationsEqualTheRawFiles) {
    Store store(built);
    // ICAP export (raw carbon_price/g-dolphin__WorldCarbonPricingDatabase): Fujian launch and last close.
    const auto fjea = store.market("FJEA");
    ASSERT_TRUE(fjea);
    EXPECT_EQ(fjea->first_date, "2016-12-22");
    EXPECT_DOUBLE_EQ(fjea->first_close, 34.88);
    EXPECT_EQ(fjea->last_date, "2025-12-31");
    EXPECT_DOUBLE_EQ(fjea->last_close, 19);
    EXPECT_LT(fjea->traded, fjea->rows);  // carried-forward days are flagged, not counted
    // Wind CEA_raw.csv: the national ETS opened on 2021-07-16 at a close of 51.23.
    const auto cea = store.market("CEA");
    ASSERT_TRUE(cea);
    EXPECT_EQ(cea->first_date, "2021-07-16");
    EXPECT_DOUBLE_EQ(cea->first_close, 51.23);
    EXPECT_GE(store.market_ranges().size(), 7u);
    for (const char* m : {"FJEA", "CEA", "GDEA", "HBEA", "BJEA", "TJEA", "EUA"}) EXPECT_TRUE(store.market(m)) << m;
}

TEST_F(Historical, RegionsHaveProvincesFujianCitiesAndCounties) {
    Store store(built);
    EXPECT_EQ(store.regions("province").size(), 31u);
    std::size_t fujian_cities = 0;
    for (const auto& r : store.regions("prefecture")) fujian_cities += r.parent_code == "35";
    EXPECT_EQ(fujian_cities, 9u);
    const auto xinluo = store.region("350802");
    ASSERT_TRUE(xinluo);
    EXPECT_EQ(xinluo->parent_code, "3508");
    EXPECT_EQ(store.region("350800")->code, "3508");  // padded codes are accepted
    EXPECT_TRUE(store.forest_area_ha("35"));
}

TEST_F(Historical, ReimportingAShippedFileChangesNothing) {
    const fs::path copy = *dir / "reimport.db";
    fs::copy_file(built, copy, fs::copy_options::overwrite_existing);
    Store store(copy);
    const auto before = store.db().execAndGet("SELECT total_changes()").getInt64();
    const auto r = import_file(store.db(), "fire", (tanhui::testing::historical_dir() / "fire_history.csv").string());
    EXPECT_EQ(r.rows, 558u);
    EXPECT_EQ(r.changed, 0u);
    (void)before;
}

// kill -9 in the middle of an import: the database is as it was before, and intact.
TEST_F(Historical, KillDuringImportLeavesTheDatabaseAsItWas) {
    const fs::path copy = *dir / "kill.db";
    fs::copy_file(built, copy, fs::copy_options::overwrite_existing);
    const fs::path big = *dir / "prices_KILL.csv";
    {
        std::ofstream out(big);
        out << "date,close,volume_t,currency,traded,source\n";
        for (int y = 1000; y < 9000; ++y)
            for (int m = 1; m <= 12; ++m)
                for (int d = 1; d <= 28; ++d) {
                    char date[16];
                    std::snprintf(date, sizeof date, "%04d-%02d-%02d", y, m, d);
                    out << date << ",10.5,100,CNY,1,test\n";
                }
    }
    long long before = 0;
    {
        Store store(copy);
        before = store.db().execAndGet("SELECT count(*) FROM price_history").getInt64();
    }
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        try {
            Store store(copy);
            import_file(store.db(), "prices", big.string());
        } catch (...) {
        }
        _exit(0);
    }
    // Wait until the child is writing (the WAL grows), then kill it.
    fs::path wal = copy;
    wal += "-wal";
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
        std::error_code ec;
        if (fs::file_size(wal, ec) > 4u << 20) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    kill(child, SIGKILL);
    int status = 0;
    waitpid(child, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the import finished before it could be killed";

    Store store(copy);
    EXPECT_EQ(store.db().execAndGet("PRAGMA integrity_check").getString(), "ok");
    EXPECT_EQ(store.db().execAndGet("SELECT count(*) FROM price_history").getInt64(), before);
    EXPECT_EQ(store.db().execAndGet("SELECT count(*) FROM markets WHERE market='KILL'").getInt(), 0);
}

TEST(StoreBuild, AMissingHistoricalFolderLeavesNoDatabase) {
    tanhui::testing::TempDir dir;
    EXPECT_THROW(build_database(dir / "x.db", dir / "no-such-folder"), std::runtime_error);
    EXPECT_FALSE(fs::exists(dir / "x.db"));
}
