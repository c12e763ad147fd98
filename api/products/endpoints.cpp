#include "api/products/endpoints.hpp"

#include "api/products/buffer.hpp"
#include "api/products/burning_cost.hpp"
#include "api/products/credibility.hpp"
#include "api/products/damage.hpp"
#include "api/products/layer.hpp"
#include "api/products/metrics.hpp"

namespace tanhui::api {

namespace {

constexpr std::size_t small_body = 1u << 20;
// Loss tables travel in the body: the metrics and layer routes take larger bodies.
constexpr std::size_t table_body = 64u << 20;
constexpr std::string_view request_file = "Request JSON file, or - for stdin";

// The layer on holdings simulates its years twice (the events, then the losses by peril).
RequestCost layer_cost(const nlohmann::json& body, long long max_years) {
    return simulation_request_cost(body, max_years, 100'000, 2);
}

// The order is the CLI's and the route table's.
const Endpoint list[] = {
    {"credibility", "/v1/experience/credibility", Role::actuary, small_body, "credibility",
     "Buhlmann-Straub credibility: {groups: [{id, ratios, weights}]} in,\n"
     "collective premium, variances and each group's premium out",
     "Credibility request JSON, or - for stdin", CommandInput::request, handle_credibility, nullptr},
    {"metrics", "/v1/risk/metrics", Role::actuary, table_body, "metrics",
     "Risk metrics of a loss table: AAL, std, VaR, TVaR, AEP, OEP with standard\n"
     "errors. FILE is JSON {years, losses: [{year, event, loss}], levels?,\n"
     "return_periods?} or CSV with the header year,event,loss or year,loss (then --years);\n"
     "or --run DIR: the year loss table a `tanhui batch` wrote there",
     "Loss table (JSON or CSV), or - for stdin", CommandInput::loss_table, handle_metrics, nullptr},
    {"layer", "/v1/reinsurance/layer", Role::actuary, table_body, "layer",
     "Reinsurance layer (per occurrence or annual aggregate) on a simulated portfolio or an explicit\n"
     "loss table: expected layer loss, probabilities of attaching and exhausting, rate on line;\n"
     "or --run DIR --layer A:L[:occurrence|aggregate]: layers on a finished `tanhui batch` run",
     request_file, CommandInput::layer_table, handle_layer, layer_cost},
    {"damage", "/v1/valuations/damage", Role::underwriter, small_body, "damage",
     "Damage valuation for a compensation case: carbon stock lost plus sequestration forgone until\n"
     "regrowth (tCO2e) and its replacement cost at a market's price (median and a range)",
     request_file, CommandInput::model_request, handle_damage, damage_request_cost},
    {"buffer", "/v1/risk/buffer", Role::actuary, small_body, "buffer",
     "Reversal buffer: the share of credits to withhold so that cumulative reversals over the horizon\n"
     "exceed it with probability at most 1 - alpha",
     request_file, CommandInput::model_request, handle_buffer, buffer_request_cost},
    {"burning_cost", "/v1/experience/burning-cost", Role::actuary, small_body, "burning-cost",
     "Burning cost: an index cover on a holding replayed on its province's trend-adjusted fire years",
     request_file, CommandInput::model_request, handle_burning_cost, nullptr},
};

}  // namespace

std::span<const Endpoint> endpoints() { return list; }

}  // namespace tanhui::api
