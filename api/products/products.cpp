#include "api/products/products.hpp"

#include "api/service/calibration.hpp"
#include "api/json/quote_request.hpp"
#include "api/service/quote_service.hpp"
#include "data/store/store.hpp"
#include "pricing/buffer.hpp"
#include "pricing/burning_cost.hpp"
#include "pricing/damage.hpp"
#include "pricing/index_insurance.hpp"
#include "risk/model/growth.hpp"
#include "risk/metrics/metrics.hpp"
#include "risk/simulation/price_path.hpp"
#include "risk/simulation/simulate.hpp"
#include "risk/random/special.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <sstream>

namespace tanhui::api {

namespace {

using Range = NumberRange;
constexpr Range any_finite{};
constexpr Range non_negative{0, INFINITY};
constexpr Range positive{0, INFINITY, true};
constexpr Range unit_share{0, 1};
constexpr Range open_unit{0, 1, true, true};
constexpr double inf = std::numeric_limits<double>::infinity();
// JSON integers up to 2^53 are exact as doubles.
constexpr long long max_id = 9'007'199'254'740'992LL;

std::string shown(double x) {
    std::ostringstream o;
    o << x;
    return o.str();
}

bool in_range(double x, const Range& r) {
    const bool low = r.min_exclusive ? !(x > r.min) : !(x >= r.min);
    const bool high = r.max_exclusive ? !(x < r.max) : !(x <= r.max);
    return !low && !high;
}

std::string range_text(const Range& r) {
    if (std::isfinite(r.min) && std::isfinite(r.max))
        return std::string("in ") + (r.min_exclusive ? "(" : "[") + shown(r.min) + ", " + shown(r.max) +
               (r.max_exclusive ? ")" : "]");
    if (std::isfinite(r.min)) return std::string(r.min_exclusive ? "> " : ">= ") + shown(r.min);
    if (std::isfinite(r.max)) return std::string(r.max_exclusive ? "< " : "<= ") + shown(r.max);
    return "finite";
}

// An array of numbers: each element checked and named by its pointer.
std::optional<std::vector<double>> number_array(ObjectReader& r, std::string_view key, bool required, Range range,
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

// Levels or return periods: distinct values (they become object keys).
std::optional<std::vector<double>> distinct_numbers(ObjectReader& r, std::string_view key, Range range,
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

// {"years": N, "losses": [{"year", "event", "loss"}]} read from `r` (the request or a
// loss_table object). Rows with a year outside 1..N are problems.
std::optional<LossTable> decode_loss_table(ObjectReader& r, const ProductLimits& limits,
                                           std::vector<FieldProblem>& problems) {
    LossTable table;
    const auto years = r.integer("years", true, 2, limits.max_years);
    if (years) table.years = static_cast<std::uint64_t>(*years);
    const long long year_max = years ? *years : limits.max_years;
    const nlohmann::json* losses = r.get("losses");
    const std::size_t before = problems.size();
    if (!losses) {
        if (r.ok()) r.problem("losses", "is required (an array of {year, event, loss}; may be empty)");
    } else if (!losses->is_array() || losses->size() > limits.max_rows) {
        r.problem("losses", "must be an array of at most " + std::to_string(limits.max_rows) + " {year, event, loss} rows");
    } else {
        table.rows.reserve(losses->size());
        for (std::size_t i = 0; i < losses->size(); ++i) {
            ObjectReader row((*losses)[i], r.at("losses") + "/" + std::to_string(i), problems);
            const auto y = row.integer("year", true, 1, year_max);
            const auto e = row.integer("event", true, 0, max_id);
            const auto l = row.number("loss", true, non_negative);
            row.finish();
            if (y && e && l) table.rows.push_back({static_cast<std::uint64_t>(*y), static_cast<std::uint64_t>(*e), *l});
        }
    }
    if (!years || problems.size() != before) return std::nullopt;
    return table;
}

Problem decode_problem(std::vector<FieldProblem> problems, std::string_view what) {
    const std::size_t n = problems.size();
    return make_problem(400, std::to_string(n) + " invalid field" + (n > 1 ? "s" : "") + " in the " + std::string(what),
                        std::move(problems));
}

// An InvalidInput from the libraries: 422 naming the field by its pointer in the request (run_product's
// pointer_of maps library names relative to a request object, e.g. "/limit_cny" -> "/layer/limit_cny").
Problem unprocessable_problem(const InvalidInput& e, std::string_view what, const std::string& pointer) {
    return make_problem(422, "the " + std::string(what) + " is valid JSON but cannot be computed: " + e.what(),
                        {{pointer, e.what()}});
}

template <class Decode, class Compute>
ProductOutcome run_product(const nlohmann::json& body, std::string_view what, Decode decode, Compute compute,
                           const std::function<std::string(const std::string&)>& pointer_of = {}) {
    ProductOutcome outcome;
    auto decoded = decode(body);
    if (!decoded.problems.empty()) {
        outcome.problem = decode_problem(std::move(decoded.problems), what);
        return outcome;
    }
    try {
        outcome.response = compute(*decoded.value, outcome);
    } catch (const InvalidInput& e) {
        const std::string pointer = field_to_pointer(e.field());
        outcome.response.reset();
        outcome.problem = unprocessable_problem(e, what, pointer_of ? pointer_of(pointer) : pointer);
    }
    return outcome;
}

nlohmann::ordered_json keyed(std::span<const double> keys, const std::function<double(std::size_t)>& value) {
    nlohmann::ordered_json out = nlohmann::ordered_json::object();
    for (std::size_t i = 0; i < keys.size(); ++i) out[number_key(keys[i])] = value(i);
    return out;
}

nlohmann::json finite_or_null(double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr); }

double stock_of(const risk::Book& book) {
    double stock = 0;
    for (const auto& h : book.holdings) stock += h.area_ha * h.stock_tco2e_per_ha;
    return stock;
}

}  // namespace

std::string number_key(double x) {
    char buffer[400];
    const auto r = std::to_chars(buffer, buffer + sizeof buffer, x, std::chars_format::fixed);
    return std::string(buffer, r.ptr);
}

// ---- credibility ------------------------------------------------------------------------------

Decoded<CredibilityRequest> decode_credibility(const nlohmann::json& body) {
    Decoded<CredibilityRequest> out;
    auto& problems = out.problems;
    ObjectReader r(body, "", problems);
    if (!r.ok()) return out;
    CredibilityRequest request;
    const nlohmann::json* groups = r.get("groups");
    if (!groups) {
        r.problem("groups", "is required (an array of at least 2 {id, ratios, weights})");
    } else if (!groups->is_array() || groups->size() < 2 || groups->size() > 100'000) {
        r.problem("groups", "must be an array of 2 to 100000 groups {id, ratios, weights}");
    } else {
        std::set<std::string> ids;
        bool any_two_periods = false;
        for (std::size_t i = 0; i < groups->size(); ++i) {
            ObjectReader g((*groups)[i], "/groups/" + std::to_string(i), problems);
            pricing::CredibilityGroup group;
            const auto id = g.string("id", true);
            auto ratios = number_array(g, "ratios", true, any_finite, 1, 100'000, problems);
            auto weights = number_array(g, "weights", true, positive, 1, 100'000, problems);
            if (ratios && weights && ratios->size() != weights->size())
                g.problem("weights", "must hold one weight per ratio (" + std::to_string(ratios->size()) + "), got " +
                                         std::to_string(weights->size()));
            if (id && !ids.insert(*id).second) g.problem("id", "duplicate group id \"" + *id + "\"");
            g.finish();
            if (id) group.id = *id;
            if (ratios) {
                any_two_periods = any_two_periods || ratios->size() >= 2;
                group.ratios = std::move(*ratios);
            }
            if (weights) group.weights = std::move(*weights);
            request.groups.push_back(std::move(group));
        }
        if (problems.empty() && !any_two_periods)
            r.problem("groups", "at least one group needs 2 or more periods to estimate the within variance");
    }
    r.finish();
    if (problems.empty()) out.value = std::move(request);
    return out;
}

nlohmann::ordered_json credibility_json(const pricing::CredibilityResult& result) {
    nlohmann::ordered_json out;
    out["collective_premium"] = result.collective_premium;
    out["within_variance"] = result.within_variance;
    out["between_variance"] = result.between_variance;
    out["groups"] = nlohmann::ordered_json::array();
    for (const auto& g : result.groups)
        out["groups"].push_back({{"id", g.id}, {"credibility_factor", g.credibility_factor}, {"premium", g.premium}});
    if (!result.warnings.empty()) out["warnings"] = result.warnings;
    return out;
}

ProductOutcome credibility(const nlohmann::json& body) {
    return run_product(body, "credibility request", decode_credibility,
                       [](const CredibilityRequest& q, ProductOutcome&) {
                           return credibility_json(pricing::buhlmann_straub(q.groups));
                       });
}

// ---- metrics ----------------------------------------------------------------------------------

YearTable year_table(const LossTable& table, bool with_events) {
    const auto n = static_cast<std::size_t>(table.years);
    std::vector<std::vector<std::pair<std::uint64_t, double>>> by_year(n);
    for (std::size_t i = 0; i < table.rows.size(); ++i) {
        const LossRow& row = table.rows[i];
        if (row.year < 1 || row.year > table.years)
            throw InvalidInput("losses[" + std::to_string(i) + "].year",
                               "must lie in 1.." + std::to_string(table.years) + ", got " + std::to_string(row.year));
        by_year[static_cast<std::size_t>(row.year - 1)].emplace_back(row.event, row.loss);
    }
    YearTable out;
    out.annual.assign(n, 0.0);
    out.max_event.assign(n, 0.0);
    if (with_events) out.events.resize(n);
    for (std::size_t y = 0; y < n; ++y) {
        auto& rows = by_year[y];
        // Rows of one event (e.g. one per location) make one event: sum them, in event-id order.
        std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        double annual = 0, largest = 0;
        for (std::size_t i = 0; i < rows.size();) {
            double event = 0;
            std::size_t j = i;
            for (; j < rows.size() && rows[j].first == rows[i].first; ++j) event += rows[j].second;
            annual += event;
            largest = std::max(largest, event);
            if (with_events) out.events[y].push_back(event);
            i = j;
        }
        out.annual[y] = annual;
        out.max_event[y] = largest;
    }
    return out;
}

Decoded<MetricsRequest> decode_metrics(const nlohmann::json& body, const ProductLimits& limits) {
    Decoded<MetricsRequest> out;
    auto& problems = out.problems;
    ObjectReader r(body, "", problems);
    if (!r.ok()) return out;
    MetricsRequest request;
    auto table = decode_loss_table(r, limits, problems);
    const auto levels = distinct_numbers(r, "levels", open_unit, problems);
    const auto periods = distinct_numbers(r, "return_periods", {1, 1e12}, problems);
    r.finish();
    if (!problems.empty() || !table) return out;
    request.table = std::move(*table);
    request.levels = levels ? *levels : std::vector<double>(risk::default_levels.begin(), risk::default_levels.end());
    request.return_periods =
        periods ? *periods : std::vector<double>(risk::default_return_periods.begin(), risk::default_return_periods.end());
    out.value = std::move(request);
    return out;
}

nlohmann::ordered_json metrics_json(const MetricsRequest& request) {
    const YearTable t = year_table(request.table);
    risk::MetricOptions options;
    options.levels = request.levels;
    options.return_periods = request.return_periods;
    const risk::Metrics m = risk::compute_metrics(t.annual, t.max_event, options);
    const auto& lv = m.levels;
    const auto& rp = m.return_periods;
    nlohmann::ordered_json out;
    out["years"] = m.years;
    out["aal"] = m.aal.value;
    out["aal_se"] = m.aal.standard_error;
    out["std"] = m.std.value;
    out["std_se"] = m.std.standard_error;
    out["var"] = keyed(request.levels, [&](std::size_t i) { return lv[i].var.value; });
    out["var_se"] = keyed(request.levels, [&](std::size_t i) { return lv[i].var.standard_error; });
    out["tvar"] = keyed(request.levels, [&](std::size_t i) { return lv[i].tvar.value; });
    out["tvar_se"] = keyed(request.levels, [&](std::size_t i) { return lv[i].tvar.standard_error; });
    out["aep"] = keyed(request.return_periods, [&](std::size_t i) { return rp[i].aep.value; });
    out["aep_se"] = keyed(request.return_periods, [&](std::size_t i) { return rp[i].aep.standard_error; });
    out["oep"] = keyed(request.return_periods, [&](std::size_t i) { return rp[i].oep.value; });
    out["oep_se"] = keyed(request.return_periods, [&](std::size_t i) { return rp[i].oep.standard_error; });
    nlohmann::ordered_json beyond = nlohmann::ordered_json::array();
    for (const auto& p : rp)
        if (p.beyond_simulation) beyond.push_back(number_key(p.return_period));
    if (!beyond.empty()) out["beyond_simulation"] = beyond;
    return out;
}

ProductOutcome metrics(const nlohmann::json& body, const ProductLimits& limits) {
    return run_product(
        body, "metrics request", [&](const nlohmann::json& b) { return decode_metrics(b, limits); },
        [](const MetricsRequest& q, ProductOutcome&) { return metrics_json(q); });
}

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

std::vector<std::string_view> split_csv_line(std::string_view line) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    for (;;) {
        const std::size_t comma = line.find(',', start);
        out.push_back(trim(line.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start)));
        if (comma == std::string_view::npos) return out;
        start = comma + 1;
    }
}

template <class T>
bool parse_number(std::string_view s, T& out) {
    if (s.empty()) return false;
    if constexpr (std::is_floating_point_v<T>) {
        const auto r = std::from_chars(s.data(), s.data() + s.size(), out, std::chars_format::general);
        return r.ec == std::errc{} && r.ptr == s.data() + s.size() && std::isfinite(out);
    } else {
        const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
        return r.ec == std::errc{} && r.ptr == s.data() + s.size();
    }
}

}  // namespace

Decoded<nlohmann::json> loss_csv_to_json(std::string_view text, std::uint64_t years, const ProductLimits& limits) {
    Decoded<nlohmann::json> out;
    auto& problems = out.problems;
    if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 BOM
    std::size_t line_no = 0, pos = 0;
    std::map<std::string, std::size_t, std::less<>> column;
    bool header = false;
    nlohmann::json rows = nlohmann::json::array();
    constexpr std::size_t max_problems = 100;
    while (pos <= text.size() && problems.size() < max_problems) {
        const std::size_t end = std::min(text.find('\n', pos), text.size());
        const std::string_view line = trim(text.substr(pos, end - pos));
        ++line_no;
        pos = end + 1;
        if (line.empty()) {
            if (end == text.size()) break;
            continue;
        }
        const auto cells = split_csv_line(line);
        const std::string at_line = "line " + std::to_string(line_no) + ": ";
        if (!header) {
            for (std::size_t i = 0; i < cells.size(); ++i) {
                if (!column.emplace(std::string(cells[i]), i).second)
                    problems.push_back({"", at_line + "column \"" + std::string(cells[i]) + "\" is given twice"});
            }
            for (const char* need : {"year", "event", "loss"})
                if (!column.count(need))
                    problems.push_back({"", at_line + "the header must name the columns year,event,loss; \"" + need +
                                                "\" is missing"});
            for (const auto& [name, i] : column)
                if (name != "year" && name != "event" && name != "loss")
                    problems.push_back({"", at_line + "unknown column \"" + name + "\" (the columns are year,event,loss)"});
            if (!problems.empty()) return out;
            header = true;
            continue;
        }
        const std::size_t row = rows.size();
        const std::string at = "/losses/" + std::to_string(row);
        if (cells.size() != column.size()) {
            problems.push_back({at, at_line + "has " + std::to_string(cells.size()) + " fields, the header " +
                                        std::to_string(column.size())});
            rows.push_back(nullptr);
            continue;
        }
        if (rows.size() >= limits.max_rows) {
            problems.push_back({at, at_line + "the table has more than " + std::to_string(limits.max_rows) + " rows"});
            break;
        }
        std::uint64_t year = 0, event = 0;
        double loss = 0;
        const std::string_view y = cells[column["year"]], e = cells[column["event"]], l = cells[column["loss"]];
        bool ok = true;
        if (!parse_number(y, year) || year < 1 || year > years) {
            problems.push_back({at + "/year", at_line + "year must be a whole number in 1.." + std::to_string(years) +
                                                  ", got \"" + std::string(y) + "\""});
            ok = false;
        }
        if (!parse_number(e, event) || event > static_cast<std::uint64_t>(max_id)) {
            problems.push_back({at + "/event", at_line + "event must be a whole number >= 0, got \"" + std::string(e) + "\""});
            ok = false;
        }
        if (!parse_number(l, loss) || !(loss >= 0)) {
            problems.push_back({at + "/loss", at_line + "loss must be a number >= 0, got \"" + std::string(l) + "\""});
            ok = false;
        }
        rows.push_back(ok ? nlohmann::json{{"year", year}, {"event", event}, {"loss", loss}} : nlohmann::json(nullptr));
        if (end == text.size()) break;
    }
    if (!header && problems.empty()) problems.push_back({"", "line 1: the CSV is empty; the header is year,event,loss"});
    if (problems.empty()) out.value = nlohmann::json{{"years", years}, {"losses", std::move(rows)}};
    return out;
}

// ---- reinsurance layer --------------------------------------------------------------------------

Decoded<LayerRequest> decode_layer(const nlohmann::json& body, const ProductLimits& limits) {
    Decoded<LayerRequest> out;
    auto& problems = out.problems;
    ObjectReader r(body, "", problems);
    if (!r.ok()) return out;
    LayerRequest q;
    if (const auto* l = r.get("layer")) {
        ObjectReader lr(*l, "/layer", problems);
        if (auto b = lr.one_of("basis", true, {"occurrence", "aggregate"})) q.basis = *b;
        if (auto v = lr.number("attachment_cny", true, non_negative)) q.layer.attachment_cny = *v;
        if (auto v = lr.number("limit_cny", true, positive)) q.layer.limit_cny = *v;
        if (auto v = lr.integer("reinstatements", false, 0, 1000)) q.layer.reinstatements = static_cast<int>(*v);
        q.layer.aggregate_limit_cny = lr.number("aggregate_limit_cny", false, positive);
        q.layer.premium_cny = lr.number("premium_cny", false, non_negative);
        if (q.basis == "aggregate") {
            if (q.layer.reinstatements) lr.problem("reinstatements", "applies to \"occurrence\" layers only");
            if (q.layer.aggregate_limit_cny) lr.problem("aggregate_limit_cny", "applies to \"occurrence\" layers only");
        }
        lr.finish();
    } else {
        r.problem("layer", "is required: {basis, attachment_cny, limit_cny, reinstatements?, premium_cny?}");
    }

    const bool table = r.has("loss_table");
    const bool portfolio = r.has("holdings");
    if (table == portfolio)
        r.problem(table ? "holdings" : "loss_table",
                  table ? "give either loss_table or holdings, not both"
                        : "is required: give an explicit loss_table {years, losses} or a portfolio (holdings)");
    if (table) {
        ObjectReader tr(*r.get("loss_table"), "/loss_table", problems);
        q.loss_table = decode_loss_table(tr, limits, problems);
        tr.finish();
        for (const char* key : {"perils", "price_cny_per_tco2e", "simulation"})
            if (r.has(key)) r.problem(key, "applies to a simulated portfolio (holdings) only");
    }
    if (portfolio) {
        q.holdings = decode_holdings(r, "holdings", limits.max_holdings, problems);
        q.perils = decode_perils(r, problems, std::vector<std::string>{"fire", "pest"});
        if (auto v = r.number("price_cny_per_tco2e", true, positive)) q.price_cny_per_tco2e = *v;
        if (const auto* s = r.get("simulation")) {
            ObjectReader sr(*s, "/simulation", problems);
            if (auto y = sr.integer("years", false, 2, limits.max_years)) q.years = static_cast<std::uint32_t>(*y);
            if (auto seed = decode_seed(sr)) q.seed = *seed;
            if (auto t = sr.integer("threads", false, 0, 256)) q.threads = static_cast<unsigned>(*t);
            sr.finish();
        }
        if (static_cast<long long>(q.years) > limits.max_years)
            r.problem("simulation", "the default of " + std::to_string(q.years) + " years exceeds the limit of " +
                                        std::to_string(limits.max_years) + "; give simulation.years");
    }
    r.finish();
    if (problems.empty()) out.value = std::move(q);
    return out;
}

SimulatedEvents simulate_event_losses(const risk::Book& book, std::uint32_t years, std::uint64_t seed,
                                      unsigned threads, double price, double keep_above_cny) {
    SimulatedEvents out;
    out.events_cny.resize(years);
    out.annual_cny.assign(years, 0.0);
    risk::Simulation sim;
    sim.years = years;
    sim.seed = seed;
    sim.threads = threads;
    sim.record_events = true;
    // Each visit writes only its own year's slots: safe from any thread, same bits for any count.
    risk::simulate(book, sim, [&](const risk::YearResult& y) {
        const std::size_t i = y.year - sim.first_year;
        out.annual_cny[i] = y.total_tco2e * price;
        for (const risk::Event& e : y.events) {
            const double cny = e.loss_tco2e * price;
            if (cny > keep_above_cny) out.events_cny[i].push_back(cny);
        }
    });
    return out;
}

nlohmann::ordered_json compute_layer(const LayerRequest& q, const risk::Model* model, const std::string& model_version,
                                     unsigned default_threads) {
    std::vector<double> annual;
    std::vector<std::vector<double>> events;
    const bool occurrence = q.basis == "occurrence";
    nlohmann::ordered_json out;
    out["basis"] = q.basis;
    out["attachment_cny"] = q.layer.attachment_cny;
    out["limit_cny"] = q.layer.limit_cny;
    if (q.layer.reinstatements) out["reinstatements"] = *q.layer.reinstatements;
    if (q.layer.aggregate_limit_cny) out["aggregate_limit_cny"] = *q.layer.aggregate_limit_cny;
    if (q.layer.premium_cny) out["premium_cny"] = *q.layer.premium_cny;
    out["currency"] = "CNY";
    if (q.loss_table) {
        YearTable t = year_table(*q.loss_table, occurrence);
        annual = std::move(t.annual);
        events = std::move(t.events);
        out["source"] = "loss_table";
        out["years"] = q.loss_table->years;
    } else {
        if (!model) throw std::logic_error("compute_layer: a portfolio needs a model");
        risk::BookOptions options;
        options.perils = q.perils;
        const risk::Book book = risk::prepare_book(*model, q.holdings, options);
        const unsigned threads = q.threads ? q.threads : default_threads;
        // Events at or below the attachment recover nothing: only the others are kept.
        SimulatedEvents s = simulate_event_losses(book, q.years, q.seed, threads, q.price_cny_per_tco2e,
                                                  occurrence ? q.layer.attachment_cny : inf);
        annual = std::move(s.annual_cny);
        events = std::move(s.events_cny);
        out["source"] = "simulation";
        out["years"] = q.years;
        out["seed"] = q.seed;
        out["model_version"] = model_version;
        out["perils"] = q.perils;
        out["price_cny_per_tco2e"] = q.price_cny_per_tco2e;
        out["carbon_stock_tco2e"] = stock_of(book);
    }
    const pricing::LayerResult r =
        occurrence ? pricing::per_occurrence_layer(events, q.layer) : pricing::aggregate_layer(annual, q.layer);
    double subject = 0;
    for (const double x : annual) subject += x;
    out["expected_subject_loss_cny"] = subject / static_cast<double>(annual.size());
    out["expected_layer_loss_cny"] = r.expected_layer_loss_cny;
    out["expected_layer_loss_se_cny"] = r.expected_layer_loss_se_cny;
    out["layer_loss_std_dev_cny"] = r.std_dev_cny;
    out["probability_of_attaching"] = r.probability_of_attaching;
    out["probability_of_exhausting"] = r.probability_of_exhausting;
    out["rate_on_line"] = r.rate_on_line;
    if (r.rate_on_line_at_premium) out["rate_on_line_at_premium"] = *r.rate_on_line_at_premium;
    if (q.layer.premium_cny && *q.layer.premium_cny > 0)
        out["expected_loss_ratio_at_premium"] = r.expected_layer_loss_cny / *q.layer.premium_cny;
    out["annual_cap_cny"] = finite_or_null(r.annual_cap_cny);
    if (q.layer.reinstatements) out["expected_reinstatements_used"] = r.expected_reinstatements_used;
    return out;
}

// ---- damage valuation ---------------------------------------------------------------------------

Decoded<DamageRequest> decode_damage(const nlohmann::json& body) {
    Decoded<DamageRequest> out;
    auto& problems = out.problems;
    ObjectReader r(body, "", problems);
    if (!r.ok()) return out;
    DamageRequest q;
    auto forest_type = [&](ObjectReader& reader, bool required) -> std::optional<ForestType> {
        auto t = reader.string("forest_type", required);
        if (!t) return std::nullopt;
        if (auto ft = parse_forest_type(*t)) return ft;
        reader.problem("forest_type", "must be one of chinese_fir, masson_pine, eucalyptus, broadleaf, bamboo, mixed, got \"" +
                                          *t + "\"");
        return std::nullopt;
    };
    if (auto id = r.string("case_id", false)) q.case_id = *id;
    if (auto region = r.string("region", true, 12)) {
        q.region = normalise_region_code(*region);
        if (q.region.find_first_not_of("0123456789") != std::string::npos || q.region.size() < 2)
            r.problem("region", "must be a GB/T 2260 code such as \"350802\", got \"" + *region + "\"");
    }
    if (auto ft = forest_type(r, true)) q.forest_type = *ft;
    if (auto a = r.number("age_years", true, {0, 500})) q.age_years = *a;
    const bool has_ha = r.has("damaged_area_ha"), has_mu = r.has("damaged_area_mu");
    if (has_ha && has_mu) r.problem("damaged_area_mu", "give damaged_area_ha or damaged_area_mu, not both");
    if (auto a = r.number("damaged_area_ha", !has_mu, {0, 1e8, true})) q.damaged_area_ha = *a;
    if (auto a = r.number("damaged_area_mu", false, {0, 1.5e9, true})) q.damaged_area_ha = *a / mu_per_ha;
    if (auto f = r.number("stock_loss_fraction", false, unit_share)) q.stock_loss_fraction = *f;
    if (auto d = r.date("damage_date", true)) q.damage_date = *d;
    if (auto m = r.string("market", true, 16)) q.market = *m;
    q.carbon_stock_tco2e_per_ha = r.number("carbon_stock_tco2e_per_ha", false, {0, 5000, true});
    if (const auto* g = r.get("regrowth")) {
        ObjectReader gr(*g, "/regrowth", problems);
        q.regrowth_forest_type = forest_type(gr, false);
        if (auto d = gr.number("delay_years", false, {0, 100})) q.regrowth_delay_years = *d;
        if (auto m = gr.number("max_recovery_years", false, {0, 500, true})) q.max_recovery_years = *m;
        gr.finish();
    }
    if (const auto* p = r.get("price")) {
        ObjectReader pr(*p, "/price", problems);
        if (auto h = pr.number("horizon_years", false, {0, 50})) q.price_horizon_years = *h;
        if (auto levels = distinct_numbers(pr, "levels", open_unit, problems)) q.price_levels = *levels;
        if (auto n = pr.integer("paths", false, 1000, 1'000'000)) q.paths = static_cast<std::uint32_t>(*n);
        if (auto seed = decode_seed(pr)) q.seed = *seed;
        pr.finish();
    }
    r.finish();
    if (problems.empty()) out.value = std::move(q);
    return out;
}

PriceAtHorizon price_at_horizon(const risk::PriceModel& model, double h, std::span<const double> levels,
                                std::uint32_t paths, std::uint64_t seed) {
    PriceAtHorizon out;
    out.levels.assign(levels.begin(), levels.end());
    if (model.jump_intensity == 0) {
        // The log price at h is normal: GBM ln S0 + (mu - vol^2/2) h, sd vol sqrt(h); OU
        // theta + (ln S0 - theta) e^(-k h), sd vol sqrt((1 - e^(-2 k h)) / (2 k)) (risk/simulation/price_path.hpp).
        const double x0 = std::log(model.spot), vol = model.volatility;
        double mean = 0, sd = 0;
        if (model.process == risk::PriceProcess::ou && model.mean_reversion > 0) {
            const double k = model.mean_reversion, theta = model.long_run_log_price;
            mean = theta + (x0 - theta) * std::exp(-k * h);
            sd = vol * std::sqrt(-std::expm1(-2 * k * h) / (2 * k));
        } else if (model.process == risk::PriceProcess::ou) {
            mean = x0;  // no reversion: a driftless random walk in ln S
            sd = vol * std::sqrt(h);
        } else {
            mean = x0 + (model.drift - 0.5 * vol * vol) * h;
            sd = vol * std::sqrt(h);
        }
        out.method = "closed_form";
        out.median = std::exp(mean);
        for (const double a : levels) out.quantiles.push_back(std::exp(mean + sd * risk::normal_quantile(a)));
        return out;
    }
    // With jumps: the marginal at h from simulated paths. The correlation with the fire weather
    // does not change the marginal, so it is dropped (the weather normal is not drawn here).
    risk::PriceModel marginal = model;
    marginal.correlation_with_fire_weather = 0;
    const risk::PricePath path(marginal, {h}, 0);
    std::vector<double> prices(paths);
    double one = 0;
    for (std::uint32_t i = 0; i < paths; ++i) {
        path.simulate(seed, i, 0.0, std::span<double>(&one, 1));
        prices[i] = one;
    }
    std::sort(prices.begin(), prices.end());
    const auto n = static_cast<double>(paths);
    // DESIGN's rule: the ceil(N a)-th smallest (N a rounded to 1e-9 first).
    const auto order = [&](double k) { return prices[static_cast<std::size_t>(std::clamp(k, 1.0, n)) - 1]; };
    const auto quantile = [&](double a) {
        double rank = n * a;
        if (std::abs(rank - std::round(rank)) <= 1e-9 * rank) rank = std::round(rank);
        return order(std::ceil(rank));
    };
    out.method = "monte_carlo";
    out.paths = paths;
    out.median = quantile(0.5);
    const double spread = std::sqrt(n * 0.25);
    out.median_se = 0.5 * (order(std::ceil(n * 0.5 + spread)) - order(std::floor(n * 0.5 - spread)));
    for (const double a : levels) out.quantiles.push_back(quantile(a));
    return out;
}

nlohmann::ordered_json compute_damage(const DamageRequest& q, const risk::Model& model, const std::string& model_version) {
    const auto price_it = model.prices.find(q.market);
    if (price_it == model.prices.end()) {
        std::string known;
        for (const auto& [m, p] : model.prices) known += (known.empty() ? "" : ", ") + m;
        throw InvalidInput("/market", "no calibrated price model for market \"" + q.market + "\" (calibrated: " + known + ")");
    }
    const risk::PriceModel& pm = price_it->second;
    risk::GrowthCurve curve = model.growth[risk::index(q.forest_type)];
    if (!(curve.max_tco2e_per_ha > 0 && curve.rate_per_year > 0 && curve.shape > 0))
        throw InvalidInput("/forest_type", "the model has no growth curve for " + std::string(to_string(q.forest_type)));
    const ForestType regrowth_type = q.regrowth_forest_type.value_or(q.forest_type);
    risk::GrowthCurve regrowth = model.growth[risk::index(regrowth_type)];
    if (!(regrowth.max_tco2e_per_ha > 0 && regrowth.rate_per_year > 0 && regrowth.shape > 0))
        throw InvalidInput("/regrowth/forest_type",
                           "the model has no growth curve for " + std::string(to_string(regrowth_type)));
    double scale = 1;
    if (q.carbon_stock_tco2e_per_ha) {
        // A measured density: the stand's curve is the forest type's, scaled to pass through it.
        const double on_curve = risk::carbon_stock_tco2e_per_ha(curve, q.age_years);
        if (!(on_curve > 0))
            throw InvalidInput("/carbon_stock_tco2e_per_ha", "cannot scale the growth curve at age " + shown(q.age_years) +
                                                                 " (it holds no carbon there)");
        scale = *q.carbon_stock_tco2e_per_ha / on_curve;
        curve.max_tco2e_per_ha *= scale;
        if (regrowth_type == q.forest_type) regrowth.max_tco2e_per_ha *= scale;  // same site, same species
    }
    const PriceAtHorizon price = price_at_horizon(pm, q.price_horizon_years, q.price_levels, q.paths, q.seed);

    pricing::DamageCase c;
    c.growth = curve;
    c.age_years = q.age_years;
    c.damaged_area_ha = q.damaged_area_ha;
    c.stock_loss_fraction = q.stock_loss_fraction;
    if (q.regrowth_forest_type) c.regrowth = regrowth;
    c.regrowth_delay_years = q.regrowth_delay_years;
    c.max_recovery_years = q.max_recovery_years;
    c.price_median_cny_per_tco2e = price.median;
    for (std::size_t i = 0; i < price.levels.size(); ++i) c.price_quantiles.push_back({price.levels[i], price.quantiles[i]});
    const pricing::DamageValuation v = pricing::value_damage(c);

    nlohmann::ordered_json out;
    if (!q.case_id.empty()) out["case_id"] = q.case_id;
    out["region"] = q.region;
    out["forest_type"] = to_string(q.forest_type);
    out["age_years"] = q.age_years;
    out["damaged_area_ha"] = q.damaged_area_ha;
    out["stock_loss_fraction"] = q.stock_loss_fraction;
    out["damage_date"] = q.damage_date;
    out["market"] = q.market;
    out["currency"] = "CNY";
    out["growth_curve"] = {{"max_tco2e_per_ha", curve.max_tco2e_per_ha}, {"rate_per_year", curve.rate_per_year},
                           {"shape", curve.shape}, {"scaled_by", scale}};
    out["regrowth"] = {{"forest_type", to_string(regrowth_type)}, {"delay_years", q.regrowth_delay_years},
                       {"max_recovery_years", q.max_recovery_years}};
    out["stock_before_tco2e_per_ha"] = risk::carbon_stock_tco2e_per_ha(curve, q.age_years);
    out["stock_lost_tco2e"] = v.stock_lost_tco2e;
    out["recovery_years"] = v.recovery_years;
    out["recovered"] = v.recovered;
    out["sequestration_forgone_tco2e"] = v.sequestration_forgone_tco2e;
    out["total_tco2e"] = v.total_tco2e;
    out["carbon_gap_tco2e_years"] = v.carbon_gap_tco2e_years;
    nlohmann::ordered_json p;
    p["method"] = price.method;
    p["process"] = pm.process == risk::PriceProcess::ou ? "ou" : "gbm";
    p["jumps"] = pm.jump_intensity > 0;
    p["spot_cny_per_tco2e"] = pm.spot;
    p["spot_date"] = pm.spot_date;
    p["horizon_years"] = q.price_horizon_years;
    p["median_cny_per_tco2e"] = price.median;
    p["median_se_cny_per_tco2e"] = price.median_se;
    p["quantiles_cny_per_tco2e"] = keyed(price.levels, [&](std::size_t i) { return price.quantiles[i]; });
    if (price.method == "monte_carlo") {
        p["paths"] = price.paths;
        p["seed"] = q.seed;
    }
    out["price"] = p;
    out["replacement_cost_cny"] = v.replacement_cost_cny;
    out["replacement_cost_range_cny"] =
        keyed(price.levels, [&](std::size_t i) { return v.replacement_cost_range_cny[i].cost_cny; });
    out["model_version"] = model_version;
    return out;
}

// ---- reversal buffer ----------------------------------------------------------------------------

Decoded<BufferRequest> decode_buffer(const nlohmann::json& body, const ProductLimits& limits) {
    Decoded<BufferRequest> out;
    auto& problems = out.problems;
    ObjectReader r(body, "", problems);
    if (!r.ok()) return out;
    BufferRequest q;
    if (auto id = r.string("project_id", false)) q.project_id = *id;
    const bool many = r.has("holdings"), one = r.has("holding");
    if (many == one)
        r.problem(one ? "holding" : "holdings", one ? "give holdings or holding, not both"
                                                    : "is required: the project's holdings (or one holding)");
    if (many) q.holdings = decode_holdings(r, "holdings", limits.max_holdings, problems);
    if (one) {
        auto h = decode_holding(*r.get("holding"), "/holding");
        problems.insert(problems.end(), h.problems.begin(), h.problems.end());
        if (h.value) q.holdings.push_back(std::move(*h.value));
    }
    q.perils = decode_perils(r, problems, std::vector<std::string>{"fire", "pest"});
    if (auto h = r.integer("horizon_years", false, 1, 200)) q.horizon_years = static_cast<std::uint32_t>(*h);
    if (auto a = r.number("alpha", false, open_unit)) q.alpha = *a;
    q.buffer_share = r.number("buffer_share", false, unit_share);
    if (const auto* s = r.get("simulation")) {
        ObjectReader sr(*s, "/simulation", problems);
        if (auto n = sr.integer("paths", false, 2, 1'000'000)) q.paths = static_cast<std::uint32_t>(*n);
        if (auto seed = decode_seed(sr)) q.seed = *seed;
        if (auto t = sr.integer("threads", false, 0, 256)) q.threads = static_cast<unsigned>(*t);
        sr.finish();
    }
    const long long total = static_cast<long long>(q.paths) * q.horizon_years;
    if (problems.empty() && total > limits.max_simulated_years)
        problems.push_back({"/simulation/paths", "paths x horizon_years = " + std::to_string(total) +
                                                     " simulated years, more than the limit of " +
                                                     std::to_string(limits.max_simulated_years)});
    r.finish();
    if (problems.empty()) out.value = std::move(q);
    return out;
}

std::vector<double> cumulative_reversal_shares(const risk::Book& book, std::uint32_t horizon, std::uint32_t paths,
                                               std::uint64_t seed, unsigned threads) {
    const double stock = stock_of(book);
    if (!(stock > 0)) throw InvalidInput("/holdings", "the project holds no carbon (stock 0 tCO2e)");
    const std::uint64_t total = std::uint64_t{horizon} * paths;
    if (total > 0xffffffffULL) throw InvalidInput("/simulation/paths", "paths x horizon_years must be below 2^32");
    risk::Simulation sim;
    sim.years = static_cast<std::uint32_t>(total);
    sim.seed = seed;
    sim.threads = threads;
    std::vector<double> lost(sim.years);
    risk::simulate(book, sim, [&](const risk::YearResult& y) { lost[y.year - sim.first_year] = y.total_tco2e; });
    std::vector<double> shares(paths);
    for (std::uint32_t p = 0; p < paths; ++p) {
        double sum = 0;
        for (std::uint32_t t = 0; t < horizon; ++t) sum += lost[std::size_t{p} * horizon + t];  // year order
        shares[p] = std::min(1.0, sum / stock);
    }
    return shares;
}

nlohmann::ordered_json compute_buffer(const BufferRequest& q, const risk::Model& model, const std::string& model_version,
                                      unsigned default_threads) {
    risk::BookOptions options;
    options.perils = q.perils;
    const risk::Book book = risk::prepare_book(model, q.holdings, options);
    const double stock = stock_of(book);
    const auto shares =
        cumulative_reversal_shares(book, q.horizon_years, q.paths, q.seed, q.threads ? q.threads : default_threads);
    pricing::BufferTerms terms;
    terms.horizon_years = q.horizon_years;
    terms.alpha = q.alpha;
    terms.buffer_share = q.buffer_share;
    const pricing::BufferResult r = pricing::reversal_buffer(shares, terms);
    std::size_t any = 0;
    for (const double s : shares) any += s > 0 ? 1 : 0;
    double credits = 0;
    bool has_credits = false;
    for (const auto& h : q.holdings)
        if (h.credits_tco2e) {
            credits += *h.credits_tco2e;
            has_credits = true;
        }

    nlohmann::ordered_json out;
    if (!q.project_id.empty()) out["project_id"] = q.project_id;
    out["holdings"] = q.holdings.size();
    out["perils"] = q.perils;
    out["horizon_years"] = q.horizon_years;
    out["alpha"] = q.alpha;
    out["paths"] = q.paths;
    out["seed"] = q.seed;
    out["simulated_years"] = std::uint64_t{q.paths} * q.horizon_years;
    out["model_version"] = model_version;
    out["carbon_stock_tco2e"] = stock;
    if (has_credits) out["credits_tco2e"] = credits;
    out["reversal_definition"] =
        "cumulative gross carbon lost over the horizon / carbon stock at the start, capped at 1; no credit for regrowth";
    out["buffer_share"] = r.buffer_share.value;
    out["buffer_share_se"] = r.buffer_share.standard_error;
    out["buffer_tco2e"] = r.buffer_share.value * stock;
    if (has_credits) out["buffer_credits_tco2e"] = r.buffer_share.value * credits;
    out["mean_reversal_share"] = r.mean_reversal_share.value;
    out["mean_reversal_share_se"] = r.mean_reversal_share.standard_error;
    out["probability_of_any_reversal"] = static_cast<double>(any) / static_cast<double>(shares.size());
    if (r.probability_exhausted) {
        out["tested_buffer_share"] = *q.buffer_share;
        out["probability_exhausted"] = r.probability_exhausted->value;
        out["probability_exhausted_se"] = r.probability_exhausted->standard_error;
    }
    return out;
}

// ---- burning cost -------------------------------------------------------------------------------

Decoded<BurningCostRequest> decode_burning_cost(const nlohmann::json& body) {
    Decoded<BurningCostRequest> out;
    auto& problems = out.problems;
    ObjectReader r(body, "", problems);
    if (!r.ok()) return out;
    BurningCostRequest q;
    if (const auto* h = r.get("holding")) {
        auto d = decode_holding(*h, "/holding");
        problems.insert(problems.end(), d.problems.begin(), d.problems.end());
        if (d.value) q.holding = std::move(*d.value);
    } else {
        r.problem("holding", "is required");
    }
    if (const auto* c = r.get("cover")) {
        ObjectReader cr(*c, "/cover", problems);
        if (auto f = cr.one_of("form", true, {"per_tonne", "linear"})) q.form = *f;
        if (q.form == "per_tonne") {
            if (auto v = cr.number("price_cny_per_tco2e", true, positive)) q.price_cny_per_tco2e = *v;
            if (auto v = cr.number("deductible_tco2e", false, non_negative)) q.deductible_tco2e = *v;
            q.limit_cny = cr.number("limit_cny", false, positive);
            q.sum_insured_cny = cr.number("sum_insured_cny", false, positive);
        } else if (q.form == "linear") {
            q.sum_insured_cny = cr.number("sum_insured_cny", true, positive);
            const auto t = cr.number("trigger", true, {0, 1, false, true});
            const auto e = cr.number("exit", true, {0, 1, true, false});
            if (t) q.trigger = *t;
            if (e) q.exit = *e;
            if (t && e && !(*e > *t)) cr.problem("exit", "must be greater than trigger");
        } else {
            for (const auto& [key, v] : c->items()) {
                (void)v;
                cr.get(key);  // the form is already reported
            }
        }
        cr.finish();
    } else {
        r.problem("cover", "is required: {form: per_tonne | linear, ...}");
    }
    if (auto y = r.integer("policy_year", false, 1900, 2200)) q.policy_year = static_cast<int>(*y);
    if (auto y = r.integer("from_year", false, 1900, 2200)) q.from_year = static_cast<int>(*y);
    if (auto y = r.integer("to_year", false, 1900, 2200)) q.to_year = static_cast<int>(*y);
    if (q.from_year && q.to_year && *q.from_year > *q.to_year) r.problem("from_year", "must not be after to_year");
    r.finish();
    if (problems.empty()) out.value = std::move(q);
    return out;
}

FireTrend fire_trend_from_report(const nlohmann::json& report) {
    const auto estimate = [&](const char* family) {
        const auto& params = report.at(family).at("parameters");
        const auto it = params.find("trend_per_year");
        if (it == params.end() || !(*it).contains("estimate") || !(*it)["estimate"].is_number()) return 0.0;
        return (*it)["estimate"].get<double>();
    };
    const auto year = [](const nlohmann::json& v) {
        if (v.is_number_integer()) return v.get<int>();
        if (v.is_number()) return static_cast<int>(v.get<double>());
        return std::stoi(v.get<std::string>().substr(0, 4));
    };
    FireTrend t;
    t.counts_trend_per_year = estimate("counts");
    t.burned_area_trend_per_year = report.contains("burned_area") ? estimate("burned_area") : 0.0;
    t.first_year = year(report.at("counts").at("data_from"));
    t.last_year = year(report.at("counts").at("data_to"));
    return t;
}

nlohmann::ordered_json compute_burning_cost(const BurningCostRequest& q, const BurningCostInputs& in,
                                            const std::string& model_version) {
    if (!(in.province_forest_area_ha > 0))
        throw InvalidInput("/holding/region", "province " + in.province + " has no forest area");
    std::vector<FireYear> history = in.history;
    std::sort(history.begin(), history.end(), [](const FireYear& a, const FireYear& b) { return a.year < b.year; });
    if (history.size() < 2)
        throw InvalidInput("/from_year", "province " + in.province + " has " + std::to_string(history.size()) +
                                             " fire year(s) in the range; burning cost needs at least 2");
    const int policy_year = q.policy_year.value_or(in.trend.last_year + 1);
    // The calibration holds the trend flat after its last year (api/service/calibration.cpp): so does the replay.
    const int trend_year = std::min(policy_year, in.trend.last_year);
    const double b = in.trend.counts_trend_per_year + in.trend.burned_area_trend_per_year;
    const double area = q.holding.area_ha;
    const double share = area / in.province_forest_area_ha;
    const double stock = area * in.stock_tco2e_per_ha;

    std::vector<double> loss(history.size());
    nlohmann::ordered_json rows = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < history.size(); ++i) {
        const FireYear& f = history[i];
        const double factor = std::exp(b * static_cast<double>(trend_year - f.year));
        const double adjusted = f.forest_damaged_ha * factor;
        const double burned = std::min(area, adjusted * share);
        loss[i] = burned * in.stock_tco2e_per_ha * in.loss_fraction;
        rows.push_back({{"year", f.year}, {"forest_damaged_ha", f.forest_damaged_ha}, {"trend_factor", factor},
                        {"adjusted_damaged_ha", adjusted}, {"holding_burned_ha", burned}, {"loss_tco2e", loss[i]}});
    }
    pricing::BurningCost bc;
    double sum_insured = 0;
    if (q.form == "per_tonne") {
        pricing::PerTonneCover c;
        c.price_cny_per_tco2e = q.price_cny_per_tco2e;
        c.deductible_tco2e = q.deductible_tco2e;
        sum_insured = q.sum_insured_cny.value_or(pricing::sum_insured_cny(c, stock));
        c.limit_cny = q.limit_cny.value_or(sum_insured);
        bc = pricing::burning_cost(c, loss);
    } else {
        if (!(stock > 0)) throw InvalidInput("/holding", "the holding holds no carbon (stock 0 tCO2e)");
        pricing::LinearCover c;
        c.sum_insured_cny = *q.sum_insured_cny;
        c.trigger = q.trigger;
        c.exit = q.exit;
        sum_insured = c.sum_insured_cny;
        bc = pricing::burning_cost(c, loss, stock);
    }
    for (std::size_t i = 0; i < rows.size(); ++i) rows[i]["payout_cny"] = bc.payouts_cny[i];

