// CSV importers with validation: a file is checked row by row and written in one IMMEDIATE
// transaction, or not at all. DESIGN "Data"; docs/data.md lists the formats.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace SQLite {
class Database;
}

namespace tanhui::data {

class Store;

struct ImportIssue {
    std::size_t line = 0;
    std::string column;
    std::string message;
};

// Thrown before anything is written; what() is the "FILE:LINE: column: what is wrong" lines.
class ImportError : public std::runtime_error {
public:
    ImportError(std::string file, std::vector<ImportIssue> issues, std::size_t total);
    const std::string& file() const noexcept { return file_; }
    const std::vector<ImportIssue>& issues() const noexcept { return issues_; }
    std::size_t total() const noexcept { return total_; }  // issues found, may exceed issues().size()

private:
    std::string file_;
    std::vector<ImportIssue> issues_;
    std::size_t total_;
};

struct ImportOptions {
    std::string market;  // prices: the market the file belongs to (else taken from prices_<M>.csv)
    std::size_t max_reported = 20;
};

struct ImportResult {
    std::string kind;
    std::string table;
    std::size_t rows = 0;     // data rows in the file
    std::size_t changed = 0;  // rows inserted or updated (0 when the same file is imported again)
};

// Kinds a user may import (`tanhui data import KIND FILE`) and the historical-only ones.
const std::vector<std::string>& import_kinds();

// Validates `text` (the content of `file`) as `kind` and writes it into the store. Throws
// ImportError listing the first bad rows; nothing is written then.
ImportResult import_csv(Store& store, std::string_view kind, const std::string& file, std::string_view text,
                        const ImportOptions& options = {});

// Reads the file, then import_csv. File errors become an ImportError at line 0.
ImportResult import_file(Store& store, std::string_view kind, const std::string& path,
                         const ImportOptions& options = {});

// The same on a connection opened by data/ itself (a database being built, a scratch copy) or by
// a test; everything else imports through a Store.
ImportResult import_csv(SQLite::Database& db, std::string_view kind, const std::string& file,
                        std::string_view text, const ImportOptions& options = {});
ImportResult import_file(SQLite::Database& db, std::string_view kind, const std::string& path,
                         const ImportOptions& options = {});

std::string sha256_hex(std::string_view bytes);

}  // namespace tanhui::data
