// POST /v1/experience/burning-cost, `tanhui burning-cost`: an index cover on one holding priced on
// its province's fire years as they happened, trend-adjusted as the fire calibration is
// (pricing/burning_cost.hpp). docs/products.md "Burning cost".
#pragma once

#include "api/products/outcome.hpp"
#include "data/types.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tanhui::api {

struct Calibration;
struct ModelVersion;

enum class BurningCostForm : std::uint8_t { per_tonne, linear };
std::string_view to_string(BurningCostForm form);

struct BurningCostRequest {
    Holding holding;
    BurningCostForm form = BurningCostForm::per_tonne;
    double price_cny_per_tco2e = 0;
    double deductible_tco2e = 0;
    std::optional<double> limit_cny;
    std::optional<double> sum_insured_cny;
    double trigger = 0;
    double exit = 1;
    std::optional<int> policy_year;  // default: the year after the fire fit's last year
    std::optional<int> from_year, to_year;  // default: the fire fit's data range
};
Decoded<BurningCostRequest> decode_burning_cost(const nlohmann::json& body);

// The fire calibration's log-linear trends (per year) and data range, read from its report:
// report.counts.parameters.trend_per_year.estimate (absent: the stationary fit was selected, 0)
// and report.burned_area.parameters.trend_per_year.estimate (per-fire damaged area).
struct FireTrend {
    double counts_trend_per_year = 0;
    double burned_area_trend_per_year = 0;
    int first_year = 0;
    int last_year = 0;  // the calibration holds the trend flat after this year
};
FireTrend fire_trend_from_report(const nlohmann::json& report);

// The fire calibration of a region in a model version: the longest prefix of its code that has
// one (as risk/simulation/simulate.cpp), or null.
const Calibration* fire_calibration(const ModelVersion& version, const std::string& region_code);

// Everything the replay needs besides the request, as plain values.
struct BurningCostInputs {
    std::string province;
    std::string calibration_id;     // the fire calibration the trend comes from (reported)
    std::vector<FireYear> history;  // the province's fire years (forest_damaged_ha is replayed)
    double province_forest_area_ha = 0;
    FireTrend trend;
    double stock_tco2e_per_ha = 0;  // the holding's
    double loss_fraction = 0.6;     // carbon lost per burned ha / stock, the holding's forest type
};
// The history in year order replayed by pricing::replay_fire_years (adjusted to min(policy year,
// trend.last_year)) and priced by pricing::burning_cost. Throws InvalidInput.
nlohmann::ordered_json compute_burning_cost(const BurningCostRequest& request, const BurningCostInputs& inputs,
                                            const std::string& model_version);

ProductOutcome handle_burning_cost(const nlohmann::json& body, const EndpointContext& context);

}  // namespace tanhui::api
