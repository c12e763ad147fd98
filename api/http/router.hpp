// The route table of the HTTP service: method + path pattern ("/v1/quotes/{id}") -> handler.
// Registration is explicit: each route group has a `register_X_routes(Router&, ServiceContext&)`
// (api/http/server.hpp) and the list of groups is service_registrars() in api/cli/serve.cpp.
#pragma once

#include "api/http/auth.hpp"
#include "api/service/request_cost.hpp"

#include <nlohmann/json_fwd.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tanhui::api {

// What a handler sees of a request. Everything is decoded; the Authorization header is not here.
struct Request {
    std::string method;   // "GET", "POST"
    std::string target;   // as sent: /v1/markets/FJEA/prices?from=2020-01-01
    std::string path;     // percent-decoded path without the query
    std::string pattern;  // the route that matched: /v1/markets/{market}/prices
    std::map<std::string, std::string> params;  // path parameters by name, percent-decoded
    std::map<std::string, std::string> query;   // query parameters (a name given twice is a 400)
    std::map<std::string, std::string> headers; // lower-case names; no Authorization
    std::string content_type;
    std::string body;
    std::string key_id;  // the caller's key id; empty in local mode and on public routes
    Role role = Role::anyone;  // the caller's role (admin in local mode)
    std::string request_id;    // also in the X-Request-Id response header and the access log
    std::chrono::steady_clock::time_point deadline;  // the server answers 503 after this
    // Set when the client hung up or the deadline passed: a simulation that reads it stops
    // between blocks of years (risk::Simulation::cancel); never null for a handler.
    std::shared_ptr<std::atomic<bool>> cancel = std::make_shared<std::atomic<bool>>(false);
    RequestCost cost;  // from the route's estimate (RouteOptions::cost), before any work
    // The body parsed as JSON once, on the I/O thread, for a route with a cost estimate (null when
    // it is not JSON): the estimate reads it (request_json) and parse_json_body hands it on, so
    // a quote's body is parsed once, not twice.
    std::shared_ptr<const nlohmann::json> parsed_body;

    // Path parameter by name (empty when absent).
    const std::string& param(const std::string& name) const;
    // Query parameter, or nullptr when not given.
    const std::string* query_param(const std::string& name) const;
};

struct Response {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // extra headers (Allow, Retry-After ...)
};

// The request's body as parsed for its cost estimate, or a discarded value (not JSON).
const nlohmann::json& request_json(const Request& req);

// JSON body in the service's style: compact, invalid UTF-8 replaced (never a throw).
Response json_response(const nlohmann::json& body, int status = 200);
Response json_response(const nlohmann::ordered_json& body, int status = 200);

using Handler = std::function<Response(const Request&)>;

// A handler that may answer later, from any thread: it returns the answer, or nothing and then
// calls `respond` exactly once (e.g. after the quote writer committed, api/service/quote_writer.hpp).
// It must not call `respond` when it returns an answer. `respond` may outlive the request.
using Responder = std::function<void(Response)>;
using AsyncHandler = std::function<std::optional<Response>(const Request&, Responder respond)>;

struct RouteOptions {
    std::size_t body_limit = 1 << 20;  // bytes; a larger body is a 413
    // Cheap, never-blocking handlers (/healthz, /metrics) run on the I/O thread; all others run on
    // the worker lanes (api/http/lanes.hpp), so that a long simulation never delays them.
    bool run_inline = false;
    // The request's cost, computed on the I/O thread before any work (api/service/request_cost.hpp):
    // over the server's ceiling a 422, above its cheap-cost limit the expensive lane, and charged
    // to the key's cost budget. Null: cost 0 (reads, closed-form work), the cheap lane.
    std::function<RequestCost(const Request&)> cost = nullptr;
    bool expensive = false;  // always the expensive lane, whatever the cost (e.g. a replay)
};

struct RouteInfo {
    std::string method;
    std::string pattern;
    Role role = Role::anyone;
};

struct Route {
    RouteInfo info;
    Handler handler;             // one of the two
    AsyncHandler async_handler;
    RouteOptions options;
    std::size_t index = 0;  // position in Router::routes(): stable, used by the metrics
};

class Router {
public:
    // Adds a route. `pattern` starts with '/'; a segment "{name}" matches any one non-empty
    // segment and is passed as Request::params[name]. A literal segment beats a parameter when
    // both match. Throws std::logic_error for a malformed pattern or a duplicate (method, pattern).
    void add(std::string method, std::string pattern, Role role, Handler handler, RouteOptions options = {});
    // The same for a handler that may answer later (never run inline).
    void add_async(std::string method, std::string pattern, Role role, AsyncHandler handler, RouteOptions options = {});

    struct Match {
        enum Kind { found, not_found, method_not_allowed } kind = not_found;
        const Route* route = nullptr;
        std::map<std::string, std::string> params;
        std::vector<std::string> allow;  // method_not_allowed: the methods the path has
    };
    // `raw_path` as sent (percent-encoded); segments are decoded after splitting, so %2F stays
    // inside a parameter. Call valid_path() first: an undecodable segment never matches.
    Match match(std::string_view method, std::string_view raw_path) const;

    const std::vector<Route>& routes() const { return routes_; }
    std::vector<RouteInfo> list() const;  // introspection (the OpenAPI check)
    std::size_t max_body_limit() const;

private:
    void insert(Route route);
    std::vector<Route> routes_;
};

// Offset of the first byte that is not well-formed UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF), or npos.
std::size_t invalid_utf8_at(std::string_view text);

// Percent-decoding. `plus_is_space` for query components (HTML forms send '+').
// Returns false on a bad escape, NUL or invalid UTF-8.
bool percent_decode(std::string_view in, std::string& out, bool plus_is_space = false);
bool valid_path(std::string_view raw_path);

// Splits and decodes a query string. On failure `error` names the bad parameter and why.
bool parse_query(std::string_view raw_query, std::map<std::string, std::string>& out, std::string& error,
                 std::string& error_name);

}  // namespace tanhui::api
