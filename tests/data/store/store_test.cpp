// The store: migrations, the database built from data/historical, and crash safety.
#include "data/import/import.hpp"
#include "data/store/schema.hpp"
#include "data/store/store.hpp"
#include "tests/data/test_db.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <tuple>
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

// The reads calibration and validation make, against the shipped files (docs/data.md).
TEST_F(Historical, HistoryReadsMatchTheShippedFiles) {
    Store store(built);
    // forest_area.csv: CN has NFI6..NFI9, 2003 .. 2018.
    const auto cn = store.forest_area_series("CN");
    ASSERT_EQ(cn.size(), 4u);
    EXPECT_EQ(cn.front().reference_year, 2003);
    EXPECT_EQ(cn.front().forest_area_ha, 174909200);
    EXPECT_EQ(cn.back().reference_year, 2018);
    EXPECT_EQ(cn.back().forest_area_ha, *store.forest_area_ha("CN"));
    EXPECT_TRUE(store.forest_area_series("no such region").empty());

    // regions.csv: 31 provinces, 84 county-level units of Fujian; a prefix is no pattern.
    EXPECT_EQ(store.region_count("province"), 31);
    EXPECT_EQ(store.region_count("county", "35"), 84);
    EXPECT_EQ(store.region_count("county", "3508"), 7);  // Longyan
    EXPECT_EQ(store.region_count("county"), static_cast<long long>(store.regions("county").size()));
    EXPECT_EQ(store.region_count("county", "35_"), 0);
    EXPECT_EQ(store.region_count("county", "3%"), 0);

    // forest_types.csv: broadleaf 25.1 tC/ha; eucalyptus has no value.
    EXPECT_EQ(store.tree_carbon_tc_per_ha(tanhui::ForestType::broadleaf), 25.1);
    EXPECT_FALSE(store.tree_carbon_tc_per_ha(tanhui::ForestType::eucalyptus));

    // carbon_density_by_age.csv: sorted by type, origin, first age; an open last class is NaN.
    const auto density = store.carbon_density_by_age();
    ASSERT_FALSE(density.empty());
    bool open_class = false;
    for (std::size_t i = 1; i < density.size(); ++i) {
        const auto& a = density[i - 1];
        const auto& b = density[i];
        EXPECT_LE(std::tie(a.forest_type, a.origin), std::tie(b.forest_type, b.origin));
        open_class = open_class || std::isnan(b.age_to_years);
    }
    EXPECT_TRUE(open_class);
    EXPECT_EQ(density.front().forest_type, "bamboo");

    // assumptions.csv: the value with its unit and citation.
    const auto co2 = store.labelled_assumption("co2_per_c");
    ASSERT_TRUE(co2);
    EXPECT_EQ(co2->value, 3.666666667);
    EXPECT_EQ(co2->unit, "t CO2 per t C");
    EXPECT_EQ(co2->applies_to, "all");
    EXPECT_EQ(co2->citation, "IPCC 2006 Guidelines, Vol. 4, Ch. 2 (C to CO2 conversion 44/12)");
    EXPECT_EQ(co2->value, *store.assumption("co2_per_c"));
    // A physical constant has no band: its low and high columns are empty, read as absent.
    EXPECT_FALSE(co2->low);
    EXPECT_FALSE(co2->high);
    EXPECT_FALSE(store.labelled_assumption("no.such.key"));
}

TEST_F(Historical, ReimportingAShippedFileChangesNothing) {
    const fs::path copy = *dir / "reimport.db";
    fs::copy_file(built, copy, fs::copy_options::overwrite_existing);
    Store store(copy);
    const auto r = import_file(store, "fire", (tanhui::testing::historical_dir() / "fire_history.csv").string());
    EXPECT_EQ(r.rows, 558u);
    EXPECT_EQ(r.changed, 0u);
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
        SQLite::Database db(copy.string(), SQLite::OPEN_READONLY);
        before = db.execAndGet("SELECT count(*) FROM price_history").getInt64();
    }
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        try {
            Store store(copy);
            import_file(store, "prices", big.string());
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

    Store store(copy);  // opening read-write recovers the WAL
    SQLite::Database db(copy.string(), SQLite::OPEN_READONLY);
    EXPECT_EQ(db.execAndGet("PRAGMA integrity_check").getString(), "ok");
    EXPECT_EQ(db.execAndGet("SELECT count(*) FROM price_history").getInt64(), before);
    EXPECT_EQ(db.execAndGet("SELECT count(*) FROM markets WHERE market='KILL'").getInt(), 0);
}

TEST(StoreBuild, AMissingHistoricalFolderLeavesNoDatabase) {
    tanhui::testing::TempDir dir;
    EXPECT_THROW(build_database(dir / "x.db", dir / "no-such-folder"), std::runtime_error);
    EXPECT_FALSE(fs::exists(dir / "x.db"));
}
