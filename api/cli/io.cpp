#include "api/cli/io.hpp"

#include <fstream>
#include <iostream>
#include <iterator>

namespace tanhui::api {

data::Store open_store(const GlobalOptions& g) {
    data::Store store(g.db_path(), {.historical_dir = g.historical_dir()});
    if (store.created()) std::cerr << "tanhui: built " << g.db_path().string() << " from " << g.historical_dir().string() << '\n';
    return store;
}

std::string read_input(const std::string& file) {
    if (file == "-") return std::string(std::istreambuf_iterator<char>(std::cin), {});
    std::ifstream in(file, std::ios::binary);
    if (!in) throw UsageError("cannot read " + file);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

ModelVersion chosen_model_version(data::Store& store, const std::string& version) {
    if (version.empty()) return ensure_current_model(store);
    auto v = model_version(store, version);
    if (!v) throw UsageError("--model-version: the store holds no model version \"" + version + "\"; `tanhui model list` lists them");
    return std::move(*v);
}

int print_problem(const Problem& problem) {
    std::cout << problem_body(problem) << '\n';
    return 2;
}

std::optional<nlohmann::json> parse_input_json(const std::string& text) {
    Request req;
    req.method = "POST";
    req.content_type = "application/json";
    req.body = text;
    nlohmann::json body;
    if (auto problem = parse_json_body(req, body)) {
        std::cout << problem->body << '\n';
        return std::nullopt;
    }
    return body;
}

}  // namespace tanhui::api
