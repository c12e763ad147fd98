// `tanhui credibility`, `metrics`, `layer`, `damage`, `buffer`, `burning-cost`: the product
// requests of api/products/products.hpp from a file or stdin. JSON on stdout and exit 0; invalid input:
// problem+json on stdout, exit 2. docs/products.md.
#include "api/cli/cli.hpp"
#include "api/cli/io.hpp"

#include "api/json/problem.hpp"
#include "api/products/products.hpp"
#include "api/service/quote_service.hpp"
#include "data/store/store.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>

namespace tanhui::api {

namespace {

int print_outcome(const ProductOutcome& outcome) {
    if (outcome.problem) return print_problem(*outcome.problem);
    std::cout << outcome.response->dump(2) << '\n';
    return 0;
}

struct MetricsOptions {
    std::string file;
    std::optional<long long> years;
    std::vector<double> levels;
    std::vector<double> return_periods;
};

bool looks_like_json(const std::string& text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    return first != std::string::npos && (text[first] == '{' || text[first] == '[');
}

int run_metrics(const MetricsOptions& o) {
    const std::string text = read_input(o.file);
    nlohmann::json body;
    if (looks_like_json(text)) {
        auto parsed = parse_input_json(text);
        if (!parsed) return 2;
        body = std::move(*parsed);
        if (!body.is_object()) return print_outcome(metrics(body));
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
    return print_outcome(metrics(body));
}

using Handle = ProductOutcome (*)(data::Store&, ModelCache&, const nlohmann::json&, const ProductLimits&);

int run_product_file(const GlobalOptions& g, const std::string& file, Handle handle, unsigned threads) {
    auto body = parse_input_json(read_input(file));
    if (!body) return 2;
    data::Store store = open_store(g);
    ModelCache models;
    ProductLimits limits;
    limits.threads = threads;
    return print_outcome(handle(store, models, *body, limits));
}

}  // namespace

void add_products_commands(CLI::App& app, const GlobalOptions& global, Action& action) {
    auto* cred = app.add_subcommand("credibility", "Buhlmann-Straub credibility: {groups: [{id, ratios, weights}]} in,\n"
                                                   "collective premium, variances and each group's premium out");
    auto cred_file = std::make_shared<std::string>();
    cred->add_option("FILE", *cred_file, "Credibility request JSON, or - for stdin")->required();
    cred->callback([&action, cred_file] {
        action = [cred_file] {
            auto body = parse_input_json(read_input(*cred_file));
            return body ? print_outcome(credibility(*body)) : 2;
        };
    });

    auto* met = app.add_subcommand("metrics", "Risk metrics of a loss table: AAL, std, VaR, TVaR, AEP, OEP with standard\n"
                                              "errors. FILE is JSON {years, losses: [{year, event, loss}], levels?,\n"
                                              "return_periods?} or CSV with the header year,event,loss (then --years)");
    auto mo = std::make_shared<MetricsOptions>();
    met->add_option("FILE", mo->file, "Loss table (JSON or CSV), or - for stdin")->required();
    auto years = std::make_shared<long long>(0);
    auto* years_opt = met->add_option("--years", *years, "Simulated years N (years absent from the table have zero loss)");
    met->add_option("--levels", mo->levels, "VaR/TVaR levels, e.g. 0.99,0.995")->delimiter(',');
    met->add_option("--return-periods", mo->return_periods, "Return periods in years, e.g. 10,100,250")->delimiter(',');
    met->callback([&action, mo, years, years_opt] {
        if (years_opt->count()) mo->years = *years;
        action = [mo] { return run_metrics(*mo); };
    });

    struct Entry {
        const char* name;
        const char* help;
        Handle handle;
    };
    const Entry entries[] = {
        {"layer", "Reinsurance layer (per occurrence or annual aggregate) on a simulated portfolio or an explicit\n"
                  "loss table: expected layer loss, probabilities of attaching and exhausting, rate on line",
         handle_layer},
        {"damage", "Damage valuation for a compensation case: carbon stock lost plus sequestration forgone until\n"
                   "regrowth (tCO2e) and its replacement cost at a market's price (median and a range)",
         handle_damage},
        {"buffer", "Reversal buffer: the share of credits to withhold so that cumulative reversals over the horizon\n"
                   "exceed it with probability at most 1 - alpha",
         handle_buffer},
        {"burning-cost", "Burning cost: an index cover on a holding replayed on its province's trend-adjusted fire years",
         handle_burning_cost},
    };
    for (const Entry& e : entries) {
        auto* sub = app.add_subcommand(e.name, e.help);
        auto file = std::make_shared<std::string>();
        auto threads = std::make_shared<unsigned>(0);
        sub->add_option("FILE", *file, "Request JSON file, or - for stdin")->required();
        sub->add_option("--threads", *threads, "Simulation threads (default: $TANHUI_THREADS or all cores)")
            ->envname("TANHUI_THREADS");
        const Handle handle = e.handle;
        sub->callback([&global, &action, file, threads, handle] {
            action = [&global, file, threads, handle] { return run_product_file(global, *file, handle, *threads); };
        });
    }
}

}  // namespace tanhui::api
