// `tanhui keys create | list | revoke`: API keys of the HTTP service (api/http/auth.hpp, docs/api.md).
#include "api/http/auth.hpp"
#include "api/cli/cli.hpp"

#include "data/store/store.hpp"

#include <iostream>
#include <memory>

namespace tanhui::api {

namespace {

data::Store open_keys_store(const GlobalOptions& g) {
    data::Store store(g.db_path(), {.historical_dir = g.historical_dir()});
    if (store.created()) std::cerr << "tanhui: built " << g.db_path().string() << " from " << g.historical_dir().string() << '\n';
    return store;
}

int keys_create(const GlobalOptions& g, const std::string& role_name, const std::string& name) {
    const auto role = parse_role(role_name);
    if (!role) {
        std::cerr << "tanhui: --role must be underwriter, actuary or admin\n";
        return 2;
    }
    data::Store store = open_keys_store(g);
    const bool first = active_key_count(store) == 0;
    const NewKey k = create_key(store, *role, name);
    std::cerr << "tanhui: created key " << k.id << " (" << role_name << ", \"" << name
              << "\"); it is shown once, below, and only its salted hash is stored\n";
    if (first)
        std::cerr << "tanhui: this is the first key of " << g.db_path().string()
                  << ": the server ends local mode now; a server running on this database requires a key with "
                     "every request from within a second, without a restart\n";
    std::cout << k.key << std::endl;
    return 0;
}

int keys_list(const GlobalOptions& g, bool json) {
    data::Store store = open_keys_store(g);
    print_keys(std::cout, list_keys(store), json);
    return 0;
}

int keys_revoke(const GlobalOptions& g, const std::string& id) {
    data::Store store = open_keys_store(g);
    switch (revoke_key(store, id)) {
    case RevokeResult::revoked:
        std::cerr << "tanhui: revoked key " << id << " (a running server stops accepting it within seconds)\n";
        return 0;
    case RevokeResult::already_revoked:
        std::cerr << "tanhui: key " << id << " was already revoked\n";
        return 0;
    case RevokeResult::not_found:
        std::cerr << "tanhui: no key " << id << "; `tanhui keys list` shows the keys\n";
        return 2;
    }
    return 1;
}

}  // namespace

void add_keys_commands(CLI::App& app, const GlobalOptions& global, Action& action) {
    auto* keys = app.add_subcommand("keys", "API keys of the HTTP service: create, list, revoke");
    keys->require_subcommand(1);

    auto* create = keys->add_subcommand("create", "Create a key and print it once on stdout (only a hash is stored)");
    auto role = std::make_shared<std::string>();
    auto name = std::make_shared<std::string>();
    create->add_option("--role", *role, "underwriter, actuary or admin")
        ->required()->check(CLI::IsMember({"underwriter", "actuary", "admin"}));
    create->add_option("--name", *name, "Who or what uses the key, e.g. \"core-system-prod\"")->required();
    create->callback([&global, &action, role, name] {
        action = [&global, role, name] { return keys_create(global, *role, *name); };
    });

    auto* list = keys->add_subcommand("list", "Keys with id, name, role, created and revoked (never the key)");
    auto json = std::make_shared<bool>(false);
    list->add_flag("--json", *json, "Print JSON instead of text");
    list->callback([&global, &action, json] {
        action = [&global, json] { return keys_list(global, *json); };
    });

    auto* revoke = keys->add_subcommand("revoke", "Revoke a key by its id");
    auto id = std::make_shared<std::string>();
    revoke->add_option("ID", *id, "The key's id (the 12 hex digits after th_)")->required();
    revoke->callback([&global, &action, id] {
        action = [&global, id] { return keys_revoke(global, *id); };
    });
}

}  // namespace tanhui::api
