// `tanhui quote`, `tanhui calibrate`, `tanhui model show`: the JSON contract from the command line.
#include "api/cli/cli.hpp"
#include "api/cli/io.hpp"

#include "api/service/calibration.hpp"
#include "api/json/problem.hpp"
#include "api/service/quote_service.hpp"
#include "data/repositories/calibrations.hpp"
#include "data/store/store.hpp"
#include "risk/perils/registry.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

namespace tanhui::api {

namespace {

struct QuoteArgs {
    std::string file;
    unsigned threads = 0;
    bool no_store = false;
    std::string model_version;
};

int run_quote(const GlobalOptions& g, const QuoteArgs& a) {
    const auto body = parse_input_json(read_input(a.file));
    if (!body) return 2;
    data::Store store = open_store(g);
    if (!a.model_version.empty()) chosen_model_version(store, a.model_version);  // exit 2 if unknown
    ModelCache models;
    const auto outcome = quote(store, models, *body,
                               {.limits = {}, .threads = a.threads, .store = !a.no_store, .key_id = "", .atomic = true, .request_id = "", .model_version = a.model_version});
    if (outcome.problem) return print_problem(*outcome.problem);
    std::cout << outcome.response->dump(2) << '\n';
    return 0;
}

int run_replay(const GlobalOptions& g, const std::string& id, unsigned threads) {
    data::Store store = open_store(g);
    ModelCache models;
    const auto r = replay_quote(store, models, id, threads);
    if (!r) return print_problem(make_problem(404, "no stored quote " + id, {{"/quote_id", "unknown quote id"}}));
    std::cout << r->dump(2) << '\n';
    return (*r)["bit_identical"].get<bool>() ? 0 : 1;
}

int run_calibrate(const GlobalOptions& g, const CalibrationRequest& request, bool json, bool dry_run) {
    data::Store store = open_store(g);
    std::vector<Calibration> calibrations;
    try {
        calibrations = run_calibrations(store, request);
    } catch (const InvalidInput& e) {
        std::cerr << "tanhui calibrate: " << e.what() << '\n';
        return 2;
    }
    std::string version;
    if (!dry_run) version = store_calibrations(store, calibrations);
    if (json) {
        nlohmann::json out{{"model_version", version.empty() ? nlohmann::json(nullptr) : nlohmann::json(version)},
                           {"calibrations", nlohmann::json::array()}};
        for (const auto& c : calibrations) out["calibrations"].push_back(to_json(c));
        std::cout << out.dump(2) << '\n';
    } else {
        for (const auto& c : calibrations) std::cout << format_report(c) << '\n';
        if (!dry_run) std::cout << "current model version: " << version << '\n';
    }
    return 0;
}

int run_model_list(const GlobalOptions& g, bool json) {
    data::Store store = open_store(g);
    ensure_current_model(store);
    const auto versions = data::Calibrations(store).versions();
    if (json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& v : versions)
            out.push_back({{"model_version", v.version}, {"created", v.created}, {"current", v.current},
                           {"calibrations", v.calibration_ids}});
        std::cout << out.dump(2) << '\n';
        return 0;
    }
    std::cout << "model versions, oldest first (use one with --model-version on quote, batch and validate)\n";
    for (const auto& v : versions)
        std::cout << (v.current ? "* " : "  ") << v.version << "  created " << v.created << "  " << v.calibration_ids.size()
                  << " calibrations" << (v.current ? "  (current)" : "") << '\n';
    return 0;
}

int run_model_show(const GlobalOptions& g, bool json) {
    data::Store store = open_store(g);
    const ModelVersion v = ensure_current_model(store);
    if (json) {
        nlohmann::json out{{"model_version", v.version}, {"created", v.created}, {"calibrations", nlohmann::json::array()}};
        for (const auto& c : v.calibrations)
            out["calibrations"].push_back({{"id", c.id}, {"family", c.family}, {"scope", c.scope}, {"created", c.created},
                                           {"data_sha256", c.data_hash}, {"model", c.model}});
        std::cout << out.dump(2) << '\n';
        return 0;
    }
    std::cout << "model version " << v.version << " (created " << v.created << ")\n";
    for (const auto& c : v.calibrations)
        std::cout << "  " << c.id << "  " << c.family << " " << c.scope << "  " << c.model.dump() << '\n';
    return 0;
}

}  // namespace

