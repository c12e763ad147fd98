// Reading stored quotes: GET /v1/quotes (find), GET /v1/quotes/{id}, POST /v1/quotes/{id}/replay.
// An underwriter sees the quotes of its own key; an actuary or admin (and local mode) every quote.
// A quote the caller may not see is answered as if it did not exist (404).
#include "api/json/problem.hpp"
#include "api/routes/routes.hpp"
#include "api/service/quote_search.hpp"

namespace tanhui::api {

namespace {

bool sees_all(const Request& req) { return role_allows(req.role, Role::actuary); }

Response no_quote(const std::string& id) {
    return not_found("no stored quote " + id + " that this key may read", {{"/path/id", "unknown quote id"}});
}

Response find_quotes(ServiceContext& ctx, const Request& req) {
    QuoteSearch search = decode_quote_search(req.query);
    if (!search.problems.empty()) return bad_request("bad query parameter(s)", std::move(search.problems));
    if (!sees_all(req)) {
        if (search.filter.key_id && *search.filter.key_id != req.key_id)
            return forbidden("key " + req.key_id + " (" + std::string(to_string(req.role)) +
                             ") may list its own quotes only; an actuary or admin key lists every key's");
        search.filter.key_id = req.key_id;
    }
    return json_response(quote_page(ctx.store(), search.filter));
}

}  // namespace

void add_quote_read_routes(Router& router, ServiceContext& ctx, std::shared_ptr<ModelCache> models) {
    router.add("GET", "/v1/quotes", Role::underwriter, [&ctx](const Request& req) { return find_quotes(ctx, req); });
    router.add("GET", "/v1/quotes/{id}", Role::underwriter, [&ctx](const Request& req) {
        if (auto p = check_query(req, {})) return *p;
        const auto q = stored_quote(ctx.store(), req.param("id"));
        if (!q || !may_read_quote(*q, req.key_id, sees_all(req))) return no_quote(req.param("id"));
        return json_response(*q);
    });
    router.add("POST", "/v1/quotes/{id}/replay", Role::underwriter, [&ctx, models](const Request& req) {
        if (auto p = check_query(req, {})) return *p;
        const auto q = stored_quote(ctx.store(), req.param("id"));
        if (!q || !may_read_quote(*q, req.key_id, sees_all(req))) return no_quote(req.param("id"));
        const auto r = replay_quote(ctx.store(), *models, req.param("id"), 1, req.cancel.get());
        if (!r) return no_quote(req.param("id"));
        return json_response(*r);
    }, {.expensive = true});  // the stored quote's cost is not known before reading it: the expensive lane
}

}  // namespace tanhui::api
