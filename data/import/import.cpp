#include "data/import/import.hpp"

#include "data/import/csv.hpp"
#include "data/repositories/repository.hpp"
#include "data/types.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <openssl/evp.h>
#include <sqlite3.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>

namespace tanhui::data {

namespace {

enum class Type { text, integer, real, date, flag, region, forest_type };

struct Column {
    std::string_view name;
    Type type;
    bool required = true;
    double min = -std::numeric_limits<double>::infinity();
    bool min_exclusive = false;
    double max = std::numeric_limits<double>::infinity();  // inclusive
};

struct Spec {
    std::string_view kind;
    std::string_view table;
    std::vector<Column> columns;        // as in the file (and the table, plus `market` for prices)
    std::vector<std::string_view> key;  // primary key columns
    bool user_kind = false;             // offered by `tanhui data import`
    // Its columns whose cells may be empty (required false) may also be left out of the header
    // (holdings: a user's file names only what it knows). The historical kinds name every column.
    bool optional_columns_may_be_absent = false;
};

const std::vector<Spec>& specs() {
    static const std::vector<Spec> list{
        {"regions", "regions",
         {{"code", Type::text}, {"level", Type::text}, {"name_zh", Type::text},
          {"name_pinyin", Type::text}, {"parent_code", Type::region, false}},
         {"code"}, true},
        {"forest_area", "forest_area",
         {{"region", Type::region}, {"inventory", Type::text}, {"reference_year", Type::integer, false, 1900},
          {"forest_area_ha", Type::real, false, 0}, {"forest_cover_pct", Type::real, false, 0},
          {"forest_stock_m3", Type::real, false, 0}, {"source", Type::text}},
         {"region", "inventory"}},
        {"markets", "markets",
         {{"market", Type::text}, {"name_en", Type::text}, {"name_zh", Type::text},
          {"exchange", Type::text}, {"currency", Type::text}, {"unit", Type::text},
          {"first_date", Type::date, false}, {"last_date", Type::date, false},
          {"observations", Type::integer, false, 0}, {"source", Type::text}},
         {"market"}},
        {"prices", "price_history",
         {{"date", Type::date}, {"close", Type::real, true, 0, true}, {"volume_t", Type::real, false, 0},
          {"currency", Type::text}, {"traded", Type::flag}, {"source", Type::text}},
         {"market", "date"}, true},
        {"fire", "fire_history",
         {{"region", Type::region}, {"year", Type::integer, true, 1900}, {"fires", Type::real, true, 0},
          {"fires_general", Type::real, false, 0}, {"fires_larger", Type::real, false, 0},
          {"fires_major", Type::real, false, 0}, {"fires_extreme", Type::real, false, 0},
          {"burned_area_ha", Type::real, true, 0}, {"forest_damaged_ha", Type::real, true, 0},
          {"casualties", Type::real, false, 0}, {"deaths", Type::real, false, 0},
          {"other_losses_10k_cny", Type::real, false, 0}, {"source", Type::text}},
         {"region", "year"}, true},
        {"disaster", "disaster_history",
         {{"region", Type::region}, {"year", Type::integer, true, 1900},
          {"crop_affected_area_kha", Type::real, false, 0}, {"crop_failure_area_kha", Type::real, false, 0},
          {"drought_affected_kha", Type::real, false, 0}, {"drought_failure_kha", Type::real, false, 0},
          {"flood_geo_typhoon_affected_kha", Type::real, false, 0},
          {"flood_geo_typhoon_failure_kha", Type::real, false, 0},
          {"wind_hail_affected_kha", Type::real, false, 0}, {"wind_hail_failure_kha", Type::real, false, 0},
          {"lowtemp_freeze_snow_affected_kha", Type::real, false, 0},
          {"lowtemp_freeze_snow_failure_kha", Type::real, false, 0},
          {"affected_population_10k", Type::real, false, 0}, {"deaths_persons", Type::real, false, 0},
          {"direct_economic_loss_100m_cny", Type::real, false, 0}, {"source", Type::text}},
         {"region", "year"}},
        {"geological_hazards", "geological_hazards",
         {{"region", Type::region}, {"year", Type::integer, true, 1900}, {"hazards_total", Type::real, true, 0},
          {"landslides", Type::real, true, 0}, {"collapses", Type::real, true, 0}, {"debris_flows", Type::real, true, 0},
          {"ground_subsidence", Type::real, false, 0}, {"deaths", Type::real, false, 0},
          {"casualties", Type::real, false, 0}, {"direct_loss_10k_cny", Type::real, false, 0}, {"source", Type::text}},
         {"region", "year"}},
        {"province_neighbours", "province_neighbours",
         {{"region", Type::region}, {"neighbour", Type::region}, {"seat_distance_km", Type::real, false, 0},
          {"source", Type::text}},
         {"region", "neighbour"}},
        {"pest", "pest_history",
         {{"region", Type::region}, {"year", Type::integer, true, 1900}, {"pest", Type::text},
          {"occurrence_area_ha", Type::real, true, 0}, {"control_area_ha", Type::real, false, 0},
          {"control_rate_pct", Type::real, false, 0}, {"source", Type::text}},
         {"region", "year", "pest"}, true},
        {"typhoon", "typhoon_tracks",
         {{"storm", Type::text}, {"year", Type::integer, true, 1900}, {"cma_number", Type::text, false},
          {"time", Type::text}, {"class", Type::integer, true, 0}, {"lat", Type::real, true, -90, false, 90},
          {"lon", Type::real, true, -180, false, 360}, {"pressure_hpa", Type::real, true, 0, true}, {"wind_ms", Type::real, true, 0}},
         {"storm", "time"}},
        {"region_centroids", "region_centroids",
         {{"region", Type::region}, {"level", Type::text}, {"latitude", Type::real, true, -90, false, 90},
          {"longitude", Type::real, true, -180, false, 180}, {"matched_as", Type::text}},
         {"region"}},
        {"forest_types", "forest_types",
         {{"forest_type", Type::forest_type}, {"name_zh", Type::text}, {"name_en", Type::text},
          {"wood_density_t_per_m3", Type::real, false, 0, true}, {"bef_a_t_per_m3", Type::real, false, 0},
          {"bef_b_t_per_ha", Type::real, false}, {"carbon_fraction", Type::real, false, 0, true},
          {"root_shoot_ratio", Type::real, false, 0}, {"tree_carbon_tc_per_ha", Type::real, false, 0},
          {"ecosystem_carbon_tc_per_ha", Type::real, false, 0}, {"source", Type::text}},
         {"forest_type"}},
        {"carbon_density", "carbon_density_by_age",
         {{"forest_type", Type::forest_type}, {"origin", Type::text}, {"region", Type::text},
          {"age_group", Type::text}, {"age_from_years", Type::real, false, 0},
          {"age_to_years", Type::real, false, 0}, {"tree_carbon_tc_per_ha", Type::real, true, 0},
          {"source", Type::text}},
         {"forest_type", "origin", "region", "age_group"}},
        {"assumptions", "assumptions",
         {{"key", Type::text}, {"value", Type::real}, {"unit", Type::text}, {"applies_to", Type::text},
          {"rationale", Type::text}, {"citation", Type::text}, {"low", Type::real, false},
          {"high", Type::real, false}},
         {"key"}},
        // area_ha or area_mu (1 ha = 15 mu, as in a quote request), one of them on each row.
        {"holdings", "holdings",
         {{"id", Type::text}, {"region", Type::region}, {"forest_type", Type::forest_type},
          {"area_ha", Type::real, false, 0, true}, {"age_years", Type::real, true, 0},
          {"carbon_stock_tco2e_per_ha", Type::real, false, 0},
          {"sequestration_tco2e_per_ha_yr", Type::real, false},
          {"credits_tco2e", Type::real, false, 0}, {"area_mu", Type::real, false, 0, true},
          {"latitude", Type::real, false, -90, false, 90}, {"longitude", Type::real, false, -180, false, 180}},
         {"id"}, true, true},
    };
    return list;
}

bool may_be_absent(const Spec& spec, const Column& column) { return spec.optional_columns_may_be_absent && !column.required; }

std::size_t index_of(const Spec& spec, std::string_view column) {
    for (std::size_t c = 0; c < spec.columns.size(); ++c)
        if (spec.columns[c].name == column) return c;
    throw std::logic_error("import: no column " + std::string(column) + " in kind " + std::string(spec.kind));
}

const Spec* find_spec(std::string_view kind) {
    for (const Spec& s : specs())
        if (s.kind == kind) return &s;
    return nullptr;
}

// Columns of `markets.csv` that are derived from price_history, and a holding's area_mu (stored
// as area_ha), are not stored.
bool stored(const Spec& spec, std::string_view column) {
    return !(spec.kind == "markets" &&
             (column == "first_date" || column == "last_date" || column == "observations")) &&
           !(spec.kind == "holdings" && column == "area_mu");
}

bool valid_date(std::string_view s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
    int y = 0, m = 0, d = 0;
    for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u})
        if (s[i] < '0' || s[i] > '9') return false;
    std::from_chars(s.data(), s.data() + 4, y);
    std::from_chars(s.data() + 5, s.data() + 7, m);
    std::from_chars(s.data() + 8, s.data() + 10, d);
    const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(m)},
                                          std::chrono::day{static_cast<unsigned>(d)}};
    return ymd.ok();
}

