// POST routes of the products beyond the quote (api/products/products.hpp, docs/products.md): credibility,
// metrics of a loss table, reinsurance layers, reversal buffers and burning cost for actuaries;
// damage valuation for underwriters. Each handler runs on the worker pool with its thread's Store.
#include "api/json/problem.hpp"
#include "api/products/products.hpp"
#include "api/http/server.hpp"
#include "data/store/store.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace tanhui::api {

namespace {

using Handle = ProductOutcome (*)(data::Store&, ModelCache&, const nlohmann::json&, const ProductLimits&);

// Loss tables travel in the body: the metrics and layer routes take larger bodies.
constexpr std::size_t table_body_limit = 64u << 20;

}  // namespace

void register_product_routes(Router& router, ServiceContext& ctx, std::shared_ptr<ModelCache> models) {
    const auto add = [&](const char* pattern, Role role, Handle handle, std::size_t body_limit) {
        router.add(
            "POST", pattern, role,
            [&ctx, models, handle](const Request& req) {
                if (auto problem = check_query(req, {})) return *problem;
                nlohmann::json body;
                if (auto problem = parse_json_body(req, body)) return *problem;
                ProductLimits limits;
                limits.max_years = static_cast<long long>(std::min<std::uint64_t>(ctx.max_years(), 100'000'000));
                limits.max_simulated_years = std::min<long long>(limits.max_years, 10'000'000);
                const ProductOutcome outcome = handle(ctx.store(), *models, body, limits);
                if (outcome.problem) return problem_response(*outcome.problem);
                ctx.metrics.add_simulated_years(outcome.simulated_years);
                return json_response(*outcome.response);
            },
            {.body_limit = body_limit, .run_inline = false});
    };
    constexpr std::size_t small = 1u << 20;
    add("/v1/experience/credibility", Role::actuary, handle_credibility, small);
    add("/v1/risk/metrics", Role::actuary, handle_metrics, table_body_limit);
    add("/v1/reinsurance/layer", Role::actuary, handle_layer, table_body_limit);
    add("/v1/risk/buffer", Role::actuary, handle_buffer, small);
    add("/v1/experience/burning-cost", Role::actuary, handle_burning_cost, small);
    add("/v1/valuations/damage", Role::underwriter, handle_damage, small);
}

}  // namespace tanhui::api
