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
#include <span>
#include <string>
#include <string_view>
#include <vector>

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

// One object written member by member in any order and kept in nlohmann::json's key order (a
// std::map: keys compared byte by byte), with no tree in between: text() is what compact_json
// gives the nlohmann::json with the same members, and tree() is that nlohmann::json. A quote
// answer is written this way (docs/performance.md "Issue 18 item 5"): building, serialising and
// destroying its tree cost about a fifth of a price request. Each value is written to text as it
// is added; a key added twice is a bug (std::logic_error), not an overwrite.
class SortedJsonWriter {
public:
    SortedJsonWriter& real(std::string_view key, double value);
    SortedJsonWriter& integer(std::string_view key, std::int64_t value);
    SortedJsonWriter& unsigned_integer(std::string_view key, std::uint64_t value);
    SortedJsonWriter& string(std::string_view key, std::string_view value);
    SortedJsonWriter& null(std::string_view key);
    SortedJsonWriter& strings(std::string_view key, std::span<const std::string> values);  // an array of strings
    SortedJsonWriter& json(std::string_view key, const nlohmann::json& value);             // any value
    SortedJsonWriter& object(std::string_view key, const SortedJsonWriter& value);

    bool contains(std::string_view key) const;
    // The number a member was written with by real(); std::out_of_range for another member or none.
    double real_at(std::string_view key) const;
    // The first number that is not finite (inf, NaN: written as null), depth first in key
    // order as in the tree; 0 when every number is finite.
    double first_non_finite() const;

    std::string text() const;
    nlohmann::json tree() const;

private:
    // A member is one span of chars_, `"key":value` as it is written out; its raw key (for
    // ordering) is inside that span when the key needs no escaping, else stored before it.
    // `prefix` is the key's first 8 bytes, big-endian: most comparisons end there.
    struct Member {
        std::uint64_t prefix = 0;
        std::uint32_t key_at = 0, key_size = 0, span_at = 0, span_size = 0;
        double number = 0;    // the value written by real(), or the value's first non-finite number
        bool real = false;    // written by real()
    };
    struct Key {
        std::uint64_t prefix;
        std::string_view text;
    };
    static Key key(std::string_view text);
    std::string_view key_of(const Member& m) const { return {chars_.data() + m.key_at, m.key_size}; }
    bool less(const Member& a, const Key& b) const;
    // Where a member with key k is, or would be inserted (the members stay sorted).
    std::vector<Member>::const_iterator place(const Key& k) const;
    bool has_key(std::vector<Member>::const_iterator at, const Key& k) const;  // at is k's member
    const Member* find(std::string_view key) const;
    // Opens a member: its key in chars_, the value to be appended after it; returns it.
    Member& begin(std::string_view key);
    void end(Member& m);  // the value is what chars_ gained since begin
    void write(std::string& out) const;

    std::string chars_;            // the members' spans (and the raw keys that need escaping)
    std::vector<Member> members_;  // sorted by key
};

}  // namespace tanhui::api