    nlohmann::ordered_json out;
    out["holding_id"] = q.holding.id;
    out["region"] = q.holding.region;
    out["province"] = in.province;
    out["forest_type"] = to_string(q.holding.forest_type);
    out["area_ha"] = area;
    out["carbon_stock_tco2e"] = stock;
    out["form"] = q.form;
    out["currency"] = "CNY";
    out["sum_insured_cny"] = sum_insured;
    out["policy_year"] = policy_year;
    out["trend"] = {{"counts_trend_per_year", in.trend.counts_trend_per_year},
                    {"burned_area_trend_per_year", in.trend.burned_area_trend_per_year},
                    {"total_trend_per_year", b},
                    {"adjusted_to_year", trend_year},
                    {"calibration_id", in.calibration_id},
                    {"rule", "damaged area x exp(total_trend x (adjusted_to_year - year)); the trend is held flat after " +
                                 std::to_string(in.trend.last_year) + " as in the fire calibration"}};
    out["province_forest_area_ha"] = in.province_forest_area_ha;
    out["holding_share_of_province_forest"] = share;
    out["loss_fraction"] = in.loss_fraction;
    out["years"] = bc.years;
    out["first_year"] = history.front().year;
    out["last_year"] = history.back().year;
    out["burning_cost_cny"] = bc.burning_cost_cny.value;
    out["burning_cost_se_cny"] = bc.burning_cost_cny.standard_error;
    out["std_dev_cny"] = bc.std_dev_cny;
    out["probability_of_payout"] = bc.probability_of_payout;
    out["rate_on_sum_insured"] = sum_insured > 0 ? bc.burning_cost_cny.value / sum_insured : 0.0;
    out["expected_loss_tco2e"] = [&] {
        double s = 0;
        for (const double x : loss) s += x;
        return s / static_cast<double>(loss.size());
    }();
    out["history"] = rows;
    out["model_version"] = model_version;
    return out;
}

