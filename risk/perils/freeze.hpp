// Freeze (glaze ice, snow, frost; 冻灾), a regional event peril (docs/risk-model.md "Freeze"):
// in a year with X_{y,r} < Phi^-1(p_r) (risk/perils/regional.hpp: the province's year normal,
// correlated with its neighbours and the weather) province r has a freeze event; its footprint
// affects a share A ~ Beta(a_r, b_r) of the forest of every holding of the province at once, and
// a holding loses A x area x stock density x loss_fraction(forest type), loss_fraction the share
// of standing stock lost on the affected area (damage rate of the species x stock lost per damaged
// tree, anchored on January 2008). One event per holding and event year. A quote's model.freeze
// replaces exactly the values it gives (docs/risk-model.md "Overrides").
#pragma once

#include "risk/model/model.hpp"
#include "risk/model/record_reader.hpp"
#include "risk/model/value.hpp"
#include "risk/perils/peril.hpp"
#include "risk/perils/regional.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tanhui::risk {

inline constexpr std::string_view freeze_peril_name = "freeze";

struct FreezeProvince {
    double event_probability = 0;  // p_r: a freeze event year of the province
    ShareBeta affected_share;      // A given an event
    std::vector<std::string> neighbours;
};

// Model::perils holds it under PerilId::freeze.
struct FreezeModel {
    std::map<std::string, FreezeProvince> provinces;  // by two-digit code
    PerForestType loss_fraction{};                    // stock lost on the affected area
    RegionalDependence dependence;
};
void validate(const FreezeModel& m, const std::string& at);
const FreezeModel* freeze_model(const Model& model);  // nullptr: no freeze calibration
void set_freeze_model(Model& model, FreezeModel freeze);

// model.freeze of a quote. event_probability makes every province's events independent of the
// weather and of each other; footprint_share fixes the affected share (instead of the Beta).
struct FreezeOverride {
    std::optional<double> event_probability{};
    std::optional<ShareBeta> affected_share{};
    std::optional<double> footprint_share{};
    std::optional<double> loss_fraction{};  // every forest type
};
const FreezeOverride* freeze_override(const ModelOverrides& overrides);
void set_freeze_override(ModelOverrides& overrides, const FreezeOverride& freeze);

void decode_freeze_override(const Value& block, const std::string& at, ModelOverrides& overrides,
                            std::vector<FieldProblem>& problems);
Value describe_freeze(const Model& model, const ModelOverrides& overrides, std::span<const PreparedHolding> holdings);

class FreezePeril final : public Peril {
public:
    explicit FreezePeril(const PerilSetup& setup);
    PerilId id() const override { return PerilId::freeze; }
    std::string_view name() const override { return freeze_peril_name; }
    // The event is the province's: no per-holding occurrence words.
    std::span<const std::uint32_t> occurrence_holdings() const override { return {}; }
    double add_year(const Year& year, std::span<const std::uint32_t> occurrence, std::span<double> loss_tco2e,
                    EventSink& events) const override;
    bool add_block(const YearBlock& block, std::span<const std::uint32_t> occurrence, std::size_t book_holdings,
                   std::span<double> loss_tco2e, std::vector<BlockEvent>& events) const override;

    struct Province {
        double threshold = 0;  // Phi^-1(p): an event when X is below it
        ShareBeta share;
        std::optional<double> fixed_share;
    };
    struct Prepared {
        double tco2e_if_all_affected = 0;  // area x stock density x loss fraction
        std::uint32_t position = 0;
        std::uint32_t slot = 0;  // its province in slots()
    };
    std::span<const Prepared> prepared() const { return holdings_; }
    const std::vector<RegionalSlot>& slots() const { return slots_; }

    // The affected share of each province in years first_year .. + n - 1 (0: no event):
    // share[k * slots().size() + s].
    void shares(std::uint64_t seed, std::uint32_t first_year, std::size_t n, const double* z, double* share) const;

private:
    std::vector<Prepared> holdings_;
    std::vector<RegionalSlot> slots_;
    std::vector<Province> provinces_;
    std::vector<std::uint64_t> row_ids_;  // by slot: its shares' parameters in the year-draw cache
    RegionalDependence dependence_;
    bool independent_ = false;
};

std::unique_ptr<Peril> make_freeze(const PerilSetup& setup);

}  // namespace tanhui::risk
