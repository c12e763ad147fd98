// Shared by the quote route tests (quote_server_test.cpp, quote_contract_test.cpp): a database
// calibrated from data/historical (ctest's calibrated_db fixture, else once per test process), and
// the requests they post.
#pragma once

#include "api/service/calibration.hpp"
#include "data/store/store.hpp"
#include "tests/api/calibrated_fixture.hpp"
#include "tests/api/test_server.hpp"

#include <SQLiteCpp/Database.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <regex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace tanhui::testing::quotes {

using nlohmann::json;
namespace fs = std::filesystem;

// ---- the database ----------------------------------------------------------------------------

// data/historical imported and calibrated (the current model version set), then closed so that
// the file holds everything (no -wal left behind): ctest's fixture (tests/api/calibrated_fixture.hpp)
// when there is one, else made once per test process. Tests only copy it.
inline const fs::path& calibrated_database() {
    static const fs::path path = []() -> fs::path {
        if (auto shared = calibrated_fixture()) return *shared;
        static TempDir* dir = new TempDir;  // leaked on purpose: lives until the process ends
        const fs::path p = *dir / "calibrated.db";
        data::Store store(p, {.historical_dir = tanhui::testing::historical_dir()});
        api::ensure_current_model(store);
        return p;
    }();
    return path;
}

inline bool have_historical() { return fs::exists(tanhui::testing::historical_dir() / "prices_FJEA.csv"); }

inline void copy_calibrated(const fs::path& to) {
    const fs::path& from = calibrated_database();
    fs::copy_file(from, to, fs::copy_options::overwrite_existing);
    for (const char* suffix : {"-wal", "-shm"}) {
        const fs::path side = from.string() + suffix, target = to.string() + suffix;
        std::error_code ec;
        if (fs::exists(side)) fs::copy_file(side, target, fs::copy_options::overwrite_existing);
        else fs::remove(target, ec);
    }
}

// A TestServer on a copy of the calibrated database.
inline std::function<void(TestServer::Setup&)> calibrated(std::function<void(api::ServerOptions&)> options = {}) {
    return [options](TestServer::Setup& s) {
        s.database = copy_calibrated;
        s.options = options;
    };
}

inline long long quote_rows(const fs::path& db) {
    SQLite::Database d(db.string(), SQLite::OPEN_READONLY);
    d.setBusyTimeout(10'000);
    return d.execAndGet("SELECT count(*) FROM quotes").getInt64();
}

// ---- requests --------------------------------------------------------------------------------

// examples/quotes/longyan-index.json at 2,000 years: two holdings, fire and pest, the calibrated model.
inline json index_request(const std::string& policy_id = "LY-2027-001", long long years = 2'000) {
    json j = json::parse(R"({
      "product": "index_insurance",
      "policy": {"id": "LY-2027-001", "start": "2027-01-01", "term_months": 12},
      "holdings": [
        {"id": "xinluo-fir-1", "region": "350802", "forest_type": "chinese_fir", "area_ha": 2000, "age_years": 18},
        {"id": "xinluo-pine-2", "region": "350802", "forest_type": "masson_pine", "area_ha": 1200, "age_years": 25}
      ],
      "cover": {"perils": ["fire", "pest"], "form": "per_tonne", "price_cny_per_tco2e": 20,
                "deductible_tco2e": 500, "limit_cny": 2000000},
      "premium": {"principle": "std_dev", "parameter": 0.25, "expense_ratio": 0.15,
                  "commission": 0.05, "profit_margin": 0.05, "subsidy_share": 0.5},
      "simulation": {"years": 2000, "seed": 20270101}
    })");
    j["policy"]["id"] = policy_id;
    j["simulation"]["years"] = years;
    return j;
}

// examples/quotes/nanping-price.json with the expected-value principle: Turnbull-Wakeman, closed form.
inline json price_request() {
    return json::parse(R"({
      "product": "price_insurance",
      "policy": {"id": "NP-2027-001", "start": "2027-01-01", "term_months": 12},
      "cover": {"market": "FJEA", "quantity_tco2e": 100000, "target_price_cny": 15.0,
                "fixings": "monthly", "method": "risk_neutral", "engine": "turnbull_wakeman"},
      "premium": {"principle": "expected_value", "parameter": 0.1, "expense_ratio": 0.15,
                  "commission": 0.05, "profit_margin": 0.05},
      "simulation": {"years": 2000, "seed": 20270101},
      "model": {"price": {"spot": 15.5, "volatility": 0.35}}
    })");
}

// The response text without its stamp (quote_id and created), everything else byte for byte.
inline std::string without_stamp(const std::string& body) {
    static const std::regex stamp(R"re("(quote_id|created)":"[^"]*")re");
    std::string s = std::regex_replace(body, stamp, "");
    for (const auto& [from, to] : {std::pair<std::string, std::string>{",,", ","}, {"{,", "{"}, {",}", "}"}})
        for (auto at = s.find(from); at != std::string::npos; at = s.find(from)) s.replace(at, from.size(), to);
    return s;
}

inline std::vector<std::string> error_paths(const Reply& r) {
    std::vector<std::string> out;
    const auto j = json::parse(r.body, nullptr, false);
    if (j.is_object() && j.contains("errors") && j["errors"].is_array())
        for (const auto& e : j["errors"]) out.push_back(e.value("path", "?"));
    return out;
}

// The lines of a server log that are not requests: {"time", "level", "message"}.
inline std::string events(const std::string& log) {
    std::istringstream in(log);
    std::string line, out;
    while (std::getline(in, line))
        if (line.find("\"level\"") != std::string::npos) out += line + "\n";
    return out;
}

}  // namespace tanhui::testing::quotes