// ---- handlers -----------------------------------------------------------------------------------

ProductOutcome handle_credibility(data::Store&, ModelCache&, const nlohmann::json& body, const ProductLimits&) {
    return credibility(body);
}

ProductOutcome handle_metrics(data::Store&, ModelCache&, const nlohmann::json& body, const ProductLimits& limits) {
    return metrics(body, limits);
}

namespace {

// Library fields of the layer terms live under /layer in the request.
std::string layer_pointer(const std::string& pointer) {
    for (const char* f : {"/attachment_cny", "/limit_cny", "/reinstatements", "/aggregate_limit_cny", "/premium_cny"})
        if (pointer == f) return "/layer" + pointer;
    return pointer;
}

}  // namespace

ProductOutcome handle_layer(data::Store& store, ModelCache& models, const nlohmann::json& body,
                            const ProductLimits& limits) {
    return run_product(
        body, "layer request", [&](const nlohmann::json& b) { return decode_layer(b, limits); },
        [&](const LayerRequest& q, ProductOutcome& outcome) {
            if (q.loss_table) return compute_layer(q, nullptr, "", limits.threads);
            const auto model = models.current(store);
            outcome.simulated_years = q.years;
            return compute_layer(q, model.model.get(), model.version, limits.threads);
        },
        layer_pointer);
}

