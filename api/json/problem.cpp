#include "api/json/problem.hpp"

#include "data/types.hpp"

#include <algorithm>
#include <cctype>

namespace tanhui::api {

std::string_view reason_phrase(int status) {
    switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return status >= 500 ? "Server Error" : "Client Error";
    }
}

nlohmann::ordered_json problem_json(const Problem& p) {
    nlohmann::ordered_json j;
    j["type"] = p.type;
    j["title"] = p.title.empty() ? std::string(reason_phrase(p.status)) : p.title;
    j["status"] = p.status;
    j["detail"] = p.detail;
    if (!p.instance.empty()) j["instance"] = p.instance;
    j["errors"] = nlohmann::ordered_json::array();
    for (const FieldProblem& e : p.errors) {
        nlohmann::ordered_json item;
        item["path"] = e.pointer;
        item["message"] = e.message;
        j["errors"].push_back(std::move(item));
    }
    return j;
}

std::string problem_body(const Problem& p) {
    return problem_json(p).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string problem_instance(std::string_view request_id) { return "urn:tanhui:request:" + std::string(request_id); }

std::string with_instance(const std::string& body, std::string_view request_id) {
    auto j = nlohmann::ordered_json::parse(body, nullptr, false);
    if (!j.is_object() || j.contains("instance")) return body;
    nlohmann::ordered_json out;
    for (auto& [key, value] : j.items()) {
        if (key == "errors") out["instance"] = problem_instance(request_id);
        out[key] = std::move(value);
    }
    if (!out.contains("instance")) out["instance"] = problem_instance(request_id);
    return out.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

Response problem_response(const Problem& p) {
    return {p.status, "application/problem+json", problem_body(p), {}};
}

namespace {
Response make(int status, std::string detail, std::vector<FieldProblem> errors = {}) {
    return problem_response({status, std::move(detail), std::move(errors), {}, "about:blank", {}});
}
}  // namespace

Response bad_request(std::string detail, std::vector<FieldProblem> errors) {
    return make(400, std::move(detail), std::move(errors));
}

Response unauthorized(std::string detail, bool invalid_token) {
    Response r = make(401, std::move(detail));
    // RFC 6750 sec. 3: the scheme, and error="invalid_token" when a token was sent but is wrong.
    r.headers.emplace_back("WWW-Authenticate", invalid_token ? R"(Bearer realm="tanhui", error="invalid_token")"
                                                             : R"(Bearer realm="tanhui")");
    return r;
}

Response forbidden(std::string detail) { return make(403, std::move(detail)); }

Response not_found(std::string detail, std::vector<FieldProblem> errors) {
    return make(404, std::move(detail), std::move(errors));
}

Response method_not_allowed(const std::vector<std::string>& allow, std::string detail) {
    std::string list;
    for (const auto& m : allow) list += (list.empty() ? "" : ", ") + m;
    if (detail.empty()) detail = "this path accepts " + list;
    Response r = make(405, std::move(detail));
    r.headers.emplace_back("Allow", list);
    return r;
}

Response request_timeout(std::string detail) { return make(408, std::move(detail)); }

Response payload_too_large(std::size_t limit_bytes) {
    return make(413, "the request body is larger than the limit of " + std::to_string(limit_bytes) + " bytes");
}

Response unsupported_media_type(std::string_view content_type) {
    return make(415, content_type.empty()
                         ? std::string("a request body must be sent with Content-Type: application/json")
                         : "Content-Type " + nlohmann::json(std::string(content_type)).dump(
                                                 -1, ' ', false, nlohmann::json::error_handler_t::replace) +
                               " is not accepted; send application/json");
}

Response header_fields_too_large(std::size_t limit_bytes) {
    return make(431, "the request line and headers are larger than the limit of " + std::to_string(limit_bytes) +
                         " bytes");
}

Response unprocessable(std::string detail, std::vector<FieldProblem> errors) {
    return make(422, std::move(detail), std::move(errors));
}

Response too_many_requests(std::string detail, int retry_after_s) {
    Response r = make(429, std::move(detail));
    r.headers.emplace_back("Retry-After", std::to_string(retry_after_s));
    return r;
}

Response internal_error(std::string_view request_id) {
    return make(500, "the server failed to answer this request; it has been logged as request " +
                         std::string(request_id));
}

Response service_unavailable(std::string detail, int retry_after_s) {
    Response r = make(503, std::move(detail));
    if (retry_after_s > 0) r.headers.emplace_back("Retry-After", std::to_string(retry_after_s));
    return r;
}

Response invalid_input_problem(const InvalidInput& e) {
    const std::string what = e.what();
    const std::string prefix = e.field() + ": ";
    const std::string message = what.rfind(prefix, 0) == 0 ? what.substr(prefix.size()) : what;
    return unprocessable("the request is well-formed but a value is out of range: " + what,
                         {{field_to_pointer(e.field()), message}});
}

std::string pointer_escape(std::string_view token) {
    std::string out;
    out.reserve(token.size());
    for (char c : token) {
        if (c == '~') out += "~0";
        else if (c == '/') out += "~1";
        else out += c;
    }
    return out;
}

std::string pointer_append(std::string_view base, std::string_view token) {
    return std::string(base) + "/" + pointer_escape(token);
}

std::string pointer_append(std::string_view base, std::size_t index) {
    return std::string(base) + "/" + std::to_string(index);
}

std::string field_to_pointer(std::string_view field) {
    if (field.empty() || field.front() == '/') return std::string(field);
    std::string out = "/";
    for (std::size_t i = 0; i < field.size(); ++i) {
        const char c = field[i];
        if (c == '.' || c == '[') {
            if (out.back() != '/') out += '/';
        } else if (c == ']') {
            // "[0]" then "." or "[": the next separator adds the slash
        } else {
            out += c;
        }
    }
    return out;
}

bool is_json_content_type(std::string_view ct) {
    std::string_view media = ct.substr(0, ct.find(';'));
    while (!media.empty() && (media.back() == ' ' || media.back() == '\t')) media.remove_suffix(1);
    while (!media.empty() && (media.front() == ' ' || media.front() == '\t')) media.remove_prefix(1);
    constexpr std::string_view json = "application/json";
    return media.size() == json.size() &&
           std::equal(media.begin(), media.end(), json.begin(), [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) == b;
           });
}

namespace {

// Depth of the deepest array/object, outside strings; stops early past `limit`.
// Returns the offset where the limit was crossed, or npos.
std::size_t too_deep_at(std::string_view s, std::size_t limit) {
    std::size_t depth = 0;
    bool in_string = false, escaped = false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (in_string) {
            if (escaped) escaped = false;
            else if (c == '\\') escaped = true;
            else if (c == '"') in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > limit) return i;
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return std::string_view::npos;
}

}  // namespace

namespace {

// What parse_json_body refuses before parsing: an empty body, another media type, invalid UTF-8,
// nesting deeper than max_json_depth.
std::optional<Response> unparseable_body(const Request& req) {
    const std::string_view body = req.body;
    if (body.find_first_not_of(" \t\r\n") == std::string_view::npos)
        return bad_request("the request body is empty; send a JSON document", {{"", "empty body"}});
    if (!is_json_content_type(req.content_type)) return unsupported_media_type(req.content_type);
    if (const std::size_t at = invalid_utf8_at(body); at != std::string_view::npos)
        return bad_request("the request body is not valid UTF-8",
                           {{"", "invalid UTF-8 at byte " + std::to_string(at)}});
    if (const std::size_t at = too_deep_at(body, max_json_depth); at != std::string_view::npos)
        return bad_request("the request body nests arrays and objects deeper than " + std::to_string(max_json_depth),
                           {{"", "nesting deeper than " + std::to_string(max_json_depth) + " at byte " +
                                     std::to_string(at)}});
    return std::nullopt;
}

std::optional<Response> parse_into(const Request& req, nlohmann::json& out) {
    try {
        out = nlohmann::json::parse(std::string_view(req.body));
        return std::nullopt;
    } catch (const nlohmann::json::exception& e) {
        std::string message = e.what();
        // "[json.exception.parse_error.101] parse error at line 1, column 9: ..." -> from "parse error"
        if (const auto close = message.find("] "); message.rfind("[json.exception.", 0) == 0 && close != std::string::npos)
            message.erase(0, close + 2);
        return bad_request("the request body is not valid JSON", {{"", std::move(message)}});
    }
}

}  // namespace

std::optional<Response> parse_json_body(const Request& req, nlohmann::json& out) {
    if (auto problem = unparseable_body(req)) return problem;
    return parse_into(req, out);
}

std::optional<Response> parse_json_body(const Request& req, std::shared_ptr<const nlohmann::json>& out) {
    if (auto problem = unparseable_body(req)) return problem;
    if (req.parsed_body) {
        out = req.parsed_body;
        return std::nullopt;
    }
    auto body = std::make_shared<nlohmann::json>();
    if (auto problem = parse_into(req, *body)) return problem;
    out = std::move(body);
    return std::nullopt;
}

std::optional<Response> check_query(const Request& req, std::initializer_list<std::string_view> allowed) {
    return check_query(req, std::vector<std::string_view>(allowed));
}

std::optional<Response> check_query(const Request& req, const std::vector<std::string_view>& allowed) {
    std::vector<FieldProblem> errors;
    std::string names;
    for (const auto& [name, value] : req.query) {
        if (std::find(allowed.begin(), allowed.end(), name) != allowed.end()) continue;
        errors.push_back({pointer_append("/query", name), "unknown query parameter"});
        names += (names.empty() ? "" : ", ") + name;
    }
    if (errors.empty()) return std::nullopt;
    std::string accepted;
    for (std::string_view a : allowed) accepted += (accepted.empty() ? "" : ", ") + std::string(a);
    return bad_request("unknown query parameter(s) " + names + "; this route accepts " +
                           (accepted.empty() ? std::string("none") : accepted),
                       std::move(errors));
}

}  // namespace tanhui::api
