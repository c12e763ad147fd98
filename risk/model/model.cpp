#include "risk/model/model.hpp"

#include <cmath>
#include <string>

namespace tanhui::risk {

void require_parameter(bool ok, const std::string& field, const std::string& what, double value) {
    if (!ok) throw InvalidInput(field, "must be " + what + ", got " + std::to_string(value));
}

namespace {

void require(bool ok, const std::string& field, const std::string& what, double value) {
    require_parameter(ok, field, what, value);
}

}  // namespace

void validate(const PriceModel& m, const std::string& at) {
    require(m.spot > 0 && std::isfinite(m.spot), at + "/spot", "> 0", m.spot);
    require(m.volatility >= 0 && std::isfinite(m.volatility), at + "/volatility", ">= 0", m.volatility);
    require(std::isfinite(m.drift), at + "/drift", "finite", m.drift);
    require(m.mean_reversion >= 0 && std::isfinite(m.mean_reversion), at + "/mean_reversion", ">= 0", m.mean_reversion);
    require(std::isfinite(m.long_run_log_price), at + "/long_run_log_price", "finite", m.long_run_log_price);
    require(m.jump_intensity >= 0 && std::isfinite(m.jump_intensity), at + "/jump_intensity", ">= 0", m.jump_intensity);
    require(m.jump_std >= 0 && std::isfinite(m.jump_std), at + "/jump_std", ">= 0", m.jump_std);
    require(std::isfinite(m.jump_mean), at + "/jump_mean", "finite", m.jump_mean);
    require(m.tail_dof == 0 || (m.tail_dof > 2 && m.tail_dof <= 1e6), at + "/tail_dof", "0 (normal) or in (2, 1e6]", m.tail_dof);
    require(m.noise_sd >= 0 && std::isfinite(m.noise_sd), at + "/noise_sd", ">= 0", m.noise_sd);
    require(std::isfinite(m.risk_free_rate), at + "/risk_free_rate", "finite", m.risk_free_rate);
    require(std::isfinite(m.dividend_yield), at + "/dividend_yield", "finite", m.dividend_yield);
    require(m.correlation_with_weather >= -1 && m.correlation_with_weather <= 1, at + "/correlation_with_weather",
            "in [-1, 1]", m.correlation_with_weather);
}

void validate(const GrowthCurve& g, const std::string& at) {
    require(g.max_tco2e_per_ha >= 0 && std::isfinite(g.max_tco2e_per_ha), at + "/max_tco2e_per_ha", ">= 0", g.max_tco2e_per_ha);
    require(g.rate_per_year > 0 && std::isfinite(g.rate_per_year), at + "/rate_per_year", "> 0", g.rate_per_year);
    require(g.shape > 0 && std::isfinite(g.shape), at + "/shape", "> 0", g.shape);
}

void validate(const SinkModel& s, const std::string& at) {
    require(s.cv >= 0 && s.cv <= 2, at + "/cv", "in [0, 2]", s.cv);
    require(s.weather_correlation >= -1 && s.weather_correlation <= 1, at + "/weather_correlation", "in [-1, 1]",
            s.weather_correlation);
    require(s.region_correlation >= 0 && s.region_correlation <= 1, at + "/region_correlation", "in [0, 1]",
            s.region_correlation);
    require(s.drought_probability >= 0 && s.drought_probability < 1, at + "/drought_probability", "in [0, 1)",
            s.drought_probability);
    require(s.drought_cut >= 0 && s.drought_cut <= 1, at + "/drought_cut", "in [0, 1]", s.drought_cut);
}

SinkModel effective_sink_model(const SinkModel& model, const SinkOverride& o) {
    SinkModel m = model;
    if (o.distribution) m.distribution = *o.distribution;
    if (o.cv) m.cv = *o.cv;
    if (o.weather_correlation) m.weather_correlation = *o.weather_correlation;
    if (o.region_correlation) m.region_correlation = *o.region_correlation;
    if (o.drought_probability) m.drought_probability = *o.drought_probability;
    if (o.drought_cut) m.drought_cut = *o.drought_cut;
    validate(m, "model/sink");
    return m;
}

}  // namespace tanhui::risk
