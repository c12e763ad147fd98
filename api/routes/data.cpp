// Read-only routes over the historical store: health, regions, markets, prices, and the history of
// each peril that has one (the peril registry). The JSON is the CLI's (`tanhui data list --json`, `tanhui data prices --format json`).
#include "api/json/problem.hpp"
#include "api/json/reader.hpp"
#include "api/json/value.hpp"
#include "api/http/server.hpp"
#include "api/version.hpp"
#include "api/service/store_history.hpp"
#include "data/store/store.hpp"
#include "risk/perils/registry.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <map>
#include <optional>

namespace tanhui::api {

namespace {

std::optional<int> parse_year(std::string_view s) {
    int y = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), y);
    if (s.size() != 4 || r.ec != std::errc{} || r.ptr != s.data() + s.size() || y < 1000) return std::nullopt;
    return y;
}

nlohmann::json or_null(bool present, const nlohmann::json& value) { return present ? value : nlohmann::json(nullptr); }

// ?from=&to= as ISO dates; problems name "/query/from", "/query/to" (api/json/reader.hpp).
std::vector<FieldProblem> date_range(const Request& req, std::string& from, std::string& to) {
    std::optional<std::string> f, t;
    if (const std::string* v = req.query_param("from")) f = *v;
    if (const std::string* v = req.query_param("to")) t = *v;
    from = f.value_or("");
    to = t.value_or("");
    return date_range_problems(f, t, "/query");
}

// ?from=&to= as years.
std::vector<FieldProblem> year_range(const Request& req, int& from, int& to) {
    std::vector<FieldProblem> errors;
    for (const char* name : {"from", "to"}) {
        const std::string* v = req.query_param(name);
        if (!v) continue;
        const auto y = parse_year(*v);
        if (!y) {
            errors.push_back({pointer_append("/query", name), "must be a year YYYY, got \"" + *v + "\""});
            continue;
        }
        (std::string_view(name) == "from" ? from : to) = *y;
    }
    if (errors.empty() && from > to)
        errors.push_back({"/query/from", "must not be after to (" + std::to_string(from) + " > " + std::to_string(to) + ")"});
    return errors;
}

Response healthz(const ServiceContext& ctx) {
    return json_response(nlohmann::json{{"status", "ok"}, {"version", version}, {"commit", git_commit},
                                         {"schema_version", ctx.schema_version()}});
}

Response regions(const ServiceContext& ctx, const Request& req) {
    if (auto p = check_query(req, {"level"})) return *p;
    std::string level;
    if (const std::string* v = req.query_param("level")) {
        if (*v != "country" && *v != "province" && *v != "prefecture" && *v != "county")
            return bad_request("level must be country, province, prefecture or county",
                               {{"/query/level", "must be country, province, prefecture or county, got \"" + *v + "\""}});
        level = *v;
    }
    nlohmann::json out = nlohmann::json::array();
    for (const Region& r : ctx.store().regions(level))
        out.push_back({{"code", r.code}, {"level", r.level}, {"name_zh", r.name_zh}, {"name_pinyin", r.name_pinyin},
                       {"parent_code", or_null(!r.parent_code.empty(), r.parent_code)}});
    return json_response(out);
}

nlohmann::json market_json(const data::Store::MarketRange& m) {
    const bool any = m.rows > 0;
    return {{"market", m.market},
            {"name", m.name_en},
            {"currency", m.currency},
            {"first_date", or_null(any, m.first_date)},
            {"last_date", or_null(any, m.last_date)},
            {"rows", m.rows},
            {"traded_days", m.traded},
            {"first_close", or_null(any, m.first_close)},
            {"last_close", or_null(any, m.last_close)}};
}

Response markets(const ServiceContext& ctx, const Request& req) {
    if (auto p = check_query(req, {})) return *p;
    nlohmann::json out = nlohmann::json::array();
    for (const auto& m : ctx.store().market_ranges()) out.push_back(market_json(m));
    return json_response(out);
}

