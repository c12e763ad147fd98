#include "api/json/text.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string_view>

namespace tanhui::api {

namespace {

// nlohmann's serializer decodes every byte of every string as UTF-8 and copies it through a
// buffer; an answer is mostly keys and short ASCII values, which need no escaping at all. Those
// are copied as they are; any other string (control characters, quotes, backslashes, non-ASCII)
// and anything unusual (binary values) is written by nlohmann itself, so the bytes never differ.
constexpr std::array<bool, 256> plain_bytes = [] {
    std::array<bool, 256> plain{};
    for (int c = 0x20; c < 0x80; ++c) plain[static_cast<std::size_t>(c)] = c != '"' && c != '\\';
    return plain;
}();

bool plain_ascii(std::string_view s) {
    for (const char c : s)
        if (!plain_bytes[static_cast<unsigned char>(c)]) return false;
    return true;
}

// '"' s '"' suffix, for an s that needs no escaping, in one append when it is short (most are):
// three appends of a character each cost more than the copy.
void append_quoted(std::string& out, std::string_view s, std::string_view suffix) {
    char buffer[64];
    if (s.size() + suffix.size() + 2 > sizeof buffer) {
        out += '"';
        out.append(s);
        out += '"';
        out.append(suffix);
        return;
    }
    buffer[0] = '"';
    if (!s.empty()) std::memcpy(buffer + 1, s.data(), s.size());  // an empty view's data() may be null
    buffer[s.size() + 1] = '"';
    if (!suffix.empty()) std::memcpy(buffer + s.size() + 2, suffix.data(), suffix.size());
    out.append(buffer, s.size() + 2 + suffix.size());
}

void append_string(std::string& out, std::string_view s, JsonErrorHandler handler) {
    if (!plain_ascii(s)) {
        out += nlohmann::json(std::string(s)).dump(-1, ' ', false, handler);
        return;
    }
    append_quoted(out, s, "");
}

// nlohmann writes a non-finite number as null and any other with its own Grisu2 to_chars.
void append_real(std::string& out, double x) {
    if (!std::isfinite(x)) {
        out += "null";
        return;
    }
    char buffer[64];  // to_chars writes what it returns; no need to zero it
    const char* end = nlohmann::detail::to_chars(buffer, buffer + sizeof buffer, x);
    out.append(buffer, static_cast<std::size_t>(end - buffer));
}

void append_unsigned(std::string& out, std::uint64_t x) {
    std::array<char, 24> buffer{};
    char* p = buffer.data() + buffer.size();
    do {
        *--p = static_cast<char>('0' + x % 10);
        x /= 10;
    } while (x != 0);
    out.append(p, static_cast<std::size_t>(buffer.data() + buffer.size() - p));
}

void append_integer(std::string& out, std::int64_t x) {
    if (x < 0) {
        out += '-';
        // -(x + 1) + 1 keeps INT64_MIN in range.
        append_unsigned(out, static_cast<std::uint64_t>(-(x + 1)) + 1);
        return;
    }
    append_unsigned(out, static_cast<std::uint64_t>(x));
}

template <class Json>
class CompactWriter {
public:
    CompactWriter(std::string& out, JsonErrorHandler handler) : out_(out), handler_(handler) {}

    void value(const Json& j) {
        switch (j.type()) {
        case nlohmann::json::value_t::null: out_ += "null"; return;
        case nlohmann::json::value_t::boolean: out_ += j.template get<bool>() ? "true" : "false"; return;
        case nlohmann::json::value_t::number_integer: append_integer(out_, j.template get<std::int64_t>()); return;
        case nlohmann::json::value_t::number_unsigned: append_unsigned(out_, j.template get<std::uint64_t>()); return;
        case nlohmann::json::value_t::number_float: append_real(out_, j.template get<double>()); return;
        case nlohmann::json::value_t::string:
            append_string(out_, j.template get_ref<const typename Json::string_t&>(), handler_);
            return;
        case nlohmann::json::value_t::array: array(j.template get_ref<const typename Json::array_t&>()); return;
        case nlohmann::json::value_t::object: object(j.template get_ref<const typename Json::object_t&>()); return;
        default: out_ += j.dump(-1, ' ', false, handler_); return;  // binary, discarded
        }
    }

private:
    void array(const typename Json::array_t& a) {
        out_ += '[';
        for (std::size_t i = 0; i < a.size(); ++i) {
            if (i > 0) out_ += ',';
            value(a[i]);
        }
        out_ += ']';
    }
    void object(const typename Json::object_t& o) {
        out_ += '{';
        bool first = true;
        for (const auto& [key, member] : o) {
            if (!first) out_ += ',';
            first = false;
            append_string(out_, key, handler_);
            out_ += ':';
            value(member);
        }
        out_ += '}';
    }

