// The peril interface (DESIGN "Perils"): a peril turns one simulated year into carbon lost by
// each holding of a book. A peril is prepared once for a book (each holding flattened into the
// numbers its hot loop needs: rates, thresholds, tCO2e per ha) and then costs one virtual call
// per peril-year, with a plain loop over the holdings inside.
#pragma once

#include "data/types.hpp"
#include "risk/draws.hpp"
#include "risk/model.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tanhui::risk {

// A holding as the simulation sees it: looked up once, then only numbers.
struct PreparedHolding {
    std::uint32_t draw_index = 0;    // the holding word of its Philox counters (default: position in the book)
    std::uint16_t weather_slot = 0;  // its province's fire-weather factor in Year::fire_weather; 0 = none
    ForestType forest_type = ForestType::chinese_fir;
    double area_ha = 0;
    double stock_tco2e_per_ha = 0;
    std::optional<double> sequestration_tco2e_per_ha_yr;  // not used by the perils
    std::string region;       // as given
    std::string fire_region;  // key of Model::fire that applies ("" if none)
};

// The year-level draws every peril shares (DESIGN "Dependence").
struct Year {
    std::uint64_t seed = 0;
    std::uint32_t year = 0;              // the Philox year word: 0-based simulated year (ORD Period = year + 1)
    double weather_normal = 0;           // Z_y, the shared normal behind the fire-weather factors
    std::span<const double> fire_weather;  // G_{y, slot}, mean 1; [0] is always 1
};

// One event: a fire or a pest outbreak on one holding. OEP takes the largest of a year.
struct Event {
    std::uint32_t holding = 0;  // position in the book
    PerilId peril = PerilId::fire;
    std::uint32_t number = 0;  // 0-based order of the event within its holding-year and peril
    double loss_tco2e = 0;
};

// Collects a year's events: always the largest loss, the full list only when asked for.
class EventSink {
public:
    explicit EventSink(std::vector<Event>* record = nullptr) : record_(record) {}
    void reset() {
        max_ = 0;
        count_ = 0;
        if (record_) record_->clear();
    }
    void add(std::uint32_t holding, PerilId peril, std::uint32_t number, double loss_tco2e) {
        if (loss_tco2e > max_) max_ = loss_tco2e;
        ++count_;
        if (record_) record_->push_back({holding, peril, number, loss_tco2e});
    }
    double max_event_tco2e() const { return max_; }
    std::uint64_t count() const { return count_; }

private:
    std::vector<Event>* record_;
    double max_ = 0;
    std::uint64_t count_ = 0;
};

class Peril {
public:
    virtual ~Peril() = default;
    virtual PerilId id() const = 0;
    virtual std::string_view name() const = 0;
    // Adds each holding's carbon lost in `year` (tCO2e) to loss_tco2e[i] (i = position in the
    // book it was prepared for), reports each event with a positive loss to `events`, and
    // returns the sum of what it added, summed in holding order.
    virtual double add_year(const Year& year, std::span<double> loss_tco2e, EventSink& events) const = 0;
};

// What a peril is prepared from.
struct PerilSetup {
    const Model& model;
    const ModelOverrides& overrides;
    std::span<const PreparedHolding> holdings;
    std::size_t weather_slots = 1;  // size of Year::fire_weather
};

// Word 0 of block 0 (stream holding_perils) for each of n holdings of a peril-year: the "no
// event" words, exactly draw_words(seed, 0, year, draw_index[i], peril, 0)[0]. One batch lets
// the compiler run several Philox calls side by side in SIMD registers (SSE2; AVX2 and AVX-512
// clones chosen at run time on x86-64): integer arithmetic, so every clone gives the same bits.
void occurrence_words(std::uint64_t seed, std::uint32_t year, PerilId peril, const std::uint32_t* draw_index,
                      std::size_t n, std::uint32_t* out);
// Batches of this many holdings keep the words in L1.
inline constexpr std::size_t occurrence_batch = 256;

using MakePeril = std::unique_ptr<Peril> (*)(const PerilSetup&);
struct PerilEntry {
    std::string_view name;
    PerilId id;
    MakePeril make;
};

// risk/perils.cpp: the only list of perils.
std::span<const PerilEntry> peril_registry();
// Throws InvalidInput("perils", ...) naming the known perils when `name` is not one of them.
std::unique_ptr<Peril> make_peril(std::string_view name, const PerilSetup& setup);

}  // namespace tanhui::risk
