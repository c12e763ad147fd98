// Quotes end to end for the CLI, the HTTP service and batch: decode (every bad field named),
// price on the current model version, stamp, store in one transaction, replay.
#pragma once

#include "api/service/calibration.hpp"
#include "api/json/problem.hpp"
#include "api/json/quote_request.hpp"
#include "api/json/references.hpp"
#include "data/store/store.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace tanhui::api {

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
    bool store = true;     // write each quote to the quotes table (one transaction per request)
    std::string key_id;    // the API key that asked, "" for local use
    std::string model_version;  // a stored version to price on (`tanhui quote --model-version`); "" = current
};

// The result of a request: a response document (one quote or an array) or a problem.
struct QuoteOutcome {
    std::optional<nlohmann::json> response;
    std::optional<Problem> problem;
    std::size_t quotes = 0;
    long long simulated_years = 0;
};

// The store's regions and markets as the request checks read them (api/json/references.hpp).
// The functions read `store` when called: they must not outlive it.
ReferenceData store_references(data::Store& store);

QuoteOutcome quote(data::Store& store, ModelCache& models, const nlohmann::json& body, const QuoteOptions& options);

// A stored quote ({quote_id, created, model_version, key_id, request, response}) or nullopt.
std::optional<nlohmann::json> stored_quote(data::Store& store, const std::string& quote_id);

// Recomputes a stored quote with its own model version and seed; says whether every number is
// bit-identical (the response is compared as JSON text without quote_id and created).
std::optional<nlohmann::json> replay_quote(data::Store& store, ModelCache& models, const std::string& quote_id,
                                           unsigned threads = 0);

}  // namespace tanhui::api
