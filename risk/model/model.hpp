// The parameters of Tanhui's loss model: what calibration (risk/calibration/) produces, what a
// quote's "model" overrides replace, and what simulation (risk/simulation/simulate.hpp) consumes.
// DESIGN "Perils", "Calibration", "Simulation". Plain values only. The perils' own parameters
// are not named here: each peril's file (risk/perils/<p>.hpp) declares them and keeps them in
// Model::perils under its id, so that a new peril adds no member to Model (issue 15, item 3).
#pragma once

#include "data/types.hpp"

#include <any>
#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace tanhui::risk {

inline constexpr std::size_t forest_type_count = 6;
using PerForestType = std::array<double, forest_type_count>;  // indexed by ForestType
inline constexpr double tco2e_per_tc = 44.0 / 12.0;

enum class PriceProcess : std::uint8_t { gbm, ou };

// Log price: GBM (d ln S = (drift - vol^2/2) dt + vol dW) or Ornstein-Uhlenbeck / Schwartz
// one-factor (d ln S = mean_reversion (long_run_log_price - ln S) dt + vol dW), either with
// Merton jumps (Poisson jump_intensity per year, log-jump ~ N(jump_mean, jump_std^2)).
// Fat tails (issue 19): tail_dof > 2 replaces the normal innovation of every step by a Student-t
// one of the same variance, (dof - 2) / dof scaled; the law of the return over any one step
// (a day in calibration, a fixing interval in simulation) is then location + scale t_dof. It is a
// family of marginals, not a Levy process: a sum of t steps is not t.
// Thin trading (issue 19): noise_sd > 0 says the observed log close is the efficient log price
// plus i.i.d. N(0, noise_sd^2) noise (bid-ask bounce, Roll 1984); `volatility` is the efficient
// price's. The simulated price is the efficient one; the noise enters only calibration and the
// backtest's forecasts of observed closes.
struct PriceModel {
    std::string market;
    PriceProcess process = PriceProcess::gbm;
    double spot = 0;                 // last observed close, currency/tCO2e
    std::string spot_date;           // YYYY-MM-DD
    double drift = 0;                // per year (GBM)
    double volatility = 0;           // per sqrt(year)
    double mean_reversion = 0;       // per year (OU)
    double long_run_log_price = 0;   // (OU)
    double jump_intensity = 0;       // per year
    double jump_mean = 0;
    double jump_std = 0;
    double tail_dof = 0;             // Student-t innovations' degrees of freedom (> 2); 0: normal
    double noise_sd = 0;             // observation noise of the log close; 0: none
    double risk_free_rate = 0.02;    // for risk-neutral pricing
    // Volatility of all log returns (GBM MLE) used by risk-neutral pricing; 0: use `volatility`.
    // Differs from `volatility` when the physical model has jumps or mean reversion.
    double risk_neutral_volatility = 0;
    double dividend_yield = 0;       // convenience yield
    double correlation_with_weather = 0;  // Gaussian correlation with the weather's shared normal Z_y
};

// Carbon growth by forest type: Chapman-Richards stock(age) = max * (1 - exp(-rate * age))^shape,
// in tCO2e/ha (all pools the product covers), sequestration = d stock / d age.
struct GrowthCurve {
    double max_tco2e_per_ha = 0;
    double rate_per_year = 0;
    double shape = 1;
};

// The shared weather year factors (DESIGN "Dependence"): per region a year factor G (gamma,
// mean 1, variance 1 / year_factor_shape) on a Gaussian copula across regions with correlation
// cross_region_correlation (1: one shared factor). Any peril may draw on the factor of a
// holding's region (fire's counts and pest's probability do); the fire calibration provides the
// shapes and the correlation today (risk/calibration/fire_model.hpp). risk/simulation/weather.hpp
// draws it.
struct WeatherModel {
    std::map<std::string, double> year_factor_shape;  // by region code ("35"); infinity: G = 1
    double cross_region_correlation = 1.0;
};

