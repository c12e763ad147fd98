// The peril interface (DESIGN "Perils"): a peril turns one simulated year into carbon lost by
// each holding of a book. A peril is prepared once for a book (each holding flattened into the
// numbers its hot loop needs: rates, thresholds, tCO2e per ha) and then costs one virtual call
// per peril-year, with a plain loop over the holdings inside.
#pragma once

#include "data/types.hpp"
#include "risk/model/model.hpp"
#include "risk/random/batch.hpp"
#include "risk/random/draws.hpp"

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
    std::uint16_t weather_slot = 0;  // its region's weather factor in Year::weather; 0 = none
    ForestType forest_type = ForestType::chinese_fir;
    double area_ha = 0;
    double stock_tco2e_per_ha = 0;
    std::optional<double> sequestration_tco2e_per_ha_yr;  // not used by the perils
    std::string region;          // as given
    std::string weather_region;  // key of Model::weather.year_factor_shape that applies ("" if none)
    std::optional<double> latitude, longitude;  // degrees, when the holding gives them (typhoon)
};

// The longest prefix of a region code (a 6-digit code normalised first) that is a key of
// `keyed`: county, then prefecture, then province; "" when none is. How a holding finds its
// weather region and a peril its regional parameters (fire: its province's FireModel).
template <class Map>
std::string region_key(const Map& keyed, const std::string& region) {
    const std::string code = normalise_region_code(region);
    for (std::size_t len : {code.size(), std::size_t{4}, std::size_t{2}}) {
        if (len > code.size() || len == 0) continue;
        std::string key = code.substr(0, len);
        if (keyed.count(key)) return key;
    }
    return {};
}

// The year-level draws every peril shares (DESIGN "Dependence").
struct Year {
    std::uint64_t seed = 0;
    std::uint32_t year = 0;          // the Philox year word: 0-based simulated year (ORD Period = year + 1)
    double weather_normal = 0;       // Z_y, the shared normal behind the weather factors
    std::span<const double> weather;  // G_{y, slot}, mean 1; [0] is always 1
};

// One event, an occurrence (docs/risk-model.md "Events"): what OEP takes the largest of a year
// of, and what a per-occurrence layer recovers on. A fire, a pest outbreak or a holding-year's
// landslides is one holding's; a province's freeze footprint of a year and a storm of the season
// are one event on every holding they hit, with the holdings' summed loss.
struct Event {
    std::uint32_t holding = 0;  // position in the book: the holding, or the first (book order) it hit
    PerilId peril = PerilId::fire;
    // Per-holding perils: 0-based order within the holding-year and peril; freeze: 0 (one a
    // province and year); typhoon: the storm's index in the season.
    std::uint32_t number = 0;
    double loss_tco2e = 0;      // summed over the holdings it hit, in book order
    double exposure_tco2e = 0;  // the stock (area x stock density) of the holdings it hit
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
    void add(std::uint32_t holding, PerilId peril, std::uint32_t number, double loss_tco2e, double exposure_tco2e) {
        if (loss_tco2e > max_) max_ = loss_tco2e;
        ++count_;
        if (record_) record_->push_back({holding, peril, number, loss_tco2e, exposure_tco2e});
    }
    void add(const Event& e) { add(e.holding, e.peril, e.number, e.loss_tco2e, e.exposure_tco2e); }
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

// The books whose years the runner gives perils a block at a time (Peril::add_block): at most
// this many holdings. Fire and pest code a block's candidates as year x 64 + holding, so it must
// not grow past 64.
inline constexpr std::size_t block_path_max_holdings = 64;

// The year-level numbers of a block of consecutive years, drawn before the years run.
struct YearBlock {
    std::uint64_t seed = 0;
    std::uint32_t first_year = 0;
    std::size_t years = 0;
    std::size_t slots = 1;            // weather slots a year
    const double* weather = nullptr;  // G of year first_year + k, slot s: [k * slots + s]
    const double* weather_normal = nullptr;  // Z of year first_year + k: [k]
    // The block's events are wanted (add_block's events); false when the caller reads the losses
    // alone (a quote's year totals with no largest events, a sink's loss blocks): the losses are
    // the same either way.
    bool events = true;
    // When set, a peril that reduces growth also adds, in add_block, each holding's forgone growth
    // of year first_year + k to growth[k * book_holdings + i]: the same bits as its
    // add_forgone_growth_block, from the same pass over the block's outbreaks (the sink's loss
    // blocks, risk/simulation/loss_blocks.hpp). Other perils leave it alone, and an add_block
    // that returns false touches it no more than the losses.
    double* growth = nullptr;
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
    // Growth lost without losing stock (DESIGN: pests' defoliation reduces growth, forgone
    // sequestration, not stock): whether the peril has any in this book, and each holding's of
    // `year` (tCO2e the standing trees do not sequester) added to growth_tco2e[i] (i = position in
    // the book), returning the sum. Not a loss of stock: what the stochastic sink subtracts from
    // the year's sequestration (risk/simulation/sink.hpp). Most perils have none.
    virtual bool reduces_growth() const { return false; }
    virtual double add_forgone_growth(const Year& year, std::span<double> growth_tco2e) const {
        (void)year, (void)growth_tco2e;
        return 0;
    }
    // add_forgone_growth for a block of years at once (occurrence as add_block's), adding year
    // k's to growth_tco2e[k * book_holdings + i]: the same bits. False, touching nothing, when the
    // peril has no such path.
    virtual bool add_forgone_growth_block(const YearBlock& block, std::span<const std::uint32_t> occurrence,
                                          std::size_t book_holdings, std::span<double> growth_tco2e) const {
        (void)block, (void)occurrence, (void)book_holdings, (void)growth_tco2e;
        return false;
    }
};

// What a peril is prepared from.
struct PerilSetup {
    const Model& model;
    const ModelOverrides& overrides;
    std::span<const PreparedHolding> holdings;
    std::size_t weather_slots = 1;  // size of Year::weather
};

}  // namespace tanhui::risk
