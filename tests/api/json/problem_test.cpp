// problem+json (RFC 9457), JSON pointers (RFC 6901), body parsing, UTF-8 and the route table.
#include "api/json/problem.hpp"
#include "api/json/reader.hpp"
#include "api/http/router.hpp"
#include "data/types.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace tanhui::api;

namespace {

Request json_request(std::string body, std::string content_type = "application/json") {
    Request r;
    r.method = "POST";
    r.body = std::move(body);
    r.content_type = std::move(content_type);
    return r;
}

std::string nested(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

std::string first_path(const Response& r) { return nlohmann::json::parse(r.body)["errors"][0]["path"]; }

}  // namespace

// Golden text: the member order and spelling clients parse (RFC 9457 sec. 3).
TEST(Problem, BodyIsTheGoldenText) {
    const Problem p{422, "limit_cny must be >= 0", {{"/cover/limit_cny", "must be >= 0, got -1"}}, {}, "about:blank", {}};
    EXPECT_EQ(problem_body(p),
              R"({"type":"about:blank","title":"Unprocessable Content","status":422,"detail":"limit_cny must be >= 0",)"
              R"("errors":[{"path":"/cover/limit_cny","message":"must be >= 0, got -1"}]})");
    EXPECT_EQ(problem_body({404, "no such quote", {}, {}, "about:blank", {}}),
              R"({"type":"about:blank","title":"Not Found","status":404,"detail":"no such quote","errors":[]})");
}

TEST(Problem, HelpersSetStatusMediaTypeAndHeaders) {
    struct Case { Response r; int status; const char* header; const char* value; };
    const Case cases[] = {
        {bad_request("x"), 400, nullptr, nullptr},
        {unauthorized("x"), 401, "WWW-Authenticate", R"(Bearer realm="tanhui")"},
        {unauthorized("x", true), 401, "WWW-Authenticate", R"(Bearer realm="tanhui", error="invalid_token")"},
        {forbidden("x"), 403, nullptr, nullptr},
        {not_found("x"), 404, nullptr, nullptr},
        {method_not_allowed({"GET", "POST"}), 405, "Allow", "GET, POST"},
        {request_timeout("x"), 408, nullptr, nullptr},
        {payload_too_large(1 << 20), 413, nullptr, nullptr},
        {unsupported_media_type("text/plain"), 415, nullptr, nullptr},
        {unprocessable("x"), 422, nullptr, nullptr},
        {too_many_requests("x", 3), 429, "Retry-After", "3"},
        {header_fields_too_large(8192), 431, nullptr, nullptr},
        {internal_error("42"), 500, nullptr, nullptr},
        {service_unavailable("x", 1), 503, "Retry-After", "1"},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.status);
        EXPECT_EQ(c.r.status, c.status);
        EXPECT_EQ(c.r.content_type, "application/problem+json");
        const auto j = nlohmann::json::parse(c.r.body);
        EXPECT_EQ(j["status"], c.status);
        EXPECT_EQ(j["type"], "about:blank");
        EXPECT_EQ(j["title"], std::string(reason_phrase(c.status)));
        EXPECT_TRUE(j["errors"].is_array());
        if (c.header) {
            ASSERT_EQ(c.r.headers.size(), 1u);
            EXPECT_EQ(c.r.headers[0].first, c.header);
            EXPECT_EQ(c.r.headers[0].second, c.value);
        }
    }
    // A 500 says nothing of the cause, only where to look.
    EXPECT_EQ(nlohmann::json::parse(internal_error("42").body)["detail"],
              "the server failed to answer this request; it has been logged as request 42");
}

TEST(Problem, InvalidInputBecomes422WithItsFieldAsPointer) {
    const tanhui::InvalidInput e("model/pest/mortality", "must be in [0, 1], got 2");
    const Response r = invalid_input_problem(e);
    EXPECT_EQ(r.status, 422);
    const auto j = nlohmann::json::parse(r.body);
    EXPECT_EQ(j["errors"][0]["path"], "/model/pest/mortality");
    EXPECT_EQ(j["errors"][0]["message"], "must be in [0, 1], got 2");
}

// RFC 6901 sec. 3-4: '~' is written "~0" and '/' "~1".
TEST(JsonPointer, EscapesAndAppends) {
    EXPECT_EQ(pointer_escape("a/b~c"), "a~1b~0c");
    EXPECT_EQ(pointer_append("", "holdings"), "/holdings");
    EXPECT_EQ(pointer_append(pointer_append("", "holdings"), std::size_t{3}), "/holdings/3");
    EXPECT_EQ(pointer_append("/query", "a/b"), "/query/a~1b");
    EXPECT_EQ(field_to_pointer("model/pest/mortality"), "/model/pest/mortality");
    EXPECT_EQ(field_to_pointer("holdings[0].area_ha"), "/holdings/0/area_ha");
    EXPECT_EQ(field_to_pointer("/cover/limit_cny"), "/cover/limit_cny");
    EXPECT_EQ(field_to_pointer("levels"), "/levels");
    EXPECT_EQ(field_to_pointer(""), "");
}

