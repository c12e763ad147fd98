// RFC 9457 problem details: the only error format the service writes (application/problem+json).
//
//   {"type": "about:blank", "title": "Bad Request", "status": 400,
//    "detail": "the request body is not valid JSON", "errors": [{"path": "", "message": "..."}]}
//
// `type` is about:blank and `title` the HTTP reason phrase (RFC 9457 sec. 4.2.1); `detail` says
// what went wrong; each entry of `errors` names one bad field by its JSON pointer (RFC 6901):
// "/holdings/0/area_ha" in the body, "/query/from" for a query parameter, "/path/market" for a
// path parameter, "" for the whole body. `errors` is always present (possibly empty).
#pragma once

#include "api/json/field_problem.hpp"

#include "api/http/router.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tanhui {
class InvalidInput;
}

namespace tanhui::api {

// FieldProblem (api/json/field_problem.hpp): the shape decoders return (STYLE "Errors").

struct Problem {
    int status = 400;
    std::string detail;
    std::vector<FieldProblem> errors;
    std::string title;  // empty: the reason phrase of `status`
    std::string type = "about:blank";
    std::string instance;  // empty: none (the server adds the request's, with_instance)
};

std::string_view reason_phrase(int status);

// The body text, fields in the order type, title, status, detail, instance (when set), errors.
std::string problem_body(const Problem& problem);
// The problem as JSON (same fields and order).
nlohmann::ordered_json problem_json(const Problem& problem);

// The `instance` of every problem the server answers (RFC 9457 sec. 3.1.5): the request's id
// (its X-Request-Id) as a URN, urn:tanhui:request:<id>. Names one occurrence; not dereferenceable.
std::string problem_instance(std::string_view request_id);
// A problem+json body with `instance` set to problem_instance(request_id) unless it has one.
std::string with_instance(const std::string& body, std::string_view request_id);
Response problem_response(const Problem& problem);

// One helper per status the service sends.
Response bad_request(std::string detail, std::vector<FieldProblem> errors = {});            // 400
Response unauthorized(std::string detail, bool invalid_token = false);                      // 401 + WWW-Authenticate
Response forbidden(std::string detail);                                                     // 403
Response not_found(std::string detail, std::vector<FieldProblem> errors = {});              // 404
Response method_not_allowed(const std::vector<std::string>& allow, std::string detail = {}); // 405 + Allow
Response request_timeout(std::string detail);                                               // 408
Response payload_too_large(std::size_t limit_bytes);                                        // 413
Response unsupported_media_type(std::string_view content_type);                             // 415
Response header_fields_too_large(std::size_t limit_bytes);                                  // 431
Response unprocessable(std::string detail, std::vector<FieldProblem> errors = {});          // 422
Response too_many_requests(std::string detail, int retry_after_s);                          // 429 + Retry-After
Response internal_error(std::string_view request_id);                                       // 500, generic
Response service_unavailable(std::string detail, int retry_after_s = 0);                    // 503 (+ Retry-After)

// An InvalidInput that escaped a handler: 422 naming its field as a JSON pointer.
Response invalid_input_problem(const InvalidInput& e);

// JSON pointers (RFC 6901): escape one reference token ('~' -> "~0", '/' -> "~1") and append.
std::string pointer_escape(std::string_view token);
std::string pointer_append(std::string_view base, std::string_view token);
std::string pointer_append(std::string_view base, std::size_t index);
// A field as the libraries name it ("model/pest/mortality", "holdings[0].area_ha",
// "/cover/limit_cny") as a JSON pointer ("/model/pest/mortality", "/holdings/0/area_ha").
std::string field_to_pointer(std::string_view field);

inline constexpr std::size_t max_json_depth = 64;

// The request body as JSON. On failure returns the problem to send, and `out` is untouched:
// 400 for an empty body, 415 for a Content-Type other than application/json, 400 for invalid
// UTF-8 (with the byte offset), nesting deeper than max_json_depth, or malformed JSON (with line
// and column). Usage:
//     nlohmann::json body;
//     if (auto problem = parse_json_body(req, body)) return *problem;
std::optional<Response> parse_json_body(const Request& req, nlohmann::json& out);
// The same, sharing the body the route's cost estimate already parsed (Request::parsed_body)
// instead of parsing it again; the same checks and problems.
std::optional<Response> parse_json_body(const Request& req, std::shared_ptr<const nlohmann::json>& out);

// True for application/json (any case, with or without parameters such as charset=utf-8).
bool is_json_content_type(std::string_view content_type);

// 400 when the request has a query parameter not in `allowed`, naming each as "/query/<name>".
std::optional<Response> check_query(const Request& req, std::initializer_list<std::string_view> allowed);
std::optional<Response> check_query(const Request& req, const std::vector<std::string_view>& allowed);

}  // namespace tanhui::api