std::optional<double> parse_number(std::string_view s) {
    double v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
    return v;
}

std::string shown(std::string_view s) {
    std::string out = "\"";
    out += s.size() > 40 ? std::string(s.substr(0, 40)) + "..." : std::string(s);
    return out + "\"";
}

using Value = std::optional<std::string>;  // nullopt = SQL NULL; numbers kept as validated text

struct Typed {
    std::optional<double> number;
    std::optional<std::string> text;
};

}  // namespace

ImportError::ImportError(std::string file, std::vector<ImportIssue> issues, std::size_t total)
    : std::runtime_error([&] {
          std::ostringstream out;
          for (const auto& i : issues) {
              out << file << ':' << i.line << ": ";
              if (!i.column.empty()) out << i.column << ": ";
              out << i.message << '\n';
          }
          if (total > issues.size())
              out << file << ": " << (total - issues.size()) << " more problems not shown\n";
          out << file << ": nothing was imported";
          return out.str();
      }()),
      file_(std::move(file)), issues_(std::move(issues)), total_(total) {}

const std::vector<std::string>& import_kinds() {
    static const std::vector<std::string> kinds = [] {
        std::vector<std::string> k;
        for (const Spec& s : specs()) k.emplace_back(s.kind);
        return k;
    }();
    return kinds;
}

