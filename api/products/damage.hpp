// POST /v1/valuations/damage, `tanhui damage`: damage valuation for a compensation case
// (pricing/damage.hpp): carbon stock lost plus sequestration forgone until regrowth, and its
// replacement cost at a CNY market's price (risk/simulation/price_at_horizon.hpp).
// docs/products.md "Damage valuation".
#pragma once

#include "api/products/outcome.hpp"
#include "data/types.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tanhui::risk {
struct Model;
}

namespace tanhui::api {

struct DamageRequest {
    std::string case_id;  // optional, echoed
    std::string region;
    ForestType forest_type = ForestType::chinese_fir;
    double age_years = 0;
    double damaged_area_ha = 0;
    double stock_loss_fraction = 1;
    std::string damage_date;
    std::string market;
    std::optional<double> carbon_stock_tco2e_per_ha;  // measured density: scales the curve through it
    std::optional<ForestType> regrowth_forest_type;   // replanted species; default the same
    double regrowth_delay_years = 0;
    double max_recovery_years = 100;
    double price_horizon_years = 1;                   // from the market's last observed close
    std::vector<double> price_levels{0.05, 0.95};
    std::uint32_t paths = 100'000;                    // Monte Carlo, jump models only
    std::uint64_t seed = 1;
};
Decoded<DamageRequest> decode_damage(const nlohmann::json& body);

// `currency` of the market must be CNY (checked by the handler). Throws InvalidInput;
// risk::Cancelled once `cancel` is set (a jump price model's paths).
nlohmann::ordered_json compute_damage(const DamageRequest& request, const risk::Model& model,
                                      const std::string& model_version, risk::CancelFlag cancel = nullptr);

ProductOutcome handle_damage(const nlohmann::json& body, const EndpointContext& context);

}  // namespace tanhui::api
