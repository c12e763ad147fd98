#include "risk/model/model.hpp"

#include <cmath>
#include <string>

namespace tanhui::risk {

namespace {

std::string str(double v) {
    std::string s = std::to_string(v);
    return s;
}

// Written so that NaN fails too.
void require(bool ok, const std::string& field, const std::string& what, double value) {
    if (!ok) throw InvalidInput(field, "must be " + what + ", got " + str(value));
}

}  // namespace

void validate(const BurnedAreaModel& m, const std::string& at) {
    require(std::isfinite(m.mu), at + "/mu", "finite", m.mu);
    require(m.sigma > 0 && std::isfinite(m.sigma), at + "/sigma", "> 0", m.sigma);
    require(m.threshold_ha >= 0, at + "/threshold_ha", ">= 0", m.threshold_ha);
    require(m.tail_probability >= 0 && m.tail_probability < 1, at + "/tail_probability", "in [0, 1)", m.tail_probability);
    require(m.gpd_xi > -1 && m.gpd_xi < 1, at + "/gpd_xi", "in (-1, 1) for a finite mean", m.gpd_xi);
    require(m.gpd_beta > 0, at + "/gpd_beta", "> 0", m.gpd_beta);
}

void validate(const FireModel& m, const std::string& at) {
    require(m.rate_per_ha_year >= 0 && std::isfinite(m.rate_per_ha_year), at + "/rate_per_ha_year", ">= 0", m.rate_per_ha_year);
    require(m.year_factor_shape > 0, at + "/year_factor_shape", "> 0 (infinity: no year factor)", m.year_factor_shape);
    validate(m.burned_area, at + "/burned_area");
    for (std::size_t i = 0; i < forest_type_count; ++i) {
        const std::string t(forest_type_names[i]);
        require(m.flammability[i] >= 0 && std::isfinite(m.flammability[i]), at + "/flammability/" + t, ">= 0", m.flammability[i]);
        require(m.loss_fraction[i] >= 0 && m.loss_fraction[i] <= 1, at + "/loss_fraction/" + t, "in [0, 1]", m.loss_fraction[i]);
    }
}

void validate(const PestModel& m, const std::string& at) {
    for (std::size_t i = 0; i < forest_type_count; ++i) {
        const std::string t(forest_type_names[i]);
        require(m.probability_per_year[i] >= 0 && m.probability_per_year[i] <= 1, at + "/probability_per_year/" + t,
                "in [0, 1]", m.probability_per_year[i]);
        require(m.mortality[i] >= 0 && m.mortality[i] <= 1, at + "/mortality/" + t, "in [0, 1]", m.mortality[i]);
    }
    require(m.affected_a > 0 && std::isfinite(m.affected_a), at + "/affected_a", "> 0", m.affected_a);
    require(m.affected_b > 0 && std::isfinite(m.affected_b), at + "/affected_b", "> 0", m.affected_b);
    require(std::isfinite(m.fire_weather_elasticity) && m.fire_weather_elasticity >= 0, at + "/fire_weather_elasticity",
            ">= 0", m.fire_weather_elasticity);
}

void validate(const PriceModel& m, const std::string& at) {
    require(m.spot > 0 && std::isfinite(m.spot), at + "/spot", "> 0", m.spot);
    require(m.volatility >= 0 && std::isfinite(m.volatility), at + "/volatility", ">= 0", m.volatility);
    require(std::isfinite(m.drift), at + "/drift", "finite", m.drift);
    require(m.mean_reversion >= 0 && std::isfinite(m.mean_reversion), at + "/mean_reversion", ">= 0", m.mean_reversion);
    require(std::isfinite(m.long_run_log_price), at + "/long_run_log_price", "finite", m.long_run_log_price);
    require(m.jump_intensity >= 0 && std::isfinite(m.jump_intensity), at + "/jump_intensity", ">= 0", m.jump_intensity);
    require(m.jump_std >= 0 && std::isfinite(m.jump_std), at + "/jump_std", ">= 0", m.jump_std);
    require(std::isfinite(m.jump_mean), at + "/jump_mean", "finite", m.jump_mean);
    require(std::isfinite(m.risk_free_rate), at + "/risk_free_rate", "finite", m.risk_free_rate);
    require(std::isfinite(m.dividend_yield), at + "/dividend_yield", "finite", m.dividend_yield);
    require(m.correlation_with_fire_weather >= -1 && m.correlation_with_fire_weather <= 1,
            at + "/correlation_with_fire_weather", "in [-1, 1]", m.correlation_with_fire_weather);
}

void validate(const GrowthCurve& g, const std::string& at) {
    require(g.max_tco2e_per_ha >= 0 && std::isfinite(g.max_tco2e_per_ha), at + "/max_tco2e_per_ha", ">= 0", g.max_tco2e_per_ha);
    require(g.rate_per_year > 0 && std::isfinite(g.rate_per_year), at + "/rate_per_year", "> 0", g.rate_per_year);
    require(g.shape > 0 && std::isfinite(g.shape), at + "/shape", "> 0", g.shape);
}

}  // namespace tanhui::risk
