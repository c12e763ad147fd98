// Fire (DESIGN "Perils"): per holding-year a Poisson number of fires with mean
//   rate = rate_per_ha_year x area x flammability(forest type) x G_{y, region},
// G the weather year factor of the holding's region (gamma, mean 1, shape k: negative-binomial
// counts with variance m + m^2 / k), each fire's burned area from the spliced lognormal / GPD
// model, capped by what is left of the holding, and carbon lost = burned area x stock density x
// loss fraction. The fire parameters are per province (the longest prefix of the holding's
// region with a FireModel). A quote's model.fire replaces exactly the values it gives
// (docs/risk-model.md "Overrides").
#pragma once

#include "risk/model/model.hpp"
#include "risk/model/record_reader.hpp"
#include "risk/model/value.hpp"
#include "risk/perils/peril.hpp"

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tanhui::risk {

// The peril's name in requests, answers and the registry.
inline constexpr std::string_view fire_peril_name = "fire";

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

// Fire in one province. year_factor_shape is the over-dispersion of its counts the calibration
// found (negative binomial size): assembly puts it into Model::weather, whose factor the
// simulation draws (add_fire_model below).
struct FireModel {
    double rate_per_ha_year = 0;   // expected fires per ha of forest in the policy year (trend-projected)
    double year_factor_shape = std::numeric_limits<double>::infinity();  // inf: plain Poisson
    BurnedAreaModel burned_area;
    PerForestType flammability{1, 1, 1, 1, 1, 1};  // relative to chinese_fir
    PerForestType loss_fraction{0.6, 0.6, 0.6, 0.6, 0.6, 0.6};  // carbon lost per burned ha / stock
};

// Throw InvalidInput naming the field (a JSON-pointer path under `at`) when a parameter is out of
// its domain.
void validate(const BurnedAreaModel& m, const std::string& at);
void validate(const FireModel& m, const std::string& at);

// The fire models of a Model, by region code ("35"); Model::perils holds them under PerilId::fire.
using FireModels = std::map<std::string, FireModel>;
const FireModels* fire_models(const Model& model);  // nullptr: no fire calibration
// Adds a region's fire model and its year factor shape to the model's weather.
void add_fire_model(Model& model, const std::string& region, const FireModel& fire);

// model.fire of a quote. Each value given replaces the calibrated one; the others stay calibrated.
struct PoissonFrequency {
    double rate_per_year = 0;  // fires per year on each holding
};
struct FireOverride {
    // That many fires per holding-year: no weather factor, flammability or area scaling.
    std::optional<PoissonFrequency> frequency{};
    std::optional<BurnedAreaModel> burned_area_ha{};  // lognormal mu, sigma (no GPD tail)
    std::optional<double> loss_fraction{};            // every forest type
};
const FireOverride* fire_override(const ModelOverrides& overrides);  // nullptr: none given
void set_fire_override(ModelOverrides& overrides, const FireOverride& fire);

// The registry's codec and model_used entries (risk/perils/registry.hpp).
void decode_fire_override(const Value& block, const std::string& at, ModelOverrides& overrides,
                          std::vector<FieldProblem>& problems);
Value describe_fire(const Model& model, const ModelOverrides& overrides, std::span<const PreparedHolding> holdings);

// Per-fire burned area (ha) by inversion of one uniform: a lognormal body below threshold_ha
// carrying 1 - tail_probability (the lognormal truncated there and rescaled), and above it
// threshold + GPD(xi, beta) carrying tail_probability. Without a tail: the plain lognormal.
class BurnedAreaSampler {
public:
    explicit BurnedAreaSampler(const BurnedAreaModel& model);
    // u in (0, 1) and one_minus_u = 1 - u (passed exactly, for the far tail).
    double quantile_ha(double u, double one_minus_u) const;
    const BurnedAreaModel& model() const { return model_; }

private:
    BurnedAreaModel model_;
    bool has_tail_ = false;
    double body_scale_ = 1;  // Phi((ln threshold - mu) / sigma) / (1 - tail_probability)
};

class FirePeril final : public Peril {
public:
    explicit FirePeril(const PerilSetup& setup);
    PerilId id() const override { return PerilId::fire; }
    std::string_view name() const override { return fire_peril_name; }
    std::span<const std::uint32_t> occurrence_holdings() const override { return draw_index_; }
    double add_year(const Year& year, std::span<const std::uint32_t> occurrence, std::span<double> loss_tco2e,
                    EventSink& events) const override;
    // The block path: the same per holding-year code as add_year, one call for 256 years.
    bool add_block(const YearBlock& block, std::span<const std::uint32_t> occurrence, std::size_t book_holdings,
                   std::span<double> loss_tco2e, std::vector<BlockEvent>& events) const override;

    // The flat per-holding numbers of the hot loop (holdings that cannot lose carbon to fire
    // are left out). Public for tests and documentation.
    struct Prepared {
        double rate_per_year = 0;              // expected fires at G = 1
        double area_ha = 0;
        double tco2e_per_burned_ha = 0;        // stock density x loss fraction
        double stock_tco2e = 0;                // area x stock density: its events' exposure
        std::uint64_t zero_threshold = 0;      // at G = 1: a word below it means no fire
        std::uint32_t draw_index = 0;
        std::uint32_t position = 0;            // index into loss_tco2e
        std::uint16_t slot = 0;                // weather slot; 0 = no factor (override)
        std::uint16_t severity = 0;            // index into the burned-area samplers
    };
    std::span<const Prepared> prepared() const { return holdings_; }

private:
    std::vector<Prepared> holdings_;
    std::vector<std::uint32_t> draw_index_;  // holdings_[i].draw_index, contiguous for occurrence_words
    std::vector<BurnedAreaSampler> severities_;
};

std::unique_ptr<Peril> make_fire(const PerilSetup& setup);

}  // namespace tanhui::risk
