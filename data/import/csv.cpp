#include "data/import/csv.hpp"

#include <cstdint>

namespace tanhui::data {

bool valid_utf8(std::string_view s) {
    std::size_t i = 0;
    const std::size_t n = s.size();
    while (i < n) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t len = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) { ++i; continue; }
        if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1Fu; }
        else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0Fu; }
        else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07u; }
        else return false;
        if (i + len > n) return false;
        for (std::size_t k = 1; k < len; ++k) {
            const auto d = static_cast<unsigned char>(s[i + k]);
            if ((d & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (d & 0x3Fu);
        }
        // Reject overlong forms, surrogates and code points beyond U+10FFFF.
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
            return false;
        i += len;
    }
    return true;
}

CsvTable parse_csv(std::string_view text) {
    CsvTable table;
    if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);

    std::size_t line = 1;
    std::size_t i = 0;
    bool have_header = false;
    while (i < text.size()) {
        CsvRecord record;
        record.line = line;
        std::string field;
        bool in_quotes = false;
        bool quoted_field = false;
        bool bad = false;
        std::string bad_message;
        bool record_done = false;
        while (i < text.size() && !record_done) {
            const char ch = text[i];
            if (in_quotes) {
                if (ch == '"') {
                    if (i + 1 < text.size() && text[i + 1] == '"') { field += '"'; i += 2; continue; }
                    in_quotes = false; ++i; continue;
                }
                if (ch == '\n') ++line;
                field += ch; ++i; continue;
            }
            switch (ch) {
            case '"':
                if (field.empty() && !quoted_field) { in_quotes = true; quoted_field = true; }
                else if (!bad) { bad = true; bad_message = "stray quote inside an unquoted field"; }
                ++i;
                break;
            case ',':
                record.fields.push_back(std::move(field));
                field.clear(); quoted_field = false; ++i;
                break;
            case '\r':
                ++i;
                if (i < text.size() && text[i] == '\n') ++i;
                ++line; record_done = true;
                break;
            case '\n':
                ++i; ++line; record_done = true;
                break;
            default:
                if (quoted_field && !bad) { bad = true; bad_message = "text after a closing quote"; }
                field += ch; ++i;
            }
        }
        if (in_quotes) { bad = true; bad_message = "quoted field is not closed before the end of the file"; }
        record.fields.push_back(std::move(field));

        const bool blank = record.fields.size() == 1 && record.fields[0].empty() && !quoted_field;
        if (blank && !bad) continue;
        bool utf8_ok = true;
        for (const auto& f : record.fields)
            if (!valid_utf8(f)) utf8_ok = false;
        if (!utf8_ok) { table.errors.push_back({record.line, "invalid UTF-8"}); continue; }
        if (bad) { table.errors.push_back({record.line, bad_message}); continue; }
        if (!have_header) {
            table.header = std::move(record.fields);
            have_header = true;
            continue;
        }
        if (record.fields.size() != table.header.size()) {
            table.errors.push_back({record.line, "has " + std::to_string(record.fields.size()) +
                                                     " fields, the header has " +
                                                     std::to_string(table.header.size())});
            continue;
        }
        table.rows.push_back(std::move(record));
    }
    return table;
}

std::string csv_escape(std::string_view field) {
    if (field.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(field);
    std::string out = "\"";
    for (char c : field) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
    return out;
}

}  // namespace tanhui::data
