// Pests and disease (DESIGN "Perils", issue 16 item 4): two processes per holding-year.
// General pests: an outbreak with probability
//   p = min(1, probability_per_year(forest type) x G_{y, region} ^ weather_elasticity),
// G the weather year factor of the holding's region (drought years raise both fire and pests),
// an affected share of the area f ~ Beta(a, b); stock is lost only on the severe part of it,
// carbon lost = f x area x stock density x mortality(forest type), mortality = severe share x
// mortality of severe occurrence; the rest is defoliation: forgone growth f x area x stock x
// growth_loss_fraction, not stock (forgone_growth_tco2e).
// Pine wilt (host forest types): a county-level process, one draw per county and year shared by
// every holding of the county (an epidemic county), then per host holding in an epidemic county
// an infestation with probability stand_probability, infested share f ~ Beta(a, b), and the
// infested stand dies (stand-replacing): carbon lost = f x area x stock x host share x
// dying_fraction (mortality of infected pines / years a stand takes to die).
// A quote's model.pest replaces exactly the values it gives (docs/risk-model.md "Overrides");
// an override of probability_per_year describes the whole peril (no pine-wilt process).
#pragma once

#include "risk/model/model.hpp"
#include "risk/model/record_reader.hpp"
#include "risk/model/value.hpp"
#include "risk/perils/peril.hpp"
#include "risk/random/year_cache.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tanhui::risk {

// The peril's name in requests, answers and the registry.
inline constexpr std::string_view pest_peril_name = "pest";

// Pests and disease: an outbreak on a holding in a year with probability p (per forest type),
// affected share of the area ~ Beta(a, b), carbon lost = affected area x stock x mortality.
// Model::perils holds it under PerilId::pest.
// Pine wilt disease as a county-level process (all zero: none).
struct PineWiltModel {
    PerForestType host_share{};     // share of a holding's stock that is host pine (masson_pine 1)
    double county_probability = 0;  // a county is an epidemic unit in a year
    double stand_probability = 0;   // a host holding of an epidemic county is infested in a year
    double dying_fraction = 0;      // of the infested stock, dying in the year
};
struct PestModel {
    PerForestType probability_per_year{};  // 0 for non-susceptible types
    double affected_a = 2;
    double affected_b = 8;
    PerForestType mortality{};  // stock lost per affected stock: severe share x severe mortality
    // Pest probability in a year with weather factor G is p * G^weather_elasticity (capped at 1):
    // drought years raise both. 0 = independent.
    double weather_elasticity = 0;
    // Forgone growth of the affected area in an outbreak year, as a fraction of its stock.
    double growth_loss_fraction = 0;
    PineWiltModel pine_wilt{};
};
void validate(const PestModel& m, const std::string& at);
const PestModel* pest_model(const Model& model);  // nullptr: no pest calibration
void set_pest_model(Model& model, const PestModel& pest);

// model.pest of a quote. Each value given replaces the calibrated one; the others stay calibrated.
struct BetaDistribution {
    double a = 2;
    double b = 8;
};
struct PestOverride {
    // Outbreak probability of each holding, any forest type, with no weather factor.
    std::optional<double> probability_per_year{};
    std::optional<BetaDistribution> affected_fraction{};
    std::optional<double> mortality{};  // every forest type
};
const PestOverride* pest_override(const ModelOverrides& overrides);  // nullptr: none given
void set_pest_override(ModelOverrides& overrides, const PestOverride& pest);

// The registry's codec and model_used entries (risk/perils/registry.hpp).
void decode_pest_override(const Value& block, const std::string& at, ModelOverrides& overrides,
                          std::vector<FieldProblem>& problems);
Value describe_pest(const Model& model, const ModelOverrides& overrides, std::span<const PreparedHolding> holdings);

class PestPeril final : public Peril {
public:
    explicit PestPeril(const PerilSetup& setup);
    PerilId id() const override { return PerilId::pest; }
    std::string_view name() const override { return pest_peril_name; }
    std::span<const std::uint32_t> occurrence_holdings() const override { return draw_index_; }
    double add_year(const Year& year, std::span<const std::uint32_t> occurrence, std::span<double> loss_tco2e,
                    EventSink& events) const override;
    // The block path: outbreaks decided as add_year does, then the first Marsaglia-Tsang try of
    // both gammas of every outbreak in the block drawn at once (SIMD across outbreaks); the few
    // outbreaks whose first try is not accepted by the squeeze take add_year's scalar draw.
    // (Books with pine-wilt holdings take add_year.)
    bool add_block(const YearBlock& block, std::span<const std::uint32_t> occurrence, std::size_t book_holdings,
                   std::span<double> loss_tco2e, std::vector<BlockEvent>& events) const override;
    // Adds each holding's forgone growth of `year` (tCO2e: growth the defoliated area does not
    // make) to growth_tco2e[position], from the same outbreaks and affected shares add_year
    // draws; what a stochastic sink subtracts from the year's sequestration. Returns the sum.
    double add_forgone_growth(const Year& year, std::span<double> growth_tco2e) const override;
    // The same for a block of years, from the block path's outbreaks (any pine wilt: forgone
    // growth has none).
    bool add_forgone_growth_block(const YearBlock& block, std::span<const std::uint32_t> occurrence,
                                  std::size_t book_holdings, std::span<double> growth_tco2e) const override;
    bool reduces_growth() const override { return reduces_growth_; }

    struct Prepared {
        double probability = 0;               // at G = 1
        double tco2e_if_all_affected = 0;     // area x stock density x mortality
        double stock_tco2e = 0;               // area x stock density: its events' exposure
        std::uint64_t threshold = 0;          // at G = 1: a word below it means an outbreak
        std::uint32_t draw_index = 0;
        std::uint32_t position = 0;
        std::uint16_t slot = 0;               // weather slot; 0 = no factor
        double growth_tco2e_if_all_affected = 0;  // area x stock density x growth_loss_fraction
        double pine_wilt_tco2e_if_all_infested = 0;  // area x stock x host share x dying fraction
        std::uint32_t county = 0;             // county word of the pine-wilt draw
    };
    std::span<const Prepared> prepared() const { return holdings_; }

    // At most this many weather slots (regions) in one book when the elasticity is used.
    static constexpr std::size_t max_weather_slots = 128;

private:
    struct BlockOutbreak {
        std::uint32_t year_in_block = 0;
        std::uint32_t holding = 0;  // index in holdings_
        double fraction = 0;        // the affected share
    };
    YearRow fraction_row(const YearBlock& block, std::size_t holding) const;
    std::span<const BlockOutbreak> block_outbreaks(const YearBlock& block, std::span<const std::uint32_t> occurrence) const;
    double outbreak_fraction(const Year& y, const Prepared& h, std::uint32_t word, const double* lower,
                             const double* upper) const;
    double pine_wilt_loss(const Year& y, const Prepared& h) const;

    std::vector<Prepared> holdings_;
    std::vector<std::uint32_t> draw_index_;
    double a_ = 2, b_ = 8;
    std::uint64_t county_threshold_ = 0, stand_threshold_ = 0;
    bool pine_wilt_ = false, any_pine_wilt_ = false, reduces_growth_ = false;
    double elasticity_ = 0;
    std::size_t slots_ = 1;
    std::vector<std::uint64_t> fraction_row_;  // by holding: its affected shares' row (fraction_row)
};

std::unique_ptr<Peril> make_pest(const PerilSetup& setup);

}  // namespace tanhui::risk
