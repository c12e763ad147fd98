// The reference cache answers as the store does, keeps a value for its ttl (an import is seen
// after it, not before), and keeps a bounded number of values whatever the requests name.
#include "api/service/quote_service.hpp"
#include "api/service/reference_cache.hpp"
#include "data/store/store.hpp"
#include "tests/data/test_db.hpp"

#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

using tanhui::api::ReferenceCache;
namespace fs = std::filesystem;

namespace {

void add_market(const fs::path& db, const std::string& market, const std::string& currency) {
    SQLite::Database d(db.string(), SQLite::OPEN_READWRITE);
    d.exec("INSERT INTO markets VALUES ('" + market + "', 'n', 'n', 'x', '" + currency + "', 'tCO2e', 's')");
}

void add_province(const fs::path& db, const std::string& code) {
    SQLite::Database d(db.string(), SQLite::OPEN_READWRITE);
    d.exec("INSERT INTO regions VALUES ('" + code + "', 'province', 'n', 'n', NULL)");
}

struct Fixture {
    tanhui::testing::TempDir dir;
    fs::path db = tanhui::testing::empty_database(dir / "refs.db");
};

}  // namespace

TEST(ReferenceCache, AnswersAsTheStoreDoes) {
    Fixture f;
    add_market(f.db, "FJEA", "CNY");
    add_market(f.db, "EUA", "EUR");
    add_province(f.db, "35");
    tanhui::data::Store store(f.db);
    ReferenceCache cache(std::chrono::hours(1));
    const auto direct = tanhui::api::store_references(store);
    const auto cached = cache.references(store);
    for (int twice = 0; twice < 2; ++twice) {  // the second time from the cache
        for (const std::string m : {"FJEA", "EUA", "NONE"}) EXPECT_EQ(cached.market_currency(m), direct.market_currency(m)) << m;
        for (const std::string r : {"35", "36", "350802"}) EXPECT_EQ(cached.region_exists(r), direct.region_exists(r)) << r;
    }
    EXPECT_EQ(cached.market_currency("EUA"), "EUR");
    EXPECT_EQ(cached.market_currency("NONE"), std::nullopt);
    EXPECT_EQ(cache.size(), 6u);
}

TEST(ReferenceCache, AnImportedMarketIsSeenAfterTheTtlNotBefore) {
    Fixture f;
    tanhui::data::Store store(f.db);
    ReferenceCache cache(std::chrono::milliseconds(200));
    const auto cached = cache.references(store);
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_EQ(cached.market_currency("FJEA"), std::nullopt);
    add_market(f.db, "FJEA", "CNY");
    // The unknown answer is kept for the ttl (unless a slow build has already passed it here).
    if (std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(150)) {
        EXPECT_EQ(cached.market_currency("FJEA"), std::nullopt);
    }
    EXPECT_EQ(tanhui::api::store_references(store).market_currency("FJEA"), "CNY");
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    EXPECT_EQ(cached.market_currency("FJEA"), "CNY");
}

TEST(ReferenceCache, KeepsAtMostItsLimitOfValuesOfAKind) {
    Fixture f;
    tanhui::data::Store store(f.db);
    ReferenceCache cache(std::chrono::hours(1), 10);
    const auto cached = cache.references(store);
    for (int i = 0; i < 1'000; ++i) {
        EXPECT_EQ(cached.market_currency("M" + std::to_string(i)), std::nullopt);
        ASSERT_LE(cache.size(), 10u);
    }
}
