// Pests and disease (DESIGN "Perils"): per holding-year an outbreak with probability
//   p = min(1, probability_per_year(forest type) x G_{y, province} ^ fire_weather_elasticity),
// (drought years raise both fire and pests), an affected share of the area f ~ Beta(a, b), and
// carbon lost = f x area x stock density x mortality(forest type): one event per outbreak.
// A quote's model.pest overrides replace these exactly, for every holding, with no year factor.
#pragma once

#include "risk/model/model.hpp"
#include "risk/perils/peril.hpp"

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace tanhui::risk {

class PestPeril final : public Peril {
public:
    explicit PestPeril(const PerilSetup& setup);
    PerilId id() const override { return PerilId::pest; }
    std::string_view name() const override { return "pest"; }
    std::span<const std::uint32_t> occurrence_holdings() const override { return draw_index_; }
    double add_year(const Year& year, std::span<const std::uint32_t> occurrence, std::span<double> loss_tco2e,
                    EventSink& events) const override;
    // The block path: outbreaks decided as add_year does, then the first Marsaglia-Tsang try of
    // both gammas of every outbreak in the block drawn at once (SIMD across outbreaks); the few
    // outbreaks whose first try is not accepted by the squeeze take add_year's scalar draw.
    bool add_block(const YearBlock& block, std::span<const std::uint32_t> occurrence, std::size_t book_holdings,
                   std::span<double> loss_tco2e, std::vector<BlockEvent>& events) const override;

    struct Prepared {
        double probability = 0;               // at G = 1
        double tco2e_if_all_affected = 0;     // area x stock density x mortality
        std::uint64_t threshold = 0;          // at G = 1: a word below it means an outbreak
        std::uint32_t draw_index = 0;
        std::uint32_t position = 0;
        std::uint16_t slot = 0;               // fire-weather slot; 0 = no factor
    };
    std::span<const Prepared> prepared() const { return holdings_; }

    // At most this many fire-weather slots (provinces) in one book when the elasticity is used.
    static constexpr std::size_t max_weather_slots = 128;

private:
    std::vector<Prepared> holdings_;
    std::vector<std::uint32_t> draw_index_;
    double a_ = 2, b_ = 8;
    double elasticity_ = 0;
    std::size_t slots_ = 1;
};

std::unique_ptr<Peril> make_pest(const PerilSetup& setup);

}  // namespace tanhui::risk
