// The quote repository: a request's quotes are stored all together or not at all.
#include "data/repositories/keys.hpp"
#include "data/repositories/quotes.hpp"
#include "data/store/stored_text.hpp"
#include "tests/data/test_db.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <vector>

using namespace tanhui::data;

namespace {

StoredQuote quote(std::string id, std::string key_id = {}) {
    return {id, "2027-01-01T00:00:00Z", "index_insurance", R"({"product":"index_insurance"})",
            R"({"premium_cny":1253.5,"quote_id":")" + id + "\"}", "m-28fd71ca70de", 42, 100000, std::move(key_id), "LY-2027-001"};
}

class QuotesRepository : public ::testing::Test {
protected:
    tanhui::testing::TempDir dir;
    Store store{tanhui::testing::empty_database(dir / "quotes.db")};
    Quotes quotes{store};
};

}  // namespace

TEST_F(QuotesRepository, StoredQuotesReadBackFieldForField) {
    ASSERT_TRUE(Keys(store).add({"0123456789ab", "n", "underwriter", {1}, {2}, "2027-01-01T00:00:00Z", std::nullopt}));
    StoredQuote a = quote("q-a");
    a.seed = std::numeric_limits<std::int64_t>::max();  // a seed above 2^53 keeps every bit
    const StoredQuote b = quote("q-b", "0123456789ab");
    quotes.insert(std::vector<StoredQuote>{a, b});
    for (const StoredQuote& q : {a, b}) {
        SCOPED_TRACE(q.quote_id);
        const auto found = quotes.find(q.quote_id);
        ASSERT_TRUE(found);
        EXPECT_EQ(found->created, q.created);
        EXPECT_EQ(found->product, q.product);
        EXPECT_EQ(found->request, q.request);
        EXPECT_EQ(found->response, q.response);
        EXPECT_EQ(found->model_version, q.model_version);
        EXPECT_EQ(found->seed, q.seed);
        EXPECT_EQ(found->years, q.years);
        EXPECT_EQ(found->key_id, q.key_id);
    }
    EXPECT_FALSE(quotes.find("q-missing"));
}

// Requests and answers are stored compressed; rows written as TEXT before (2026-12-07) read as
// they are, beside the new ones, in find and in list.
TEST_F(QuotesRepository, NewRowsAreCompressedAndOldTextRowsStillRead) {
    const StoredQuote a = quote("q-new");
    quotes.insert(std::vector<StoredQuote>{a});
    SQLite::Database db((dir / "quotes.db").string(), SQLite::OPEN_READWRITE);
    {
        SQLite::Statement raw(db, "SELECT typeof(request), typeof(response), length(response) FROM quotes WHERE quote_id = 'q-new'");
        ASSERT_TRUE(raw.executeStep());
        EXPECT_EQ(raw.getColumn(0).getString(), "blob");
        EXPECT_EQ(raw.getColumn(1).getString(), "blob");
    }
    db.exec("INSERT INTO quotes(quote_id, created, product, request, response, model_version, seed, years, key_id, policy_id) "
            "VALUES('q-old', '2026-11-01T00:00:00Z', 'index_insurance', '{\"product\":\"index_insurance\"}', "
            "'{\"premium_cny\":7.5,\"quote_id\":\"q-old\"}', 'm-28fd71ca70de', 1, 1000, NULL, 'LY-2027-001')");
    const auto old = quotes.find("q-old");
    ASSERT_TRUE(old);
    EXPECT_EQ(old->request, "{\"product\":\"index_insurance\"}");
    EXPECT_EQ(old->response, "{\"premium_cny\":7.5,\"quote_id\":\"q-old\"}");
    const auto fresh = quotes.find("q-new");
    ASSERT_TRUE(fresh);
    EXPECT_EQ(fresh->request, a.request);
    EXPECT_EQ(fresh->response, a.response);
    QuoteFilter all;
    all.limit = 10;
    const auto listed = quotes.list(all);
    ASSERT_EQ(listed.size(), 2u);
    EXPECT_EQ(listed[0].quote.response, "{\"premium_cny\":7.5,\"quote_id\":\"q-old\"}");
    EXPECT_EQ(listed[1].quote.response, a.response);
}

TEST_F(QuotesRepository, ABatchWithABadQuoteWritesNothing) {
    // The third repeats the first id: the first two were written inside the transaction, and go.
    EXPECT_THROW(quotes.insert(std::vector<StoredQuote>{quote("q-1"), quote("q-2"), quote("q-1")}), SQLite::Exception);
    EXPECT_FALSE(quotes.find("q-1"));
    EXPECT_FALSE(quotes.find("q-2"));
    // A key id that is no key (foreign key): refused as a whole too.
    EXPECT_THROW(quotes.insert(std::vector<StoredQuote>{quote("q-3"), quote("q-4", "ffffffffffff")}), SQLite::Exception);
    EXPECT_FALSE(quotes.find("q-3"));
    // The store is usable afterwards (no transaction left open).
    quotes.insert(std::vector<StoredQuote>{quote("q-5")});
    EXPECT_TRUE(quotes.find("q-5"));
}

TEST_F(QuotesRepository, AnEmptyBatchIsNothingToDo) {
    quotes.insert({});
    EXPECT_FALSE(quotes.find(""));
}
