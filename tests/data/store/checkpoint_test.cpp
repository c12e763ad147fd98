// Store::checkpoint: the WAL's size it reports, and the restart that keeps the WAL bounded
// (docs/reliability.md "A bounded WAL"). The sizes are checked against the WAL file itself: a
// 32-byte file header, then frames of a 24-byte header and one page (sqlite.org/fileformat.html,
// "WAL File Format"); bytes 12-15 of the file header are the checkpoint sequence number, which a
// writer increments each time it restarts the WAL.
#include "data/repositories/quotes.hpp"
#include "data/store/store.hpp"
#include "tests/data/test_db.hpp"

#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

using namespace tanhui::data;
namespace fs = std::filesystem;

namespace {

constexpr std::int64_t wal_header_bytes = 32;

fs::path wal_of(const fs::path& db) { return fs::path(db.string() + "-wal"); }

std::uint32_t checkpoint_sequence(const fs::path& wal) {
    std::ifstream in(wal, std::ios::binary);
    unsigned char b[16] = {};
    in.read(reinterpret_cast<char*>(b), sizeof b);
    return (std::uint32_t{b[12]} << 24) | (std::uint32_t{b[13]} << 16) | (std::uint32_t{b[14]} << 8) | b[15];
}

// One stored quote of about 2 KB per transaction, as the service stores a price quote.
void store_quotes(Store& writer, int first, int count) {
    for (int i = first; i < first + count; ++i) {
        const std::string id = "q-" + std::to_string(i);
        Quotes(writer).insert(std::vector<StoredQuote>{{id, "2027-01-01T00:00:00Z", "price_insurance", "{}",
                                                        "{\"pad\":\"" + std::string(2000, 'x') + "\"}", "m-1", 1, 0,
                                                        "", "NP-2027-001"}});
    }
}

long long quote_rows(const fs::path& db) {
    SQLite::Database d(db.string(), SQLite::OPEN_READONLY);
    return d.execAndGet("SELECT count(*) FROM quotes").getInt64();
}

struct Connections {
    tanhui::testing::TempDir dir;
    fs::path db = tanhui::testing::empty_database(dir / "quotes.db");
    Store writer{db, StoreOptions{.historical_dir = {}, .read_only = false, .wal_autocheckpoint = false}};
    Store checkpointer{db};
};

}  // namespace

TEST(StoreCheckpoint, ReportsTheWalsFramesInBytesAndRestartsNothingAtOrUnderTheRestartSize) {
    Connections c;
    store_quotes(c.writer, 0, 40);
    const auto wal_bytes = static_cast<std::int64_t>(fs::file_size(wal_of(c.db))) - wal_header_bytes;
    ASSERT_GT(wal_bytes, 40 * 4096);  // a page for each quote, at least
    const std::uint32_t sequence = checkpoint_sequence(wal_of(c.db));

    const Store::CheckpointReport off = c.checkpointer.checkpoint(0);  // 0: never restart
    EXPECT_EQ(off.wal_bytes, wal_bytes);
    EXPECT_FALSE(off.restarted);
    const Store::CheckpointReport at = c.checkpointer.checkpoint(wal_bytes);  // not over it
    EXPECT_EQ(at.wal_bytes, wal_bytes);
    EXPECT_FALSE(at.restarted);
    EXPECT_EQ(checkpoint_sequence(wal_of(c.db)), sequence);
}

TEST(StoreCheckpoint, AWalOverTheRestartSizeIsRestartedAndTheNextCommitWritesFromItsStart) {
    Connections c;
    store_quotes(c.writer, 0, 40);
    const auto size = fs::file_size(wal_of(c.db));
    const std::uint32_t sequence = checkpoint_sequence(wal_of(c.db));

    const Store::CheckpointReport r = c.checkpointer.checkpoint(4096);
    EXPECT_EQ(r.wal_bytes, static_cast<std::int64_t>(size) - wal_header_bytes);
    EXPECT_TRUE(r.restarted);
    store_quotes(c.writer, 40, 5);
    EXPECT_EQ(checkpoint_sequence(wal_of(c.db)), sequence + 1);  // a new WAL generation ...
    EXPECT_EQ(fs::file_size(wal_of(c.db)), size);                // ... written over the old frames
    EXPECT_EQ(quote_rows(c.db), 45);
    SQLite::Database check(c.db.string(), SQLite::OPEN_READONLY);
    EXPECT_EQ(check.execAndGet("PRAGMA integrity_check").getString(), "ok");
}

TEST(StoreCheckpoint, ARestartThatAReaderHoldsUpGivesUpWithoutErrorAndSucceedsLater) {
    Connections c;
    store_quotes(c.writer, 0, 10);
    // A reader whose snapshot ends inside the WAL: no checkpoint may copy past it or restart.
    SQLite::Database reader(c.db.string(), SQLite::OPEN_READONLY);
    reader.exec("BEGIN");
    EXPECT_EQ(reader.execAndGet("SELECT count(*) FROM quotes").getInt64(), 10);
    store_quotes(c.writer, 10, 10);

    Store::CheckpointReport r;
    ASSERT_NO_THROW(r = c.checkpointer.checkpoint(4096));
    EXPECT_FALSE(r.restarted);
    reader.exec("COMMIT");
    EXPECT_TRUE(c.checkpointer.checkpoint(4096).restarted);
    store_quotes(c.writer, 20, 1);
    EXPECT_EQ(quote_rows(c.db), 21);
}
