// Strict reading of JSON objects at the API boundary: every problem is collected with its JSON
// pointer, unknown fields are problems too. STYLE "Errors": decode into a value or a list.
#pragma once

#include "api/json/field_problem.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <optional>
#include <string>
#include <vector>

namespace tanhui::api {

template <class T>
struct Decoded {
    std::optional<T> value;
    std::vector<FieldProblem> problems;
};

std::string json_pointer_escape(std::string_view key);

// Bounds of a number: inclusive unless *_exclusive (the rule and its message are risk's, so that
// a peril's override decoder says the same).
using NumberRange = risk::NumberRange;

// Reads one JSON object. Call the getters, then finish() to report unknown fields.
class ObjectReader {
public:
    ObjectReader(const nlohmann::json& j, std::string path, std::vector<FieldProblem>& problems);

    bool ok() const { return is_object_; }
    const std::string& path() const { return path_; }
    std::string at(std::string_view key) const { return path_ + "/" + json_pointer_escape(key); }
    bool has(std::string_view key) const;
    const nlohmann::json* get(std::string_view key);  // marks the key known; nullptr when absent or null

    using Range = NumberRange;
    std::optional<double> number(std::string_view key, bool required, Range range = NumberRange{});
    std::optional<long long> integer(std::string_view key, bool required, long long min, long long max);
    std::optional<std::string> string(std::string_view key, bool required, std::size_t max_length = 200);
    std::optional<std::string> one_of(std::string_view key, bool required, const std::vector<std::string>& allowed);
    std::optional<std::string> date(std::string_view key, bool required);  // YYYY-MM-DD
    void problem(std::string_view key, std::string message);
    void finish();  // unknown keys become problems

private:
    const nlohmann::json& j_;
    std::string path_;
    std::vector<FieldProblem>& problems_;
    // The object's own keys that a getter asked for (addresses of its keys: a handful per object,
    // found by a scan, so that reading a field allocates nothing; finish() reports the others).
    std::vector<const std::string*> known_;
    bool is_object_;
};

bool valid_iso_date(std::string_view s);
// A from..to range of ISO dates, either end optional (nullopt: open): each end given a date
// YYYY-MM-DD, from not after to. Problems name `base` + "/from" and "/to". The one rule of
// GET /v1/markets/{m}/prices (base "/query") and `tanhui data prices --from --to`.
std::vector<FieldProblem> date_range_problems(const std::optional<std::string>& from, const std::optional<std::string>& to,
                                              const std::string& base);
std::string json_type_name(const nlohmann::json& j);

}  // namespace tanhui::api
