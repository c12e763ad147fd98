#include "risk/perils/typhoon.hpp"

#include "risk/random/batch.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

namespace tanhui::risk {

double typhoon_share_lost(double gust_ms, double threshold_ms, double half_damage_ms) {
    if (!(gust_ms > threshold_ms)) return 0;
    const double vn = (gust_ms - threshold_ms) / (half_damage_ms - threshold_ms);
    const double v3 = vn * vn * vn;
    return v3 / (1 + v3);
}

void validate(const TyphoonVulnerability& v, const std::string& at) {
    require_parameter(v.threshold_ms >= 0 && v.threshold_ms < 100, at + "/threshold_ms", "in [0, 100)", v.threshold_ms);
    for (std::size_t i = 0; i < forest_type_count; ++i)
        require_parameter(v.half_damage_ms[i] > v.threshold_ms && v.half_damage_ms[i] < 500,
                          at + "/half_damage_ms/" + std::string(forest_type_names[i]), "> threshold_ms and < 500",
                          v.half_damage_ms[i]);
}

const TyphoonModel* typhoon_model(const Model& model) { return model.perils.find<TyphoonModel>(PerilId::typhoon); }
void set_typhoon_model(Model& model, TyphoonModel typhoon) { model.perils.set(PerilId::typhoon, std::move(typhoon)); }

const TyphoonOverride* typhoon_override(const ModelOverrides& overrides) {
    return overrides.perils.find<TyphoonOverride>(PerilId::typhoon);
}
void set_typhoon_override(ModelOverrides& overrides, const TyphoonOverride& typhoon) {
    overrides.perils.set(PerilId::typhoon, typhoon);
}

std::optional<TyphoonPlace> typhoon_place(const TyphoonModel& model, const PreparedHolding& holding) {
    if (holding.latitude && holding.longitude) return TyphoonPlace{*holding.latitude, *holding.longitude, ""};
    const std::string seat = region_key(model.seats, holding.region);
    if (seat.empty()) return std::nullopt;
    const auto& [lat, lon] = model.seats.at(seat);
    return TyphoonPlace{lat, lon, seat};
}

namespace {

struct Effective {
    double threshold_ms, half_damage_ms, scale;
};

Effective effective(const TyphoonModel& m, const TyphoonOverride& o, ForestType t) {
    return {o.threshold_ms ? *o.threshold_ms : m.vulnerability.threshold_ms,
            o.half_damage_ms ? *o.half_damage_ms : m.vulnerability.half_damage_ms[index(t)],
            o.vulnerability_scale ? *o.vulnerability_scale : 1.0};
}

void check_override(const TyphoonModel& m, const TyphoonOverride& o) {
    const double floor = m.events->threshold_ms();
    if (o.threshold_ms && !(*o.threshold_ms >= floor))
        throw InvalidInput("model/typhoon/threshold_ms",
                           "must be >= " + std::to_string(floor) + " (the event set keeps no weaker gust), got " +
                               std::to_string(*o.threshold_ms));
    if (o.half_damage_ms) {
        for (std::size_t i = 0; i < forest_type_count; ++i) {
            const double th = o.threshold_ms ? *o.threshold_ms : m.vulnerability.threshold_ms;
            if (!(*o.half_damage_ms > th))
                throw InvalidInput("model/typhoon/half_damage_ms", "must be > the threshold " + std::to_string(th));
        }
    }
}

}  // namespace

TyphoonPeril::TyphoonPeril(const PerilSetup& setup) {
    static const TyphoonOverride none;
    const TyphoonOverride& o = typhoon_override(setup.overrides) ? *typhoon_override(setup.overrides) : none;
    const TyphoonModel* m = typhoon_model(setup.model);
    if (!m || !m->events) {
        if (!setup.holdings.empty())
            throw InvalidInput("perils", "no typhoon calibration in this model version (run tanhui calibrate)");
        return;
    }
    validate(m->vulnerability, "model/typhoon/vulnerability");
    check_override(*m, o);
    events_ = m->events;
    seasons_ = m->events->seasons();
    std::map<std::pair<double, double>, std::uint32_t> hazard_of;
    std::map<std::tuple<std::uint32_t, double, double, double>, std::uint32_t> shares_of;
    std::vector<std::tuple<std::uint32_t, double, double, double>> share_specs;  // by shares index
    for (std::size_t i = 0; i < setup.holdings.size(); ++i) {
        const PreparedHolding& h = setup.holdings[i];
        const auto place = typhoon_place(*m, h);
        if (!place)
            throw InvalidInput("holdings/" + std::to_string(i) + "/region",
                               "no coordinates for region \"" + h.region + "\": give latitude and longitude");
        auto [it, added] = hazard_of.try_emplace({place->latitude, place->longitude}, static_cast<std::uint32_t>(hazards_.size()));
        if (added) hazards_.push_back(m->events->hazard_at(place->latitude, place->longitude));
        const Effective e = effective(*m, o, h.forest_type);
        Prepared p;
        p.tco2e = h.area_ha * h.stock_tco2e_per_ha;
        p.threshold_ms = e.threshold_ms;
        p.half_damage_ms = e.half_damage_ms;
        p.scale = e.scale;
        p.position = static_cast<std::uint32_t>(i);
        p.hazard = it->second;
        if (!(p.tco2e > 0 && p.scale > 0 && !hazards_[p.hazard]->gust_ms.empty())) continue;
        const std::tuple<std::uint32_t, double, double, double> spec{p.hazard, p.threshold_ms, p.half_damage_ms, p.scale};
        auto [s, new_shares] = shares_of.try_emplace(spec, static_cast<std::uint32_t>(share_specs.size()));
        if (new_shares) share_specs.push_back(spec);
        p.shares = s->second;
        holdings_.push_back(p);
    }
    if (holdings_.size() > block_path_max_holdings) {  // a big book: the shares alone, per quote
        auto t = std::make_shared<Tables>();
        build(*t, share_specs);
        tables_ = std::move(t);
        return;
    }
    // A small book's tables from the cache: the key holds every number they are computed from
    // (the hazards by identity, kept alive by the tables; each holding's vulnerability, stock and
    // position in the book; the event set's seasons).
    struct Key {
        const EventSet* events = nullptr;
        std::uint32_t seasons = 0;
        std::vector<std::tuple<const LocationHazard*, double, double, double, double, std::uint32_t>> holdings;
        bool operator==(const Key&) const = default;
    };
    Key key{events_.get(), seasons_, {}};
    for (const Prepared& p : holdings_)
        key.holdings.emplace_back(hazards_[p.hazard].get(), p.threshold_ms, p.half_damage_ms, p.scale, p.tco2e, p.position);
    static std::mutex mutex;
    static std::vector<std::pair<Key, std::shared_ptr<const Tables>>> recent;  // newest last, at most 32
    {
        const std::lock_guard lock(mutex);
        for (const auto& [k, t] : recent)
            if (k == key) {
                tables_ = t;
                return;
            }
    }
    auto t = std::make_shared<Tables>();
    build(*t, share_specs);
    t->hazards = hazards_;
    tables_ = t;
    const std::lock_guard lock(mutex);
    if (recent.size() >= 32) recent.erase(recent.begin());
    recent.emplace_back(std::move(key), std::move(t));
}

// The tables of this book's holdings: their storms' shares, and for a small book its seasons'
// outcomes.
void TyphoonPeril::build(Tables& t, const std::vector<std::tuple<std::uint32_t, double, double, double>>& share_specs) const {
    for (const auto& [hazard, threshold_ms, half_damage_ms, scale] : share_specs) {
        const std::vector<double>& gust = hazards_[hazard]->gust_ms;
        std::vector<double> share(gust.size());
        for (std::size_t j = 0; j < gust.size(); ++j)
            share[j] = std::min(1.0, scale * typhoon_share_lost(gust[j], threshold_ms, half_damage_ms));
        t.shares.push_back(std::move(share));
    }
    if (holdings_.empty() || holdings_.size() > block_path_max_holdings) return;
    t.season_begin.reserve(seasons_ + 1);
    t.season_begin.push_back({0, 0});
    for (std::uint32_t season = 0; season < seasons_; ++season) {
        season_losses(
            t, season, [&](std::uint32_t position, double loss) { if (loss != 0) t.losses.emplace_back(position, loss); },
            [&](const Event& e) { t.events_of_season.push_back(e); });
        t.season_begin.push_back(
            {static_cast<std::uint32_t>(t.losses.size()), static_cast<std::uint32_t>(t.events_of_season.size())});
    }
    if (holdings_.size() > dense_holdings_max) return;
    const std::size_t h_count = holdings_.size();
    t.dense.assign(std::size_t{seasons_} * h_count, 0.0);
    for (std::uint32_t season = 0; season < seasons_; ++season)
        for (std::uint32_t j = t.season_begin[season].loss; j < t.season_begin[season + 1].loss; ++j) {
            const auto i = static_cast<std::size_t>(std::find_if(holdings_.begin(), holdings_.end(), [&](const Prepared& h) {
                               return h.position == t.losses[j].first;
                           }) - holdings_.begin());
            t.dense[season * h_count + i] = t.losses[j].second;
        }
}

std::span<const std::uint32_t> TyphoonPeril::occurrence_holdings() const {
    static const std::uint32_t season_word[1] = {typhoon_season_word};
    return holdings_.empty() ? std::span<const std::uint32_t>() : std::span<const std::uint32_t>(season_word);
}

// A holding's storms of a season in storm order, each taking its share of what is left:
// emit(the storm's index in the season, loss) for each that takes something.
template <class Emit>
double TyphoonPeril::holding_loss(const Tables& t, const Prepared& h, std::uint32_t season, Emit&& emit) const {
    const LocationHazard& hz = *hazards_[h.hazard];
    const double* shares = t.shares[h.shares].data();
    double left = h.tco2e, total = 0;
    for (std::uint32_t e = hz.season_begin[season]; e < hz.season_begin[season + 1]; ++e) {
        const double loss = left * shares[e];
        if (!(loss > 0)) continue;
        left -= loss;
        total += loss;
        emit(hz.storm[e], loss);
    }
    return total;
}

// A season's losses: each holding's through set(position, loss), the total summed in holding
// order, and one event per storm that took something through emit(event), in storm order: the
// storm is the occurrence, its loss the holdings' summed in book order (0 + x is x: a one-holding
// book's events are its holding's). Only the storms that took something are kept (a handful of a
// season's 25-odd basin storms reach any one place), so a year costs its hits, not the basin's
// storms.
template <class Set, class Emit>
double TyphoonPeril::season_losses(const Tables& t, std::uint32_t season, Set&& set, Emit&& emit) const {
    thread_local std::vector<Event> storm;  // the storms that took something, in first-hit order
    storm.clear();
    double total = 0;
    for (const Prepared& h : holdings_) {
        const double l = holding_loss(t, h, season, [&](std::uint32_t j, double loss) {
            auto e = std::find_if(storm.begin(), storm.end(), [j](const Event& x) { return x.number == j; });
            if (e == storm.end()) e = storm.insert(storm.end(), Event{h.position, PerilId::typhoon, j, 0, 0});
            e->loss_tco2e += loss;
            e->exposure_tco2e += h.tco2e;
        });
        set(h.position, l);
        total += l;
    }
    if (storm.size() > 1)
        std::sort(storm.begin(), storm.end(), [](const Event& a, const Event& b) { return a.number < b.number; });
    for (const Event& e : storm) emit(e);
    return total;
}

double TyphoonPeril::add_year(const Year& y, std::span<const std::uint32_t> occurrence, std::span<double> loss_tco2e,
                              EventSink& events) const {
    if (holdings_.empty()) return 0;
    std::uint32_t word;
    if (occurrence.empty()) occurrence_words(y.seed, y.year, PerilId::typhoon, &typhoon_season_word, 1, &word);
    else word = occurrence[0];
    return season_losses(
        *tables_, typhoon_season(word, seasons_), [&](std::uint32_t position, double loss) { loss_tco2e[position] += loss; },
        [&](const Event& e) { events.add(e); });
}

bool TyphoonPeril::add_block(const YearBlock& block, std::span<const std::uint32_t> occurrence, std::size_t book_holdings,
                             std::span<double> loss_tco2e, std::vector<BlockEvent>& events) const {
    // The block path is the season table's (a book of at most 64 holdings, the books the runner
    // gives blocks to); without one, the runner plays the years through add_year.
    std::array<std::uint32_t, 256> season;
    if (!tables_ || tables_->season_begin.empty() || block.years > season.size() || occurrence.size() != block.years ||
        loss_tco2e.size() != block.years * book_holdings)
        return false;
    // The seasons' outcomes, computed once (the constructor): the same numbers; a holding that
    // loses nothing keeps the 0 it had on entry. The years' seasons are random places in tables
    // of about 100 KB to 1 MB: they are fetched ahead (the seasons of the block are known from its
    // words), the table entries 16 years ahead, their losses and events 8.
    const std::size_t n = block.years;
    const Tables& t = *tables_;
    for (std::size_t k = 0; k < n; ++k) season[k] = typhoon_season(occurrence[k], seasons_);
    if (!block.events && !t.dense.empty()) {
        // The losses alone of a book of a few holdings: one read of the dense table a
        // holding-year (a select keeps the 0 of a holding that loses nothing).
        const std::size_t h_count = holdings_.size();
        for (std::size_t i = 0; i < h_count; ++i) {
            double* out = loss_tco2e.data() + holdings_[i].position;
            const double* d = t.dense.data() + i;
            for (std::size_t k = 0; k < n; ++k) {
                // l = loss != 0 ? loss : l in integer operations: GCC made the select a branch,
                // mispredicted whenever a year's season hit the holding.
                const auto loss = std::bit_cast<std::uint64_t>(d[std::size_t{season[k]} * h_count]);
                double& l = out[k * book_holdings];
                const std::uint64_t take = std::uint64_t{0} - static_cast<std::uint64_t>((loss << 1) != 0);
                l = std::bit_cast<double>((loss & take) | (std::bit_cast<std::uint64_t>(l) & ~take));
            }
        }
        return true;
    }
    for (std::size_t k = 0; k < n && k < 16; ++k) __builtin_prefetch(&t.season_begin[season[k]]);
    for (std::size_t k = 0; k < n; ++k) {
        if (k + 16 < n) __builtin_prefetch(&t.season_begin[season[k + 16]]);
        if (k + 8 < n) {
            const SeasonBegin& ahead = t.season_begin[season[k + 8]];
            __builtin_prefetch(t.losses.data() + ahead.loss);
            if (block.events) __builtin_prefetch(t.events_of_season.data() + ahead.event);
        }
        const SeasonBegin& b = t.season_begin[season[k]];
        const SeasonBegin& e = t.season_begin[season[k] + 1];
        for (std::uint32_t j = b.loss; j < e.loss; ++j) loss_tco2e[k * book_holdings + t.losses[j].first] = t.losses[j].second;
        if (!block.events) continue;
        for (std::uint32_t j = b.event; j < e.event; ++j) events.push_back({static_cast<std::uint32_t>(k), t.events_of_season[j]});
    }
    return true;
}

// model.typhoon: {"vulnerability_scale", "threshold_ms", "half_damage_ms"}, each optional.
void decode_typhoon_override(const Value& block, const std::string& at, ModelOverrides& overrides,
                             std::vector<FieldProblem>& problems) {
    RecordReader r(block, at, problems);
    TyphoonOverride o;
    o.vulnerability_scale = r.number("vulnerability_scale", false, {0, 100});
    o.threshold_ms = r.number("threshold_ms", false, {0, 100});
    o.half_damage_ms = r.number("half_damage_ms", false, {0, 500, true});
    r.finish();
    set_typhoon_override(overrides, o);
}

// One entry per distinct (place, forest type), as the constructor prepares it.
Value describe_typhoon(const Model& model, const ModelOverrides& overrides, std::span<const PreparedHolding> holdings) {
    static const TyphoonOverride none;
    const TyphoonOverride& o = typhoon_override(overrides) ? *typhoon_override(overrides) : none;
    const TyphoonModel* m = typhoon_model(model);
    Value out = Value::list();
    if (!m || !m->events) return out;
    std::map<std::tuple<double, double, std::string, std::size_t>, int> groups;
    for (const auto& h : holdings)
        if (const auto place = typhoon_place(*m, h)) ++groups[{place->latitude, place->longitude, place->seat, index(h.forest_type)}];
    for (const auto& [key, count] : groups) {
        const auto& [lat, lon, seat, t] = key;
        const Effective e = effective(*m, o, static_cast<ForestType>(t));
        const auto hazard = m->events->hazard_at(lat, lon);
        std::uint32_t damaging = 0;
        for (std::uint32_t s = 0; s < m->events->seasons(); ++s) damaging += hazard->season_begin[s + 1] > hazard->season_begin[s];
        Value g;
        g["latitude"] = lat;
        g["longitude"] = lon;
        g["place"] = seat.empty() ? Value("holding coordinates") : Value("seat of region " + seat);
        g["forest_type"] = forest_type_names[t];
        g["holdings"] = count;
        g["threshold_ms"] = e.threshold_ms;
        g["half_damage_ms"] = e.half_damage_ms;
        g["vulnerability_scale"] = e.scale;
        g["seasons"] = m->events->seasons();
        g["seasons_with_damaging_gust"] = damaging;
        out.push_back(std::move(g));
    }
    return out;
}

std::unique_ptr<Peril> make_typhoon(const PerilSetup& setup) { return std::make_unique<TyphoonPeril>(setup); }

}  // namespace tanhui::risk
