// Quotes end to end for the CLI, the HTTP service and batch: decode (every bad field named),
// price on the current model version, stamp, store in one transaction, replay.
#pragma once

#include "api/service/calibration.hpp"
#include "api/json/problem.hpp"
#include "api/json/quote_request.hpp"
#include "api/json/references.hpp"
#include "data/repositories/quotes.hpp"
#include "data/store/store.hpp"

#include <nlohmann/json.hpp>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace tanhui::api {

class ReferenceCache;

// A Problem without title or type (they default to the status's reason and about:blank).
inline Problem make_problem(int status, std::string detail, std::vector<FieldProblem> errors = {}) {
    Problem p;
    p.status = status;
    p.detail = std::move(detail);
    p.errors = std::move(errors);
    return p;
}

// The models of the versions in use, built once each and shared read-only between threads.
class ModelCache {
public:
    struct Entry {
        std::string version;
        std::shared_ptr<const risk::Model> model;
    };
    // The store's current version (calibrating on first use).
    Entry current(data::Store& store);
    Entry version(data::Store& store, const std::string& version);
    void forget_current();  // after a calibration changed the current version

private:
    std::mutex mutex_;
    std::optional<std::string> current_;
    std::map<std::string, std::shared_ptr<const risk::Model>> models_;
};

struct QuoteOptions {
    DecodeLimits limits;
    unsigned threads = 0;  // simulation threads when the request does not say; 0 = all cores
    // Stamp each quote with an id and store it (one transaction per request). False (`tanhui
    // quote --no-store`): nothing is stored and the answer carries no quote_id.
    bool store = true;
    std::string key_id;  // the API key that asked, "" for local use
    // An array request: true, all or nothing (one bad element refuses the whole array); false,
    // each element is answered on its own (docs/api.md "Arrays").
    bool atomic = true;
    std::string request_id;  // the `instance` of the element problems of a non-atomic array
    std::string model_version;  // a stored version to price on (`tanhui quote --model-version`); "" = current
    // Set by the server when the client hung up or the deadline passed: the simulations stop
    // between blocks of years with risk::Cancelled and nothing is priced or stored.
    const std::atomic<bool>* cancel = nullptr;
    // The server's cache of the checks against the store (markets' currencies, regions); null:
    // every check reads the store (the CLI).
    ReferenceCache* references = nullptr;
};

// A request priced, before anything is stored: what to answer and what to store.
struct PricedQuotes {
    std::optional<Problem> problem;       // the request is refused as a whole; nothing to store
    // The text of a quote or an array of quotes (as sent and as stored), or "" when the answer is
    // the element results of a non-atomic array: then `response`, null otherwise.
    std::string response_text;
    nlohmann::json response;
    int status = 200;                     // 207 when an element of a non-atomic array failed
    std::vector<data::StoredQuote> rows;  // the quotes to store (empty unless options.store)
    std::size_t quotes = 0;
    long long simulated_years = 0;
};

// Decodes (every bad field named, by its pointer in the request), checks against the store's
// regions and markets, prices on options.model_version (or the current version) and stamps the
// quotes. Stores nothing.
PricedQuotes price_quotes(data::Store& store, ModelCache& models, const nlohmann::json& body, const QuoteOptions& options);

// The result of `tanhui quote`: a response document (one quote or an array) or a problem.
struct QuoteOutcome {
    std::optional<nlohmann::json> response;
    std::optional<Problem> problem;
    std::size_t quotes = 0;
    long long simulated_years = 0;
};

// The store's regions and markets as the request checks read them (api/json/references.hpp).
// The functions read `store` when called: they must not outlive it.
ReferenceData store_references(data::Store& store);

// price_quotes, then (options.store) the quotes stored in one transaction, here and now.
QuoteOutcome quote(data::Store& store, ModelCache& models, const nlohmann::json& body, const QuoteOptions& options);

// A stored quote ({quote_id, created, model_version, key_id, request, response}) or nullopt.
std::optional<nlohmann::json> stored_quote(data::Store& store, const std::string& quote_id);
// Whether a caller may read a stored quote: an underwriter its own key's quotes, an actuary or
// admin (and local mode, where everyone is admin) every quote.
bool may_read_quote(const nlohmann::json& stored, const std::string& caller_key_id, bool sees_all);

// Recomputes a stored quote with its own model version and seed; says whether every number is
// bit-identical (the response is compared as JSON text without quote_id and created). `cancel`
// stops its simulations (risk/simulation/cancel.hpp).
std::optional<nlohmann::json> replay_quote(data::Store& store, ModelCache& models, const std::string& quote_id,
                                           unsigned threads = 0, const std::atomic<bool>* cancel = nullptr);

}  // namespace tanhui::api
