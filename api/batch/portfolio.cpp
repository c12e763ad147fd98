#include "api/batch/portfolio.hpp"

#include "api/batch/ord_csv.hpp"
#include "api/json/references.hpp"
#include "api/products/registry.hpp"
#include "data/import/csv.hpp"
#include "data/import/import.hpp"
#include "data/repositories/holdings.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <map>
#include <optional>
#include <set>

namespace tanhui::api {

PortfolioError::PortfolioError(std::vector<std::string> lines, std::size_t total)
    : std::runtime_error([&] {
          std::string s;
          for (const auto& l : lines) s += l + '\n';
          if (total > lines.size()) s += std::to_string(total - lines.size()) + " more problems not shown\n";
          s += "nothing was written";
          return s;
      }()),
      lines_(std::move(lines)),
      total_(total) {}

const std::vector<std::string>& portfolio_csv_columns() {
    static const std::vector<std::string> columns{
        "policy_id", "holding_ids", "product", "perils", "form",
        "price_cny_per_tco2e", "deductible_tco2e", "limit_cny", "sum_insured_cny", "trigger", "exit",
        "market", "quantity_tco2e", "target_price_cny", "fixings", "method", "engine", "guaranteed_revenue_cny",
        "start", "term_months", "index", "franchise_tco2e", "target_tco2e", "target_growth_fraction", "settlement",
        "measurement_cv", "scenario",
        "principle", "parameter", "alpha", "expense_ratio", "commission", "profit_margin", "subsidy_share",
        "return_periods"};
    return columns;
}

nlohmann::json holding_json(const Holding& h) {
    nlohmann::json j{{"id", h.id}, {"region", h.region}, {"forest_type", std::string(to_string(h.forest_type))},
                     {"area_ha", h.area_ha}, {"age_years", h.age_years}};
    if (h.carbon_stock_tco2e_per_ha) j["carbon_stock_tco2e_per_ha"] = *h.carbon_stock_tco2e_per_ha;
    if (h.sequestration_tco2e_per_ha_yr) j["sequestration_tco2e_per_ha_yr"] = *h.sequestration_tco2e_per_ha_yr;
    if (h.credits_tco2e) j["credits_tco2e"] = *h.credits_tco2e;
    if (h.latitude) j["latitude"] = *h.latitude;
    if (h.longitude) j["longitude"] = *h.longitude;
    return j;
}

namespace {

constexpr std::size_t max_reported = 20;

// Collects problems; throws them all at the end.
class Problems {
public:
    void add(std::string line) {
        ++total_;
        if (lines_.size() < max_reported) lines_.push_back(std::move(line));
    }
    bool any() const { return total_ > 0; }
    void throw_if_any() {
        if (total_ > 0) throw PortfolioError(std::move(lines_), total_);
    }

private:
    std::vector<std::string> lines_;
    std::size_t total_ = 0;
};

std::string trim(std::string_view s) {
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string_view::npos) return {};
    const auto e = s.find_last_not_of(" \t");
    return std::string(s.substr(b, e - b + 1));
}

std::vector<std::string> split_list(std::string_view s) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (;;) {
        const auto p = s.find(';', start);
        out.push_back(trim(s.substr(start, p == std::string_view::npos ? std::string_view::npos : p - start)));
        if (p == std::string_view::npos) break;
        start = p + 1;
    }
    return out;
}

std::optional<double> parse_double(const std::string& s) {
    double v = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec != std::errc() || r.ptr != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
    return v;
}

std::string shown(const std::string& s) { return nlohmann::json(s).dump(); }

// The CSV column behind a decoder's JSON pointer.
std::string column_of(const std::string& pointer) {
    auto starts = [&](std::string_view p) { return pointer.rfind(p, 0) == 0; };
    if (starts("/policy/id")) return "policy_id";
    if (starts("/policy/start")) return "start";
    if (starts("/policy/term_months")) return "term_months";
    if (starts("/holdings")) return "holding_ids";
    if (starts("/product")) return "product";
    if (starts("/return_periods")) return "return_periods";
    if (starts("/scenario")) return "scenario";
    for (std::string_view prefix : {"/cover/", "/premium/"}) {
        if (!starts(prefix)) continue;
        std::string rest = pointer.substr(prefix.size());
        const auto slash = rest.find('/');
        if (slash != std::string::npos) rest.resize(slash);
        return rest;
    }
    return "";
}

}  // namespace