// RFC 3629 sec. 4 and the Unicode table 3-7 of well-formed byte sequences.
TEST(Utf8, AcceptsWellFormedAndRejectsTheRest) {
    EXPECT_EQ(invalid_utf8_at("plain ascii"), std::string_view::npos);
    EXPECT_EQ(invalid_utf8_at("碳汇 \xF0\x9F\x8C\xB2 é"), std::string_view::npos);  // 3- and 4-byte forms
    EXPECT_EQ(invalid_utf8_at("\xF4\x8F\xBF\xBF"), std::string_view::npos);      // U+10FFFF
    EXPECT_EQ(invalid_utf8_at("ab\xC0\xAF"), 2u);                                // overlong '/'
    EXPECT_EQ(invalid_utf8_at("\xE0\x80\xAF"), 0u);                              // overlong, 3 bytes
    EXPECT_EQ(invalid_utf8_at("x\xED\xA0\x80"), 1u);                             // surrogate U+D800
    EXPECT_EQ(invalid_utf8_at("\xF4\x90\x80\x80"), 0u);                          // above U+10FFFF
    EXPECT_EQ(invalid_utf8_at("abc\x80"), 3u);                                   // stray continuation
    EXPECT_EQ(invalid_utf8_at("\xE7\xA2"), 0u);                                  // truncated
    EXPECT_EQ(invalid_utf8_at("\xFF"), 0u);
}

TEST(ParseJsonBody, AcceptsAnObject) {
    nlohmann::json j;
    EXPECT_FALSE(parse_json_body(json_request(R"({"a": [1, 2, {"b": "碳"}]})"), j));
    EXPECT_EQ(j["a"][2]["b"], "碳");
    EXPECT_FALSE(parse_json_body(json_request("[]", "Application/JSON; charset=utf-8"), j));
}

TEST(ParseJsonBody, EachClassOfBadBodyIsA4xxNamingTheDocument) {
    nlohmann::json j = "untouched";
    struct Case { const char* name; Request req; int status; };
    const Case cases[] = {
        {"malformed", json_request(R"({"a": tru})"), 400},
        {"truncated", json_request(R"({"a": [1, 2)"), 400},
        {"trailing garbage", json_request(R"({"a": 1} x)"), 400},
        {"empty", json_request(""), 400},
        {"whitespace", json_request(" \n"), 400},
        {"invalid UTF-8 in a string", json_request("{\"a\": \"\xC3\x28\"}"), 400},
        {"invalid UTF-8 outside strings", json_request("{\"a\": 1}\xFF"), 400},
        {"too deep", json_request(nested(max_json_depth + 1)), 400},
        {"number overflow", json_request("[1e999]"), 400},
        {"wrong content type", json_request("{}", "text/plain"), 415},
        {"no content type", json_request("{}", ""), 415},
        {"json-like type", json_request("{}", "application/jsonx"), 415},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.name);
        const auto p = parse_json_body(c.req, j);
        ASSERT_TRUE(p.has_value());
        EXPECT_EQ(p->status, c.status);
        EXPECT_EQ(p->content_type, "application/problem+json");
        if (c.status == 400) {
            EXPECT_EQ(first_path(*p), "");
        }
        EXPECT_EQ(j, "untouched");
    }
}

TEST(ParseJsonBody, NestingLimitIsExactAndIgnoresBracketsInStrings) {
    nlohmann::json j;
    EXPECT_FALSE(parse_json_body(json_request(nested(max_json_depth)), j));
    EXPECT_TRUE(parse_json_body(json_request(nested(max_json_depth + 1)), j));
    const std::string brackets_in_string = "[\"" + std::string(200, '[') + "\\\"" + std::string(200, '{') + "\"]";
    EXPECT_FALSE(parse_json_body(json_request(brackets_in_string), j));
    const auto p = parse_json_body(json_request("{\"a\": " + nested(100) + "}"), j);
    ASSERT_TRUE(p);
    EXPECT_NE(nlohmann::json::parse(p->body)["errors"][0]["message"].get<std::string>().find("deeper than 64"),
              std::string::npos);
}

TEST(ParseJsonBody, MalformedJsonSaysWhere) {
    nlohmann::json j;
    const auto p = parse_json_body(json_request("{\n  \"a\": tru,\n  \"b\": 1\n}"), j);
    ASSERT_TRUE(p);
    const std::string message = nlohmann::json::parse(p->body)["errors"][0]["message"];
    EXPECT_NE(message.find("line 2"), std::string::npos) << message;
    EXPECT_EQ(message.find("[json.exception"), std::string::npos) << message;
}

TEST(CheckQuery, NamesEachUnknownParameter) {
    Request r;
    r.query = {{"from", "2020-01-01"}, {"colour", "red"}};
    EXPECT_FALSE(check_query(r, {"from", "colour"}));
    const auto p = check_query(r, {"from", "to"});
    ASSERT_TRUE(p);
    EXPECT_EQ(p->status, 400);
    EXPECT_EQ(first_path(*p), "/query/colour");
}