ProductOutcome handle_damage(data::Store& store, ModelCache& models, const nlohmann::json& body, const ProductLimits&) {
    return run_product(body, "damage valuation request", decode_damage, [&](const DamageRequest& q, ProductOutcome&) {
        const auto market = store.market(q.market);
        if (!market) throw InvalidInput("/market", "unknown market \"" + q.market + "\"; GET /v1/markets lists the markets");
        if (market->currency != "CNY")
            throw InvalidInput("/market", "market " + q.market + " is quoted in " + market->currency +
                                              "; damage valuation needs a CNY market (e.g. FJEA, CEA, CCER)");
        const auto model = models.current(store);
        return compute_damage(q, *model.model, model.version);
    });
}

ProductOutcome handle_buffer(data::Store& store, ModelCache& models, const nlohmann::json& body,
                             const ProductLimits& limits) {
    const bool single = body.is_object() && body.contains("holding");
    return run_product(
        body, "buffer request", [&](const nlohmann::json& b) { return decode_buffer(b, limits); },
        [&](const BufferRequest& q, ProductOutcome& outcome) {
            const auto model = models.current(store);
            outcome.simulated_years = std::uint64_t{q.paths} * q.horizon_years;
            return compute_buffer(q, *model.model, model.version, limits.threads);
        },
        [single](const std::string& pointer) {
            // One "holding" is book position 0: name it as the request did.
            if (single && pointer.rfind("/holdings/0", 0) == 0) return "/holding" + pointer.substr(11);
            return pointer;
        });
}

