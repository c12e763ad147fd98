#include "api/validation/report.hpp"
#include "risk/perils/freeze.hpp"
#include "risk/perils/landslide.hpp"

#include "api/service/calibration.hpp"
#include "api/validation/buffer.hpp"
#include "api/validation/burning_cost.hpp"
#include "api/validation/fire.hpp"
#include "api/validation/format.hpp"
#include "api/validation/gate.hpp"
#include "api/validation/price.hpp"
#include "api/validation/uncertainty.hpp"
#include "api/validation/regional.hpp"
#include "api/validation/typhoon.hpp"
#include "api/validation/writers.hpp"
#include "risk/backtest/fire.hpp"
#include "risk/backtest/price.hpp"
#include "risk/backtest/regional.hpp"
#include "risk/calibration/fire_model.hpp"
#include "risk/perils/fire.hpp"
#include "risk/perils/typhoon.hpp"
#include "risk/simulation/parallel.hpp"

#include <algorithm>
#include <chrono>
#include <sstream>

#ifndef TANHUI_SOURCE_DIR
#define TANHUI_SOURCE_DIR "."
#endif

namespace tanhui::api {

namespace {

using validation::ojson;
using validation::Tests;

double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// Fire: every province's history, backtested on the provinces the production model covers (a
// fire calibration in the model version).
ojson fire_section(data::Store& store, const ModelVersion& version, const ValidationOptions& o, Tests& tests,
                   ValidationReport& out, ojson& timings) {
    std::vector<risk::ProvinceFireHistory> provinces;
    for (const auto& r : store.regions("province")) {
        auto rows = store.fire_history(r.code);
        if (!rows.empty()) provinces.push_back({r.code, std::move(rows)});
    }
    risk::FireBacktestOptions fo;
    fo.seed = validation::mix(o.seed, 1);
    fo.null_replications = o.null_replications;
    fo.threads = o.threads;
    for (const auto& c : version.calibrations)
        if (c.family == risk::fire_family) fo.regions.push_back(c.scope);
    const auto t0 = std::chrono::steady_clock::now();
    const auto fire = risk::backtest_fire(provinces, fo);
    timings[std::string(risk::fire_peril_name)] = seconds_since(t0);
    validation::fire_tests(fire, tests);
    out.csv.push_back({"fire_forecasts.csv", validation::fire_csv(fire)});
    return validation::fire_json(fire);
}

// Price: the markets on threads (each backtest is independent and deterministic).
ojson price_section(data::Store& store, Tests& tests, ValidationReport& out, unsigned threads, ojson& timings) {
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::string> names;
    for (const auto& m : store.market_ranges()) names.push_back(m.market);
    std::vector<std::vector<PricePoint>> points;
    for (const auto& n : names) points.push_back(store.prices(n));
    risk::PriceBacktestOptions po;
    // As production calibrates by default: the Merton fits (a minute a market) are left out.
    po.families = risk::default_eligible_families(false);
    std::vector<risk::MarketBacktest> markets(names.size());
    risk::parallel_for(names.size(), threads,
                       [&](std::size_t i) { markets[i] = risk::backtest_price(points[i], names[i], po); });
    timings["price"] = seconds_since(t0);
    validation::price_tests(markets, tests);
    out.csv.push_back({"price_tests.csv", validation::price_tests_csv(markets)});
    out.csv.push_back({"price_families.csv", validation::price_families_csv(markets)});
    for (const auto& m : markets)
        if (m.included && (m.market == "FJEA" || m.market == "CEA"))
            out.csv.push_back({"price_var_" + m.market + ".csv", validation::price_series_csv(m, po)});
    return validation::price_json(markets, po);
}

// Landslide and freeze (issue 16 item 9): every province's geological hazards and freeze index.
void regional_section(data::Store& store, const ValidationOptions& o, Tests& tests, ValidationReport& out, ojson& j,
                      ojson& timings) {
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::vector<GeoHazardYear>> geo;
    std::vector<std::vector<DisasterYear>> freeze;
    for (const auto& r : store.regions("province")) {
        geo.push_back(store.geological_hazards(r.code));
        freeze.push_back(store.disaster_history(r.code));
    }
    risk::RegionalBacktestOptions ro;
    ro.seed = validation::mix(o.seed, 7);
    if (const auto share = store.assumption("freeze.event_year_share_of_max")) ro.event_year_share_of_max = *share;
    const auto landslide = risk::backtest_landslide(geo, ro);
    const auto frozen = risk::backtest_freeze(freeze, ro);
    validation::regional_tests(landslide, frozen, tests);
    out.csv.push_back({"landslide_forecasts.csv", validation::landslide_csv(landslide)});
    j[std::string(risk::landslide_peril_name)] = validation::landslide_json(landslide, ro);
    j[std::string(risk::freeze_peril_name)] = validation::freeze_json(frozen, ro);
    timings["regional"] = seconds_since(t0);
}

// The accepted findings against the tests, the gate's verdict, and tests.csv.
void close_gate(const ValidationOptions& o, Tests& tests, ValidationReport& out, ojson& j) {
    for (auto& x : tests.all)
        if (x.gating && !x.passed)
            if (auto it = o.accepted_findings.find(x.id); it != o.accepted_findings.end()) x.accepted = it->second;
    for (const auto& [id, reason] : o.accepted_findings) {
        const auto it = std::find_if(tests.all.begin(), tests.all.end(), [&](const validation::Test& x) { return x.id == id; });
        if (it == tests.all.end() || it->passed) out.resolved_findings.push_back(id);
    }
    out.passed = true;
    ojson tj = ojson::array();
    std::ostringstream tc;
    tc << "id,section,gating,statistic,p_value,passed\n";
    for (const auto& x : tests.all) {
        if (x.gating && !x.passed && x.accepted.empty()) {
            out.passed = false;
            out.new_failures.push_back(x.id);
        }
        tj.push_back({{"id", x.id}, {"section", x.section}, {"what", x.what}, {"statistic", validation::num(x.statistic)},
                      {"p_value", validation::num(x.p_value)}, {"gating", x.gating}, {"passed", x.passed}});
        if (!x.accepted.empty()) tj.back()["accepted_finding"] = x.accepted;
        tc << x.id << ',' << x.section << ',' << (x.gating ? 1 : 0) << ',' << validation::csv(x.statistic) << ','
           << validation::csv(x.p_value) << ',' << (x.passed ? 1 : 0) << '\n';
    }
    out.csv.push_back({"tests.csv", tc.str()});
    j["tests"] = tj;
    j["passed"] = out.passed;
    j["new_failures"] = out.new_failures;
    j["accepted_findings_failing"] = ojson::array();
    for (const auto& x : tests.all)
        if (!x.accepted.empty()) j["accepted_findings_failing"].push_back(x.id);
    j["resolved_findings"] = out.resolved_findings;
}

}  // namespace

std::filesystem::path source_dir() { return TANHUI_SOURCE_DIR; }

ValidationReport run_validation(data::Store& store, const ValidationOptions& o) {
    const std::optional<ModelVersion> chosen =
        o.model_version.empty() ? std::optional<ModelVersion>(ensure_current_model(store)) : model_version(store, o.model_version);
    if (!chosen) throw InvalidInput("--model-version", "the store holds no model version \"" + o.model_version + "\"");
    const ModelVersion& version = *chosen;
    const risk::Model model = build_model(store, version);
    Tests tests;
    tests.level = o.level;
    ValidationReport out;
    ojson timings;
    ojson fire = fire_section(store, version, o, tests, out, timings);
    ojson price = price_section(store, tests, out, o.threads, timings);

    ojson j;
    j["model_version"] = version.version;
    j["seed"] = o.seed;
    j["level"] = o.level;
    j[std::string(risk::fire_peril_name)] = std::move(fire);
    j["price"] = std::move(price);
    auto t0 = std::chrono::steady_clock::now();
    j["burning_cost"] = validation::burning_cost_section(store, version, model, o, tests, out.csv);
    timings["burning_cost"] = seconds_since(t0);
    t0 = std::chrono::steady_clock::now();
    j["buffer"] = validation::buffer_section(store, model, o, out.csv);
    timings["buffer"] = seconds_since(t0);
    t0 = std::chrono::steady_clock::now();
    j["uncertainty"] = validation::uncertainty_section(store, version, o);
    timings["uncertainty"] = seconds_since(t0);
    regional_section(store, o, tests, out, j, timings);
    t0 = std::chrono::steady_clock::now();
    if (ojson typhoon = validation::typhoon_section(model, tests, out.csv); !typhoon.is_null()) {
        j[std::string(risk::typhoon_peril_name)] = std::move(typhoon);
        timings[std::string(risk::typhoon_peril_name)] = seconds_since(t0);
    }
    j["timings_seconds"] = timings;
    close_gate(o, tests, out, j);
    validation::Reports reports = validation::write_reports(j, tests);
    out.json = std::move(j);
    out.text = std::move(reports.text);
    out.markdown = std::move(reports.markdown);
    return out;
}

}  // namespace tanhui::api
