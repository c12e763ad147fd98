// Reinsurance layers on a portfolio's simulated losses: annual-aggregate and per-occurrence
// excess of loss. DESIGN "Products" (reinsurance layers).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace tanhui::pricing {

// Per occurrence (each event against the layer) or annual aggregate (each year's total).
enum class LayerBasis : std::uint8_t { occurrence, aggregate };
std::optional<LayerBasis> parse_layer_basis(std::string_view name);
std::string_view to_string(LayerBasis basis);

struct Layer {
    double attachment_cny = 0;  // >= 0
    double limit_cny = 0;       // > 0
    // Per occurrence only: the year's recoveries are capped at limit x (1 + reinstatements),
    // and/or at an annual aggregate limit; with both, the smaller cap applies.
    std::optional<int> reinstatements{};
    std::optional<double> aggregate_limit_cny{};
    std::optional<double> premium_cny{};  // when given, rate_on_line_at_premium = premium / limit
};

struct LayerResult {
    std::size_t years = 0;
    double expected_layer_loss_cny = 0;
    double expected_layer_loss_se_cny = 0;  // sd / sqrt(N)
    double std_dev_cny = 0;                 // of the annual layer loss, N - 1
    double probability_of_attaching = 0;    // P(annual layer loss > 0)
    double probability_of_exhausting = 0;   // see aggregate_layer / per_occurrence_layer
    double rate_on_line = 0;                // expected layer loss / limit
    std::optional<double> rate_on_line_at_premium{};  // premium / limit
    double annual_cap_cny = 0;              // the most the layer pays in a year
    double expected_reinstatements_used = 0;  // E[min(recoveries, R x limit)] / limit; 0 without R
    std::vector<double> layer_loss_cny;     // per year, in year order
};

// Annual aggregate: layer loss = min(limit, max(0, S - attachment)) of each year's total S;
// exhausted when S >= attachment + limit. Reinstatements and an aggregate limit do not apply
// (InvalidInput "reinstatements" / "aggregate_limit_cny").
LayerResult aggregate_layer(std::span<const double> annual_losses_cny, const Layer& layer);

// Per occurrence: each event recovers min(limit, max(0, X - attachment)); a year's recoveries are
// their sum, capped as Layer says. Exhausted: the year's recoveries reach the annual cap when
// there is one, else some event reaches the top of the layer (X >= attachment + limit).
LayerResult per_occurrence_layer(std::span<const std::vector<double>> event_losses_by_year, const Layer& layer);

// The same from a table of (year, loss) rows, years numbered 1..years as in the metrics request;
// years without a row have no event.
struct EventLoss {
    std::size_t year = 0;
    double loss_cny = 0;
};
LayerResult per_occurrence_layer(std::size_t years, std::span<const EventLoss> events, const Layer& layer);

}  // namespace tanhui::pricing
