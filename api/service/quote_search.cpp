#include "api/service/quote_search.hpp"

#include "api/products/registry.hpp"

#include <algorithm>
#include <charconv>
#include <regex>

namespace tanhui::api {

namespace {

bool is_date(const std::string& s) {
    static const std::regex date(R"(\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]))");
    return std::regex_match(s, date);
}

bool is_utc_time(const std::string& s) {
    static const std::regex time(R"(\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\dZ)");
    return std::regex_match(s, time);
}

// The stored `created` text compares as a string: a day's first and last second bound it.
std::optional<std::string> time_bound(const std::string& v, bool end) {
    if (is_utc_time(v)) return v;
    if (is_date(v)) return v + (end ? "T23:59:59Z" : "T00:00:00Z");
    return std::nullopt;
}

std::optional<long long> whole_number(const std::string& s) {
    long long v = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || r.ec != std::errc{} || r.ptr != s.data() + s.size()) return std::nullopt;
    return v;
}

// The cursor is the row of the last quote of a page, written "r<row>"; opaque to clients.
std::string cursor_of(std::int64_t row) { return "r" + std::to_string(row); }

}  // namespace

QuoteSearch decode_quote_search(const std::map<std::string, std::string>& query) {
    QuoteSearch s;
    s.filter.limit = default_quote_page;
    auto problem = [&](const std::string& name, std::string message) {
        s.problems.push_back({"/query/" + name, std::move(message)});
    };
    for (const auto& [name, value] : query) {
        if (name == "policy_id") s.filter.policy_id = value;
        else if (name == "product") {
            const auto names = product_names();
            if (std::find(names.begin(), names.end(), value) == names.end()) problem(name, "unknown product \"" + value + "\"");
            else s.filter.product = value;
        } else if (name == "key_id") {
            if (value.size() != 12 || value.find_first_not_of("0123456789abcdef") != std::string::npos)
                problem(name, "must be a key id: 12 hex digits, got \"" + value + "\"");
            else s.filter.key_id = value;
        } else if (name == "from" || name == "to") {
            const auto bound = time_bound(value, name == "to");
            if (!bound) problem(name, "must be a date YYYY-MM-DD or a UTC time YYYY-MM-DDTHH:MM:SSZ, got \"" + value + "\"");
            else (name == "from" ? s.filter.created_from : s.filter.created_to) = *bound;
        } else if (name == "cursor") {
            const auto row = value.size() > 1 && value[0] == 'r' ? whole_number(value.substr(1)) : std::nullopt;
            if (!row || *row < 1) problem(name, "is not a cursor this server gave (next_cursor of a page)");
            else s.filter.before_row = *row;
        } else if (name == "limit") {
            const auto n = whole_number(value);
            if (!n || *n < 1 || *n > max_quote_page)
                problem(name, "must be a whole number from 1 to " + std::to_string(max_quote_page) + ", got \"" + value + "\"");
            else s.filter.limit = static_cast<int>(*n);
        } else {
            problem(name, "unknown query parameter; this route accepts policy_id, product, key_id, from, to, cursor, limit");
        }
    }
    if (s.filter.created_from && s.filter.created_to && *s.filter.created_from > *s.filter.created_to)
        problem("from", "must not be after to");
    return s;
}

nlohmann::json quote_page(data::Store& store, const data::QuoteFilter& filter) {
    // One more than the page: whether there is a next page, without a second query.
    data::QuoteFilter probe = filter;
    probe.limit = filter.limit + 1;
    auto rows = data::Quotes(store).list(probe);
    const bool more = rows.size() > static_cast<std::size_t>(filter.limit);
    if (more) rows.resize(static_cast<std::size_t>(filter.limit));
    nlohmann::json page{{"quotes", nlohmann::json::array()}, {"limit", filter.limit}};
    for (const data::ListedQuote& l : rows) {
        const data::StoredQuote& q = l.quote;
        const auto answer = nlohmann::json::parse(q.response, nullptr, false);
        nlohmann::json item{{"quote_id", q.quote_id},       {"created", q.created},
                            {"product", q.product},         {"policy_id", q.policy_id},
                            {"model_version", q.model_version}, {"seed", q.seed},
                            {"years", q.years},
                            {"key_id", q.key_id.empty() ? nlohmann::json(nullptr) : nlohmann::json(q.key_id)}};
        for (const char* field : {"currency", "sum_insured_cny", "pure_premium_cny", "gross_premium_cny"})
            if (answer.is_object() && answer.contains(field)) item[field] = answer[field];
        page["quotes"].push_back(std::move(item));
    }
    page["next_cursor"] = more ? nlohmann::json(cursor_of(rows.back().row)) : nlohmann::json(nullptr);
    return page;
}

}  // namespace tanhui::api
