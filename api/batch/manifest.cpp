#include "api/batch/manifest.hpp"

#include "api/batch/checkpoint.hpp"
#include "api/batch/ord_csv.hpp"
#include "api/version.hpp"
#include "data/import/import.hpp"

namespace tanhui::api::batch {

namespace fs = std::filesystem;

namespace {

constexpr const char* per_column = "per column: _cny CNY, _tco2e tCO2e, shares and probabilities 0-1";

std::vector<OutputFile> tables_in(const std::string& unit, const std::string& units) {
    return {{"ylt_" + unit + ".csv", units, "year loss table: year,loss for every simulated year"},
            {"selt_" + unit + ".csv", units, "ORD SELT: each year's largest occurrence"},
            {"splt_" + unit + ".csv", units, "ORD SPLT: the same occurrences by period"},
            {"alt_" + unit + ".csv", units, "ORD ALT: mean and standard deviation of the year loss"},
            {"alct_" + unit + ".csv", units, "ORD ALCT: the AAL with its 95 % interval"},
            {"ept_" + unit + ".csv", units, "ORD EPT: OEP, OEP TVaR, AEP, AEP TVaR at return periods"}};
}

}  // namespace

std::vector<OutputFile> output_files(const BatchOptions& options) {
    std::vector<OutputFile> files{{"results.csv", per_column, "one row per policy: its quote and contributions"},
                                  {"results.json", per_column, "one object per policy: its quote and contributions"}};
    for (auto&& f : tables_in("tco2e", "tCO2e (carbon lost)")) files.push_back(std::move(f));
    for (auto&& f : tables_in("cny", "CNY (payouts)")) files.push_back(std::move(f));
    files.push_back({"metrics.json", "tco2e: tCO2e, cny: CNY", "AAL, std, VaR, TVaR, AEP, OEP with standard errors; Euler"});
    if (!options.layers.empty()) {
        files.push_back({"layers.csv", "CNY", "one row per --layer"});
        files.push_back({"layers.json", "CNY", "one object per --layer"});
    }
    if (options.policy_ylt) files.push_back({"policy_ylt_cny.csv", "CNY", "each policy's payout in each year it pays"});
    return files;
}

std::vector<std::string> batch_file_names() {
    BatchOptions all;
    all.layers.emplace_back();
    all.policy_ylt = true;
    std::vector<std::string> names{manifest_name};
    for (const auto& f : output_files(all)) names.push_back(f.name);
    return names;
}

std::string run_identity(const BatchOptions& o, const std::string& portfolio_hash, const std::string& model_version) {
    std::string text = std::string("program tanhui ") + version + " " + git_commit + "\nportfolio_sha256 " + portfolio_hash +
                       "\nmodel_version " + model_version + "\nyears " + std::to_string(o.years) + "\nseed " +
                       std::to_string(o.seed) + "\neuler_level " + format_number(o.euler_level) + "\npolicy_ylt " +
                       (o.policy_ylt ? "1" : "0") + "\nmc_error_share " + format_number(o.mc_error_share) + "\n";
    for (const auto& l : o.layers)
        text += "layer " + format_number(l.layer.attachment_cny) + ":" + format_number(l.layer.limit_cny) + ":" +
                (l.occurrence ? "occurrence" : "aggregate") + "\n";
    return data::sha256_hex(text);
}

void write_manifest(const ManifestRun& run) {
    const BatchOptions& o = run.options;
    nlohmann::ordered_json j;
    j["manifest"] = "tanhui batch run 1";
    j["tanhui"] = {{"version", version}, {"commit", git_commit}};
    j["run_sha256"] = run.identity;
    j["model_version"] = run.model_version;
    j["seed"] = o.seed;
    j["years"] = o.years;
    nlohmann::ordered_json layers = nlohmann::ordered_json::array();
    for (const auto& l : o.layers) layers.push_back(l.text);
    j["parameters"] = {{"portfolio", run.portfolio.source},
                       {"holdings_file", run.portfolio.holdings_source},
                       {"portfolio_sha256", run.portfolio_hash},
                       {"policies", run.portfolio.policies.size()},
                       {"holdings", run.holdings},
                       {"chunk_years", o.chunk_years},
                       {"euler_level", o.euler_level},
                       {"layers", layers},
                       {"policy_ylt", o.policy_ylt},
                       {"mc_error_share", o.mc_error_share}};
    nlohmann::ordered_json files = nlohmann::ordered_json::array();
    for (const auto& f : output_files(o)) {
        const auto bytes = read_file(o.out / f.name);
        if (!bytes) throw std::runtime_error("cannot read back " + (o.out / f.name).string() + " for the manifest");
        files.push_back({{"name", f.name}, {"units", f.units}, {"content", f.content}, {"bytes", bytes->size()},
                         {"sha256", data::sha256_hex(*bytes)}});
    }
    j["files"] = files;
    write_file_atomic(o.out / manifest_name, dump_json(j) + "\n");
}

std::optional<std::string> manifest_identity(const fs::path& dir) {
    const auto text = read_file(dir / manifest_name);
    if (!text) return std::nullopt;
    const auto j = nlohmann::json::parse(*text, nullptr, false);
    if (!j.is_object() || !j.contains("run_sha256") || !j["run_sha256"].is_string()) return std::string("unreadable");
    return j["run_sha256"].get<std::string>();
}

}  // namespace tanhui::api::batch
