// POST /v1/quotes: priced on a worker, stored by the quote writer (group commit), answered once
// committed; with an Idempotency-Key, a retry gets the stored answer (docs/api.md "Quotes").
#include "api/json/problem.hpp"
#include "api/routes/routes.hpp"
#include "api/service/idempotency.hpp"
#include "api/service/quote_writer.hpp"

#include <openssl/crypto.h>

namespace tanhui::api {

namespace {

// The answer stored under the key, when the request is the same; a 422 when it is another.
Response idempotent_answer(const data::IdempotencyRecord& stored, const std::string& digest) {
    const bool same = stored.request_sha256.size() == digest.size() &&
                      CRYPTO_memcmp(stored.request_sha256.data(), digest.data(), digest.size()) == 0;
    if (!same)
        return unprocessable("Idempotency-Key \"" + stored.idempotency_key + "\" was used for another request (created " +
                                 stored.created + ", kept until " + stored.expires +
                                 "); send this request with a new key",
                             {{"/headers/idempotency-key", "already used for a different request body"}});
    Response r{stored.status, "application/json", stored.response, {}};
    r.headers.emplace_back("Idempotent-Replayed", "true");
    return r;
}

// What the writer's result means for the client.
Response after_write(const QuoteWriter::Result& result, Response answer, const std::string& digest,
                     const std::string& request_id, ServiceContext& ctx) {
    using Kind = QuoteWriter::Result::Kind;
    switch (result.kind) {
    case Kind::stored: return answer;
    case Kind::replay: return idempotent_answer(*result.existing, digest);
    case Kind::unavailable:
        return service_unavailable(result.detail + ", so this request could not be completed and nothing of it was "
                                                   "stored; reads still work. Logged as request " + request_id,
                                   30);
    case Kind::busy:
        return service_unavailable("the server is storing quotes more slowly than they arrive; nothing of this request "
                                   "was stored",
                                   1);
    case Kind::failed: break;
    }
    ctx.log_event("error", "request " + request_id + " (POST /v1/quotes): storing: " + result.detail);
    return internal_error(request_id);
}

struct Idempotent {
    std::string key, digest;
};

std::optional<Response> post_quotes(ServiceContext& ctx, ModelCache& models, const Request& req, const Responder& respond) {
    if (auto p = check_query(req, {"atomic"})) return *p;
    bool atomic = true;
    if (const std::string* v = req.query_param("atomic")) {
        if (*v != "true" && *v != "false")
            return bad_request("bad query parameter(s)", {{"/query/atomic", "must be true or false, got \"" + *v + "\""}});
        atomic = *v == "true";
    }
    std::shared_ptr<const nlohmann::json> parsed;  // parsed once, for the cost estimate
    if (auto problem = parse_json_body(req, parsed)) return *problem;
    const nlohmann::json& body = *parsed;
    std::optional<Idempotent> idempotent;
    if (const auto it = req.headers.find("idempotency-key"); it != req.headers.end()) {
        if (auto p = check_idempotency_key(it->second)) return bad_request("bad Idempotency-Key header", {*p});
        idempotent = Idempotent{it->second, request_digest(body, atomic ? "" : "atomic=false")};
        if (auto stored = data::Idempotency(ctx.store()).find(req.key_id, it->second, iso8601_after({})))
            return idempotent_answer(*stored, idempotent->digest);
    }
    QuoteOptions options;
    options.limits.max_years = static_cast<long long>(ctx.max_years());
    options.threads = 1;  // the worker pool gives the parallelism between requests
    options.key_id = req.key_id;
    options.atomic = atomic;
    options.request_id = req.request_id;
    options.cancel = req.cancel.get();
    options.references = &ctx.references();
    PricedQuotes priced = price_quotes(ctx.store(), models, body, options);
    if (priced.problem) return problem_response(*priced.problem);
    // The text the quotes were stored with, when there is one: serialised once.
    Response answer = priced.response_text.empty()
                          ? json_response(priced.response, priced.status)
                          : Response{priced.status, "application/json", std::move(priced.response_text), {}};
    data::QuoteWrite write{std::move(priced.rows), std::nullopt};
    if (idempotent)
        write.idempotency = idempotency_record(req.key_id, idempotent->key, idempotent->digest, answer.status, answer.body);
    if (write.quotes.empty() && !write.idempotency) return answer;  // nothing to store
    const std::string digest = idempotent ? idempotent->digest : std::string();
    ctx.quote_writer().submit(std::move(write), [&ctx, respond, request_id = req.request_id, digest, answer = std::move(answer), quotes = priced.quotes,
                                                 years = priced.simulated_years](QuoteWriter::Result result) mutable {
        if (result.kind == QuoteWriter::Result::Kind::stored) {
            ctx.metrics.add_quotes(quotes);
            ctx.metrics.add_simulated_years(static_cast<std::uint64_t>(years));
        }
        respond(after_write(result, std::move(answer), digest, request_id, ctx));
    });
    return std::nullopt;
}

}  // namespace

void add_quote_post_route(Router& router, ServiceContext& ctx, std::shared_ptr<ModelCache> models) {
    router.add_async("POST", "/v1/quotes", Role::underwriter, [&ctx, models](const Request& req, Responder respond) {
        return post_quotes(ctx, *models, req, respond);
    }, {.cost = [&ctx](const Request& req) {
        // The cost decides the lane before any work (docs/reliability.md); a body that is not JSON costs 0.
        return quote_request_cost(request_json(req), static_cast<long long>(ctx.max_years()), ctx.banded_assumptions());
    }});
}

}  // namespace tanhui::api
