// Typhoon wind (docs/risk-model.md "Typhoon"): each simulated year is one synthetic season of the
// event set (risk/perils/typhoon_events.hpp), chosen by the year's season word, the same season
// for every holding, so that one storm hits every holding near its track in the same year (one
// event on all of them: docs/risk-model.md "Events"). A
// holding's storms are those whose peak 3-second gust at its place reaches the damaging
// threshold; each takes a share of what is left of its stock:
//   share(v) = min(1, scale x vn^3 / (1 + vn^3)),  vn = max(v - threshold, 0) / (half - threshold)
// (the form of Emanuel 2011, Weather Clim. Soc. 3, 261-268), `half` the gust at which half the
// stock goes, by forest type. The place is the holding's latitude/longitude, else its region's
// seat (county, then prefecture, then province). A quote's model.typhoon replaces exactly the
// values it gives (docs/risk-model.md "Overrides").
#pragma once

#include "risk/model/model.hpp"
#include "risk/model/record_reader.hpp"
#include "risk/model/value.hpp"
#include "risk/perils/peril.hpp"
#include "risk/perils/typhoon_events.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tanhui::risk {

// The peril's name in requests, answers and the registry.
inline constexpr std::string_view typhoon_peril_name = "typhoon";

// Share of the stock lost to a storm whose gust is `gust_ms` (before the scale).
double typhoon_share_lost(double gust_ms, double threshold_ms, double half_damage_ms);

struct TyphoonVulnerability {
    double threshold_ms = 25;                        // no damage below this 3-s gust
    PerForestType half_damage_ms{90, 90, 80, 100, 95, 95};  // gust at which half the stock is lost
};
void validate(const TyphoonVulnerability& v, const std::string& at);

// Model::perils holds it under PerilId::typhoon. The event set is shared (and so is its cache of
// per-place hazards) by every copy of the model.
struct TyphoonModel {
    TyphoonVulnerability vulnerability;
    std::map<std::string, std::pair<double, double>> seats;  // region code -> (latitude, longitude)
    std::shared_ptr<const EventSet> events;
};
const TyphoonModel* typhoon_model(const Model& model);  // nullptr: no typhoon calibration
void set_typhoon_model(Model& model, TyphoonModel typhoon);

// model.typhoon of a quote. Each value given replaces the calibrated one.
struct TyphoonOverride {
    std::optional<double> vulnerability_scale{};  // multiplies every share lost (capped at 1); default 1
    std::optional<double> threshold_ms{};         // >= the event set's (the cache keeps no weaker storm)
    std::optional<double> half_damage_ms{};       // every forest type
};
const TyphoonOverride* typhoon_override(const ModelOverrides& overrides);  // nullptr: none given
void set_typhoon_override(ModelOverrides& overrides, const TyphoonOverride& typhoon);

// The registry's codec and model_used entries (risk/perils/registry.hpp).
void decode_typhoon_override(const Value& block, const std::string& at, ModelOverrides& overrides,
                             std::vector<FieldProblem>& problems);
Value describe_typhoon(const Model& model, const ModelOverrides& overrides, std::span<const PreparedHolding> holdings);

// Where a holding is: its own coordinates, else its region's seat; nullopt when neither is known.
struct TyphoonPlace {
    double latitude = 0, longitude = 0;
    std::string seat;  // the region whose seat was used, "" when the holding gave coordinates
};
std::optional<TyphoonPlace> typhoon_place(const TyphoonModel& model, const PreparedHolding& holding);

// The season a year plays: (word x seasons) / 2^32 of the year's season word, the occurrence
// word of holding word typhoon_season_word (no holding has it).
inline constexpr std::uint32_t typhoon_season_word = 0xffffffffu;
inline std::uint32_t typhoon_season(std::uint32_t word, std::uint32_t seasons) {
    return static_cast<std::uint32_t>((std::uint64_t{word} * seasons) >> 32);
}

class TyphoonPeril final : public Peril {
public:
    explicit TyphoonPeril(const PerilSetup& setup);
    PerilId id() const override { return PerilId::typhoon; }
    std::string_view name() const override { return typhoon_peril_name; }
    // One word a year, the season's, shared by every holding; none when no holding can lose.
    std::span<const std::uint32_t> occurrence_holdings() const override;
    double add_year(const Year& year, std::span<const std::uint32_t> occurrence, std::span<double> loss_tco2e,
                    EventSink& events) const override;
    bool add_block(const YearBlock& block, std::span<const std::uint32_t> occurrence, std::size_t book_holdings,
                   std::span<double> loss_tco2e, std::vector<BlockEvent>& events) const override;

    struct Prepared {
        double tco2e = 0;  // area x stock density
        double threshold_ms = 0, half_damage_ms = 0, scale = 1;
        std::uint32_t position = 0;
        std::uint32_t hazard = 0;  // index into hazards_
        std::uint32_t shares = 0;  // index into Tables::shares
    };
    std::span<const Prepared> prepared() const { return holdings_; }
    std::uint32_t seasons() const { return seasons_; }

private:
    struct Tables;
    template <class Emit>
    double holding_loss(const Tables& t, const Prepared& h, std::uint32_t season, Emit&& emit) const;
    template <class Set, class Emit>
    double season_losses(const Tables& t, std::uint32_t season, Set&& set, Emit&& emit) const;

    std::shared_ptr<const EventSet> events_;
    std::vector<Prepared> holdings_;
    std::vector<std::shared_ptr<const LocationHazard>> hazards_;

    // What the holdings make of the event set, computed once per distinct book (the service
    // quotes the same holdings over and over: a process-wide cache of recent books of at most 64
    // holdings keeps them, keyed by every number they are computed from; see the constructor).
    struct SeasonBegin {
        std::uint32_t loss = 0, event = 0;
    };
    struct Tables {
        // The share each of a hazard's storms takes, min(1, scale x typhoon_share_lost(gust)), for
        // each distinct (hazard, threshold, half-damage gust, scale) of the holdings.
        std::vector<std::vector<double>> shares;
        // A small book's (at most 64 holdings) outcome of every season, as season_losses gives
        // it: the holdings that lose, season s's at losses[season_begin[s].loss ..
        // season_begin[s + 1].loss), and its events at events_of_season[season_begin[s].event ..
        // season_begin[s + 1].event). A block of years then reads its seasons: the book's seasons
        // are 10,000, a quote's years 100,000. Empty for a bigger book.
        std::vector<SeasonBegin> season_begin;  // seasons_ + 1 entries
        std::vector<std::pair<std::uint32_t, double>> losses;
        std::vector<Event> events_of_season;
        // For a book of at most dense_holdings_max holdings, also each season's loss of every
        // holding in holdings_ order (0 for none): dense[s * holdings_.size() + i]. A block
        // without events then reads one entry a holding-year, with no loop whose length is a coin toss.
        std::vector<double> dense;
        std::vector<std::shared_ptr<const LocationHazard>> hazards;  // keeps the cache key's hazards alive
    };
    static constexpr std::size_t dense_holdings_max = 4;
    void build(Tables& t, const std::vector<std::tuple<std::uint32_t, double, double, double>>& share_specs) const;
    std::shared_ptr<const Tables> tables_;
    std::uint32_t seasons_ = 1;
};

std::unique_ptr<Peril> make_typhoon(const PerilSetup& setup);

}  // namespace tanhui::risk
