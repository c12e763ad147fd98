#include "api/json/text.hpp"

#include <array>
#include <cmath>
#include <string_view>

namespace tanhui::api {

namespace {

// nlohmann's serializer decodes every byte of every string as UTF-8 and copies it through a
// buffer; an answer is mostly keys and short ASCII values, which need no escaping at all. Those
// are copied as they are; any other string (control characters, quotes, backslashes, non-ASCII)
// and anything unusual (binary values) is written by nlohmann itself, so the bytes never differ.
bool plain_ascii(std::string_view s) {
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u >= 0x80 || c == '"' || c == '\\') return false;
    }
    return true;
}

template <class Json>
class CompactWriter {
public:
    CompactWriter(std::string& out, JsonErrorHandler handler) : out_(out), handler_(handler) {}

    void value(const Json& j) {
        switch (j.type()) {
        case nlohmann::json::value_t::null: out_ += "null"; return;
        case nlohmann::json::value_t::boolean: out_ += j.template get<bool>() ? "true" : "false"; return;
        case nlohmann::json::value_t::number_integer: integer(j.template get<std::int64_t>()); return;
        case nlohmann::json::value_t::number_unsigned: unsigned_integer(j.template get<std::uint64_t>()); return;
        case nlohmann::json::value_t::number_float: real(j.template get<double>()); return;
        case nlohmann::json::value_t::string: string(j.template get_ref<const typename Json::string_t&>()); return;
        case nlohmann::json::value_t::array: array(j.template get_ref<const typename Json::array_t&>()); return;
        case nlohmann::json::value_t::object: object(j.template get_ref<const typename Json::object_t&>()); return;
        default: out_ += j.dump(-1, ' ', false, handler_); return;  // binary, discarded
        }
    }

private:
    void string(const std::string& s) {
        if (!plain_ascii(s)) {
            out_ += Json(s).dump(-1, ' ', false, handler_);
            return;
        }
        out_ += '"';
        out_ += s;
        out_ += '"';
    }
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
            string(key);
            out_ += ':';
            value(member);
        }
        out_ += '}';
    }
    // nlohmann writes a non-finite number as null and any other with its own Grisu2 to_chars.
    void real(double x) {
        if (!std::isfinite(x)) {
            out_ += "null";
            return;
        }
        std::array<char, 64> buffer{};
        const char* end = nlohmann::detail::to_chars(buffer.data(), buffer.data() + buffer.size(), x);
        out_.append(buffer.data(), static_cast<std::size_t>(end - buffer.data()));
    }
    void integer(std::int64_t x) {
        if (x < 0) {
            out_ += '-';
            // -(x + 1) + 1 keeps INT64_MIN in range.
            unsigned_integer(static_cast<std::uint64_t>(-(x + 1)) + 1);
            return;
        }
        unsigned_integer(static_cast<std::uint64_t>(x));
    }
    void unsigned_integer(std::uint64_t x) {
        std::array<char, 24> buffer{};
        char* p = buffer.data() + buffer.size();
        do {
            *--p = static_cast<char>('0' + x % 10);
            x /= 10;
        } while (x != 0);
        out_.append(p, static_cast<std::size_t>(buffer.data() + buffer.size() - p));
    }

    std::string& out_;
    JsonErrorHandler handler_;
};

template <class Json>
std::string write_compact(const Json& j, JsonErrorHandler handler) {
    std::string out;
    out.reserve(256);
    CompactWriter<Json>(out, handler).value(j);
    return out;
}

}  // namespace

std::string compact_json(const nlohmann::json& j, JsonErrorHandler handler) { return write_compact(j, handler); }
std::string compact_json(const nlohmann::ordered_json& j, JsonErrorHandler handler) { return write_compact(j, handler); }

}  // namespace tanhui::api