std::string sha256_hex(std::string_view bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_sha256(), nullptr);
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < len; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 0xF];
    }
    return out;
}

namespace {

// The problems of a file: the first `max_reported` kept, all counted.
struct Problems {
    std::size_t max_reported;
    std::vector<ImportIssue> issues;
    std::size_t total = 0;

    void report(std::size_t line, std::string_view column, std::string message) {
        ++total;
        if (issues.size() < max_reported) issues.push_back({line, std::string(column), std::move(message)});
    }
    [[noreturn]] void raise(const std::string& file) { throw ImportError(file, std::move(issues), total); }
};

const Spec& spec_of(std::string_view kind, const std::string& file) {
    if (const Spec* spec = find_spec(kind)) return *spec;
    std::string known;
    for (const auto& k : import_kinds()) known += (known.empty() ? "" : ", ") + k;
    throw ImportError(file, {{0, "", "unknown kind \"" + std::string(kind) + "\" (one of " + known + ")"}}, 1);
}

// Prices: the market the file belongs to, from the options or the name prices_<MARKET>.csv.
std::string market_of(const Spec& spec, const std::string& file, const ImportOptions& options, Problems& problems) {
    if (spec.kind != "prices") return {};
    std::string market = options.market;
    if (market.empty()) {
        const std::string stem = std::filesystem::path(file).stem().string();
        if (stem.rfind("prices_", 0) == 0) market = stem.substr(7);
    }
    if (market.empty() || market.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != std::string::npos)
        problems.report(0, "market", "give the market with --market (A-Z, 0-9, _) or name the file prices_<MARKET>.csv");
    return market;
}

// Header: the spec's columns, each once, in any order. The file position of each spec column
// (-1: missing).
std::vector<int> header_positions(const Spec& spec, const CsvTable& csv, Problems& problems) {
    if (csv.header.empty() && csv.errors.empty()) problems.report(1, "", "file is empty (no header row)");
    for (const CsvError& e : csv.errors) problems.report(e.line, "", e.message);
    std::vector<int> position(spec.columns.size(), -1);
    if (csv.header.empty()) return position;
    std::set<std::string> seen;
    for (std::size_t i = 0; i < csv.header.size(); ++i) {
        const std::string& h = csv.header[i];
        if (!seen.insert(h).second) { problems.report(1, h, "column appears twice in the header"); continue; }
        bool known = false;
        for (std::size_t c = 0; c < spec.columns.size(); ++c)
            if (spec.columns[c].name == h) { position[c] = static_cast<int>(i); known = true; }
        if (!known) problems.report(1, h, "unknown column for kind " + std::string(spec.kind));
    }
    for (std::size_t c = 0; c < spec.columns.size(); ++c)
        if (position[c] < 0 && !may_be_absent(spec, spec.columns[c])) problems.report(1, spec.columns[c].name, "missing column in the header");
    if (spec.kind == "holdings" && position[index_of(spec, "area_ha")] < 0 && position[index_of(spec, "area_mu")] < 0)
        problems.report(1, "area_ha", "missing column in the header (give area_ha, or area_mu: 1 ha = 15 mu)");
    if (problems.total == 0 && csv.rows.empty() && csv.errors.empty()) problems.report(2, "", "no data rows after the header");
    return position;
}

// A required column, or both area columns of holdings, missing from the header: the rows cannot be read.
bool missing_required(const Spec& spec, const std::vector<int>& position) {
    for (std::size_t c = 0; c < spec.columns.size(); ++c)
        if (position[c] < 0 && !may_be_absent(spec, spec.columns[c])) return true;
    return spec.kind == "holdings" && position[index_of(spec, "area_ha")] < 0 && position[index_of(spec, "area_mu")] < 0;
}

// What cells may refer to: the store's regions plus those this file defines; and, for
// carbon_density_by_age, whose forest_type references forest_types, the stored forest types: a
// name must be there, not only one of the six the program knows (else the commit fails on the
// foreign key, reported as no line at all; found by tests/fuzz/fuzz_csv_import).
struct References {
    std::set<std::string> regions;
    bool forest_types_checked = false;
    std::set<std::string> forest_types;
};

References references_of(SQLite::Database& db, const Spec& spec, const CsvTable& csv, const std::vector<int>& position) {
    References refs;
    {
        SQLite::Statement q(db, "SELECT code FROM regions");
        while (q.executeStep()) refs.regions.insert(q.getColumn(0).getString());
    }
    if (spec.kind == "regions")
        for (const CsvRecord& r : csv.rows) refs.regions.insert(r.fields[static_cast<std::size_t>(position[0])]);
    refs.forest_types_checked = spec.table == "carbon_density_by_age";
    if (refs.forest_types_checked) {
        SQLite::Statement q(db, "SELECT forest_type FROM forest_types");
        while (q.executeStep()) refs.forest_types.insert(q.getColumn(0).getString());
    }
    return refs;
}

// Checks one non-empty cell against its column; may normalise it (region codes). The problem, or
// an empty string.
std::string check_cell(const Column& col, std::string& cell, const References& refs) {
    switch (col.type) {
    case Type::text:
        return {};
    case Type::date:
        return valid_date(cell) ? "" : "not a date (YYYY-MM-DD): " + shown(cell);
    case Type::flag:
        return cell == "0" || cell == "1" ? "" : "must be 0 or 1, got " + shown(cell);
    case Type::region:
        cell = normalise_region_code(cell);
        return refs.regions.count(cell) ? "" : "unknown region code " + shown(cell);
    case Type::forest_type:
        if (!parse_forest_type(cell))
            return "unknown forest type " + shown(cell) + " (chinese_fir, masson_pine, eucalyptus, broadleaf, bamboo, mixed)";
        if (refs.forest_types_checked && !refs.forest_types.count(cell))
            return "forest type " + shown(cell) + " is not in the database's forest_types; import forest_types first";
        return {};
    case Type::integer:
    case Type::real: {
        const auto v = parse_number(cell);
        if (!v) return "not a number: " + shown(cell);
        if (col.type == Type::integer && *v != std::floor(*v)) return "not a whole number: " + shown(cell);
        if (col.min_exclusive ? !(*v > col.min) : !(*v >= col.min)) {
            std::ostringstream m;
            m << "must be " << (col.min_exclusive ? "> " : ">= ") << col.min << ", got " << cell;
            return m.str();
        }
        if (!(*v <= col.max)) {
            std::ostringstream m;
            m << "must be <= " << col.max << ", got " << cell;
            return m.str();
        }
        return {};
    }
    }
    return {};
}

// A holding's area: area_ha, or area_mu converted to hectares (shortest text of mu / 15).
bool check_holding_area(const Spec& spec, const CsvRecord& row, std::vector<Value>& out, Problems& problems) {
    Value& ha = out[index_of(spec, "area_ha")];
    const Value& mu = out[index_of(spec, "area_mu")];
    if (ha && mu) {
        problems.report(row.line, "area_mu", "give area_ha or area_mu, not both");
        return false;
    }
    if (!ha && !mu) {
        problems.report(row.line, "area_ha", "is empty but required (or give area_mu: 1 ha = 15 mu)");
        return false;
    }
    if (ha) return true;
    const auto v = parse_number(*mu);
    if (!v) return false;  // reported as the cell's problem
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, *v / mu_per_ha);
    ha = std::string(buf, r.ptr);
    return true;
}

