#include "data/repositories/quotes.hpp"

#include "data/store/storage_error.hpp"
#include "data/store/stored_text.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

namespace tanhui::data {

namespace {

constexpr const char* insert_sql = "INSERT INTO quotes(quote_id, created, product, request, response, model_version, "
                                   "seed, years, key_id, policy_id) VALUES(?,?,?,?,?,?,?,?,?,?)";

// The request and the answer are stored compressed (data/store/stored_text.hpp).
void insert_one(SQLite::Statement& insert, const StoredQuote& q) {
    const std::string request = pack_stored_text(q.request), response = pack_stored_text(q.response);
    insert.reset();
    insert.bind(1, q.quote_id);
    insert.bind(2, q.created);
    insert.bind(3, q.product);
    insert.bindNoCopy(4, request.data(), static_cast<int>(request.size()));
    insert.bindNoCopy(5, response.data(), static_cast<int>(response.size()));
    insert.bind(6, q.model_version);
    insert.bind(7, q.seed);
    insert.bind(8, q.years);
    if (q.key_id.empty()) insert.bind(9);
    else insert.bind(9, q.key_id);
    insert.bind(10, q.policy_id);
    insert.exec();
}

// One write inside the caller's transaction: its idempotency record first (a live one already
// there means a replay, and nothing is written), then its quotes.
QuoteWriteResult write_one(Store& store, SQLite::Statement& insert, const QuoteWrite& w) {
    if (w.idempotency) {
        Idempotency keys(store);
        if (!keys.add(*w.idempotency)) {
            const IdempotencyRecord& r = *w.idempotency;
            return {QuoteWriteResult::Kind::replay, keys.find(r.key_id, r.idempotency_key, r.created), {}};
        }
    }
    for (const StoredQuote& q : w.quotes) insert_one(insert, q);
    return {};
}

bool outside_cause(const std::exception& e) {
    const auto storage = storage_error(e);
    return storage && !storage->cause.empty();
}

}  // namespace

void Quotes::insert(std::span<const StoredQuote> quotes) {
    SQLite::Transaction tx(db(), SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement insert(db(), insert_sql);
    for (const StoredQuote& q : quotes) insert_one(insert, q);
    tx.commit();
}

std::vector<QuoteWriteResult> Quotes::write(std::span<const QuoteWrite> writes) {
    // Fast path: the whole batch in one transaction. A write that breaks a constraint (never
    // expected: ids are random, keys exist) rolls the batch back; then each write gets its own
    // transaction, so that only that write fails.
    try {
        std::vector<QuoteWriteResult> results;
        results.reserve(writes.size());
        SQLite::Transaction tx(db(), SQLite::TransactionBehavior::IMMEDIATE);
        const Lease insert = cached(insert_sql);
        for (const QuoteWrite& w : writes) results.push_back(write_one(store(), *insert, w));
        tx.commit();
        return results;
    } catch (const std::exception& e) {
        if (outside_cause(e)) throw;
        if (writes.size() == 1) return {{QuoteWriteResult::Kind::failed, std::nullopt, e.what()}};
    }
    std::vector<QuoteWriteResult> results;
    for (const QuoteWrite& w : writes) {
        try {
            SQLite::Transaction tx(db(), SQLite::TransactionBehavior::IMMEDIATE);
            const Lease insert = cached(insert_sql);
            results.push_back(write_one(store(), *insert, w));
            tx.commit();
        } catch (const std::exception& e) {
            if (outside_cause(e)) throw;
            results.push_back({QuoteWriteResult::Kind::failed, std::nullopt, e.what()});
        }
    }
    return results;
}

std::optional<StoredQuote> Quotes::find(const std::string& quote_id) {
    SQLite::Statement q(db(), "SELECT quote_id, created, product, request, response, model_version, seed, years, "
                              "coalesce(key_id, ''), coalesce(policy_id, '') FROM quotes WHERE quote_id = ?");
    q.bind(1, quote_id);
    if (!q.executeStep()) return std::nullopt;
    return StoredQuote{q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString(),
                       stored_text(q.getColumn(3)), stored_text(q.getColumn(4)), q.getColumn(5).getString(),
                       q.getColumn(6).getInt64(),  q.getColumn(7).getInt64(),  q.getColumn(8).getString(),
                       q.getColumn(9).getString()};
}

std::vector<ListedQuote> Quotes::list(const QuoteFilter& f) {
    // The WHERE clause is built from the literal conditions below, in a fixed order; every value
    // is bound (tests/security/static_check.py lists this statement as reviewed).
    std::string sql = "SELECT rowid, quote_id, created, product, response, model_version, seed, years, "
                      "coalesce(key_id, ''), coalesce(policy_id, '') FROM quotes WHERE 1";
    if (f.policy_id) sql += " AND policy_id = ?";
    if (f.product) sql += " AND product = ?";
    if (f.key_id) sql += " AND key_id = ?";
    if (f.created_from) sql += " AND created >= ?";
    if (f.created_to) sql += " AND created <= ?";
    if (f.before_row) sql += " AND rowid < ?";
    sql += " ORDER BY rowid DESC LIMIT ?";
    SQLite::Statement q(db(), sql);
    int at = 0;
    for (const auto* text : {&f.policy_id, &f.product, &f.key_id, &f.created_from, &f.created_to})
        if (*text) q.bind(++at, **text);
    if (f.before_row) q.bind(++at, *f.before_row);
    q.bind(++at, f.limit);
    std::vector<ListedQuote> out;
    while (q.executeStep()) {
        ListedQuote l;
        l.row = q.getColumn(0).getInt64();
        l.quote = StoredQuote{q.getColumn(1).getString(), q.getColumn(2).getString(), q.getColumn(3).getString(),
                              std::string(),              stored_text(q.getColumn(4)), q.getColumn(5).getString(),
                              q.getColumn(6).getInt64(),  q.getColumn(7).getInt64(),  q.getColumn(8).getString(),
                              q.getColumn(9).getString()};
        out.push_back(std::move(l));
    }
    return out;
}

}  // namespace tanhui::data
