// data::storage_error: a store failure from outside the program (503) told from a bug (500).
#include "data/repositories/keys.hpp"
#include "data/store/storage_error.hpp"
#include "tests/data/test_db.hpp"

#include <SQLiteCpp/Exception.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <stdexcept>

using namespace tanhui::data;

TEST(StorageError, OnlySqliteErrorsAreStorageErrors) {
    EXPECT_FALSE(storage_error(std::runtime_error("no")));
    EXPECT_FALSE(storage_error(std::invalid_argument("no")));
}

TEST(StorageError, AWriteToAReadOnlyStoreIsAnOutsideCause) {
    tanhui::testing::TempDir dir;
    const auto path = tanhui::testing::empty_database(dir / "s.db");
    Store store(path, {.historical_dir = {}, .read_only = true});
    try {
        Keys(store).add({"0123456789ab", "n", "admin", {1}, {2}, "2027-01-01T00:00:00Z", std::nullopt});
        ADD_FAILURE() << "wrote to a read-only store";
    } catch (const std::exception& e) {
        const auto error = storage_error(e);
        ASSERT_TRUE(error) << e.what();
        EXPECT_EQ(error->code & 0xff, SQLITE_READONLY);
        EXPECT_EQ(error->cause, "the database is read-only");
    }
}

// The other causes (disk full, I/O error, locked) are made by the OS in
// tests/reliability/storage_faults.py. An SQLiteCpp error that carries no SQLite result code
// (SQLiteCpp's own checks) is no outside cause.
TEST(StorageError, AnErrorWithoutAResultCodeIsNoOutsideCause) {
    const auto error = storage_error(SQLite::Exception("Column index out of range"));
    ASSERT_TRUE(error);
    EXPECT_EQ(error->cause, "");
}

TEST(StorageError, AConstraintIsNoOutsideCause) {
    tanhui::testing::TempDir dir;
    Store store(tanhui::testing::empty_database(dir / "s.db"));
    try {
        Keys(store).add({"0123456789ab", "n", "root", {1}, {2}, "2027-01-01T00:00:00Z", std::nullopt});
        ADD_FAILURE() << "the table took a role it refuses";
    } catch (const std::exception& e) {
        const auto error = storage_error(e);
        ASSERT_TRUE(error) << e.what();
        EXPECT_EQ(error->code & 0xff, SQLITE_CONSTRAINT);
        EXPECT_EQ(error->cause, "");
    }
}