// Rules of one kind across the cells of a row (regions: level and short code; prices: currency;
// holdings: the area).
bool check_kind_rules(const Spec& spec, const CsvRecord& row, std::vector<Value>& out, Problems& problems) {
    bool ok = true;
    if (spec.kind == "holdings") ok = check_holding_area(spec, row, out, problems);
    if (spec.kind == "regions") {
        static const std::set<std::string> levels{"country", "province", "prefecture", "county"};
        if (out[1] && !levels.count(*out[1])) {
            problems.report(row.line, "level", "must be country, province, prefecture or county, got " + shown(*out[1]));
            ok = false;
        }
        if (out[0] && normalise_region_code(*out[0]) != *out[0]) {
            problems.report(row.line, "code", "give the short GB/T 2260 code " + shown(normalise_region_code(*out[0])) +
                                                  ", got " + shown(*out[0]));
            ok = false;
        }
    }
    if (spec.kind == "prices" && out[3] &&
        !std::all_of(out[3]->begin(), out[3]->end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; })) {
        problems.report(row.line, "currency", "must be an ISO 4217 code such as CNY, got " + shown(*out[3]));
        ok = false;
    }
    return ok;
}

// The row's primary key; false (reported) when an earlier line gave it.
bool check_unique_key(const Spec& spec, const std::string& market, const CsvRecord& row, const std::vector<Value>& out,
                      std::set<std::vector<std::string>>& keys, Problems& problems) {
    std::vector<std::string> key;
    for (std::string_view k : spec.key) {
        if (spec.kind == "prices" && k == "market") { key.push_back(market); continue; }
        for (std::size_t c = 0; c < spec.columns.size(); ++c)
            if (spec.columns[c].name == k) key.push_back(out[c].value_or(""));
    }
    if (keys.insert(key).second) return true;
    std::string shown_key;
    for (const auto& k : key) shown_key += (shown_key.empty() ? "" : ", ") + k;
    problems.report(row.line, spec.key.back(), "duplicate key (" + shown_key + ") already given on an earlier line");
    return false;
}

