// Strict reading of a record of a value tree (risk/model/value.hpp): every problem is collected
// with its JSON pointer, and keys nobody asked for are problems too. A peril decodes its quote
// override with it, exactly as api/json/reader.hpp's ObjectReader decodes the rest of a request
// (the same messages: both take the range rule from here). STYLE "Errors".
#pragma once

#include "risk/model/value.hpp"

#include <cmath>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace tanhui::risk {

// One bad field: its JSON pointer (RFC 6901; "" = the whole document) and what is wrong.
struct FieldProblem {
    std::string pointer;
    std::string message;
};

// A key as one token of a JSON pointer ("~" -> "~0", "/" -> "~1").
std::string escape_pointer_token(std::string_view key);

// Bounds of a number: inclusive unless *_exclusive.
struct NumberRange {
    double min = -INFINITY, max = INFINITY;
    bool min_exclusive = false, max_exclusive = false;
};
// "must be in [0, 1], got 2" (or ">= 0", "< 5" for a one-sided range) when x is outside the
// range (NaN is); nothing when it is inside.
std::optional<std::string> range_problem(double x, const NumberRange& range);
// 'must be one of "a", "b", got "c"' when s is none of allowed; nothing when it is one.
std::optional<std::string> choice_problem(const std::string& s, const std::vector<std::string>& allowed);

class RecordReader {
public:
    RecordReader(const Value& v, std::string path, std::vector<FieldProblem>& problems);

    bool ok() const { return is_record_; }
    const std::string& path() const { return path_; }
    std::string at(std::string_view key) const { return path_ + "/" + escape_pointer_token(key); }
    bool has(std::string_view key) const;
    const Value* get(std::string_view key);  // marks the key known; nullptr when absent or null

    std::optional<double> number(std::string_view key, bool required, NumberRange range = NumberRange{});
    std::optional<std::string> string(std::string_view key, bool required, std::size_t max_length = 200);
    std::optional<std::string> one_of(std::string_view key, bool required, const std::vector<std::string>& allowed);
    void problem(std::string_view key, std::string message);
    void finish();  // unknown keys become problems

private:
    const Value& v_;
    std::string path_;
    std::vector<FieldProblem>& problems_;
    std::set<std::string, std::less<>> known_;
    bool is_record_;
};

}  // namespace tanhui::risk
