// data/store/coalescing_wal.hpp: a transaction's WAL frames written with one call, and nothing
// else changed: another connection (of the default VFS) sees each commit as soon as it returns,
// a process killed with SIGKILL after a commit returned keeps that commit, and a transaction
// that spilled frames and rolled back is not written over another writer's frames.
#include "data/store/coalescing_wal.hpp"
#include "tests/data/test_db.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <gtest/gtest.h>

#include <csignal>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

using namespace tanhui::data;

namespace {

// A database in WAL mode with one table, opened through the VFS (or the default one).
SQLite::Database open_db(const std::filesystem::path& path, bool coalesce) {
    SQLite::Database db(path.string().c_str(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, 5000,
                        coalesce ? coalescing_wal_vfs() : nullptr);
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = NORMAL");
    db.exec("PRAGMA wal_autocheckpoint = 0");  // frames stay in the WAL: readers read them there
    db.exec("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, body BLOB NOT NULL)");
    return db;
}

void insert(SQLite::Database& db, int id, int bytes) {
    SQLite::Statement s(db, "INSERT INTO t (id, body) VALUES (?, zeroblob(?))");
    s.bind(1, id);
    s.bind(2, bytes);
    s.exec();
}

int count(SQLite::Database& db) { return db.execAndGet("SELECT count(*) FROM t").getInt(); }
std::string integrity(SQLite::Database& db) { return db.execAndGet("PRAGMA integrity_check").getString(); }

}  // namespace

TEST(CoalescingWal, WritesATransactionsFramesWithOneCall) {
    tanhui::testing::TempDir dir;
    auto db = open_db(dir.path() / "a.db", true);
    insert(db, 0, 10);  // the WAL's header and first frames
    const CoalescingWalStats before = coalescing_wal_stats();
    {
        SQLite::Transaction tx(db);
        for (int i = 1; i <= 10; ++i) insert(db, i, 3000);  // about ten pages, each a frame
        tx.commit();
    }
    const CoalescingWalStats after = coalescing_wal_stats();
    // Two writes a frame (its header, its page) reached the VFS; one reached the file.
    EXPECT_GE(after.writes - before.writes, 20u);
    EXPECT_EQ(after.flushes - before.flushes, 1u);
    EXPECT_EQ(count(db), 11);
    EXPECT_EQ(integrity(db), "ok");
}

// A transaction of 3 MB: the default VFS writes under 128 KiB a call (a longer write failed as
// SQLITE_FULL, "disk full"), so the range goes out in 64-KiB chunks.
TEST(CoalescingWal, CommitsATransactionOfManyMegabytes) {
    tanhui::testing::TempDir dir;
    auto db = open_db(dir.path() / "e.db", true);
    auto reader = open_db(dir.path() / "e.db", false);
    const CoalescingWalStats before = coalescing_wal_stats();
    {
        SQLite::Transaction tx(db);
        for (int i = 0; i < 1000; ++i) insert(db, i, 3000);
        tx.commit();
    }
    const CoalescingWalStats after = coalescing_wal_stats();
    EXPECT_EQ(count(reader), 1000);
    EXPECT_EQ(integrity(reader), "ok");
    // About 1,000 frames of 4,120 bytes: 4.1 MB in chunks of 64 KiB, not 2,000 writes.
    EXPECT_GE(after.writes - before.writes, 2000u);
    EXPECT_LE(after.flushes - before.flushes, 80u);
}

TEST(CoalescingWal, AnotherConnectionSeesEachCommitWhenItReturns) {
    tanhui::testing::TempDir dir;
    auto writer = open_db(dir.path() / "b.db", true);
    auto reader = open_db(dir.path() / "b.db", false);
    for (int i = 0; i < 50; ++i) {
        insert(writer, i, 1000 + 97 * i);  // frames of uneven content, no transaction: each a commit
        EXPECT_EQ(count(reader), i + 1) << "after commit " << i;
    }
    EXPECT_EQ(integrity(reader), "ok");
}

TEST(CoalescingWal, ACommitThatReturnedSurvivesSigkill) {
    tanhui::testing::TempDir dir;
    const auto path = dir.path() / "c.db";
    { auto db = open_db(path, false); }
    int pipe_fds[2];
    ASSERT_EQ(::pipe(pipe_fds), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        ::close(pipe_fds[0]);
        auto db = open_db(path, true);
        for (int i = 0;; ++i) {
            insert(db, i, 2500);
            if (::write(pipe_fds[1], &i, sizeof i) != sizeof i) ::_exit(2);  // "acknowledged"
        }
    }
    ::close(pipe_fds[1]);
    int acknowledged = -1, got = 0;
    while (acknowledged < 200 && ::read(pipe_fds[0], &got, sizeof got) == sizeof got) acknowledged = got;
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    while (::read(pipe_fds[0], &got, sizeof got) == sizeof got) acknowledged = got;  // sent before the kill
    ::close(pipe_fds[0]);
    ASSERT_GE(acknowledged, 200);
    auto db = open_db(path, false);  // recovers the WAL
    EXPECT_GE(count(db), acknowledged + 1);
    EXPECT_EQ(integrity(db), "ok");
}

TEST(CoalescingWal, ARolledBackSpillIsNotWrittenOverAnotherWriter) {
    tanhui::testing::TempDir dir;
    const auto path = dir.path() / "d.db";
    auto a = open_db(path, true);
    auto b = open_db(path, false);
    a.exec("PRAGMA cache_size = 2");  // pages spill to the WAL inside the transaction
    insert(a, 0, 10);
    const CoalescingWalStats before = coalescing_wal_stats();
    {
        SQLite::Transaction tx(a);
        for (int i = 1; i <= 40; ++i) insert(a, i, 3000);
        // rolled back: its spilled frames lie beyond the last commit
    }
    ASSERT_GT(coalescing_wal_stats().writes - before.writes, 20u) << "the transaction did not spill";
    // The other writer's frames take those offsets and more: A's next frames come after them, so
    // frames of A's rolled-back transaction still kept would be written over B's committed ones.
    for (int i = 100; i < 200; ++i) insert(b, i, 3000);
    insert(a, 200, 3000);
    EXPECT_EQ(count(a), 102);
    EXPECT_EQ(integrity(a), "ok");
    SQLite::Database fresh(path.string(), SQLite::OPEN_READONLY);
    EXPECT_EQ(fresh.execAndGet("SELECT count(*) FROM t WHERE id BETWEEN 100 AND 199").getInt(), 100);
    EXPECT_EQ(fresh.execAndGet("PRAGMA integrity_check").getString(), "ok");
}