TEST(Router, MatchesParametersAndPrefersLiteralSegments) {
    Router router;
    auto tag = [](std::string t) { return [t](const Request&) { return Response{200, "text/plain", t, {}}; }; };
    router.add("GET", "/v1/quotes/{id}", Role::underwriter, tag("get"));
    router.add("POST", "/v1/quotes/{id}/replay", Role::underwriter, tag("replay"));
    router.add("GET", "/v1/quotes/latest", Role::underwriter, tag("latest"));
    router.add("POST", "/v1/quotes", Role::underwriter, tag("post"));

    auto m = router.match("GET", "/v1/quotes/q-1%2F2");
    ASSERT_EQ(m.kind, Router::Match::found);
    EXPECT_EQ(m.route->info.pattern, "/v1/quotes/{id}");
    EXPECT_EQ(m.params.at("id"), "q-1/2");  // %2F decoded inside the parameter, not a separator

    m = router.match("GET", "/v1/quotes/latest");
    ASSERT_EQ(m.kind, Router::Match::found);
    EXPECT_EQ(m.route->info.pattern, "/v1/quotes/latest");

    m = router.match("POST", "/v1/quotes/abc/replay");
    ASSERT_EQ(m.kind, Router::Match::found);
    EXPECT_EQ(m.params.at("id"), "abc");

    m = router.match("DELETE", "/v1/quotes/abc");
    EXPECT_EQ(m.kind, Router::Match::method_not_allowed);
    EXPECT_EQ(m.allow, std::vector<std::string>{"GET"});
    m = router.match("GET", "/v1/quotes");
    EXPECT_EQ(m.kind, Router::Match::method_not_allowed);
    EXPECT_EQ(m.allow, std::vector<std::string>{"POST"});

    EXPECT_EQ(router.match("GET", "/v1/quotes/").kind, Router::Match::not_found);  // empty parameter
    EXPECT_EQ(router.match("GET", "/v1/quote").kind, Router::Match::not_found);
    EXPECT_EQ(router.match("GET", "/v1/quotes/a/b").kind, Router::Match::not_found);
    EXPECT_EQ(router.match("GET", "/v1/quotes/%ZZ").kind, Router::Match::not_found);
    EXPECT_EQ(router.list().size(), 4u);
}

TEST(Router, RejectsMalformedAndDuplicateRoutes) {
    Router router;
    const Handler h = [](const Request&) { return Response{}; };
    router.add("GET", "/a/{x}", Role::anyone, h);
    EXPECT_THROW(router.add("GET", "/a/{x}", Role::anyone, h), std::logic_error);
    EXPECT_THROW(router.add("get", "/b", Role::anyone, h), std::logic_error);
    EXPECT_THROW(router.add("GET", "b", Role::anyone, h), std::logic_error);
    EXPECT_THROW(router.add("GET", "/c/x{y}", Role::anyone, h), std::logic_error);
    EXPECT_THROW(router.add("GET", "/c/{y}/{y}", Role::anyone, h), std::logic_error);
    EXPECT_THROW(router.add("GET", "/d", Role::anyone, Handler{}), std::logic_error);
}

TEST(Query, DecodesPercentAndPlusAndRejectsRepeats) {
    std::map<std::string, std::string> q;
    std::string error, name;
    ASSERT_TRUE(parse_query("region=35&pest=pine+wilt&x=%E7%A2%B3&flag&&", q, error, name));
    EXPECT_EQ(q.at("region"), "35");
    EXPECT_EQ(q.at("pest"), "pine wilt");
    EXPECT_EQ(q.at("x"), "碳");
    EXPECT_EQ(q.at("flag"), "");
    EXPECT_FALSE(parse_query("a=1&a=2", q, error, name));
    EXPECT_EQ(name, "a");
    EXPECT_FALSE(parse_query("a=%4", q, error, name));
    EXPECT_FALSE(parse_query("a=%C3%28", q, error, name));  // invalid UTF-8 once decoded
    EXPECT_FALSE(parse_query("a=%00", q, error, name));
    EXPECT_TRUE(parse_query("", q, error, name));
    EXPECT_TRUE(q.empty());
}

namespace {

// A value outside its choices is named with the choices, quoted, as a peril override's reader
// names it (risk/model/record_reader.hpp, tests/risk/model/value_test.cpp): one message.
TEST(ObjectReader, OneOfNamesTheChoicesAndTheValue) {
    std::vector<tanhui::risk::FieldProblem> problems;
    const nlohmann::json body = {{"form", "per_hectare"}, {"kind", "b"}};
    ObjectReader r(body, "/cover", problems);
    EXPECT_FALSE(r.one_of("form", true, {"per_tonne", "fixed"}));
    EXPECT_EQ(r.one_of("kind", true, {"a", "b"}), "b");
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].pointer, "/cover/form");
    EXPECT_EQ(problems[0].message, "must be one of \"per_tonne\", \"fixed\", got \"per_hectare\"");
}

}  // namespace
