// Landslide (landslides, rock falls, debris flows; 地质灾害), a regional event peril
// (docs/risk-model.md "Landslide"): province r has N_{y,r} geological-hazard events a year,
// negative binomial with mean m_r and size k_r, written as Poisson(m_r G_{y,r}) with the year
// factor G_{y,r} = F_k^-1(Phi(X_{y,r})) (gamma, mean 1) on the province's year normal X
// (risk/perils/regional.hpp: shared by every holding of the province, correlated with the other
// provinces and the weather). Each event takes area_per_event_ha of forest; a holding of area a
// in a province of forest area F is hit by each event with probability a / F, so its hits are
// Poisson(m_r G_{y,r} a / F) (thinning), and each hit loses min(area_per_event_ha, what is left)
// x stock density x stock_lost_fraction. The hits are drawn per holding (stream holding_perils,
// peril word landslide); the year factor per province. A quote's model.landslide replaces
// exactly the values it gives.
#pragma once

#include "risk/model/model.hpp"
#include "risk/model/record_reader.hpp"
#include "risk/model/value.hpp"
#include "risk/perils/peril.hpp"
#include "risk/perils/regional.hpp"
#include "risk/simulation/weather.hpp"

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

inline constexpr std::string_view landslide_peril_name = "landslide";

struct LandslideProvince {
    double events_per_year = 0;  // m_r
    double year_factor_shape = std::numeric_limits<double>::infinity();  // k_r; inf: Poisson
    double forest_area_ha = 0;   // F_r
};

// Model::perils holds it under PerilId::landslide.
struct LandslideModel {
    std::map<std::string, LandslideProvince> provinces;  // by two-digit code
    double area_per_event_ha = 0;    // forest area lost per event (labelled assumption)
    double stock_lost_fraction = 1;  // of the standing stock on the area lost
    RegionalDependence dependence;
};
void validate(const LandslideModel& m, const std::string& at);
const LandslideModel* landslide_model(const Model& model);
void set_landslide_model(Model& model, LandslideModel landslide);

// model.landslide of a quote. hits_per_year: that many hits a year on every holding (Poisson,
// no year factor, no province).
struct LandslideOverride {
    std::optional<double> hits_per_year{};
    std::optional<double> area_per_event_ha{};
    std::optional<double> stock_lost_fraction{};
};
const LandslideOverride* landslide_override(const ModelOverrides& overrides);
void set_landslide_override(ModelOverrides& overrides, const LandslideOverride& landslide);

void decode_landslide_override(const Value& block, const std::string& at, ModelOverrides& overrides,
                               std::vector<FieldProblem>& problems);
Value describe_landslide(const Model& model, const ModelOverrides& overrides, std::span<const PreparedHolding> holdings);

class LandslidePeril final : public Peril {
public:
    explicit LandslidePeril(const PerilSetup& setup);
    PerilId id() const override { return PerilId::landslide; }
    std::string_view name() const override { return landslide_peril_name; }
    std::span<const std::uint32_t> occurrence_holdings() const override { return draw_index_; }
    double add_year(const Year& year, std::span<const std::uint32_t> occurrence, std::span<double> loss_tco2e,
                    EventSink& events) const override;
    bool add_block(const YearBlock& block, std::span<const std::uint32_t> occurrence, std::size_t book_holdings,
                   std::span<double> loss_tco2e, std::vector<BlockEvent>& events) const override;

    struct Prepared {
        double hits_per_year = 0;  // at G = 1
        double area_ha = 0;
        double tco2e_per_lost_ha = 0;  // stock density x stock lost fraction
        std::uint32_t draw_index = 0;
        std::uint32_t position = 0;
        std::uint32_t slot = 0;  // its province; unused when fixed
        bool fixed = false;      // override: no year factor
    };
    std::span<const Prepared> prepared() const { return holdings_; }

    // The year factor of each province in years first_year .. + n - 1: g[k * slots + s].
    void year_factors(std::uint64_t seed, std::uint32_t first_year, std::size_t n, const double* z, double* g) const;

private:
    double holding_loss(const Prepared& h, std::uint32_t w0, double g, std::uint64_t seed, std::uint32_t year,
                        std::uint32_t& hits) const;
    std::vector<Prepared> holdings_;
    std::vector<std::uint32_t> draw_index_;
    std::vector<RegionalSlot> slots_;
    std::vector<GammaOfNormal> factors_;  // by slot
    std::vector<std::uint64_t> row_ids_;  // by slot: its factors' parameters in the year-draw cache
    RegionalDependence dependence_;
    double area_per_event_ha_ = 0;
};

std::unique_ptr<Peril> make_landslide(const PerilSetup& setup);

}  // namespace tanhui::risk