// Every row's values in spec column order (nullopt = empty cell); problems reported.
std::vector<std::vector<Value>> checked_rows(const Spec& spec, const CsvTable& csv, const std::vector<int>& position,
                                             const References& refs, const std::string& market, Problems& problems) {
    std::vector<std::vector<Value>> values;
    values.reserve(csv.rows.size());
    std::set<std::vector<std::string>> keys;
    for (const CsvRecord& row : csv.rows) {
        std::vector<Value> out(spec.columns.size());
        bool row_ok = true;
        for (std::size_t c = 0; c < spec.columns.size(); ++c) {
            const Column& col = spec.columns[c];
            std::string cell = position[c] < 0 ? std::string() : row.fields[static_cast<std::size_t>(position[c])];
            if (cell.empty()) {
                if (col.required) { problems.report(row.line, col.name, "is empty but required"); row_ok = false; }
                continue;
            }
            if (std::string problem = check_cell(col, cell, refs); !problem.empty()) {
                problems.report(row.line, col.name, std::move(problem));
                row_ok = false;
            }
            out[c] = cell;
        }
        row_ok = check_kind_rules(spec, row, out, problems) && row_ok;
        if (row_ok) check_unique_key(spec, market, row, out, keys, problems);
        values.push_back(std::move(out));
    }
    return values;
}