Response prices(const ServiceContext& ctx, const Request& req) {
    if (auto p = check_query(req, {"from", "to", "traded_only"})) return *p;
    std::string from, to;
    auto errors = date_range(req, from, to);
    bool traded_only = false;
    if (const std::string* v = req.query_param("traded_only")) {
        if (*v == "true" || *v == "1") traded_only = true;
        else if (*v == "false" || *v == "0") traded_only = false;
        else errors.push_back({"/query/traded_only", "must be true or false, got \"" + *v + "\""});
    }
    if (!errors.empty()) return bad_request("bad query parameter(s)", std::move(errors));
    data::Store& store = ctx.store();
    const std::string& code = req.param("market");
    const auto market = store.market(code);
    if (!market)
        return not_found("unknown market \"" + code + "\"; GET /v1/markets lists the markets",
                         {{"/path/market", "unknown market"}});
    nlohmann::json out{{"market", market->market}, {"currency", market->currency}, {"prices", nlohmann::json::array()}};
    auto& rows = out["prices"];
    for (const PricePoint& p : store.prices(code, from, to)) {
        if (traded_only && !p.traded) continue;
        rows.push_back({{"date", p.date}, {"close", p.close}, {"traded", p.traded},
                        {"volume_t", p.volume_t ? nlohmann::json(*p.volume_t) : nlohmann::json(nullptr)}});
    }
    return json_response(out);
}

// The region named by ?region= (required), or the problem to answer.
std::optional<Response> find_region(data::Store& store, const Request& req, std::string& region) {
    const std::string* v = req.query_param("region");
    if (!v || v->empty())
        return bad_request("the query parameter region is required (GB/T 2260 code, e.g. 35 for Fujian, CN for China)",
                           {{"/query/region", "required"}});
    const auto r = store.region(*v);
    if (!r)
        return not_found("unknown region \"" + *v + "\"; GET /v1/regions lists the regions",
                         {{"/query/region", "unknown region"}});
    region = r->code;
    return std::nullopt;
}

// GET /v1/history/{peril}: the peril registry's entries that have history (risk::PerilEntry::history).
Response history(const ServiceContext& ctx, const Request& req) {
    const std::string& kind = req.param("kind");
    const risk::PerilEntry* peril = risk::find_peril(kind);
    if (!peril || !peril->history) {
        const auto names = risk::history_peril_names();
        return not_found("no history of \"" + kind + "\"; there is " + risk::join_names(names, " and ", false) + " history",
                         {{"/path/kind", "must be " + risk::join_names(names, " or ", false)}});
    }
    std::vector<std::string_view> allowed{"region"};
    allowed.insert(allowed.end(), peril->history_filters.begin(), peril->history_filters.end());
    allowed.insert(allowed.end(), {"from", "to"});
    if (auto p = check_query(req, allowed)) return *p;
    int from = 0, to = 9999;
    if (auto errors = year_range(req, from, to); !errors.empty())
        return bad_request("bad query parameter(s)", std::move(errors));
    data::Store& store = ctx.store();
    std::string region;
    if (auto p = find_region(store, req, region)) return *p;
    std::map<std::string, std::string> filters;
    for (std::string_view f : peril->history_filters)
        if (const std::string* v = req.query_param(std::string(f))) filters[std::string(f)] = *v;
    StoreHistory history(store);
    try {
        return json_response(to_json(peril->history(history, region, from, to, filters)));
    } catch (const InvalidInput& e) {  // a filter's value, or a region the peril cannot place
        const std::string& field = e.field();
        std::string why = e.what();
        if (why.starts_with(field + ": ")) why.erase(0, field.size() + 2);
        return bad_request("bad query parameter(s)", {{"/" + field, why}});
    }
}

}  // namespace

void register_data_routes(Router& router, ServiceContext& ctx) {
    // /healthz answers from memory on the I/O thread: it must answer while every worker is busy.
    router.add("GET", "/healthz", Role::anyone, [&ctx](const Request&) { return healthz(ctx); },
               {.body_limit = 1 << 20, .run_inline = true});
    router.add("GET", "/v1/regions", Role::underwriter, [&ctx](const Request& r) { return regions(ctx, r); });
    router.add("GET", "/v1/markets", Role::underwriter, [&ctx](const Request& r) { return markets(ctx, r); });
    router.add("GET", "/v1/markets/{market}/prices", Role::underwriter,
               [&ctx](const Request& r) { return prices(ctx, r); });
    router.add("GET", "/v1/history/{kind}", Role::underwriter, [&ctx](const Request& r) { return history(ctx, r); });
}

}  // namespace tanhui::api
