// The parameters of Tanhui's loss model: what calibration (risk/calibrate*.hpp) produces, what a
// quote's "model" overrides replace, and what simulation (risk/simulation/simulate.hpp) consumes.
// DESIGN "Perils", "Calibration", "Simulation". Plain values only.
#pragma once

#include "data/types.hpp"

#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tanhui::risk {

inline constexpr std::size_t forest_type_count = 6;
using PerForestType = std::array<double, forest_type_count>;  // indexed by ForestType
inline constexpr double tco2e_per_tc = 44.0 / 12.0;

// Per-fire burned area (ha): lognormal body, optionally a generalised Pareto tail above
// threshold_ha that carries tail_probability of the fires (splice at the threshold).
struct BurnedAreaModel {
    double mu = 0;     // log-scale location of the lognormal
    double sigma = 1;  // log-scale spread
    double threshold_ha = 0;       // 0: no GPD tail
    double tail_probability = 0;   // P(area > threshold_ha)
    double gpd_xi = 0;             // shape
    double gpd_beta = 1;           // scale (ha)
};

// Fire on a holding. Counts: Poisson with a shared gamma "fire-weather" year factor G (mean 1,
// variance 1 / year_factor_shape), i.e. negative binomial per region-year.
struct FireModel {
    double rate_per_ha_year = 0;   // expected fires per ha of forest in the policy year (trend-projected)
    double year_factor_shape = std::numeric_limits<double>::infinity();  // inf: plain Poisson
    BurnedAreaModel burned_area;
    PerForestType flammability{1, 1, 1, 1, 1, 1};  // relative to chinese_fir
    PerForestType loss_fraction{0.6, 0.6, 0.6, 0.6, 0.6, 0.6};  // carbon lost per burned ha / stock
};

// Pests and disease: an outbreak on a holding in a year with probability p (per forest type),
// affected share of the area ~ Beta(a, b), carbon lost = affected area x stock x mortality.
struct PestModel {
    PerForestType probability_per_year{};  // 0 for non-susceptible types
    double affected_a = 2;
    double affected_b = 8;
    PerForestType mortality{};
    // Pest probability in a year with fire-weather factor G is p * G^fire_weather_elasticity
    // (capped at 1): drought years raise both. 0 = independent.
    double fire_weather_elasticity = 0;
};

enum class PriceProcess : std::uint8_t { gbm, ou };

// Log price: GBM (d ln S = (drift - vol^2/2) dt + vol dW) or Ornstein-Uhlenbeck / Schwartz
// one-factor (d ln S = mean_reversion (long_run_log_price - ln S) dt + vol dW), either with
// Merton jumps (Poisson jump_intensity per year, log-jump ~ N(jump_mean, jump_std^2)).
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
    double risk_free_rate = 0.02;    // for risk-neutral pricing
    // Volatility of all log returns (GBM MLE) used by risk-neutral pricing; 0: use `volatility`.
    // Differs from `volatility` when the physical model has jumps or mean reversion.
    double risk_neutral_volatility = 0;
    double dividend_yield = 0;       // convenience yield
    double correlation_with_fire_weather = 0;  // Gaussian correlation with the fire-weather factor
};

// Carbon growth by forest type: Chapman-Richards stock(age) = max * (1 - exp(-rate * age))^shape,
// in tCO2e/ha (all pools the product covers), sequestration = d stock / d age.
struct GrowthCurve {
    double max_tco2e_per_ha = 0;
    double rate_per_year = 0;
    double shape = 1;
};

struct Model {
    std::string version;  // "m-<hash>": the set of calibration ids in force
    std::map<std::string, FireModel> fire;  // by province short code ("35")
    // Gaussian-copula correlation of the fire-weather factor between two provinces (1: one
    // shared factor). Estimated from the provincial history where possible, else documented.
    double fire_weather_cross_region_correlation = 1.0;
    PestModel pest;
    std::map<std::string, PriceModel> prices;  // by market
    std::array<GrowthCurve, forest_type_count> growth{};
};

// Throw InvalidInput naming the field (a JSON-pointer path under `at`) when a parameter is
// out of its domain.
void validate(const BurnedAreaModel& m, const std::string& at);
void validate(const FireModel& m, const std::string& at);
void validate(const PestModel& m, const std::string& at);
void validate(const PriceModel& m, const std::string& at);
void validate(const GrowthCurve& g, const std::string& at);

// DESIGN "Override semantics": the optional "model" block of a quote. A value given here is
// used exactly, with no calibrated factor on top (no fire-weather year factor, flammability,
// area scaling or forest-type susceptibility), so that a product designer can sweep it and an
// actuary can check the engine against closed forms. Fields are spelled like the JSON keys.
struct PoissonFrequency {
    double rate_per_year = 0;  // fires per year on each holding
};
struct BetaDistribution {
    double a = 2;
    double b = 8;
};
struct FireOverride {
    std::optional<PoissonFrequency> frequency;
    std::optional<BurnedAreaModel> burned_area_ha;  // lognormal mu, sigma (no GPD tail unless set)
    std::optional<double> loss_fraction;            // every forest type
};
struct PestOverride {
    std::optional<double> probability_per_year;  // outbreak probability of each holding, any forest type
    std::optional<BetaDistribution> affected_fraction;
    std::optional<double> mortality;             // every forest type
};
struct CarbonOverride {
    std::optional<double> stock_tco2e_per_ha;  // every holding; wins over the holding's own value
};
struct ModelOverrides {
    FireOverride fire;
    PestOverride pest;
    CarbonOverride carbon;
};

inline std::size_t index(ForestType t) { return static_cast<std::size_t>(t); }

}  // namespace tanhui::risk
