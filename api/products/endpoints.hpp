// The endpoint registry: the only list of the product endpoints beyond the quote (credibility,
// metrics of a loss table, reinsurance layer, damage valuation, reversal buffer, burning cost).
// The HTTP routes (api/routes/products.cpp) and the CLI subcommands (api/cli/products.cpp) both
// loop over it. An endpoint is api/products/<e>.{hpp,cpp} (decode, call risk/ or pricing/, encode)
// plus one line in endpoints.cpp. docs/products.md.
#pragma once

#include "api/http/auth.hpp"
#include "api/products/outcome.hpp"
#include "api/service/request_cost.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

namespace tanhui::api {

class Router;
class ServiceContext;

using EndpointHandler = ProductOutcome (*)(const nlohmann::json& body, const EndpointContext& context);
// The request's cost from its raw body, before any work (api/service/request_cost.hpp).
using EndpointCost = RequestCost (*)(const nlohmann::json& body, long long max_years);

// How `tanhui <command> FILE` reads its request.
enum class CommandInput : std::uint8_t {
    request,        // a JSON request; no database is opened
    model_request,  // a JSON request on the database's current model; --threads
    loss_table,     // a JSON request or a CSV loss table with --years; --levels, --return-periods;
                    // or a batch run's year loss table (--run DIR --unit)
    layer_table,    // a model_request, or a batch run's CNY tables with --run DIR --layer SPEC
};

struct Endpoint {
    std::string_view name;     // as in docs/products.md
    std::string_view path;     // POST route
    Role role;                 // the least role that may call it
    std::size_t body_limit;    // bytes of the request body on HTTP
    std::string_view command;  // `tanhui <command>`
    std::string_view help;     // the subcommand's help
    std::string_view file_help;
    CommandInput input;
    EndpointHandler handle;
    EndpointCost cost;  // null: no simulation, cost 0 (the cheap lane)
};

std::span<const Endpoint> endpoints();

// Registers each endpoint as POST path with its role, body limit and cost, on the lanes. The
// handlers keep `models` alive; pass the cache the quote and calibration routes use.
void register_product_routes(Router& router, ServiceContext& ctx, std::shared_ptr<ModelCache> models);

}  // namespace tanhui::api
