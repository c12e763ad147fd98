#include "api/service/quote_service.hpp"

#include "api/json/text.hpp"
#include "api/products/quote_engine.hpp"
#include "api/service/reference_cache.hpp"
#include "api/service/uncertainty.hpp"
#include "data/repositories/quotes.hpp"

#include <openssl/rand.h>

#include <chrono>
#include <cstdint>
#include <cstring>
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

// The random bits come from OpenSSL's generator in blocks of 64 ids per thread: one RAND_bytes
// call costs about 6,000 instructions however few bytes it gives, and every stored quote needs an id.
void random_id_bytes(unsigned char (&bytes)[10]) {
    thread_local unsigned char block[64 * sizeof bytes];
    thread_local std::size_t used = sizeof block;
    if (used == sizeof block) {
        if (RAND_bytes(block, sizeof block) != 1) throw std::runtime_error("RAND_bytes failed");
        used = 0;
    }
    std::memcpy(bytes, block + used, sizeof bytes);
    used += sizeof bytes;
}

// "q-", the creation time (milliseconds since 1970, 12 hex digits) and 80 random bits (20 hex
// digits). The time first keeps the ids of new quotes next to each other in the table's primary
// key index, so a group commit writes a few index pages instead of one random page per quote
// (docs/performance.md "Issue 18: 10,000 quotes a second"); the random part keeps ids unique.
std::string new_quote_id() {
    unsigned char bytes[10];
    random_id_bytes(bytes);
    static const char* hex = "0123456789abcdef";
    const auto ms = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                   std::chrono::system_clock::now().time_since_epoch())
                                                   .count());
    std::string id = "q-";
    id.reserve(2 + 12 + 2 * sizeof bytes);
    for (int shift = 44; shift >= 0; shift -= 4) id += hex[(ms >> shift) & 0xF];
    for (unsigned char b : bytes) {
        id += hex[b >> 4];
        id += hex[b & 0xF];
    }
    return id;
}

// The answer with its id and creation time. No id: a quote that is not stored.
void stamp_answer(SortedJsonWriter& answer, const std::string& id, const std::string& created) {
    if (!id.empty()) answer.string("quote_id", id);
    answer.string("created", created);
}

// "element 3" / "elements 0, 3 and 7" of an array: the indices of the pointers "/3/...".
std::string elements_named(const std::vector<FieldProblem>& problems) {
    std::vector<std::string> indices;
    for (const FieldProblem& p : problems) {
        const std::string index = p.pointer.substr(1, p.pointer.find('/', 1) - 1);
        if (indices.empty() || indices.back() != index) indices.push_back(index);
    }
    std::string out = indices.size() == 1 ? "element " : "elements ";
    for (std::size_t i = 0; i < indices.size(); ++i)
        out += (i == 0 ? "" : i + 1 == indices.size() ? " and " : ", ") + indices[i];
    return out;
}

std::string invalid_fields_detail(const std::vector<FieldProblem>& problems, bool many) {
    std::string detail = std::to_string(problems.size()) + " invalid field" + (problems.size() > 1 ? "s" : "") +
                         " in the quote request";
    if (many) detail += " (" + elements_named(problems) + " of the array)";
    return detail;
}

Problem unpriceable(const InvalidInput& e, const std::string& base) {
    const std::string what = base.empty() ? std::string("the request")
                                          : "element " + base.substr(1) + " of the array";
    return make_problem(422, what + " is valid JSON but cannot be priced: " + std::string(e.what()),
                        {{base + field_to_pointer(e.field()), e.what()}});
}

// One element of the request: decoded and checked against the store, or its problems.
struct Element {
    std::optional<QuoteRequest> request;
    std::vector<FieldProblem> problems;
};