std::string policy_problem(const BatchPolicy& policy, const std::string& pointer, const std::string& message) {
    if (!policy.csv) return policy.where + pointer + ": " + message;
    const std::string column = column_of(pointer);
    return policy.where + ": " + (column.empty() ? "" : column + ": ") + message;
}

namespace {

// The cover and premium of a decoded request as canonical JSON.
nlohmann::json policy_canonical(const BatchPolicy& p) {
    const QuoteRequest& q = p.request;
    nlohmann::json j{{"id", q.policy.id}, {"product", q.product_name()}, {"start", q.policy.start}, {"term_months", q.policy.term_months},
            {"holdings", p.holdings}, {"cover", q.product->canonical_cover(q.cover)},
            {"premium", {{"principle", std::string(pricing::to_string(q.premium.principle))}, {"parameter", q.premium.parameter},
                         {"alpha", q.premium.tvar_level}, {"expense_ratio", q.premium.expense_ratio},
                         {"commission", q.premium.commission}, {"profit_margin", q.premium.profit_margin},
                         {"subsidy_share", q.premium.subsidy_share}}},
            {"return_periods", q.return_periods}};
    if (q.scenario) j["scenario"] = *q.scenario;  // only when given: the runs without one keep their hash
    return j;
}

// Adds a policy's holdings to the portfolio's distinct list; false (with a problem) when an id
// was seen before with other attributes.
bool add_holdings(Portfolio& out, std::map<std::string, std::uint32_t>& position, BatchPolicy& policy,
                  const std::function<void(std::size_t, const std::string&)>& problem) {
    bool ok = true;
    if (!policy.request.product->needs_holdings) return ok;  // a cover on a market: its holdings are not insured
    for (std::size_t i = 0; i < policy.request.holdings.size(); ++i) {
        const Holding& h = policy.request.holdings[i];
        auto [it, added] = position.try_emplace(h.id, static_cast<std::uint32_t>(out.holdings.size()));
        if (added) {
            out.holdings.push_back(h);
        } else if (holding_json(out.holdings[it->second]) != holding_json(h)) {
            problem(i, "holding \"" + h.id + "\" is given with other attributes by an earlier policy");
            ok = false;
            continue;
        }
        policy.holdings.push_back(it->second);
    }
    return ok;
}

// A request's "simulation" must be the batch's (the portfolio is simulated once for all).
std::optional<std::string> simulation_problem(const nlohmann::json& request, const QuoteRequest& q, const PortfolioChecks& checks) {
    if (!request.contains("simulation") || !checks.years || !checks.seed) return std::nullopt;
    if (q.simulation.years == static_cast<long long>(*checks.years) && q.simulation.seed == *checks.seed) return std::nullopt;
    return "years " + std::to_string(q.simulation.years) + " and seed " + std::to_string(q.simulation.seed) +
           " differ from the batch's --years " + std::to_string(*checks.years) + " --seed " + std::to_string(*checks.seed) +
           "; the portfolio is simulated once for every policy: give the same or leave \"simulation\" out";
}

nlohmann::json parse_json_array(const std::string& name, std::string_view text, Problems& problems) {
    nlohmann::json body;
    try {
        body = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
        problems.add(name + ": invalid JSON: " + e.what());
        problems.throw_if_any();
    }
    if (!body.is_array() || body.empty()) {
        problems.add(name + ": must be a non-empty JSON array of quote requests");
        problems.throw_if_any();
    }
    return body;
}

Portfolio parse_json_portfolio(const std::string& name, std::string_view text, const PortfolioChecks& checks) {
    Problems problems;
    Portfolio out;
    out.source = name;
    const nlohmann::json body = parse_json_array(name, text, problems);
    std::map<std::string, std::uint32_t> position;
    std::set<std::string> ids;
    std::optional<std::string> model_text;
    for (std::size_t i = 0; i < body.size(); ++i) {
        const std::string base = "/" + std::to_string(i);
        auto d = decode_quote(body[i], DecodeLimits{}, base);
        if (d.value && checks.references)
            for (auto& p : check_references(*d.value, *checks.references, base)) d.problems.push_back(std::move(p));
        for (const auto& p : d.problems) problems.add(name + ": " + p.pointer + ": " + p.message);
        if (!d.problems.empty()) continue;
        BatchPolicy policy{std::move(*d.value), {}, name + ": " + base, false};
        if (const auto problem = simulation_problem(body[i], policy.request, checks))
            problems.add(name + ": " + base + "/simulation: " + *problem);
        if (!ids.insert(policy.request.policy.id).second)
            problems.add(name + ": " + base + "/policy/id: duplicate policy id \"" + policy.request.policy.id + "\"");
        const std::string m = body[i].contains("model") ? dump_json(body[i]["model"], -1) : "";
        if (!model_text) {
            model_text = m;
            out.model = policy.request.model;
        } else if (*model_text != m) {
            problems.add(name + ": " + base + "/model: differs from /0/model; a batch simulates the whole portfolio "
                                              "with one model, so every request must give the same \"model\" (or none)");
        }
        add_holdings(out, position, policy, [&](std::size_t h, const std::string& message) {
            problems.add(name + ": " + base + "/holdings/" + std::to_string(h) + ": " + message);
        });
        out.policies.push_back(std::move(policy));
    }
    problems.throw_if_any();
    out.model_json = model_text.value_or("");
    return out;
}

using Report = std::function<void(std::size_t line, const std::string& column, const std::string& message)>;

// The header's columns by name; unknown or repeated columns and missing required ones reported.
std::map<std::string, std::size_t> csv_columns(const data::CsvTable& csv, const Report& report) {
    const auto& known = portfolio_csv_columns();
    std::map<std::string, std::size_t> column;
    for (std::size_t i = 0; i < csv.header.size(); ++i) {
        const std::string& h = csv.header[i];
        if (std::find(known.begin(), known.end(), h) == known.end()) report(1, h, "unknown column (docs/batch.md lists them)");
        else if (!column.emplace(h, i).second) report(1, h, "column appears twice in the header");
    }
    if (!csv.header.empty())
        for (const char* required : {"policy_id", "product"})
            if (!column.count(required)) report(1, required, "missing column in the header");
    return column;
}

// The cells of one row by column name (trimmed; "" when the column is absent).
struct Row {
    const data::CsvRecord& record;
    const std::map<std::string, std::size_t>& column;
    std::string operator()(const std::string& c) const {
        const auto it = column.find(c);
        return it == column.end() ? std::string() : trim(record.fields[it->second]);
    }
};

using HoldingIndex = std::map<std::string, const Holding*>;

// holding_ids -> the request's holdings; required by products with holdings.
nlohmann::json row_holdings(const Row& cell, const HoldingIndex& by_id, const std::string& holdings_name,
                            const std::function<void(const std::string&, const std::string&)>& bad) {
    nlohmann::json hs = nlohmann::json::array();
    const std::string ids = cell("holding_ids");
    const ProductEntry* product = find_product(cell("product"));
    if (ids.empty()) {
        if (!product || product->needs_holdings) bad("holding_ids", "is empty but required (holding ids separated by ';')");
        return hs;
    }
    std::set<std::string> seen;
    for (const std::string& id : split_list(ids)) {
        if (id.empty()) { bad("holding_ids", "has an empty id (ids are separated by ';')"); continue; }
        if (!seen.insert(id).second) { bad("holding_ids", "lists holding " + shown(id) + " twice"); continue; }
        const auto it = by_id.find(id);
        if (it == by_id.end()) { bad("holding_ids", "unknown holding " + shown(id) + " (not in " + holdings_name + ")"); continue; }
        hs.push_back(holding_json(*it->second));
    }
    return hs;
}

// The cover and premium cells: strings, lists and numbers as the request's fields.
void row_cover_and_premium(const Row& cell, nlohmann::json& req, const std::function<void(const std::string&, const std::string&)>& bad) {
    static const std::set<std::string> cover_numbers{"price_cny_per_tco2e", "deductible_tco2e", "limit_cny", "sum_insured_cny",
                                                     "trigger", "exit", "quantity_tco2e", "target_price_cny",
                                                     "guaranteed_revenue_cny", "franchise_tco2e"};
    static const std::set<std::string> premium_numbers{"parameter", "alpha", "expense_ratio", "commission",
                                                       "profit_margin", "subsidy_share"};
    nlohmann::json cover = nlohmann::json::object();
    if (!cell("perils").empty()) {
        nlohmann::json perils = nlohmann::json::array();
        for (const std::string& p : split_list(cell("perils"))) perils.push_back(p);
        cover["perils"] = perils;
    }
    for (const char* c : {"form", "market", "method", "engine", "index", "settlement"})
        if (!cell(c).empty()) cover[c] = cell(c);
    // sink_insurance's nested members (issue 17): target_tco2e or target_growth_fraction, measurement_cv.
    for (const auto& [c, member] : {std::pair{"target_tco2e", "tco2e"}, std::pair{"target_growth_fraction", "growth_fraction"}}) {
        if (cell(c).empty()) continue;
        if (const auto x = parse_double(cell(c))) cover["target"][member] = *x;
        else bad(c, "not a number: " + shown(cell(c)));
    }
    if (!cell("measurement_cv").empty()) {
        if (const auto x = parse_double(cell("measurement_cv"))) cover["measurement"] = {{"cv", *x}};
        else bad("measurement_cv", "not a number: " + shown(cell("measurement_cv")));
    }
    if (const std::string f = cell("fixings"); !f.empty()) {
        const auto dates = split_list(f);  // "monthly", "quarterly", "at_expiry" or dates separated by ';'
        cover["fixings"] = dates.size() == 1 && f.find('-') == std::string::npos ? nlohmann::json(f) : nlohmann::json(dates);
    }
    nlohmann::json premium = nlohmann::json::object();
    if (!cell("principle").empty()) premium["principle"] = cell("principle");
    for (const auto& [c, i] : cell.column) {
        (void)i;
        const bool is_cover = cover_numbers.count(c) > 0, is_premium = premium_numbers.count(c) > 0;
        if (!is_cover && !is_premium) continue;
        const std::string v = cell(c);
        if (v.empty()) continue;
        const auto x = parse_double(v);
        if (!x) { bad(c, "not a number: " + shown(v)); continue; }
        (is_cover ? cover : premium)[c] = *x;
    }
    req["cover"] = cover;
    if (!premium.empty()) req["premium"] = premium;
}

// A row as the quote request it stands for, or nullopt when a cell is bad (reported).
std::optional<nlohmann::json> row_request(const Row& cell, const HoldingIndex& by_id, const std::string& holdings_name,
                                          const Report& report) {
    bool ok = true;
    auto bad = [&](const std::string& c, const std::string& message) {
        report(cell.record.line, c, message);
        ok = false;
    };
    nlohmann::json req{{"product", cell("product")}};
    req["policy"] = {{"id", cell("policy_id")}, {"start", cell("start").empty() ? "2027-01-01" : cell("start")}};
    if (!cell("term_months").empty()) {
        const auto v = parse_double(cell("term_months"));
        if (!v || *v != std::floor(*v)) bad("term_months", "not a whole number: " + shown(cell("term_months")));
        else req["policy"]["term_months"] = static_cast<long long>(*v);
    }
    req["holdings"] = row_holdings(cell, by_id, holdings_name, bad);
    row_cover_and_premium(cell, req, bad);
    if (!cell("scenario").empty()) req["scenario"] = cell("scenario");
    if (!cell("return_periods").empty()) {
        nlohmann::json rps = nlohmann::json::array();
        for (const std::string& v : split_list(cell("return_periods"))) {
            const auto x = parse_double(v);
            if (!x) bad("return_periods", "not a number: " + shown(v));
            else rps.push_back(*x);
        }
        req["return_periods"] = rps;
    }
    if (!ok) return std::nullopt;
    return req;
}

Portfolio parse_csv_portfolio(const std::string& name, std::string_view text, const std::vector<Holding>& holdings,
                              const std::string& holdings_name, const PortfolioChecks& checks) {
    Problems problems;
    const Report report = [&](std::size_t line, const std::string& column, const std::string& message) {
        problems.add(name + ":" + std::to_string(line) + ": " + (column.empty() ? "" : column + ": ") + message);
    };
    const data::CsvTable csv = data::parse_csv(text);
    if (csv.header.empty() && csv.errors.empty()) report(1, "", "file is empty (no header row)");
    for (const auto& e : csv.errors) report(e.line, "", e.message);
    const auto column = csv_columns(csv, report);
    if (!csv.header.empty() && csv.rows.empty() && !problems.any()) report(2, "", "no policies after the header");
    problems.throw_if_any();

    HoldingIndex by_id;
    for (const Holding& h : holdings) by_id.emplace(h.id, &h);
    Portfolio out;
    out.source = name;
    out.holdings_source = holdings_name;
    std::map<std::string, std::uint32_t> position;
    std::map<std::string, std::size_t> policy_line;
    for (const data::CsvRecord& record : csv.rows) {
        const auto req = row_request(Row{record, column}, by_id, holdings_name, report);
        if (!req) continue;
        auto d = decode_quote(*req);
        if (d.value && checks.references)
            for (auto& p : check_references(*d.value, *checks.references)) d.problems.push_back(std::move(p));
        for (const auto& p : d.problems) report(record.line, column_of(p.pointer), p.message);
        if (!d.problems.empty()) continue;
        BatchPolicy policy{std::move(*d.value), {}, name + ":" + std::to_string(record.line), true};
        const auto [it, added] = policy_line.emplace(policy.request.policy.id, record.line);
        if (!added) {
            report(record.line, "policy_id", "duplicate policy id " + shown(policy.request.policy.id) + " (line " +
                                                 std::to_string(it->second) + ")");
            continue;
        }
        add_holdings(out, position, policy, [&](std::size_t, const std::string& message) { report(record.line, "holding_ids", message); });
        out.policies.push_back(std::move(policy));
    }
    problems.throw_if_any();
    return out;
}

}  // namespace

