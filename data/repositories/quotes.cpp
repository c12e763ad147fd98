#include "data/repositories/quotes.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

namespace tanhui::data {

void Quotes::insert(std::span<const StoredQuote> quotes) {
    SQLite::Transaction tx(db(), SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement insert(db(), "INSERT INTO quotes(quote_id, created, product, request, response, model_version, "
                                   "seed, years, key_id) VALUES(?,?,?,?,?,?,?,?,?)");
    for (const StoredQuote& q : quotes) {
        insert.reset();
        insert.bind(1, q.quote_id);
        insert.bind(2, q.created);
        insert.bind(3, q.product);
        insert.bind(4, q.request);
        insert.bind(5, q.response);
        insert.bind(6, q.model_version);
        insert.bind(7, q.seed);
        insert.bind(8, q.years);
        if (q.key_id.empty()) insert.bind(9);
        else insert.bind(9, q.key_id);
        insert.exec();
    }
    tx.commit();
}

std::optional<StoredQuote> Quotes::find(const std::string& quote_id) {
    SQLite::Statement q(db(), "SELECT quote_id, created, product, request, response, model_version, seed, years, "
                              "coalesce(key_id, '') FROM quotes WHERE quote_id = ?");
    q.bind(1, quote_id);
    if (!q.executeStep()) return std::nullopt;
    return StoredQuote{q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString(),
                       q.getColumn(3).getString(), q.getColumn(4).getString(), q.getColumn(5).getString(),
                       q.getColumn(6).getInt64(),  q.getColumn(7).getInt64(),  q.getColumn(8).getString()};
}

}  // namespace tanhui::data