    std::string& out_;
    JsonErrorHandler handler_;
};

template <class Json>
std::string write_compact(const Json& j, JsonErrorHandler handler) {
    std::string out;
    out.reserve(1024);  // an answer is 1-3 KB
    CompactWriter<Json>(out, handler).value(j);
    return out;
}

}  // namespace

std::string compact_json(const nlohmann::json& j, JsonErrorHandler handler) { return write_compact(j, handler); }
std::string compact_json(const nlohmann::ordered_json& j, JsonErrorHandler handler) { return write_compact(j, handler); }

FlatJsonWriter::FlatJsonWriter(std::size_t reserve) { out_.reserve(reserve); }

void FlatJsonWriter::key(std::string_view name) {
    out_ += out_.empty() ? '{' : ',';
    append_string(out_, name, JsonErrorHandler::replace);
    out_ += ':';
}

FlatJsonWriter& FlatJsonWriter::string(std::string_view name, std::string_view value) {
    key(name);
    append_string(out_, value, JsonErrorHandler::replace);
    return *this;
}

FlatJsonWriter& FlatJsonWriter::real(std::string_view name, double value) {
    key(name);
    append_real(out_, value);
    return *this;
}

FlatJsonWriter& FlatJsonWriter::integer(std::string_view name, std::int64_t value) {
    key(name);
    append_integer(out_, value);
    return *this;
}

FlatJsonWriter& FlatJsonWriter::unsigned_integer(std::string_view name, std::uint64_t value) {
    key(name);
    append_unsigned(out_, value);
    return *this;
}

FlatJsonWriter& FlatJsonWriter::null(std::string_view name) {
    key(name);
    out_ += "null";
    return *this;
}

std::string FlatJsonWriter::finish() && {
    out_ += out_.empty() ? "{}" : "}";
    return std::move(out_);
}

namespace {

// The first number of j (depth first) that is not finite, or 0. nlohmann keeps inf and NaN as
// numbers and writes them as null.
double first_non_finite_in(const nlohmann::json& j) {
    if (j.is_number_float() && !std::isfinite(j.get<double>())) return j.get<double>();
    if (j.is_structured())
        for (const auto& v : j)
            if (const double x = first_non_finite_in(v); x != 0) return x;
    return 0;
}

}  // namespace

SortedJsonWriter::Key SortedJsonWriter::key(std::string_view text) {
    unsigned char bytes[8] = {};
    if (!text.empty()) std::memcpy(bytes, text.data(), std::min<std::size_t>(text.size(), 8));
    std::uint64_t prefix = 0;
    for (const unsigned char b : bytes) prefix = prefix << 8 | b;
    return {prefix, text};
}

// Byte order, as std::string compares: the prefixes decide unless they are equal (a shorter key
// is padded with 0, so "ab" and "ab\0" tie there and the full comparison orders them).
bool SortedJsonWriter::less(const Member& a, const Key& b) const {
    if (a.prefix != b.prefix) return a.prefix < b.prefix;
    return key_of(a) < b.text;
}

std::vector<SortedJsonWriter::Member>::const_iterator SortedJsonWriter::place(const Key& k) const {
    return std::lower_bound(members_.begin(), members_.end(), k, [this](const Member& m, const Key& x) { return less(m, x); });
}

bool SortedJsonWriter::has_key(std::vector<Member>::const_iterator at, const Key& k) const {
    return at != members_.end() && at->prefix == k.prefix && key_of(*at) == k.text;
}

const SortedJsonWriter::Member* SortedJsonWriter::find(std::string_view text) const {
    const Key k = key(text);
    const auto at = place(k);
    return has_key(at, k) ? &*at : nullptr;
}

SortedJsonWriter::Member& SortedJsonWriter::begin(std::string_view text) {
    if (members_.capacity() == 0) {
        members_.reserve(16);
        chars_.reserve(1024);
    }
    const Key k = key(text);
    const auto at = place(k);
    if (has_key(at, k))
        throw std::logic_error("SortedJsonWriter: member \"" + std::string(text) + "\" written twice");
    Member m;
    m.prefix = k.prefix;
    m.key_size = static_cast<std::uint32_t>(text.size());
    if (plain_ascii(text)) {
        m.span_at = static_cast<std::uint32_t>(chars_.size());
        m.key_at = m.span_at + 1;
        append_quoted(chars_, text, ":");
    } else {
        m.key_at = static_cast<std::uint32_t>(chars_.size());
        chars_.append(text);
        m.span_at = static_cast<std::uint32_t>(chars_.size());
        append_string(chars_, text, JsonErrorHandler::replace);
        chars_ += ':';
    }
    return *members_.insert(at, m);
}

void SortedJsonWriter::end(Member& m) { m.span_size = static_cast<std::uint32_t>(chars_.size() - m.span_at); }

SortedJsonWriter& SortedJsonWriter::real(std::string_view key, double value) {
    Member& m = begin(key);
    append_real(chars_, value);
    m.number = value;
    m.real = true;
    end(m);
    return *this;
}

SortedJsonWriter& SortedJsonWriter::integer(std::string_view key, std::int64_t value) {
    Member& m = begin(key);
    append_integer(chars_, value);
    end(m);
    return *this;
}

SortedJsonWriter& SortedJsonWriter::unsigned_integer(std::string_view key, std::uint64_t value) {
    Member& m = begin(key);
    append_unsigned(chars_, value);
    end(m);
    return *this;
}

SortedJsonWriter& SortedJsonWriter::string(std::string_view key, std::string_view value) {
    Member& m = begin(key);
    append_string(chars_, value, JsonErrorHandler::replace);
    end(m);
    return *this;
}

SortedJsonWriter& SortedJsonWriter::null(std::string_view key) {
    Member& m = begin(key);
    chars_ += "null";
    end(m);
    return *this;
}

SortedJsonWriter& SortedJsonWriter::strings(std::string_view key, std::span<const std::string> values) {
    Member& m = begin(key);
    chars_ += '[';
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i > 0) chars_ += ',';
        append_string(chars_, values[i], JsonErrorHandler::replace);
    }
    chars_ += ']';
    end(m);
    return *this;
}

