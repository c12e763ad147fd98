// POST routes of the product endpoints (api/products/endpoints.hpp, docs/products.md): one route per
// registry line, with its role, body limit and cost. Each handler runs on its lane with its thread's
// Store, and hands the request's cancel flag to the endpoint (EndpointContext::cancel).
#include "api/json/problem.hpp"
#include "api/products/endpoints.hpp"
#include "api/http/server.hpp"
#include "data/store/store.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace tanhui::api {

namespace {

// The route's cost estimate from the endpoint's (none: cost 0, the cheap lane).
std::function<RequestCost(const Request&)> cost_of(const ServiceContext& ctx, EndpointCost cost) {
    if (!cost) return nullptr;
    return [&ctx, cost](const Request& req) {
        return cost(request_json(req), static_cast<long long>(ctx.max_years()));
    };
}

}  // namespace

void register_product_routes(Router& router, ServiceContext& ctx, std::shared_ptr<ModelCache> models) {
    for (const Endpoint& e : endpoints()) {
        router.add(
            "POST", std::string(e.path), e.role,
            [&ctx, models, handle = e.handle](const Request& req) {
                if (auto problem = check_query(req, {})) return *problem;
                nlohmann::json body;
                if (auto problem = parse_json_body(req, body)) return *problem;
                ProductLimits limits;
                limits.max_years = static_cast<long long>(std::min<std::uint64_t>(ctx.max_years(), 100'000'000));
                limits.max_simulated_years = std::min<long long>(limits.max_years, 10'000'000);
                const EndpointContext context{[&ctx]() -> data::Store& { return ctx.store(); }, *models, limits,
                                              req.cancel.get()};
                const ProductOutcome outcome = handle(body, context);
                if (outcome.problem) return problem_response(*outcome.problem);
                ctx.metrics.add_simulated_years(outcome.simulated_years);
                return json_response(*outcome.response);
            },
            {.body_limit = e.body_limit, .run_inline = false, .cost = cost_of(ctx, e.cost)});
    }
}

}  // namespace tanhui::api
