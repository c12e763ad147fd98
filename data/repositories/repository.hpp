// The base of data/'s repositories: the one way from a Store to its SQLite connection. A
// repository is a typed view of one concern (keys, quotes, calibrations, holdings) on the Store
// it is made from, as cheap to make as a reference: make one where it is used, on the calling
// thread's Store. Its methods take and return plain values; the SQL stays in its .cpp.
#pragma once

#include "data/store/store.hpp"

namespace tanhui::data {

class Repository {
protected:
    explicit Repository(Store& store) : store_(&store) {}
    SQLite::Database& db() const { return store_->db(); }
    // Store::cached_statement: for statements run once per request on a hot path.
    using Lease = Store::StatementLease;
    Lease cached(const char* sql) const { return store_->cached_statement(sql); }
    Store& store() const { return *store_; }

private:
    Store* store_;
};

}  // namespace tanhui::data
