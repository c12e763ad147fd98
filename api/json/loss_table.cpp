#include "api/json/loss_table.hpp"

#include "api/json/fields.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <type_traits>

namespace tanhui::api {

namespace {

// JSON integers up to 2^53 are exact as doubles.
constexpr long long max_id = 9'007'199'254'740'992LL;

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

using Columns = std::map<std::string, std::size_t, std::less<>>;

// The header line: each of year, event and loss once, nothing else; or year and loss only (a
// year loss table such as a batch's ylt_cny.csv: each row is its year's loss, as one event).
// False after a problem.
bool read_header(const std::vector<std::string_view>& cells, const std::string& at_line, Columns& column,
                 std::vector<FieldProblem>& problems) {
    const std::size_t before = problems.size();
    for (std::size_t i = 0; i < cells.size(); ++i) {
        if (!column.emplace(std::string(cells[i]), i).second)
            problems.push_back({"", at_line + "column \"" + std::string(cells[i]) + "\" is given twice"});
    }
    if (problems.size() == before && column.size() == 2 && column.count("year") && column.count("loss")) return true;
    for (const char* need : {"year", "event", "loss"})
        if (!column.count(need))
            problems.push_back({"", at_line + "the header must name the columns year,event,loss; \"" + need + "\" is missing"});
    for (const auto& [name, i] : column)
        if (name != "year" && name != "event" && name != "loss")
            problems.push_back({"", at_line + "unknown column \"" + name + "\" (the columns are year,event,loss)"});
    return problems.size() == before;
}

// One data line as {"year", "event", "loss"}, or null after a problem (each cell named by `at`).
nlohmann::json read_row(const std::vector<std::string_view>& cells, Columns& column, std::uint64_t years,
                        const std::string& at, const std::string& at_line, std::vector<FieldProblem>& problems) {
    std::uint64_t year = 0, event = 0;
    double loss = 0;
    const auto event_column = column.find("event");
    const std::string_view y = cells[column["year"]], l = cells[column["loss"]];
    const std::string_view e = event_column == column.end() ? std::string_view("1") : cells[event_column->second];
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
    return ok ? nlohmann::json{{"year", year}, {"event", event}, {"loss", loss}} : nlohmann::json(nullptr);
}

}  // namespace

std::optional<risk::LossTable> decode_loss_table(ObjectReader& r, const LossTableLimits& limits,
                                                 std::vector<FieldProblem>& problems) {
    risk::LossTable table;
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
            const auto l = row.number("loss", true, range::non_negative);
            row.finish();
            if (y && e && l) table.rows.push_back({static_cast<std::uint64_t>(*y), static_cast<std::uint64_t>(*e), *l});
        }
    }
    if (!years || problems.size() != before) return std::nullopt;
    return table;
}

Decoded<nlohmann::json> loss_csv_to_json(std::string_view text, std::uint64_t years, const LossTableLimits& limits) {
    Decoded<nlohmann::json> out;
    auto& problems = out.problems;
    if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 BOM
    std::size_t line_no = 0, pos = 0;
    Columns column;
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
            if (!read_header(cells, at_line, column, problems)) return out;
            header = true;
            continue;
        }
        const std::string at = "/losses/" + std::to_string(rows.size());
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
        rows.push_back(read_row(cells, column, years, at, at_line, problems));
        if (end == text.size()) break;
    }
    if (!header && problems.empty()) problems.push_back({"", "line 1: the CSV is empty; the header is year,event,loss"});
    if (problems.empty()) out.value = nlohmann::json{{"years", years}, {"losses", std::move(rows)}};
    return out;
}

}  // namespace tanhui::api
