// `tanhui credibility`, `metrics`, `layer`, `damage`, `buffer`, `burning-cost`: one subcommand per
// line of the endpoint registry (api/products/endpoints.hpp), the request from a file or stdin.
// JSON on stdout and exit 0; invalid input: problem+json on stdout, exit 2. docs/products.md.
#include "api/cli/cli.hpp"
#include "api/cli/io.hpp"

#include "api/batch/batch.hpp"
#include "api/batch/ord_csv.hpp"
#include "api/batch/outputs.hpp"
#include "api/batch/run_tables.hpp"
#include "api/json/loss_table.hpp"
#include "api/json/metrics.hpp"
#include "api/json/problem.hpp"
#include "api/products/endpoints.hpp"
#include "api/service/quote_service.hpp"
#include "data/store/store.hpp"

#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>

namespace tanhui::api {

namespace {

int print_outcome(const ProductOutcome& outcome) {
    if (outcome.problem) return print_problem(*outcome.problem);
    std::cout << outcome.response->dump(2) << '\n';
    return 0;
}

// A request that needs no database: the store is never opened.
int run_without_store(const Endpoint& e, const nlohmann::json& body) {
    ModelCache models;
    const EndpointContext context{[]() -> data::Store& { throw std::logic_error("this command opens no database"); },
                                  models, ProductLimits{}};
    return print_outcome(e.handle(body, context));
}

int run_request(const Endpoint& e, const std::string& file) {
    auto body = parse_input_json(read_input(file));
    return body ? run_without_store(e, *body) : 2;
}

int run_model_request(const Endpoint& e, const GlobalOptions& g, const std::string& file, unsigned threads) {
    auto body = parse_input_json(read_input(file));
    if (!body) return 2;
    data::Store store = open_store(g);
    ModelCache models;
    ProductLimits limits;
    limits.threads = threads;
    const EndpointContext context{[&store]() -> data::Store& { return store; }, models, limits};
    return print_outcome(e.handle(*body, context));
}

struct LossTableOptions {
    std::string file;
    std::optional<long long> years;
    std::vector<double> levels;
    std::vector<double> return_periods;
    std::string run;  // --run DIR: a finished batch run's tables instead of FILE
    std::string unit = "cny";
};

// FILE or --run DIR, not both: a CLI11 parse error (exit 2) otherwise.
void require_file_or_run(const std::string& file, const std::string& run) {
    if (file.empty() == run.empty())
        throw CLI::ValidationError(file.empty() ? "give FILE, or --run DIR (the --out folder of a tanhui batch)"
                                                : "give FILE or --run DIR, not both");
}

// `tanhui metrics --run DIR`: the metrics of the run's year loss table and yearly largest
// occurrences in `unit`, as metrics.json holds them (its "cny" or "tco2e" part).
int run_metrics_of_run(const LossTableOptions& o) try {
    const auto t = batch::read_run_tables(o.run, o.unit);
    risk::MetricOptions options;
    if (!o.levels.empty()) options.levels = o.levels;
    if (!o.return_periods.empty()) options.return_periods = o.return_periods;
    std::cout << dump_json(metrics_json(risk::compute_metrics(t.annual, t.largest, options), MetricsFields::batch)) << '\n';
    return 0;
} catch (const InvalidInput& e) {
    std::cerr << "tanhui metrics: " << e.what() << '\n';
    return 2;
}

// `tanhui layer --run DIR --layer SPEC...`: layers on the run's CNY tables without simulating, as
// layers.json holds them (occurrence layers read policy_ylt_cny.csv).
int run_layers_of_run(const std::string& dir, const std::vector<std::string>& texts) try {
    std::vector<LayerSpec> specs;
    bool occurrence = false;
    for (const auto& text : texts) {
        specs.push_back(parse_layer(text));
        occurrence = occurrence || specs.back().occurrence;
    }
    const auto t = batch::read_run_tables(dir, "cny");
    const auto years = static_cast<std::uint32_t>(t.annual.size());
    const auto occurrences = occurrence ? batch::read_run_occurrences(dir, years) : std::vector<pricing::EventLoss>{};
    std::cout << dump_json(batch::layer_tables(years, t.annual, occurrences, specs).json) << '\n';
    return 0;
} catch (const InvalidInput& e) {
    std::cerr << "tanhui layer: " << e.what() << '\n';
    return 2;
}

bool looks_like_json(const std::string& text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    return first != std::string::npos && (text[first] == '{' || text[first] == '[');
}

int run_loss_table(const Endpoint& e, const LossTableOptions& o) {
    if (!o.run.empty()) return run_metrics_of_run(o);
    const std::string text = read_input(o.file);
    nlohmann::json body;
    if (looks_like_json(text)) {
        auto parsed = parse_input_json(text);
        if (!parsed) return 2;
        body = std::move(*parsed);
        if (!body.is_object()) return run_without_store(e, body);
        if (o.years) body["years"] = *o.years;  // the flags win over the file's fields
    } else {
        if (!o.years)
            return print_problem(make_problem(400, "a CSV loss table needs --years N (absent years have zero loss)",
                                              {{"/years", "is required with CSV input: give --years N"}}));
        if (*o.years < 2)
            return print_problem(make_problem(400, "--years must be at least 2",
                                              {{"/years", "must be >= 2, got " + std::to_string(*o.years)}}));
        auto csv = loss_csv_to_json(text, static_cast<std::uint64_t>(*o.years));
        if (!csv.problems.empty()) {
            const std::string where = o.file == "-" ? "stdin" : o.file;
            const std::size_t n = csv.problems.size();
            const std::string detail = where + ": " + std::to_string(n) + " problem" + (n > 1 ? "s" : "") +
                                       " in the CSV loss table; first: " + csv.problems.front().message;
            return print_problem(make_problem(400, detail, std::move(csv.problems)));
        }
        body = std::move(*csv.value);
    }
    if (!o.levels.empty()) body["levels"] = o.levels;
    if (!o.return_periods.empty()) body["return_periods"] = o.return_periods;
    return run_without_store(e, body);
}

void add_loss_table_command(CLI::App& sub, const Endpoint& e, Action& action) {
    auto o = std::make_shared<LossTableOptions>();
    sub.add_option("FILE", o->file, std::string(e.file_help));
    sub.add_option("--run", o->run, "The --out folder of a finished `tanhui batch`: its ylt_UNIT.csv (AEP) and selt_UNIT.csv (OEP)");
    sub.add_option("--unit", o->unit, "With --run: cny (payouts, default) or tco2e (carbon lost)")->check(CLI::IsMember({"cny", "tco2e"}));
    auto years = std::make_shared<long long>(0);
    auto* years_opt = sub.add_option("--years", *years, "Simulated years N (years absent from the table have zero loss)");
    sub.add_option("--levels", o->levels, "VaR/TVaR levels, e.g. 0.99,0.995")->delimiter(',');
    sub.add_option("--return-periods", o->return_periods, "Return periods in years, e.g. 10,100,250")->delimiter(',');
    sub.callback([&action, &e, o, years, years_opt] {
        require_file_or_run(o->file, o->run);
        if (years_opt->count()) o->years = *years;
        action = [&e, o] { return run_loss_table(e, *o); };
    });
}

void add_model_request_command(CLI::App& sub, const Endpoint& e, const GlobalOptions& global, Action& action) {
    auto file = std::make_shared<std::string>();
    auto threads = std::make_shared<unsigned>(0);
    sub.add_option("FILE", *file, std::string(e.file_help))->required();
    sub.add_option("--threads", *threads, "Simulation threads (default: $TANHUI_THREADS or all cores)")
        ->envname("TANHUI_THREADS");
    sub.callback([&global, &action, &e, file, threads] {
        action = [&global, &e, file, threads] { return run_model_request(e, global, *file, *threads); };
    });
}

void add_layer_command(CLI::App& sub, const Endpoint& e, const GlobalOptions& global, Action& action) {
    auto file = std::make_shared<std::string>();
    auto threads = std::make_shared<unsigned>(0);
    auto run = std::make_shared<std::string>();
    auto layers = std::make_shared<std::vector<std::string>>();
    sub.add_option("FILE", *file, std::string(e.file_help));
    sub.add_option("--threads", *threads, "Simulation threads (default: $TANHUI_THREADS or all cores)")
        ->envname("TANHUI_THREADS");
    sub.add_option("--run", *run, "The --out folder of a finished `tanhui batch`: layers on its CNY year losses");
    sub.add_option("--layer", *layers, "With --run: ATTACHMENT:LIMIT[:occurrence|aggregate] in CNY (repeatable)");
    sub.callback([&global, &action, &e, file, threads, run, layers] {
        require_file_or_run(*file, *run);
        if (run->empty() != layers->empty()) throw CLI::ValidationError("--layer goes with --run (a request FILE carries its layer)");
        if (!run->empty()) action = [run, layers] { return run_layers_of_run(*run, *layers); };
        else action = [&global, &e, file, threads] { return run_model_request(e, global, *file, *threads); };
    });
}

}  // namespace

void add_products_commands(CLI::App& app, const GlobalOptions& global, Action& action) {
    for (const Endpoint& e : endpoints()) {
        auto* sub = app.add_subcommand(std::string(e.command), std::string(e.help));
        switch (e.input) {
        case CommandInput::request: {
            auto file = std::make_shared<std::string>();
            sub->add_option("FILE", *file, std::string(e.file_help))->required();
            sub->callback([&action, &e, file] { action = [&e, file] { return run_request(e, *file); }; });
            break;
        }
        case CommandInput::loss_table: add_loss_table_command(*sub, e, action); break;
        case CommandInput::model_request: add_model_request_command(*sub, e, global, action); break;
        case CommandInput::layer_table: add_layer_command(*sub, e, global, action); break;
        }
    }
}

}  // namespace tanhui::api