ProductOutcome handle_burning_cost(data::Store& store, ModelCache& models, const nlohmann::json& body,
                                   const ProductLimits&) {
    const auto compute = [&](const BurningCostRequest& q, ProductOutcome&) {
        const auto model = models.current(store);
        const auto version = model_version(store, model.version);
        if (!version) throw std::runtime_error("model version " + model.version + " is not in the store");
        // The region's fire calibration: the longest prefix of its code with one (as risk/simulation/simulate.cpp).
        const Calibration* fire = nullptr;
        const std::string code = q.holding.region;
        for (std::size_t len : {code.size(), std::size_t{4}, std::size_t{2}}) {
            if (fire || len > code.size()) continue;
            for (const auto& c : version->calibrations)
                if (c.family == "fire" && c.scope == code.substr(0, len)) fire = &c;
        }
        if (!fire || !model.model->fire.count(fire->scope))
            throw InvalidInput("/holding/region", "model version " + model.version + " has no fire calibration for region " +
                                                      code + " or its province");
        BurningCostInputs in;
        in.province = fire->scope;
        in.calibration_id = fire->id;
        in.trend = fire_trend_from_report(fire->report);
        in.history = store.fire_history(in.province, q.from_year.value_or(in.trend.first_year),
                                        q.to_year.value_or(in.trend.last_year));
        if (fire->report.contains("forest_area_ha") && fire->report["forest_area_ha"].is_number())
            in.province_forest_area_ha = fire->report["forest_area_ha"].get<double>();
        else in.province_forest_area_ha = store.forest_area_ha(in.province).value_or(0.0);
        in.stock_tco2e_per_ha = risk::holding_carbon(q.holding, model.model->growth, {}, "/holding").stock_tco2e_per_ha;
        in.loss_fraction = model.model->fire.at(in.province).loss_fraction[risk::index(q.holding.forest_type)];
        return compute_burning_cost(q, in, model.version);
    };
    return run_product(body, "burning cost request", decode_burning_cost, compute);
}

}  // namespace tanhui::api
