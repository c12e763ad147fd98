// RFC 4180 CSV reading with line numbers, strict UTF-8. Used by the importers and the CLI.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tanhui::data {

struct CsvRecord {
    std::size_t line = 0;  // 1-based line on which the record starts
    std::vector<std::string> fields;
};

struct CsvError {
    std::size_t line = 0;
    std::string message;
};

struct CsvTable {
    std::vector<std::string> header;
    std::vector<CsvRecord> rows;
    std::vector<CsvError> errors;  // malformed quoting, invalid UTF-8, ragged rows
};

// Parses the whole text. A UTF-8 byte-order mark is skipped; CRLF and LF both end a record;
// blank lines are ignored. Rows whose field count differs from the header are reported.
CsvTable parse_csv(std::string_view text);

bool valid_utf8(std::string_view text);

// Quotes a field for CSV output when it holds a comma, quote or line break.
std::string csv_escape(std::string_view field);

}  // namespace tanhui::data