// Upsert: a row equal to what is stored is not touched, so a re-import changes nothing.
std::string upsert_sql(const Spec& spec) {
    std::vector<std::string> names;
    if (spec.kind == "prices") names.emplace_back("market");
    for (const Column& c : spec.columns)
        if (stored(spec, c.name)) names.emplace_back(c.name);
    // (Built with append: GCC 12 at -O3 warns falsely (-Wrestrict) on "x" + std::string chains.)
    const std::string table(spec.table);
    std::string cols, params, updates, differs, conflict;
    auto join = [](std::string& list, std::string_view sep, std::string_view item) {
        if (!list.empty()) list.append(sep);
        list.append(item);
    };
    for (const std::string& name : names) {
        join(cols, ",", name);
        join(params, ",", "?");
        if (std::find(spec.key.begin(), spec.key.end(), name) != spec.key.end()) continue;
        join(updates, ",", name);
        updates.append("=excluded.").append(name);
        join(differs, " OR ", table);
        differs.append(".").append(name).append(" IS NOT excluded.").append(name);
    }
    for (std::string_view k : spec.key) join(conflict, ",", k);
    std::string sql = "INSERT INTO ";
    sql.append(table).append("(").append(cols).append(") VALUES(").append(params).append(") ON CONFLICT(");
    sql.append(conflict).append(") DO ");
    if (updates.empty()) sql.append("NOTHING");
    else sql.append("UPDATE SET ").append(updates).append(" WHERE ").append(differs);
    return sql;
}

// Prices of a market the store does not know yet: the market is added, named after its code.
void add_market_if_new(SQLite::Database& db, const std::string& market, const std::vector<std::vector<Value>>& values) {
    SQLite::Statement exists(db, "SELECT 1 FROM markets WHERE market = ?");
    exists.bind(1, market);
    if (exists.executeStep()) return;
    const std::string currency = values.empty() ? "CNY" : values.front()[3].value_or("CNY");
    SQLite::Statement add(db, "INSERT INTO markets(market,name_en,name_zh,exchange,currency,unit,source) "
                              "VALUES(?,?,?,'user import',?,?,'user import')");
    add.bind(1, market); add.bind(2, market); add.bind(3, market);
    add.bind(4, currency); add.bind(5, currency + "/tCO2e");
    add.exec();
}

