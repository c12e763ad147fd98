// The answer's "model_used": the effective parameters a quote used after its "model" overrides
// (issue 15, item 8), compact: one entry per distinct (peril, region, forest type), not per
// holding. Each peril describes its own part (risk::PerilEntry::describe).
#pragma once

#include "api/json/text.hpp"
#include "risk/model/model.hpp"
#include "risk/simulation/simulate.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace tanhui::api {

// Perils, carbon and weather of a prepared pool: {"perils": {<peril>: [...]} (the covered perils,
// each as its registry entry describes it), "carbon": [{forest_type, holdings, area_ha,
// stock_tco2e_per_ha (area-weighted), min_..., max_...}], "weather": {"cross_region_correlation",
// "regions": {<region>: {"year_factor_shape"}}} (the year factors of the pool's regions)}.
nlohmann::json pool_model_used(const risk::Model& model, const risk::ModelOverrides& overrides, const risk::Book& book,
                               const std::vector<std::string>& perils);

// A market's price model: process, spot and its date, drift, volatility, mean reversion,
// long-run price, jumps, rates, the risk-neutral volatility and the correlation with the weather
// ("correlation_with_weather").
SortedJsonWriter price_model_used(const risk::PriceModel& model);

// The stochastic sink's growth factor after the request's model.sink: distribution, cv,
// weather_correlation, region_correlation, drought_probability, drought_cut.
nlohmann::json sink_model_used(const risk::SinkModel& model);

}  // namespace tanhui::api
