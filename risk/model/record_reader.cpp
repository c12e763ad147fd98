#include "risk/model/record_reader.hpp"

#include <sstream>

namespace tanhui::risk {

std::string escape_pointer_token(std::string_view key) {
    std::string out;
    for (char c : key) {
        if (c == '~') out += "~0";
        else if (c == '/') out += "~1";
        else out += c;
    }
    return out;
}

namespace {

std::string shown(double v) {
    std::ostringstream o;
    o << v;
    return o.str();
}

}  // namespace

std::optional<std::string> range_problem(double x, const NumberRange& r) {
    const bool low = r.min_exclusive ? !(x > r.min) : !(x >= r.min);
    const bool high = r.max_exclusive ? !(x < r.max) : !(x <= r.max);
    if (!low && !high) return std::nullopt;
    std::string want;
    if (std::isfinite(r.min) && std::isfinite(r.max))
        want = std::string("in ") + (r.min_exclusive ? "(" : "[") + shown(r.min) + ", " + shown(r.max) + (r.max_exclusive ? ")" : "]");
    else if (std::isfinite(r.min))
        want = std::string(r.min_exclusive ? "> " : ">= ") + shown(r.min);
    else
        want = std::string(r.max_exclusive ? "< " : "<= ") + shown(r.max);
    return "must be " + want + ", got " + shown(x);
}

RecordReader::RecordReader(const Value& v, std::string path, std::vector<FieldProblem>& problems)
    : v_(v), path_(std::move(path)), problems_(problems), is_record_(v.is_record()) {
    if (!is_record_) problems_.push_back({path_, "must be an object, got " + std::string(kind_name(v))});
}

bool RecordReader::has(std::string_view key) const {
    if (!is_record_) return false;
    const Value* x = v_.find(key);
    return x && !x->is_null();
}

const Value* RecordReader::get(std::string_view key) {
    known_.insert(std::string(key));
    if (!is_record_) return nullptr;
    const Value* x = v_.find(key);
    return x && !x->is_null() ? x : nullptr;
}

void RecordReader::problem(std::string_view key, std::string message) { problems_.push_back({at(key), std::move(message)}); }

std::optional<double> RecordReader::number(std::string_view key, bool required, NumberRange range) {
    const Value* v = get(key);
    if (!v) {
        if (required && is_record_) problem(key, "is required");
        return std::nullopt;
    }
    if (!v->is_number()) {
        problem(key, "must be a number, got " + std::string(kind_name(*v)));
        return std::nullopt;
    }
    const double x = v->as_real();
    if (!std::isfinite(x)) {
        problem(key, "must be finite");
        return std::nullopt;
    }
    if (auto p = range_problem(x, range)) {
        problem(key, std::move(*p));
        return std::nullopt;
    }
    return x;
}

std::optional<std::string> RecordReader::string(std::string_view key, bool required, std::size_t max_length) {
    const Value* v = get(key);
    if (!v) {
        if (required && is_record_) problem(key, "is required");
        return std::nullopt;
    }
    if (!v->is_text()) {
        problem(key, "must be a string, got " + std::string(kind_name(*v)));
        return std::nullopt;
    }
    std::string s = v->as_text();
    if (s.empty()) {
        problem(key, "must not be empty");
        return std::nullopt;
    }
    if (s.size() > max_length) {
        problem(key, "is longer than " + std::to_string(max_length) + " bytes");
        return std::nullopt;
    }
    return s;
}

std::optional<std::string> RecordReader::one_of(std::string_view key, bool required, const std::vector<std::string>& allowed) {
    auto s = string(key, required);
    if (!s) return s;
    if (auto bad = choice_problem(*s, allowed)) {
        problem(key, *bad);
        return std::nullopt;
    }
    return s;
}

std::optional<std::string> choice_problem(const std::string& s, const std::vector<std::string>& allowed) {
    for (const auto& a : allowed)
        if (s == a) return std::nullopt;
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + ("\"" + a + "\"");
    return "must be one of " + list + ", got \"" + s + "\"";
}

void RecordReader::finish() {
    if (!is_record_) return;
    for (const auto& [key, value] : v_.as_record()) {
        (void)value;
        if (!known_.count(key)) problems_.push_back({at(key), "unknown field"});
    }
}

}  // namespace tanhui::risk