// The year-to-year spread of a holding's sequestration (issue 17; risk/simulation/sink.hpp draws
// it): each simulated year the growth-curve sequestration is multiplied by a growth factor F with
// mean 1. The defaults are the labelled assumptions sink.* of data/historical/assumptions.csv
// (tests/risk/simulation/sink_test.cpp compares them with the file): Qianyanzhou NEP 306-430
// gC/m2/yr (CV about 13 %), the 2022 drought's NPP cut in Fujian (-18.9 %) as the drought tail.
enum class SinkDistribution : std::uint8_t { lognormal, normal };
struct SinkModel {
    SinkDistribution distribution = SinkDistribution::lognormal;  // normal: F = 1 + cv X (closed forms)
    double cv = 0.13;                    // of the lognormal part, between years
    double weather_correlation = 0.3;    // of the sink normal with minus the region's weather normal
    double region_correlation = 0.8;     // between holdings of one region (Gaussian copula)
    double drought_probability = 0.083;  // a region-year is a drought year (the low tail of its normal)
    double drought_cut = 0.189;          // share of the year's sequestration a drought year removes
};

// Numbered by PerilId (risk/random/draws.hpp, the random-number peril word).
enum class PerilId : std::uint16_t;

// One value per peril without a member per peril: a peril's file keeps its own type under its
// id and is the only reader of it (risk/perils/fire.hpp: FireModels; pest.hpp: PestModel).
class ByPeril {
public:
    template <class T>
    T& set(PerilId id, T value) {
        return std::any_cast<T&>(values_[id] = std::move(value));
    }
    // nullptr when the peril has no value; throws std::logic_error when it has one of another type.
    template <class T>
    const T* find(PerilId id) const {
        const auto it = values_.find(id);
        if (it == values_.end()) return nullptr;
        if (const T* v = std::any_cast<T>(&it->second)) return v;
        throw std::logic_error("a peril's value has another type than its file reads");
    }
    template <class T>
    T* find(PerilId id) {
        return const_cast<T*>(std::as_const(*this).find<T>(id));
    }
    bool contains(PerilId id) const { return values_.count(id) != 0; }

private:
    std::map<PerilId, std::any> values_;
};

struct Model {
    std::string version;  // "m-<hash>": the set of calibration ids in force
    WeatherModel weather;
    ByPeril perils;  // each peril's calibrated parameters (its file's type)
    std::map<std::string, PriceModel> prices;  // by market
    std::array<GrowthCurve, forest_type_count> growth{};
    SinkModel sink;  // labelled assumptions, not a calibration: not part of the model version
};

// Throws InvalidInput(field, "must be <what>, got <value>") unless ok (written so that a NaN
// parameter fails too): the domain checks of every parameter struct.
void require_parameter(bool ok, const std::string& field, const std::string& what, double value);

// Throw InvalidInput naming the field (a JSON-pointer path under `at`) when a parameter is
// out of its domain.
void validate(const PriceModel& m, const std::string& at);
void validate(const GrowthCurve& g, const std::string& at);
void validate(const SinkModel& s, const std::string& at);

// DESIGN "Override semantics": the optional "model" block of a quote. A value given replaces the
// calibrated one exactly, and only that one (a partial override keeps every other value
// calibrated; docs/risk-model.md "Overrides" says what each peril's fields replace). Each peril's
// override is its file's type (risk/perils/fire.hpp: FireOverride), decoded by its registry entry.
struct CarbonOverride {
    std::optional<double> stock_tco2e_per_ha;  // every holding; wins over the holding's own value
};
// model.sink of a quote (the growth factor's parameters, SinkModel): each value given replaces
// the labelled assumption's; the others stay as assumed.
struct SinkOverride {
    std::optional<SinkDistribution> distribution;
    std::optional<double> cv, weather_correlation, region_correlation, drought_probability, drought_cut;
};
struct ModelOverrides {
    ByPeril perils;
    CarbonOverride carbon;
    SinkOverride sink;
};
// The sink model a quote runs on: the model's with the override's values on top. Throws
// InvalidInput ("model/sink/cv", ...) for a value out of its domain.
SinkModel effective_sink_model(const SinkModel& model, const SinkOverride& override_);

inline std::size_t index(ForestType t) { return static_cast<std::size_t>(t); }

}  // namespace tanhui::risk
