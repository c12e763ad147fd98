// Stored quotes (table quotes): the audit trail of every priced request, kept so that a quote can
// be fetched and replayed bit for bit. Request and response are kept as the JSON text api/ wrote.
#pragma once

#include "data/repositories/repository.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>

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
    std::string key_id;  // the API key that asked; "" for local use (stored as NULL)
};

class Quotes : public Repository {
public:
    explicit Quotes(Store& store) : Repository(store) {}

    // Stores every quote in one IMMEDIATE transaction: all of them, or (on any error, which is
    // rethrown) none.
    void insert(std::span<const StoredQuote> quotes);
    std::optional<StoredQuote> find(const std::string& quote_id);
};

}  // namespace tanhui::data