std::string Portfolio::canonical() const {
    nlohmann::json j;
    j["holdings"] = nlohmann::json::array();
    for (const Holding& h : holdings) j["holdings"].push_back(holding_json(h));
    j["policies"] = nlohmann::json::array();
    for (const BatchPolicy& p : policies) j["policies"].push_back(policy_canonical(p));
    j["model"] = model_json;
    return dump_json(j, -1);
}

Portfolio parse_portfolio(const std::string& name, std::string_view text, const std::vector<Holding>& holdings,
                          const std::string& holdings_name, const PortfolioChecks& checks) {
    const auto first = text.find_first_not_of(" \t\r\n\xEF\xBB\xBF");
    if (first != std::string_view::npos && text[first] == '[') return parse_json_portfolio(name, text, checks);
    return parse_csv_portfolio(name, text, holdings, holdings_name, checks);
}

std::vector<Holding> read_holdings_csv(data::Store& store, const std::string& name, std::string_view text) {
    try {
        return data::Holdings(store).parse_csv(name, text);
    } catch (const data::ImportError& e) {
        std::vector<std::string> lines;
        for (const auto& i : e.issues())
            lines.push_back(name + ":" + std::to_string(i.line) + ": " + (i.column.empty() ? "" : i.column + ": ") + i.message);
        throw PortfolioError(std::move(lines), e.total());
    }
}

std::vector<Holding> store_holdings(data::Store& store) { return data::Holdings(store).all(); }

}  // namespace tanhui::api
