#include "api/json/fields.hpp"

#include "api/json/quote_request.hpp"

#include <charconv>
#include <set>
#include <sstream>

namespace tanhui::api {

namespace {

std::string shown(double x) {
    std::ostringstream o;
    o << x;
    return o.str();
}

bool in_range(double x, const NumberRange& r) {
    const bool low = r.min_exclusive ? !(x > r.min) : !(x >= r.min);
    const bool high = r.max_exclusive ? !(x < r.max) : !(x <= r.max);
    return !low && !high;
}

std::string range_text(const NumberRange& r) {
    if (std::isfinite(r.min) && std::isfinite(r.max))
        return std::string("in ") + (r.min_exclusive ? "(" : "[") + shown(r.min) + ", " + shown(r.max) +
               (r.max_exclusive ? ")" : "]");
    if (std::isfinite(r.min)) return std::string(r.min_exclusive ? "> " : ">= ") + shown(r.min);
    if (std::isfinite(r.max)) return std::string(r.max_exclusive ? "< " : "<= ") + shown(r.max);
    return "finite";
}

}  // namespace

std::string number_key(double x) {
    char buffer[400];
    const auto r = std::to_chars(buffer, buffer + sizeof buffer, x, std::chars_format::fixed);
    return std::string(buffer, r.ptr);
}

nlohmann::ordered_json keyed(std::span<const double> keys, const std::function<double(std::size_t)>& value) {
    nlohmann::ordered_json out = nlohmann::ordered_json::object();
    for (std::size_t i = 0; i < keys.size(); ++i) out[number_key(keys[i])] = value(i);
    return out;
}

nlohmann::json finite_or_null(double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr); }

std::optional<std::vector<double>> number_array(ObjectReader& r, std::string_view key, bool required, NumberRange range,
                                                std::size_t min_size, std::size_t max_size,
                                                std::vector<FieldProblem>& problems) {
    const nlohmann::json* v = r.get(key);
    if (!v) {
        if (required && r.ok()) r.problem(key, "is required");
        return std::nullopt;
    }
    if (!v->is_array() || v->size() < min_size || v->size() > max_size) {
        r.problem(key, "must be an array of " + std::to_string(min_size) + " to " + std::to_string(max_size) +
                           " numbers, got " + (v->is_array() ? std::to_string(v->size()) + " elements" : json_type_name(*v)));
        return std::nullopt;
    }
    std::vector<double> out;
    out.reserve(v->size());
    bool ok = true;
    for (std::size_t i = 0; i < v->size(); ++i) {
        const auto& e = (*v)[i];
        const std::string at = r.at(key) + "/" + std::to_string(i);
        if (!e.is_number()) {
            problems.push_back({at, "must be a number, got " + json_type_name(e)});
            ok = false;
            continue;
        }
        const double x = e.get<double>();
        if (!std::isfinite(x) || !in_range(x, range)) {
            problems.push_back({at, "must be " + range_text(range) + ", got " + shown(x)});
            ok = false;
            continue;
        }
        out.push_back(x);
    }
    if (!ok) return std::nullopt;
    return out;
}

std::optional<std::vector<double>> distinct_numbers(ObjectReader& r, std::string_view key, NumberRange range,
                                                    std::vector<FieldProblem>& problems) {
    auto values = number_array(r, key, false, range, 1, 64, problems);
    if (!values) return values;
    std::set<std::string> seen;
    for (std::size_t i = 0; i < values->size(); ++i)
        if (!seen.insert(number_key((*values)[i])).second) {
            problems.push_back({r.at(key) + "/" + std::to_string(i), "is listed twice"});
            return std::nullopt;
        }
    return values;
}

std::vector<Holding> decode_holdings(ObjectReader& r, std::string_view key, std::size_t max_holdings,
                                     std::vector<FieldProblem>& problems) {
    std::vector<Holding> out;
    const nlohmann::json* hs = r.get(key);
    if (!hs) return out;
    if (!hs->is_array() || hs->empty() || hs->size() > max_holdings) {
        r.problem(key, "must be an array of 1 to " + std::to_string(max_holdings) + " holdings");
        return out;
    }
    std::set<std::string> ids;
    for (std::size_t i = 0; i < hs->size(); ++i) {
        const std::string at = r.at(key) + "/" + std::to_string(i);
        auto h = decode_holding((*hs)[i], at);
        problems.insert(problems.end(), h.problems.begin(), h.problems.end());
        if (!h.value) continue;
        if (!ids.insert(h.value->id).second) problems.push_back({at + "/id", "duplicate holding id \"" + h.value->id + "\""});
        out.push_back(std::move(*h.value));
    }
    return out;
}

std::optional<std::uint64_t> decode_seed(ObjectReader& r) {
    const nlohmann::json* v = r.get("seed");
    if (!v) return std::nullopt;
    if (!v->is_number_integer() || (!v->is_number_unsigned() && v->get<long long>() < 0)) {
        r.problem("seed", "must be a whole number >= 0, got " + v->dump());
        return std::nullopt;
    }
    return v->get<std::uint64_t>();
}

}  // namespace tanhui::api
