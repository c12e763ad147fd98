// The one way an answer becomes text: compact (no spaces), and a string that is not valid UTF-8
// written with U+FFFD rather than thrown on. HTTP bodies and stored quotes both use it, so that a
// stored answer is the text the client got.
//
// The bytes are exactly nlohmann's dump(-1, ' ', false, handler) (tests/api/json/text_test.cpp
// compares them); the writer only skips nlohmann's per-byte UTF-8 decoding for the plain ASCII
// strings that make up nearly all of an answer (docs/performance.md "Issue 18 item 5").
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace tanhui::api {

using JsonErrorHandler = nlohmann::detail::error_handler_t;

std::string compact_json(const nlohmann::json& j, JsonErrorHandler handler = JsonErrorHandler::replace);
std::string compact_json(const nlohmann::ordered_json& j, JsonErrorHandler handler = JsonErrorHandler::replace);

// One flat object written member by member, in the order given, with no tree in between: the
// text compact_json gives an ordered_json with the same members (the access log's line, written
// once a request on the I/O thread).
class FlatJsonWriter {
public:
    explicit FlatJsonWriter(std::size_t reserve = 256);
    FlatJsonWriter& string(std::string_view name, std::string_view value);
    FlatJsonWriter& real(std::string_view name, double value);
    FlatJsonWriter& integer(std::string_view name, std::int64_t value);
    FlatJsonWriter& unsigned_integer(std::string_view name, std::uint64_t value);
    FlatJsonWriter& null(std::string_view name);
    std::string finish() &&;

private:
    void key(std::string_view name);
    std::string out_;
};

}  // namespace tanhui::api