void add_quote_commands(CLI::App& app, const GlobalOptions& global, Action& action) {
    auto* q = app.add_subcommand("quote", "Price a policy: a quote request (DESIGN JSON contract) in, the quote out.\n"
                                          "FILE holds one request or an array; - reads stdin. Invalid input prints\n"
                                          "problem+json naming each bad field and exits 2; nothing is stored then.");
    auto args = std::make_shared<QuoteArgs>();
    auto threads = std::shared_ptr<unsigned>(args, &args->threads);
    q->add_option("FILE", args->file, "Quote request JSON file, or - for stdin");
    q->add_option("--threads", args->threads, "Simulation threads (default: $TANHUI_THREADS or all cores)")->envname("TANHUI_THREADS");
    q->add_flag("--no-store", args->no_store, "Do not record the quote in the database (the answer then has no quote_id)");
    q->add_option("--model-version", args->model_version, "A stored model version (`tanhui model list`; default: the current one)");
    auto* replay = q->add_subcommand("replay", "Recompute a stored quote and say whether it is bit-identical (exit 1 if not)");
    auto id = std::make_shared<std::string>();
    replay->add_option("QUOTE_ID", *id, "A quote_id from a response")->required();
    replay->callback([&global, &action, id, threads] { action = [&global, id, threads] { return run_replay(global, *id, *threads); }; });
    q->callback([&global, &action, args, q] {
        if (q->got_subcommand("replay")) return;
        if (args->file.empty()) throw CLI::RequiredError("FILE");
        action = [&global, args] { return run_quote(global, *args); };
    });

    auto* cal = app.add_subcommand("calibrate", "Fit the model to the stored history, print the fit reports, store them\n"
                                                "and make them the current model version");
    auto request = std::make_shared<CalibrationRequest>();
    auto json = std::make_shared<bool>(false);
    auto dry = std::make_shared<bool>(false);
    auto from = std::make_shared<int>(0);
    auto to = std::make_shared<int>(0);
    const std::vector<std::string> choices = calibration_choices();
    const std::vector<std::string> named(choices.begin() + 1, choices.end());
    cal->add_option("--peril", request->peril, risk::join_names(named, ", ", false) + " or all (default)")
        ->check(CLI::IsMember(choices));
    cal->add_option("--region", request->regions,
                    "Perils fitted by region: region code(s) (default: every province with forest area)");
    cal->add_option("--market", request->markets, "Price: market(s) (default: every market)");
    auto* from_opt = cal->add_option("--from", *from, "First year of data used");
    auto* to_opt = cal->add_option("--to", *to, "Last year of data used");
    cal->add_flag("--jumps", request->jumps, "Price: also fit Merton jump models (slow)");
    cal->add_flag("--json", *json, "Print the reports as JSON");
    cal->add_flag("--dry-run", *dry, "Fit and print, store nothing");
    cal->callback([&global, &action, request, json, dry, from, to, from_opt, to_opt] {
        if (from_opt->count()) request->from_year = *from;
        if (to_opt->count()) request->to_year = *to;
        action = [&global, request, json, dry] { return run_calibrate(global, *request, *json, *dry); };
    });

    auto* model = app.add_subcommand("model", "The model versions quotes, batch and validate use");
    model->require_subcommand(1);
    auto* list = model->add_subcommand("list", "Every stored model version, oldest first, the current one marked");
    auto list_json = std::make_shared<bool>(false);
    list->add_flag("--json", *list_json, "Print JSON");
    list->callback([&global, &action, list_json] { action = [&global, list_json] { return run_model_list(global, *list_json); }; });
    auto* show = model->add_subcommand("show", "The current model version and its calibrations");
    auto show_json = std::make_shared<bool>(false);
    show->add_flag("--json", *show_json, "Print JSON");
    show->callback([&global, &action, show_json] { action = [&global, show_json] { return run_model_show(global, *show_json); }; });
}

}  // namespace tanhui::api