SortedJsonWriter& SortedJsonWriter::json(std::string_view key, const nlohmann::json& value) {
    Member& m = begin(key);
    CompactWriter<nlohmann::json>(chars_, JsonErrorHandler::replace).value(value);
    m.number = first_non_finite_in(value);
    end(m);
    return *this;
}

SortedJsonWriter& SortedJsonWriter::object(std::string_view key, const SortedJsonWriter& value) {
    if (&value == this) throw std::logic_error("SortedJsonWriter: an object inside itself");
    Member& m = begin(key);
    value.write(chars_);
    m.number = value.first_non_finite();
    end(m);
    return *this;
}

bool SortedJsonWriter::contains(std::string_view key) const { return find(key) != nullptr; }

double SortedJsonWriter::real_at(std::string_view key) const {
    const Member* m = find(key);
    if (!m || !m->real) throw std::out_of_range("SortedJsonWriter: no number \"" + std::string(key) + "\"");
    return m->number;
}

double SortedJsonWriter::first_non_finite() const {
    for (const Member& m : members_)
        if (m.number != 0 && !std::isfinite(m.number)) return m.number;  // a real() number, or a value's first
    return 0;
}

void SortedJsonWriter::write(std::string& out) const {
    out += '{';
    for (std::size_t i = 0; i < members_.size(); ++i) {
        if (i > 0) out += ',';
        out.append(chars_, members_[i].span_at, members_[i].span_size);
    }
    out += '}';
}

std::string SortedJsonWriter::text() const {
    std::string out;
    out.reserve(chars_.size() + members_.size() + 2);
    write(out);
    return out;
}

nlohmann::json SortedJsonWriter::tree() const { return nlohmann::json::parse(text()); }

}  // namespace tanhui::api
