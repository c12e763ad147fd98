// tanhui: the command-line entry point. DESIGN "Interfaces (api/)".
#include "api/service/allocator.hpp"
#include "api/cli/cli.hpp"
#include "api/version.hpp"

#include <cstdio>
#include <exception>
#include <iostream>

int main(int argc, char** argv) {
    using namespace tanhui::api;
    configure_allocator();
    CLI::App app{"Tanhui (碳汇): forest carbon-sink insurance pricing and risk.\n"
                 "Prices index, price and revenue insurance on forest carbon, and measures the risk of\n"
                 "fire, pests and carbon-price swings, calibrated on Chinese historical data."};
    app.set_version_flag("--version", std::string("tanhui ") + version + " (commit " + git_commit + ")");
    app.require_subcommand(1);
    // Global options may come before or after the subcommand (`tanhui quote x.json --db t.db`):
    // subcommands created below inherit fallthrough and hand options they do not know to the app.
    app.fallthrough();
    GlobalOptions global;
    global.argv.assign(argv, argv + argc);
    app.add_option("--db", global.db, "SQLite database (default: $TANHUI_DB or ./var/tanhui.db; built on first use)");
    app.add_option("--data-dir", global.data_dir,
                   "Historical CSV folder used to build the database (default: $TANHUI_DATA_DIR or data/historical)");

    Action action;
    add_data_commands(app, global, action);
    add_serve_commands(app, global, action);
    add_keys_commands(app, global, action);
    add_quote_commands(app, global, action);
    add_products_commands(app, global, action);
    add_batch_commands(app, global, action);
    add_validate_commands(app, global, action);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help and --version exit 0; every other parse error is invalid input: exit 2, as the
        // README promises for every subcommand (CLI11's own codes run 101-127).
        const int code = app.exit(e);
        return code == 0 ? 0 : 2;
    }
    try {
        return action ? action() : 0;
    } catch (const UsageError& e) {
        std::cerr << "tanhui: " << e.what() << '\n';
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "tanhui: " << e.what() << '\n';
        return 1;
    }
}
