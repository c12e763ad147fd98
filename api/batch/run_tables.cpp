#include "api/batch/run_tables.hpp"

#include "api/batch/checkpoint.hpp"
#include "api/batch/ord_csv.hpp"
#include "data/import/csv.hpp"
#include "data/types.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <string_view>

namespace tanhui::api::batch {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const fs::path& file, const std::string& message) {
    throw InvalidInput("--run", file.string() + ": " + message);
}

std::string text_of(const fs::path& file, const std::string& hint) {
    auto text = read_file(file);
    if (!text) fail(file, "cannot read it" + hint);
    return std::move(*text);
}

// The comma-separated cells of each line after the header (the header checked), numbers only:
// the batch writes these tables without quoting.
std::vector<std::vector<double>> numeric_rows(const fs::path& file, std::string_view header, std::size_t columns) {
    const std::string text = text_of(file, ": is DIR the --out folder of a finished `tanhui batch`?");
    std::vector<std::vector<double>> rows;
    std::size_t at = 0, line = 0;
    while (at < text.size()) {
        const std::size_t end = std::min(text.find('\n', at), text.size());
        const std::string_view l(text.data() + at, end - at);
        at = end + 1;
        if (++line == 1) {
            if (l != header) fail(file, "the header is not " + std::string(header));
            continue;
        }
        std::vector<double> cells;
        for (std::size_t from = 0; from <= l.size();) {
            const std::size_t comma = std::min(l.find(',', from), l.size());
            double v = 0;
            const auto r = std::from_chars(l.data() + from, l.data() + comma, v);
            if (r.ec != std::errc{} || r.ptr != l.data() + comma || !std::isfinite(v))
                fail(file, "line " + std::to_string(line) + ": not a number: \"" + std::string(l.substr(from, comma - from)) + "\"");
            cells.push_back(v);
            from = comma + 1;
        }
        if (cells.size() != columns) fail(file, "line " + std::to_string(line) + ": expected " + std::to_string(columns) + " fields");
        rows.push_back(std::move(cells));
    }
    return rows;
}

}  // namespace

RunTables read_run_tables(const fs::path& dir, const std::string& unit) {
    RunTables t;
    const fs::path ylt = dir / ("ylt_" + unit + ".csv"), selt = dir / ("selt_" + unit + ".csv");
    for (const auto& row : numeric_rows(ylt, ylt_header, 2)) {
        if (row[0] != static_cast<double>(t.annual.size() + 1)) fail(ylt, "the years must run 1, 2, ... N, every year");
        t.annual.push_back(row[1]);
    }
    if (t.annual.size() < 2) fail(ylt, "needs at least 2 years");
    t.largest.assign(t.annual.size(), 0.0);
    for (const auto& row : numeric_rows(selt, selt_header, 5)) {
        const double year = row[0];  // EventId = Period = the year (docs/batch.md)
        if (!(year >= 1 && year <= static_cast<double>(t.annual.size()) && year == std::floor(year)))
            fail(selt, "EventId " + format_number(year) + " is not a year of " + ylt.filename().string());
        t.largest[static_cast<std::size_t>(year) - 1] = row[3];
    }
    return t;
}

std::vector<pricing::EventLoss> read_run_occurrences(const fs::path& dir, std::size_t years) {
    const fs::path file = dir / "policy_ylt_cny.csv";
    const auto csv = data::parse_csv(text_of(file, ": occurrence layers on a run need it: run the batch with --policy-ylt"));
    if (!csv.errors.empty()) fail(file, "line " + std::to_string(csv.errors.front().line) + ": " + csv.errors.front().message);
    if (csv.header != std::vector<std::string>{"policy_id", "year", "payout_cny"}) fail(file, "the header is not policy_id,year,payout_cny");
    std::vector<std::pair<std::size_t, pricing::EventLoss>> rows;  // (policy order, occurrence)
    std::map<std::string, std::size_t> policy;
    for (const auto& r : csv.rows) {
        std::size_t year = 0;
        double payout = 0;
        const auto& y = r.fields[1];
        const auto& p = r.fields[2];
        const auto ry = std::from_chars(y.data(), y.data() + y.size(), year);
        const auto rp = std::from_chars(p.data(), p.data() + p.size(), payout);
        if (ry.ec != std::errc{} || ry.ptr != y.data() + y.size() || year < 1 || year > years || rp.ec != std::errc{} ||
            rp.ptr != p.data() + p.size() || !(payout >= 0))
            fail(file, "line " + std::to_string(r.line) + ": year must be 1.." + std::to_string(years) + " and payout_cny >= 0");
        const auto [it, added] = policy.emplace(r.fields[0], policy.size());
        (void)added;
        rows.push_back({it->second, {year, payout}});
    }
    std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
        return a.second.year != b.second.year ? a.second.year < b.second.year : a.first < b.first;
    });
    std::vector<pricing::EventLoss> out;
    out.reserve(rows.size());
    for (const auto& r : rows) out.push_back(r.second);
    return out;
}

}  // namespace tanhui::api::batch
