// `tanhui data list | prices | import`: the historical store from the command line.
#include "api/cli/cli.hpp"
#include "api/cli/io.hpp"

#include "api/json/reader.hpp"
#include "data/import/import.hpp"
#include "data/store/store.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <optional>
#include <sstream>

namespace tanhui::api {

std::filesystem::path GlobalOptions::db_path() const {
    return db.empty() ? data::default_database_path() : std::filesystem::path(db);
}

std::filesystem::path GlobalOptions::historical_dir() const {
    return data_dir.empty() ? data::default_historical_dir() : std::filesystem::path(data_dir);
}

namespace {

// Shortest text that reads back as the same double.
std::string number(double v) {
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

int data_list(const GlobalOptions& g, bool json) {
    data::Store store = open_store(g);
    const auto tables = store.table_counts();
    const auto markets = store.market_ranges();
    const auto fire = store.fire_ranges();
    const auto pest = store.pest_ranges();
    if (json) {
        nlohmann::json out;
        out["database"] = g.db_path().string();
        out["schema_version"] = store.schema_version();
        for (const auto& t : tables) out["tables"][t.table] = t.rows;
        out["markets"] = nlohmann::json::array();
        for (const auto& m : markets)
            out["markets"].push_back({{"market", m.market}, {"name", m.name_en}, {"currency", m.currency},
                                      {"first_date", m.first_date}, {"last_date", m.last_date},
                                      {"rows", m.rows}, {"traded_days", m.traded},
                                      {"first_close", m.first_close}, {"last_close", m.last_close}});
        for (const auto* ranges : {&fire, &pest}) {
            auto& arr = out[ranges == &fire ? "fire_history" : "pest_history"] = nlohmann::json::array();
            for (const auto& r : *ranges)
                arr.push_back({{"region", r.region}, {"name_zh", r.name_zh}, {"first_year", r.first_year},
                               {"last_year", r.last_year}, {"rows", r.rows}});
        }
        std::cout << out.dump(2) << '\n';
        return 0;
    }
    std::cout << "database " << g.db_path().string() << " (schema version " << store.schema_version() << ")\n\n";
    std::cout << "tables\n";
    for (const auto& t : tables) std::cout << "  " << std::left << std::setw(24) << t.table << std::right << std::setw(8) << t.rows << '\n';
    std::cout << "\nmarkets (" << markets.size() << ")\n";
    std::cout << "  market  currency  first        last          rows  traded  first close  last close  name\n";
    for (const auto& m : markets)
        std::cout << "  " << std::left << std::setw(8) << m.market << std::setw(10) << m.currency << std::setw(13)
                  << m.first_date << std::setw(11) << m.last_date << std::right << std::setw(7) << m.rows
                  << std::setw(8) << m.traded << std::setw(13) << number(m.first_close) << std::setw(12)
                  << number(m.last_close) << "  " << m.name_en << '\n';
    for (const auto* ranges : {&fire, &pest}) {
        std::cout << '\n' << (ranges == &fire ? "fire history" : "pest history") << " (" << ranges->size() << " regions)\n";
        for (const auto& r : *ranges)
            std::cout << "  " << std::left << std::setw(4) << r.region << std::setw(8) << r.name_zh << std::right << "  "
                      << r.first_year << "-" << r.last_year << std::setw(6) << r.rows << " rows\n";
    }
    return 0;
}

int data_prices(const GlobalOptions& g, const std::string& market, const std::optional<std::string>& from_option,
                const std::optional<std::string>& to_option, const std::string& format, bool traded_only) {
    // The route's rule (GET /v1/markets/{m}/prices answers 400): a bad date is invalid input.
    const auto problems = date_range_problems(from_option, to_option, "");
    for (const auto& p : problems) std::cerr << "tanhui data prices: --" << p.pointer.substr(1) << ": " << p.message << '\n';
    if (!problems.empty()) return 2;
    const std::string from = from_option.value_or(""), to = to_option.value_or("");
    data::Store store = open_store(g);
    const auto m = store.market(market);
    if (!m) {
        std::cerr << "tanhui: unknown market \"" << market << "\"; `tanhui data list` shows the markets\n";
        return 2;
    }
    const auto prices = store.prices(market, from, to);
    if (format == "json") {
        nlohmann::json out{{"market", market}, {"currency", m->currency}, {"prices", nlohmann::json::array()}};
        for (const auto& p : prices) {
            if (traded_only && !p.traded) continue;
            nlohmann::json row{{"date", p.date}, {"close", p.close}, {"traded", p.traded}};
            row["volume_t"] = p.volume_t ? nlohmann::json(*p.volume_t) : nlohmann::json(nullptr);
            out["prices"].push_back(std::move(row));
        }
        std::cout << out.dump(2) << '\n';
        return 0;
    }
    std::cout << "date,close,volume_t,currency,traded\n";
    for (const auto& p : prices) {
        if (traded_only && !p.traded) continue;
        std::cout << p.date << ',' << number(p.close) << ',' << (p.volume_t ? number(*p.volume_t) : "") << ','
                  << m->currency << ',' << (p.traded ? 1 : 0) << '\n';
    }
    return 0;
}

int data_import(const GlobalOptions& g, const std::string& kind, const std::string& file, const std::string& market) {
    data::Store store = open_store(g);
    try {
        const auto r = data::import_file(store, kind, file, {.market = market});
        std::cout << file << ": " << r.rows << " rows of " << r.kind << " checked, " << r.changed
                  << " inserted or updated in " << r.table << '\n';
        return 0;
    } catch (const data::ImportError& e) {
        std::cerr << e.what() << '\n';
        return 2;  // a bad file is invalid input, as everywhere else
    }
}

}  // namespace

void add_data_commands(CLI::App& app, const GlobalOptions& global, Action& action) {
    auto* data = app.add_subcommand("data", "The historical data store: list, prices, import");
    data->require_subcommand(1);

    auto* list = data->add_subcommand("list", "Tables and row counts, date ranges per market, fire and pest history per region");
    auto list_json = std::make_shared<bool>(false);
    list->add_flag("--json", *list_json, "Print JSON instead of text");
    list->callback([&global, &action, list_json] {
        action = [&global, list_json] { return data_list(global, *list_json); };
    });

    auto* prices = data->add_subcommand("prices", "Daily prices of one market (CSV or JSON on stdout)");
    auto market = std::make_shared<std::string>();
    auto from_text = std::make_shared<std::string>();
    auto to_text = std::make_shared<std::string>();
    auto from = std::make_shared<std::optional<std::string>>();
    auto to = std::make_shared<std::optional<std::string>>();
    auto format = std::make_shared<std::string>("csv");
    prices->add_option("MARKET", *market, "Market code, e.g. FJEA, CEA, GDEA, HBEA, BJEA, TJEA, EUA")->required();
    auto* from_opt = prices->add_option("--from", *from_text, "First date, YYYY-MM-DD (inclusive)");
    auto* to_opt = prices->add_option("--to", *to_text, "Last date, YYYY-MM-DD (inclusive)");
    prices->add_option("--format", *format, "csv or json")->check(CLI::IsMember({"csv", "json"}));
    auto traded_only = std::make_shared<bool>(false);
    prices->add_flag("--traded-only", *traded_only, "Leave out days on which the price was only carried forward");
    prices->callback([&global, &action, market, from, to, format, traded_only, from_text, to_text, from_opt, to_opt] {
        if (from_opt->count()) *from = *from_text;
        if (to_opt->count()) *to = *to_text;
        action = [&global, market, from, to, format, traded_only] {
            return data_prices(global, *market, *from, *to, *format, *traded_only);
        };
    });

    auto* import = data->add_subcommand("import", "Validate a CSV file and write it in one transaction, or not at all");
    auto kind = std::make_shared<std::string>();
    auto file = std::make_shared<std::string>();
    auto import_market = std::make_shared<std::string>();
    import->add_option("KIND", *kind, "prices, fire, pest, regions or holdings (also: forest_area, markets, "
                                      "disaster, geological_hazards, province_neighbours, forest_types, carbon_density, "
                                      "assumptions)")
        ->required()->check(CLI::IsMember(data::import_kinds()));
    import->add_option("FILE", *file, "CSV file with a header row; docs/data.md lists the columns of each kind")->required();
    import->add_option("--market", *import_market, "For prices: the market (default: from the file name prices_<MARKET>.csv)");
    import->callback([&global, &action, kind, file, import_market] {
        action = [&global, kind, file, import_market] { return data_import(global, *kind, *file, *import_market); };
    });
}

}  // namespace tanhui::api
