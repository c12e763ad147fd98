// Stored quotes (table quotes): the audit trail of every priced request, kept so that a quote can
// be fetched, found and replayed bit for bit. Request and response are kept as the JSON text api/
// wrote.
#pragma once

#include "data/repositories/idempotency.hpp"
#include "data/repositories/repository.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace tanhui::data {

struct StoredQuote {
    std::string quote_id;
    std::string created;  // ISO 8601 UTC
    std::string product;
    std::string request;   // JSON text
    std::string response;  // JSON text
    std::string model_version;
    std::int64_t seed = 0;
    std::int64_t years = 0;
    std::string key_id;     // the API key that asked; "" for local use (stored as NULL)
    std::string policy_id;  // the request's policy.id
};

// What one request stores: its quotes, and the answer under its Idempotency-Key if it sent one.
struct QuoteWrite {
    std::vector<StoredQuote> quotes;
    std::optional<IdempotencyRecord> idempotency;
};

struct QuoteWriteResult {
    enum class Kind {
        stored,  // every quote of the write (and its idempotency record) is in the transaction
        replay,  // a live record holds its idempotency key: nothing of it stored; `existing` is that record
        failed,  // the database refused it (a constraint): nothing of it stored; `error` says why
    } kind = Kind::stored;
    std::optional<IdempotencyRecord> existing;
    std::string error;
};

// A page of GET /v1/quotes: filters (each optional), newest first, `before_row` the cursor.
struct QuoteFilter {
    std::optional<std::string> policy_id, product, key_id;
    std::optional<std::string> created_from;  // created >= this (ISO 8601 UTC text)
    std::optional<std::string> created_to;    // created <= this
    std::optional<std::int64_t> before_row;     // only rows older than this one (the cursor)
    int limit = 50;
};

struct ListedQuote {
    std::int64_t row = 0;  // the cursor of the next page is the last row's
    StoredQuote quote;     // request left empty
};

class Quotes : public Repository {
public:
    explicit Quotes(Store& store) : Repository(store) {}

    // Stores every quote in one IMMEDIATE transaction: all of them, or (on any error, which is
    // rethrown) none.
    void insert(std::span<const StoredQuote> quotes);
    // Group commit: every write in one IMMEDIATE transaction. A write whose idempotency key is
    // live already (replay) stores nothing and the others are committed. When a write breaks a
    // constraint (failed; never expected) the batch is rolled back and each write is retried in
    // its own transaction, so that only that write fails. Throws, with nothing stored, when the
    // transaction cannot be begun or committed or a write fails for a cause outside the program
    // (disk full, read-only, I/O error: data/store/storage_error.hpp).
    std::vector<QuoteWriteResult> write(std::span<const QuoteWrite> writes);
    std::optional<StoredQuote> find(const std::string& quote_id);
    // At most filter.limit quotes matching every filter given, newest (largest row) first.
    std::vector<ListedQuote> list(const QuoteFilter& filter);
};

}  // namespace tanhui::data
