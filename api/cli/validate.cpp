// `tanhui validate [--json] [--out DIR]`: the model validation of api/validation/report.hpp on
// the store's history with the current model version. Exit 0 when every gating test passes at
// its level, 1 when any fails (or the run fails), so that CI can gate a model change.
// docs/validation.md.
#include "api/cli/cli.hpp"
#include "api/cli/io.hpp"
#include "api/validation/report.hpp"

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>

namespace tanhui::api {

namespace {

struct ValidateArgs {
    bool json = false;
    std::string out;
    std::string plot_script;
    bool no_figures = false;
    std::string accept;
    ValidationOptions options;
};

void write_file(const std::filesystem::path& path, const std::string& text) {
    std::ofstream f(path, std::ios::binary);
    if (!f) throw std::runtime_error("cannot write " + path.string());
    f << text;
    if (!f.flush()) throw std::runtime_error("cannot write " + path.string());
}

// Quoted for /bin/sh: single quotes, each ' as '\''.
std::string shell_quote(const std::string& s) {
    std::string q = "'";
    for (const char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

int run(const GlobalOptions& global, ValidateArgs& a) {
    const auto start = std::chrono::steady_clock::now();
    if (!a.accept.empty()) {
        // CSV: id,reason (a header line starting with "id," and blank lines are skipped).
        std::ifstream in(a.accept);
        if (!in) throw UsageError("cannot read " + a.accept);
        for (std::string line; std::getline(in, line);) {
            if (!line.empty() && line.back() == '\r') line.pop_back();
            if (line.empty() || line.rfind("id,", 0) == 0 || line[0] == '#') continue;
            const auto comma = line.find(',');
            a.options.accepted_findings[line.substr(0, comma)] = comma == std::string::npos ? "" : line.substr(comma + 1);
        }
    }
    auto store = open_store(global);
    if (!a.options.model_version.empty()) chosen_model_version(store, a.options.model_version);  // exit 2 if unknown
    const ValidationReport report = run_validation(store, a.options);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    if (!a.out.empty()) {
        const std::filesystem::path dir(a.out);
        std::filesystem::create_directories(dir);
        write_file(dir / "report.json", report.json.dump(2) + "\n");
        write_file(dir / "report.txt", report.text);
        write_file(dir / "report.md", report.markdown);
        for (const auto& f : report.csv) write_file(dir / f.name, f.text);
        if (a.no_figures) {
            std::cerr << "tanhui validate: figures skipped (--no-figures)\n";
        } else {
            // Figures are drawn from the CSV files by a Python script (matplotlib), so that every
            // figure's data is in the folder beside it; without python3 + matplotlib the report
            // and the CSV files are still complete.
            const std::filesystem::path script =
                a.plot_script.empty() ? source_dir() / "scripts" / "plot-validation" : std::filesystem::path(a.plot_script);
            // Debian's interpreter, where python3-matplotlib lives (a pyenv python3 on PATH may lack it).
            const std::string python = std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
            const std::string command =
                python + " " + shell_quote(script.string()) + " " + shell_quote(dir.string()) + " >&2";
            const int rc = std::filesystem::exists(script) ? std::system(command.c_str()) : -1;
            if (rc != 0)
                std::cerr << "tanhui validate: figures skipped (" << script.string()
                          << (std::filesystem::exists(script) ? " failed: needs python3 and python3-matplotlib" : " not found")
                          << "); the report and the CSV files are written\n";
        }
    }
    if (a.json) std::cout << report.json.dump(2) << '\n';
    else std::cout << report.text;
    for (const auto& id : report.resolved_findings)
        std::cerr << "tanhui validate: accepted finding " << id << " now passes (or no longer exists): remove it from "
                  << a.accept << '\n';
    for (const auto& id : report.new_failures) std::cerr << "tanhui validate: FAIL " << id << '\n';
    std::cerr << "tanhui validate: " << (report.passed ? "passed" : "FAILED") << " in " << seconds << " s ("
              << (a.options.threads ? std::to_string(a.options.threads) : std::string("all")) << " threads)"
              << (a.out.empty() ? "" : ", written to " + a.out) << '\n';
    return report.passed ? 0 : 1;
}

}  // namespace

void add_validate_commands(CLI::App& app, const GlobalOptions& global, Action& action) {
    auto* v = app.add_subcommand(
        "validate",
        "Validate the current model on the shipped history: out-of-sample fire PITs and interval coverage\n"
        "(fit 2004-2018, predict 2019-2021), rolling VaR backtests of every market (Kupiec, Christoffersen,\n"
        "historical simulation beside), burning cost of the Longyan example against the model, and the\n"
        "reversal buffer beside CARB's and Verra's. Exit 0 when every gating test passes, 1 otherwise.\n"
        "docs/validation.md.");
    auto a = std::make_shared<ValidateArgs>();
    a->options.policy_file = source_dir() / "examples" / "quotes" / "longyan-index-fire-pest.json";
    a->options.band_policy_file = source_dir() / "examples" / "quotes" / "longyan-index.json";
    a->options.buffer_file = source_dir() / "examples" / "quotes" / "buffer.json";
    v->add_flag("--json", a->json, "Print the report as JSON");
    v->add_option("--out", a->out, "Also write report.{json,txt,md}, one CSV per figure and the PNG figures here");
    v->add_option("--policy", a->options.policy_file, "Index policy of the burning-cost check (quote request JSON)");
    v->add_option("--band-policy", a->options.band_policy_file,
                  "Quote request whose parameter-uncertainty band is printed (default: the Longyan policy as written)");
    v->add_option("--buffer-request", a->options.buffer_file,
                  "Buffer request whose Fujian chinese_fir holding is the buffer project");
    v->add_option("--seed", a->options.seed, "Seed of every Monte Carlo part (default 20190101)");
    v->add_option("--model-version", a->options.model_version,
                  "A stored model version (`tanhui model list`; default: the current one)");
    v->add_option("--threads", a->options.threads, "Threads (default: $TANHUI_THREADS or all cores)")->envname("TANHUI_THREADS");
    v->add_option("--plot-script", a->plot_script, "Figure script (default: scripts/plot-validation of the source tree)");
    v->add_flag("--no-figures", a->no_figures, "Write the report and CSV files only");
    v->add_option("--accept", a->accept,
                  "CSV of accepted findings (id,reason): gating tests known to fail that do not fail the run "
                  "(docs/validation/findings.csv)");
    v->callback([&global, &action, a] { action = [&global, a] { return run(global, *a); }; });
}

}  // namespace tanhui::api