std::vector<Element> decode_elements(data::Store& store, const nlohmann::json& body, const QuoteOptions& options) {
    const bool many = body.is_array();
    const ReferenceData references = options.references ? options.references->references(store) : store_references(store);
    std::vector<Element> elements(many ? body.size() : 1);
    for (std::size_t i = 0; i < elements.size(); ++i) {
        const std::string base = many ? "/" + std::to_string(i) : "";
        auto d = decode_quote(many ? body[i] : body, options.limits, base);
        elements[i].problems = std::move(d.problems);
        if (!d.value) continue;
        const auto unknown = check_references(*d.value, references, base);
        elements[i].problems.insert(elements[i].problems.end(), unknown.begin(), unknown.end());
        if (elements[i].problems.empty()) elements[i].request = std::move(d.value);
    }
    return elements;
}

// Stamps a priced quote, and adds its row when it is to be stored. Returns the answer's text, as
// sent and as stored (compact JSON).
std::string stamp(PricedQuotes& out, SortedJsonWriter&& quote, const QuoteRequest& request,
                  const nlohmann::json& request_json, const std::string& created, const std::string& model_version,
                  const QuoteOptions& options) {
    const std::string id = options.store ? new_quote_id() : std::string();
    stamp_answer(quote, id, created);
    std::string text = quote.text();
    if (options.store)
        out.rows.push_back({id, created, request.product_name(), compact_json(request_json, JsonErrorHandler::strict),
                            text, model_version, static_cast<std::int64_t>(request.simulation.seed),
                            static_cast<std::int64_t>(request.simulation.years), options.key_id, request.policy.id});
    ++out.quotes;
    out.simulated_years += request.simulation.years;
    return text;
}

// All or nothing: any bad element refuses the whole request, and nothing is priced or stored.
PricedQuotes price_atomic(data::Store& store, ModelCache& models, const nlohmann::json& body,
                          std::vector<Element>& elements, const QuoteOptions& options) {
    PricedQuotes out;
    const bool many = body.is_array();
    std::vector<FieldProblem> problems;
    for (const Element& e : elements) problems.insert(problems.end(), e.problems.begin(), e.problems.end());
    if (!problems.empty()) {
        out.problem = make_problem(400, invalid_fields_detail(problems, many), problems);
        return out;
    }
    const auto model = options.model_version.empty() ? models.current(store) : models.version(store, options.model_version);
    const QuoteContext context{model.model.get(), model.version, options.threads, options.cancel};
    std::vector<SortedJsonWriter> results;
    for (std::size_t i = 0; i < elements.size(); ++i) {
        try {
            results.push_back(compute_answer_with_band(store, *elements[i].request, context));
        } catch (const InvalidInput& e) {
            out.problem = unpriceable(e, many ? "/" + std::to_string(i) : "");
            return out;
        }
    }
    const std::string created = utc_now_iso8601();
    // Each answer is written once: the stored row and the response text share it (an array's
    // text is its elements' texts, as a compact dump of the array would write them).
    for (std::size_t i = 0; i < results.size(); ++i) {
        const std::string text = stamp(out, std::move(results[i]), *elements[i].request, many ? body[i] : body, created,
                                       model.version, options);
        out.response_text += many ? (i == 0 ? "[" : ",") + text : text;
    }
    if (many) out.response_text += "]";
    return out;
}

nlohmann::json element_problem(std::size_t index, const Problem& p, const std::string& request_id) {
    nlohmann::json problem{{"type", p.type}, {"title", std::string(reason_phrase(p.status))}, {"status", p.status},
                           {"detail", p.detail}, {"errors", nlohmann::json::array()}};
    if (!request_id.empty()) problem["instance"] = problem_instance(request_id);
    for (const FieldProblem& e : p.errors) problem["errors"].push_back({{"path", e.pointer}, {"message", e.message}});
    return {{"index", index}, {"status", p.status}, {"problem", problem}};
}

