// The peril interface (DESIGN "Perils"): a peril turns one simulated year into carbon lost by
// each holding of a book. A peril is prepared once for a book (each holding flattened into the
// numbers its hot loop needs: rates, thresholds, tCO2e per ha) and then costs one virtual call
// per peril-year, with a plain loop over the holdings inside.
#pragma once

#include "data/types.hpp"
#include "risk/random/draws.hpp"
#include "risk/model/model.hpp"

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

// An event of year first_year + year_in_block of a block.
struct BlockEvent {
    std::uint32_t year_in_block = 0;
    Event event;
};

// The year-level numbers of a block of consecutive years, drawn before the years run.
struct YearBlock {
    std::uint64_t seed = 0;
    std::uint32_t first_year = 0;
    std::size_t years = 0;
    std::size_t slots = 1;                 // fire-weather slots a year
    const double* fire_weather = nullptr;  // G of year first_year + k, slot s: [k * slots + s]
};

class Peril {
public:
    virtual ~Peril() = default;
    virtual PerilId id() const = 0;
    virtual std::string_view name() const = 0;
    // The draw indices of the holdings whose occurrence words the peril reads each year, in its
    // own order (holdings that cannot lose carbon to it are left out).
    virtual std::span<const std::uint32_t> occurrence_holdings() const = 0;
    // Adds each holding's carbon lost in `year` (tCO2e) to loss_tco2e[i] (i = position in the
    // book it was prepared for), reports each event with a positive loss to `events`, and
    // returns the sum of what it added, summed in holding order. `occurrence` is empty (the
    // peril draws the words itself) or holds this year's occurrence words of
    // occurrence_holdings(), exactly as occurrence_words() gives them: a caller that runs many
    // years of a small book draws them for a block of years at once (risk/simulation/simulate.cpp).
    virtual double add_year(const Year& year, std::span<const std::uint32_t> occurrence, std::span<double> loss_tco2e,
                            EventSink& events) const = 0;
    // An optional path for all the years of a block of a small book at once: sets
    // loss_tco2e[k * book_holdings + i] (zero on entry) to what add_year would add to holding i
    // in year first_year + k, from `occurrence` (the block's words, [k * occurrence_holdings().size()
    // + j]), and appends to `events` what add_year would report, in the same order. The runner
    // then adds each year in holding order: the same bits as add_year. Returns false, touching
    // nothing, when the peril has no such path.
    virtual bool add_block(const YearBlock& block, std::span<const std::uint32_t> occurrence, std::size_t book_holdings,
                           std::span<double> loss_tco2e, std::vector<BlockEvent>& events) const {
        (void)block, (void)occurrence, (void)book_holdings, (void)loss_tco2e, (void)events;
        return false;
    }
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
// The same words for one holding over n consecutive years: out[k] is the occurrence word of
// year first_year + k (SIMD across years, for books of a few holdings).
void occurrence_words_over_years(std::uint64_t seed, std::uint32_t first_year, std::size_t n, PerilId peril,
                                 std::uint32_t draw_index, std::uint32_t* out);
// Words 0 and 1 of one address over n consecutive years (the pair behind a normal draw).
void word_pairs_over_years(std::uint64_t seed, Stream stream, std::uint32_t first_year, std::size_t n,
                           std::uint32_t holding, PerilId peril, std::uint16_t block, std::uint32_t* hi, std::uint32_t* lo);
// Words 0, 1 and 2 of n addresses that differ in year and holding only (the first try of a
// gamma draw for each of a block's events).
void words_at(std::uint64_t seed, Stream stream, PerilId peril, std::uint16_t block, const std::uint32_t* year,
              const std::uint32_t* holding, std::size_t n, std::uint32_t* w0, std::uint32_t* w1, std::uint32_t* w2);
// out[k] = normal_from_words(hi[k], lo[k]), the same bits, with the central branch of AS 241
// computed for all k in SIMD and the tails (|p - 1/2| > 0.425, 15% of draws) one by one.
void normals_from_words(const std::uint32_t* hi, const std::uint32_t* lo, std::size_t n, double* out);

using MakePeril = std::unique_ptr<Peril> (*)(const PerilSetup&);
struct PerilEntry {
    std::string_view name;
    PerilId id;
    MakePeril make;
};

// risk/perils/registry.cpp: the only list of perils.
std::span<const PerilEntry> peril_registry();
// Throws InvalidInput("perils", ...) naming the known perils when `name` is not one of them.
std::unique_ptr<Peril> make_peril(std::string_view name, const PerilSetup& setup);

}  // namespace tanhui::risk
