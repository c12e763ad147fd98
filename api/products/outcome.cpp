#include "api/products/outcome.hpp"

#include "api/service/quote_service.hpp"
#include "data/types.hpp"

namespace tanhui::api {

Problem decode_problem(std::vector<FieldProblem> problems, std::string_view what) {
    const std::size_t n = problems.size();
    return make_problem(400, std::to_string(n) + " invalid field" + (n > 1 ? "s" : "") + " in the " + std::string(what),
                        std::move(problems));
}

Problem unprocessable_problem(const InvalidInput& e, std::string_view what, const std::string& pointer) {
    return make_problem(422, "the " + std::string(what) + " is valid JSON but cannot be computed: " + e.what(),
                        {{pointer, e.what()}});
}

}  // namespace tanhui::api