// Each element on its own: an element result per element, in request order; the good ones are
// priced and stored, the bad ones carry their problem (docs/api.md "Arrays").
PricedQuotes price_each(data::Store& store, ModelCache& models, const nlohmann::json& body,
                        std::vector<Element>& elements, const QuoteOptions& options) {
    PricedQuotes out;
    out.response = nlohmann::json::array();
    const auto model = options.model_version.empty() ? models.current(store) : models.version(store, options.model_version);
    const QuoteContext context{model.model.get(), model.version, options.threads, options.cancel};
    const std::string created = utc_now_iso8601();
    for (std::size_t i = 0; i < elements.size(); ++i) {
        const std::string base = "/" + std::to_string(i);
        if (!elements[i].request) {
            const Problem p = make_problem(400, invalid_fields_detail(elements[i].problems, true), elements[i].problems);
            out.response.push_back(element_problem(i, p, options.request_id));
            continue;
        }
        try {
            SortedJsonWriter quote = compute_answer_with_band(store, *elements[i].request, context);
            const std::string text =
                stamp(out, std::move(quote), *elements[i].request, body[i], created, model.version, options);
            out.response.push_back({{"index", i}, {"status", 200}, {"quote", nlohmann::json::parse(text)}});
        } catch (const InvalidInput& e) {
            out.response.push_back(element_problem(i, unpriceable(e, base), options.request_id));
        }
    }
    if (out.quotes < elements.size()) out.status = 207;
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
    r.market_currency = [&store](const std::string& market) { return store.market_currency(market); };
    return r;
}

PricedQuotes price_quotes(data::Store& store, ModelCache& models, const nlohmann::json& body, const QuoteOptions& options) {
    const bool many = body.is_array();
    if (many && (body.empty() || body.size() > 1000)) {
        PricedQuotes out;
        out.problem = make_problem(400, "a request array must hold 1 to 1000 quote requests",
                                   {{"", "has " + std::to_string(body.size()) + " elements"}});
        return out;
    }
    std::vector<Element> elements = decode_elements(store, body, options);
    if (options.atomic || !many) return price_atomic(store, models, body, elements, options);
    return price_each(store, models, body, elements, options);
}

QuoteOutcome quote(data::Store& store, ModelCache& models, const nlohmann::json& body, const QuoteOptions& options) {
    PricedQuotes priced = price_quotes(store, models, body, options);
    QuoteOutcome outcome;
    if (priced.problem) {
        outcome.problem = std::move(priced.problem);
        return outcome;
    }
    if (options.store && !priced.rows.empty()) data::Quotes(store).insert(priced.rows);
    outcome.response = priced.response_text.empty() ? std::move(priced.response) : nlohmann::json::parse(priced.response_text);
    outcome.quotes = priced.quotes;
    outcome.simulated_years = priced.simulated_years;
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

bool may_read_quote(const nlohmann::json& stored, const std::string& caller_key_id, bool sees_all) {
    return sees_all || stored.value("key_id", std::string()) == caller_key_id;
}

std::optional<nlohmann::json> replay_quote(data::Store& store, ModelCache& models, const std::string& quote_id, unsigned threads,
                                           const std::atomic<bool>* cancel) {
    auto stored = stored_quote(store, quote_id);
    if (!stored) return std::nullopt;
    const auto decoded = decode_quote((*stored)["request"], DecodeLimits{.max_years = 100'000'000, .max_holdings = 10'000'000});
    if (!decoded.value) throw std::runtime_error("stored request of " + quote_id + " no longer decodes");
    const auto model = models.version(store, (*stored)["model_version"].get<std::string>());
    SortedJsonWriter again = compute_answer_with_band(store, *decoded.value, {model.model.get(), model.version, threads, cancel});
    nlohmann::json original = (*stored)["response"];
    original.erase("quote_id");
    original.erase("created");
    const bool identical = original.dump() == again.text();
    stamp_answer(again, quote_id, (*stored)["created"].get<std::string>());
    return nlohmann::json{{"quote_id", quote_id}, {"model_version", model.version}, {"bit_identical", identical},
                          {"original", (*stored)["response"]}, {"replayed", again.tree()}};
}

}  // namespace tanhui::api
