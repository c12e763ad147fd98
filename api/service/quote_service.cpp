#include "api/service/quote_service.hpp"

#include "api/products/quote_engine.hpp"
#include "data/repositories/quotes.hpp"

#include <openssl/rand.h>

#include <ctime>

namespace tanhui::api {

ModelCache::Entry ModelCache::current(data::Store& store) {
    std::lock_guard lock(mutex_);
    if (!current_) current_ = ensure_current_model(store).version;
    auto it = models_.find(*current_);
    if (it == models_.end()) {
        const auto v = model_version(store, *current_);
        it = models_.emplace(*current_, std::make_shared<const risk::Model>(build_model(store, *v))).first;
    }
    return {*current_, it->second};
}

ModelCache::Entry ModelCache::version(data::Store& store, const std::string& version) {
    std::lock_guard lock(mutex_);
    auto it = models_.find(version);
    if (it == models_.end()) {
        const auto v = model_version(store, version);
        if (!v) throw InvalidInput("/model_version", "unknown model version \"" + version + "\"");
        it = models_.emplace(version, std::make_shared<const risk::Model>(build_model(store, *v))).first;
    }
    return {version, it->second};
}

void ModelCache::forget_current() {
    std::lock_guard lock(mutex_);
    current_.reset();
}

namespace {

std::string new_quote_id() {
    unsigned char bytes[10];
    if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("RAND_bytes failed");
    static const char* hex = "0123456789abcdef";
    std::string id = "q-";
    for (unsigned char b : bytes) {
        id += hex[b >> 4];
        id += hex[b & 0xF];
    }
    return id;
}

// Keys every quote response carries first, in DESIGN's order.
nlohmann::json stamped(const std::string& id, const std::string& created, const nlohmann::json& body) {
    nlohmann::json out;
    out["quote_id"] = id;
    for (const auto& [k, v] : body.items()) out[k] = v;
    out["created"] = created;
    return out;
}

}  // namespace

ReferenceData store_references(data::Store& store) {
    ReferenceData r;
    // A code in the regions table exists. The table lists every province but the prefectures and
    // counties of Fujian only (data/historical/regions.csv), so a well-formed code below another
    // province (Hangzhou's 330100) is accepted on its province; under Fujian it must be listed.
    r.region_exists = [&store](const std::string& region) {
        if (store.region(region)) return true;
        if (region.size() <= 2 || region.find_first_not_of("0123456789") != std::string::npos) return false;
        const std::string province = region.substr(0, 2);
        return store.region(province).has_value() && store.region_count("prefecture", province) == 0 &&
               store.region_count("county", province) == 0;
    };
    r.market_currency = [&store](const std::string& market) -> std::optional<std::string> {
        const auto m = store.market(market);
        if (!m) return std::nullopt;
        return m->currency;
    };
    return r;
}

QuoteOutcome quote(data::Store& store, ModelCache& models, const nlohmann::json& body, const QuoteOptions& options) {
    QuoteOutcome outcome;
    const bool many = body.is_array();
    if (many && (body.empty() || body.size() > 1000)) {
        outcome.problem = make_problem(400, "a request array must hold 1 to 1000 quote requests", {{"", "has " + std::to_string(body.size()) + " elements"}});
        return outcome;
    }
    std::vector<QuoteRequest> requests;
    std::vector<FieldProblem> problems;
    const ReferenceData references = store_references(store);
    for (std::size_t i = 0; i < (many ? body.size() : 1); ++i) {
        const std::string base = many ? "/" + std::to_string(i) : "";
        auto d = decode_quote(many ? body[i] : body, options.limits, base);
        problems.insert(problems.end(), d.problems.begin(), d.problems.end());
        if (!d.value) continue;
        const auto unknown = check_references(*d.value, references, base);
        problems.insert(problems.end(), unknown.begin(), unknown.end());
        requests.push_back(std::move(*d.value));
    }
    if (!problems.empty()) {
        outcome.problem = make_problem(400, std::to_string(problems.size()) + " invalid field" + (problems.size() > 1 ? "s" : "") +
                                           " in the quote request", problems);
        return outcome;
    }
    const auto model = models.current(store);
    QuoteContext context{model.model.get(), model.version, options.threads};
    std::vector<nlohmann::json> results;
    for (std::size_t i = 0; i < requests.size(); ++i) {
        try {
            results.push_back(compute_quote(requests[i], context));
            outcome.simulated_years += requests[i].simulation.years;
        } catch (const InvalidInput& e) {
            const std::string prefix = many ? "/" + std::to_string(i) : "";
            outcome.problem = make_problem(422, "the request is valid JSON but cannot be priced: " + std::string(e.what()),
                                      {{prefix + field_to_pointer(e.field()), e.what()}});
            return outcome;
        }
    }
    // Stamp and store every quote of the request in one transaction: all or none.
    const std::string created = utc_now_iso8601();
    std::vector<nlohmann::json> stamped_results;
    for (auto& r : results) stamped_results.push_back(stamped(new_quote_id(), created, r));
    if (options.store) {
        std::vector<data::StoredQuote> rows;
        for (std::size_t i = 0; i < stamped_results.size(); ++i)
            rows.push_back({stamped_results[i]["quote_id"].get<std::string>(), created, requests[i].product_name(),
                            (many ? body[i] : body).dump(), stamped_results[i].dump(), model.version,
                            static_cast<std::int64_t>(requests[i].simulation.seed),
                            static_cast<std::int64_t>(requests[i].simulation.years), options.key_id});
        data::Quotes(store).insert(rows);
    }
    outcome.quotes = stamped_results.size();
    outcome.response = many ? nlohmann::json(stamped_results) : stamped_results.front();
    return outcome;
}

std::optional<nlohmann::json> stored_quote(data::Store& store, const std::string& quote_id) {
    const auto row = data::Quotes(store).find(quote_id);
    if (!row) return std::nullopt;
    nlohmann::json out;
    out["quote_id"] = row->quote_id;
    out["created"] = row->created;
    out["model_version"] = row->model_version;
    out["key_id"] = row->key_id;
    out["request"] = nlohmann::json::parse(row->request);
    out["response"] = nlohmann::json::parse(row->response);
    return out;
}

std::optional<nlohmann::json> replay_quote(data::Store& store, ModelCache& models, const std::string& quote_id, unsigned threads) {
    auto stored = stored_quote(store, quote_id);
    if (!stored) return std::nullopt;
    const auto decoded = decode_quote((*stored)["request"], DecodeLimits{.max_years = 100'000'000, .max_holdings = 10'000'000});
    if (!decoded.value) throw std::runtime_error("stored request of " + quote_id + " no longer decodes");
    const auto model = models.version(store, (*stored)["model_version"].get<std::string>());
    const nlohmann::json again = compute_quote(*decoded.value, {model.model.get(), model.version, threads});
    nlohmann::json original = (*stored)["response"];
    original.erase("quote_id");
    original.erase("created");
    const bool identical = original.dump() == again.dump();
    return nlohmann::json{{"quote_id", quote_id}, {"model_version", model.version}, {"bit_identical", identical},
                          {"original", (*stored)["response"]}, {"replayed", stamped(quote_id, (*stored)["created"].get<std::string>(), again)}};
}

}  // namespace tanhui::api