void bind_row(SQLite::Statement& insert, const Spec& spec, const std::string& market, const std::vector<Value>& row) {
    insert.reset();
    insert.clearBindings();
    int p = 1;
    if (spec.kind == "prices") insert.bind(p++, market);
    for (std::size_t c = 0; c < spec.columns.size(); ++c) {
        const Column& col = spec.columns[c];
        if (!stored(spec, col.name)) continue;
        if (!row[c]) { insert.bind(p++); continue; }
        if (col.type == Type::integer || col.type == Type::flag) insert.bind(p++, static_cast<std::int64_t>(std::stod(*row[c])));
        else if (col.type == Type::real) insert.bind(p++, std::stod(*row[c]));
        else insert.bind(p++, *row[c]);
    }
}

// Writes checked rows and the import log in one IMMEDIATE transaction. A constraint the checks
// missed must still be a bad file, not an error without a line (the transaction rolls back either
// way). Storage errors (disk full, read-only) go up as they are.
ImportResult write_rows(SQLite::Database& db, const Spec& spec, const std::string& file, std::string_view text,
                        const std::string& market, const std::vector<std::vector<Value>>& values) {
    const std::string sql = upsert_sql(spec);
    try {
        SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
        db.exec("PRAGMA defer_foreign_keys = ON");  // a file may name a parent region after its child
        if (spec.kind == "prices") add_market_if_new(db, market, values);
        SQLite::Statement insert(db, sql);
        ImportResult result{std::string(spec.kind), std::string(spec.table), values.size(), 0};
        for (const auto& row : values) {
            bind_row(insert, spec, market, row);
            result.changed += static_cast<std::size_t>(insert.exec());
        }
        SQLite::Statement log(db, "INSERT INTO imports(kind,file,sha256,rows,imported_at) VALUES(?,?,?,?,?) "
                                  "ON CONFLICT(kind,sha256) DO NOTHING");
        log.bind(1, std::string(spec.kind) + (market.empty() ? "" : ":" + market));
        log.bind(2, std::filesystem::path(file).filename().string());
        log.bind(3, sha256_hex(text));
        log.bind(4, static_cast<std::int64_t>(values.size()));
        log.bind(5, utc_now_iso8601());
        log.exec();
        tx.commit();
        return result;
    } catch (const SQLite::Exception& e) {
        if ((e.getErrorCode() & 0xff) != SQLITE_CONSTRAINT) throw;
        throw ImportError(file, {{0, "", std::string("the database refused the file: ") + e.what()}}, 1);
    }
}

}  // namespace

ImportResult import_csv(SQLite::Database& db, std::string_view kind, const std::string& file,
                        std::string_view text, const ImportOptions& options) {
    const Spec& spec = spec_of(kind, file);
    Problems problems{options.max_reported, {}, 0};
    const std::string market = market_of(spec, file, options, problems);
    const CsvTable csv = parse_csv(text);
    const std::vector<int> position = header_positions(spec, csv, problems);
    if (problems.total > 0 && (csv.header.empty() || missing_required(spec, position))) problems.raise(file);
    const References refs = references_of(db, spec, csv, position);
    const auto values = checked_rows(spec, csv, position, refs, market, problems);
    if (problems.total > 0) problems.raise(file);
    return write_rows(db, spec, file, text, market, values);
}

ImportResult import_file(SQLite::Database& db, std::string_view kind, const std::string& path,
                         const ImportOptions& options) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ImportError(path, {{0, "", "cannot open the file"}}, 1);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return import_csv(db, kind, path, buffer.str(), options);
}

namespace {

// The Store's connection, as every repository reaches it.
class Connection : public Repository {
public:
    explicit Connection(Store& store) : Repository(store) {}
    using Repository::db;
};

}  // namespace

ImportResult import_csv(Store& store, std::string_view kind, const std::string& file, std::string_view text,
                        const ImportOptions& options) {
    return import_csv(Connection(store).db(), kind, file, text, options);
}

ImportResult import_file(Store& store, std::string_view kind, const std::string& path, const ImportOptions& options) {
    return import_file(Connection(store).db(), kind, path, options);
}

}  // namespace tanhui::data
