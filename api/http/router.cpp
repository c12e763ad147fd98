#include "api/http/router.hpp"

#include "api/json/text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <stdexcept>

namespace tanhui::api {

const std::string& Request::param(const std::string& name) const {
    static const std::string empty;
    const auto it = params.find(name);
    return it == params.end() ? empty : it->second;
}

const std::string* Request::query_param(const std::string& name) const {
    const auto it = query.find(name);
    return it == query.end() ? nullptr : &it->second;
}

const nlohmann::json& request_json(const Request& req) {
    static const nlohmann::json discarded(nlohmann::json::value_t::discarded);
    return req.parsed_body ? *req.parsed_body : discarded;
}

Response json_response(const nlohmann::json& body, int status) {
    return {status, "application/json", compact_json(body), {}};
}

Response json_response(const nlohmann::ordered_json& body, int status) {
    return {status, "application/json", compact_json(body), {}};
}

namespace {

std::vector<std::string_view> split_path(std::string_view path) {
    std::vector<std::string_view> out;
    // "/a/b" -> {"a", "b"}; "/" -> {""}; "/a/" -> {"a", ""}
    std::size_t start = 1;
    while (true) {
        const std::size_t slash = path.find('/', start);
        if (slash == std::string_view::npos) {
            out.push_back(path.substr(start));
            break;
        }
        out.push_back(path.substr(start, slash - start));
        start = slash + 1;
    }
    return out;
}

bool is_param(std::string_view segment) {
    return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

std::size_t invalid_utf8_at(std::string_view s) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const std::size_t n = s.size();
    std::size_t i = 0;
    while (i < n) {
        const unsigned char c = p[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t len = 0;
        unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
        if (c >= 0xC2 && c <= 0xDF) len = 2;
        else if (c == 0xE0) { len = 3; lo = 0xA0; }
        else if (c >= 0xE1 && c <= 0xEC) len = 3;
        else if (c == 0xED) { len = 3; hi = 0x9F; }  // no UTF-16 surrogates
        else if (c >= 0xEE && c <= 0xEF) len = 3;
        else if (c == 0xF0) { len = 4; lo = 0x90; }
        else if (c >= 0xF1 && c <= 0xF3) len = 4;
        else if (c == 0xF4) { len = 4; hi = 0x8F; }  // nothing above U+10FFFF
        else return i;                               // C0, C1 (overlong), F5-FF, stray continuation
        if (i + len > n) return i;
        if (p[i + 1] < lo || p[i + 1] > hi) return i;
        for (std::size_t k = 2; k < len; ++k)
            if (p[i + k] < 0x80 || p[i + k] > 0xBF) return i;
        i += len;
    }
    return std::string_view::npos;
}

bool percent_decode(std::string_view in, std::string& out, bool plus_is_space) {
    out.clear();
    out.reserve(in.size());
    auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    for (std::size_t i = 0; i < in.size(); ++i) {
        const char c = in[i];
        if (c == '%') {
            if (i + 2 >= in.size()) return false;
            const int h = hex(in[i + 1]), l = hex(in[i + 2]);
            if (h < 0 || l < 0) return false;
            out.push_back(static_cast<char>(h * 16 + l));
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    if (out.find('\0') != std::string::npos) return false;
    return invalid_utf8_at(out) == std::string_view::npos;
}

bool valid_path(std::string_view raw_path) {
    if (raw_path.empty() || raw_path.front() != '/') return false;
    std::string decoded;
    for (std::string_view segment : split_path(raw_path))
        if (!percent_decode(segment, decoded)) return false;
    return true;
}

bool parse_query(std::string_view raw, std::map<std::string, std::string>& out, std::string& error,
                 std::string& error_name) {
    out.clear();
    std::size_t start = 0;
    while (start < raw.size()) {
        std::size_t amp = raw.find('&', start);
        if (amp == std::string_view::npos) amp = raw.size();
        const std::string_view part = raw.substr(start, amp - start);
        start = amp + 1;
        if (part.empty()) continue;
        const std::size_t eq = part.find('=');
        std::string name, value;
        if (!percent_decode(part.substr(0, eq), name, true)) {
            error_name = std::string(part.substr(0, eq));
            if (invalid_utf8_at(error_name) != std::string_view::npos) error_name = "?";
            error = "the parameter name is not valid percent-encoded UTF-8";
            return false;
        }
        if (eq != std::string_view::npos && !percent_decode(part.substr(eq + 1), value, true)) {
            error_name = name;
            error = "the value is not valid percent-encoded UTF-8";
            return false;
        }
        if (!out.emplace(name, std::move(value)).second) {
            error_name = name;
            error = "given more than once";
            return false;
        }
    }
    return true;
}

void Router::add(std::string method, std::string pattern, Role role, Handler handler, RouteOptions options) {
    if (!handler) throw std::logic_error("route " + method + " " + pattern + " has no handler");
    insert(Route{{std::move(method), std::move(pattern), role}, std::move(handler), nullptr, options, 0});
}

void Router::add_async(std::string method, std::string pattern, Role role, AsyncHandler handler, RouteOptions options) {
    if (!handler) throw std::logic_error("route " + method + " " + pattern + " has no handler");
    options.run_inline = false;
    insert(Route{{std::move(method), std::move(pattern), role}, nullptr, std::move(handler), options, 0});
}

void Router::insert(Route route) {
    const std::string& method = route.info.method;
    const std::string& pattern = route.info.pattern;
    if (method.empty() || !std::all_of(method.begin(), method.end(), [](char c) { return c >= 'A' && c <= 'Z'; }))
        throw std::logic_error("route method must be upper-case letters: \"" + method + "\"");
    if (pattern.empty() || pattern.front() != '/')
        throw std::logic_error("route pattern must start with '/': \"" + pattern + "\"");
    std::vector<std::string_view> names;
    for (std::string_view segment : split_path(pattern)) {
        if (segment.find_first_of("{}") == std::string_view::npos) continue;
        if (!is_param(segment) || segment.substr(1, segment.size() - 2).find_first_of("{}") != std::string_view::npos)
            throw std::logic_error("route pattern \"" + pattern + "\": a parameter is a whole segment {name}");
        const std::string_view name = segment.substr(1, segment.size() - 2);
        if (std::find(names.begin(), names.end(), name) != names.end())
            throw std::logic_error("route pattern \"" + pattern + "\" repeats {" + std::string(name) + "}");
        names.push_back(name);
    }
    for (const Route& r : routes_)
        if (r.info.method == method && r.info.pattern == pattern)
            throw std::logic_error("route " + method + " " + pattern + " added twice");
    route.index = routes_.size();
    routes_.push_back(std::move(route));
}

Router::Match Router::match(std::string_view method, std::string_view raw_path) const {
    Match result;
    if (raw_path.empty() || raw_path.front() != '/') return result;
    const auto segments = split_path(raw_path);
    std::vector<std::string> decoded(segments.size());
    for (std::size_t i = 0; i < segments.size(); ++i)
        if (!percent_decode(segments[i], decoded[i])) return result;

    // Specificity: a bit per segment, set where the pattern is literal; leftmost weighs most.
    // Two patterns of the same shape cannot both match unless they are equal.
    auto specificity = [](const std::vector<std::string_view>& pattern) {
        std::uint64_t s = 0;
        for (std::size_t i = 0; i < pattern.size() && i < 64; ++i)
            if (!is_param(pattern[i])) s |= std::uint64_t{1} << (63 - i);
        return s;
    };
    const Route* best = nullptr;
    std::uint64_t best_specificity = 0;
    std::map<std::string, std::string> best_params;
    std::vector<std::string> allow;
    for (const Route& r : routes_) {
        // A route of another length cannot match: counted before its pattern is split, since
        // splitting every route's pattern cost more than the rest of the match.
        if (static_cast<std::size_t>(std::count(r.info.pattern.begin(), r.info.pattern.end(), '/')) != segments.size())
            continue;
        const auto pattern = split_path(r.info.pattern);
        if (pattern.size() != segments.size()) continue;
        std::map<std::string, std::string> params;
        bool ok = true;
        for (std::size_t i = 0; i < pattern.size() && ok; ++i) {
            if (is_param(pattern[i])) {
                if (decoded[i].empty()) ok = false;
                else params[std::string(pattern[i].substr(1, pattern[i].size() - 2))] = decoded[i];
            } else {
                ok = pattern[i] == decoded[i];
            }
        }
        if (!ok) continue;
        if (std::find(allow.begin(), allow.end(), r.info.method) == allow.end()) allow.push_back(r.info.method);
        if (r.info.method != method) continue;
        const std::uint64_t s = specificity(pattern);
        if (!best || s > best_specificity) {
            best = &r;
            best_specificity = s;
            best_params = std::move(params);
        }
    }
    if (best) {
        result.kind = Match::found;
        result.route = best;
        result.params = std::move(best_params);
    } else if (!allow.empty()) {
        result.kind = Match::method_not_allowed;
        std::sort(allow.begin(), allow.end());
        result.allow = std::move(allow);
    }
    return result;
}

std::vector<RouteInfo> Router::list() const {
    std::vector<RouteInfo> out;
    for (const Route& r : routes_) out.push_back(r.info);
    return out;
}

std::size_t Router::max_body_limit() const {
    std::size_t m = 0;
    for (const Route& r : routes_) m = std::max(m, r.options.body_limit);
    return m;
}

}  // namespace tanhui::api
