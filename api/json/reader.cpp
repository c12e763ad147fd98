#include "api/json/reader.hpp"

#include <algorithm>
#include <chrono>

namespace tanhui::api {

std::string json_pointer_escape(std::string_view key) { return risk::escape_pointer_token(key); }

std::string json_type_name(const nlohmann::json& j) {
    switch (j.type()) {
    case nlohmann::json::value_t::null: return "null";
    case nlohmann::json::value_t::object: return "an object";
    case nlohmann::json::value_t::array: return "an array";
    case nlohmann::json::value_t::string: return "a string";
    case nlohmann::json::value_t::boolean: return "a boolean";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float: return "a number";
    default: return "an unsupported value";
    }
}

bool valid_iso_date(std::string_view s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
    for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u})
        if (s[i] < '0' || s[i] > '9') return false;
    const int y = std::stoi(std::string(s.substr(0, 4)));
    const unsigned m = static_cast<unsigned>(std::stoi(std::string(s.substr(5, 2))));
    const unsigned d = static_cast<unsigned>(std::stoi(std::string(s.substr(8, 2))));
    return std::chrono::year_month_day{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}}.ok();
}

std::vector<FieldProblem> date_range_problems(const std::optional<std::string>& from, const std::optional<std::string>& to,
                                              const std::string& base) {
    std::vector<FieldProblem> problems;
    for (const auto& [name, value] : {std::pair{"from", &from}, std::pair{"to", &to}})
        if (*value && !valid_iso_date(**value))
            problems.push_back({base + "/" + name, "must be a date YYYY-MM-DD, got \"" + **value + "\""});
    if (problems.empty() && from && to && *from > *to)
        problems.push_back({base + "/from", "must not be after to (" + *from + " > " + *to + ")"});
    return problems;
}

ObjectReader::ObjectReader(const nlohmann::json& j, std::string path, std::vector<FieldProblem>& problems)
    : j_(j), path_(std::move(path)), problems_(problems), is_object_(j.is_object()) {
    if (!is_object_) problems_.push_back({path_.empty() ? "" : path_, "must be an object, got " + json_type_name(j)});
}

bool ObjectReader::has(std::string_view key) const {
    return is_object_ && j_.contains(key) && !j_.at(std::string(key)).is_null();
}

const nlohmann::json* ObjectReader::get(std::string_view key) {
    if (!is_object_) return nullptr;
    const auto it = j_.find(key);
    if (it == j_.end()) return nullptr;
    known_.push_back(&it.key());
    return it->is_null() ? nullptr : &*it;
}

void ObjectReader::problem(std::string_view key, std::string message) {
    problems_.push_back({at(key), std::move(message)});
}

std::optional<double> ObjectReader::number(std::string_view key, bool required, Range r) {
    const nlohmann::json* v = get(key);
    if (!v) {
        if (required && is_object_) problem(key, "is required");
        return std::nullopt;
    }
    if (!v->is_number()) {
        problem(key, "must be a number, got " + json_type_name(*v));
        return std::nullopt;
    }
    const double x = v->get<double>();
    if (!std::isfinite(x)) { problem(key, "must be finite"); return std::nullopt; }
    if (auto p = risk::range_problem(x, r)) {
        problem(key, std::move(*p));
        return std::nullopt;
    }
    return x;
}

std::optional<long long> ObjectReader::integer(std::string_view key, bool required, long long min, long long max) {
    const nlohmann::json* v = get(key);
    if (!v) {
        if (required && is_object_) problem(key, "is required");
        return std::nullopt;
    }
    if (!v->is_number_integer() && !(v->is_number_float() && std::floor(v->get<double>()) == v->get<double>() &&
                                      std::abs(v->get<double>()) < 9e15)) {
        problem(key, "must be a whole number, got " + (v->is_number() ? v->dump() : json_type_name(*v)));
        return std::nullopt;
    }
    long long x = 0;
    if (v->is_number_unsigned()) {
        const auto u = v->get<unsigned long long>();
        if (u > static_cast<unsigned long long>(max)) { problem(key, "must be <= " + std::to_string(max) + ", got " + v->dump()); return std::nullopt; }
        x = static_cast<long long>(u);
    } else if (v->is_number_integer()) {
        x = v->get<long long>();
    } else {
        x = static_cast<long long>(v->get<double>());
    }
    if (x < min || x > max) {
        problem(key, "must be in [" + std::to_string(min) + ", " + std::to_string(max) + "], got " + std::to_string(x));
        return std::nullopt;
    }
    return x;
}

std::optional<std::string> ObjectReader::string(std::string_view key, bool required, std::size_t max_length) {
    const nlohmann::json* v = get(key);
    if (!v) {
        if (required && is_object_) problem(key, "is required");
        return std::nullopt;
    }
    if (!v->is_string()) {
        problem(key, "must be a string, got " + json_type_name(*v));
        return std::nullopt;
    }
    std::string s = v->get<std::string>();
    if (s.empty()) { problem(key, "must not be empty"); return std::nullopt; }
    if (s.size() > max_length) { problem(key, "is longer than " + std::to_string(max_length) + " bytes"); return std::nullopt; }
    return s;
}

std::optional<std::string> ObjectReader::one_of(std::string_view key, bool required, const std::vector<std::string>& allowed) {
    auto s = string(key, required);
    if (!s) return s;
    if (auto bad = risk::choice_problem(*s, allowed)) {
        problem(key, *bad);
        return std::nullopt;
    }
    return s;
}

std::optional<std::string> ObjectReader::date(std::string_view key, bool required) {
    auto s = string(key, required, 10);
    if (!s) return s;
    if (!valid_iso_date(*s)) {
        problem(key, "must be a date YYYY-MM-DD, got \"" + *s + "\"");
        return std::nullopt;
    }
    return s;
}

void ObjectReader::finish() {
    if (!is_object_) return;
    for (const auto& [key, value] : j_.get_ref<const nlohmann::json::object_t&>()) {
        (void)value;
        if (std::find(known_.begin(), known_.end(), &key) == known_.end()) problems_.push_back({at(key), "unknown field"});
    }
}

}  // namespace tanhui::api
