#include "risk/perils/freeze.hpp"

#include "risk/random/beta_batch.hpp"
#include "risk/random/year_cache.hpp"
#include "risk/simulation/weather.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <tuple>
#include <vector>

namespace tanhui::risk {

// Random-number layout of the freeze peril, stream regional, peril word PerilId::freeze (region
// word: the province's number): block 0 its year normal (risk/perils/regional.cpp), blocks 1 .. 8
// Gamma(a) tries and blocks 9 .. 16 Gamma(b) tries of the footprint's affected share.
namespace {

constexpr int gamma_blocks = 8;

std::string str(double v) { return std::to_string(v); }

double threshold_of(double p) {
    if (!(p > 0)) return -std::numeric_limits<double>::infinity();
    if (p >= 1) return std::numeric_limits<double>::infinity();
    return normal_quantile_as241(p);
}

void check_share(const ShareBeta& s, const std::string& at) {
    require_parameter(s.a > 0 && std::isfinite(s.a), at + "/a", "> 0", s.a);
    require_parameter(s.b > 0 && std::isfinite(s.b), at + "/b", "> 0", s.b);
}

// Everything a province's row of shares depends on besides seed and years.
std::uint64_t row_id(const RegionalSlot& slot, const FreezePeril::Province& p, const RegionalDependence& d,
                     bool independent) {
    YearRowParameters id("freeze_shares");
    id.add(std::uint64_t{slot.number}).add(std::uint64_t{slot.neighbours.size()});
    for (std::uint32_t nb : slot.neighbours) id.add(std::uint64_t{nb});
    id.add(p.threshold).add(p.share.a).add(p.share.b).add(std::uint64_t{p.fixed_share.has_value()});
    id.add(p.fixed_share.value_or(0.0));
    id.add(d.weather_loading).add(d.shared_correlation).add(d.neighbour_weight).add(std::uint64_t{independent});
    return year_draw_cache().intern(id);
}

}  // namespace

void validate(const FreezeModel& m, const std::string& at) {
    for (const auto& [code, p] : m.provinces) {
        require_parameter(p.event_probability >= 0 && p.event_probability <= 1, at + "/" + code + "/event_probability",
                          "in [0, 1]", p.event_probability);
        check_share(p.affected_share, at + "/" + code + "/affected_share");
    }
    for (std::size_t i = 0; i < forest_type_count; ++i)
        require_parameter(m.loss_fraction[i] >= 0 && m.loss_fraction[i] <= 1,
                          at + "/loss_fraction/" + std::string(forest_type_names[i]), "in [0, 1]", m.loss_fraction[i]);
    validate(m.dependence, at + "/dependence");
}

const FreezeModel* freeze_model(const Model& model) { return model.perils.find<FreezeModel>(PerilId::freeze); }
void set_freeze_model(Model& model, FreezeModel freeze) { model.perils.set(PerilId::freeze, std::move(freeze)); }
const FreezeOverride* freeze_override(const ModelOverrides& o) { return o.perils.find<FreezeOverride>(PerilId::freeze); }
void set_freeze_override(ModelOverrides& o, const FreezeOverride& freeze) { o.perils.set(PerilId::freeze, freeze); }

FreezePeril::FreezePeril(const PerilSetup& setup) {
    static const FreezeModel no_model;
    static const FreezeOverride none;
    const FreezeModel& m = freeze_model(setup.model) ? *freeze_model(setup.model) : no_model;
    const FreezeOverride& o = freeze_override(setup.overrides) ? *freeze_override(setup.overrides) : none;
    if (o.event_probability && !(*o.event_probability >= 0 && *o.event_probability <= 1))
        throw InvalidInput("model/freeze/event_probability", "must be in [0, 1], got " + str(*o.event_probability));
    if (o.footprint_share && !(*o.footprint_share >= 0 && *o.footprint_share <= 1))
        throw InvalidInput("model/freeze/footprint_share", "must be in [0, 1], got " + str(*o.footprint_share));
    if (o.loss_fraction && !(*o.loss_fraction >= 0 && *o.loss_fraction <= 1))
        throw InvalidInput("model/freeze/loss_fraction", "must be in [0, 1], got " + str(*o.loss_fraction));
    if (o.affected_share) check_share(*o.affected_share, "model/freeze/affected_share");
    const bool needs_model = !o.event_probability || !(o.affected_share || o.footprint_share) || !o.loss_fraction;
    if (needs_model) validate(m, "model/freeze");
    independent_ = o.event_probability.has_value();
    dependence_ = m.dependence;

    std::map<std::string, std::uint32_t> slot_of;
    for (std::size_t i = 0; i < setup.holdings.size(); ++i) {
        const PreparedHolding& h = setup.holdings[i];
        std::string key = province_key(m.provinces, h.region);
        const FreezeProvince* fp = key.empty() ? nullptr : &m.provinces.at(key);
        if (needs_model && !fp)
            throw InvalidInput("holdings/" + std::to_string(i) + "/region",
                               "no freeze model for region \"" + h.region + "\" and no full model.freeze override");
        if (key.empty()) key = normalise_region_code(h.region).substr(0, 2);
        auto [it, added] = slot_of.try_emplace(key, static_cast<std::uint32_t>(slots_.size()));
        if (added) {
            RegionalSlot slot{key, region_number(key), {}};
            if (fp && !independent_)
                for (const std::string& n : fp->neighbours) slot.neighbours.push_back(region_number(n));
            slots_.push_back(std::move(slot));
            Province p;
            p.threshold = threshold_of(o.event_probability ? *o.event_probability : fp->event_probability);
            p.share = o.affected_share ? *o.affected_share : fp ? fp->affected_share : ShareBeta{};
            p.fixed_share = o.footprint_share;
            provinces_.push_back(p);
            row_ids_.push_back(row_id(slots_.back(), p, dependence_, independent_));
        }
        const double lf = o.loss_fraction ? *o.loss_fraction : m.loss_fraction[index(h.forest_type)];
        Prepared p{h.area_ha * h.stock_tco2e_per_ha * lf, h.area_ha * h.stock_tco2e_per_ha, static_cast<std::uint32_t>(i),
                   it->second};
        if (p.tco2e_if_all_affected > 0) holdings_.push_back(p);
    }
}

namespace {

// The affected shares of the provinces of slots (provinces[s] their parameters) in years
// first_year .. + n - 1: share[k * slots.size() + s], 0 in a year without an event.
void province_shares(std::uint64_t seed, std::uint32_t first_year, std::size_t n, const double* z,
                     const std::vector<RegionalSlot>& slots, const std::vector<FreezePeril::Province>& provinces,
                     const RegionalDependence& dependence, bool independent, double* share) {
    using Province = FreezePeril::Province;
    const std::size_t s_count = slots.size();
    regional_year_normals(seed, first_year, n, z, PerilId::freeze, slots, dependence, independent, share);
    // The event province-years whose share is a Beta draw, then the first gamma tries of all of
    // them at once (beta_first_tries); the few not accepted there take the scalar draw.
    thread_local std::vector<std::uint32_t> at, year, number;
    thread_local std::vector<double> beta;
    thread_local std::vector<unsigned char> accepted;
    at.clear();
    year.clear();
    number.clear();
    for (std::size_t k = 0; k < n; ++k)
        for (std::size_t s = 0; s < s_count; ++s) {
            double& x = share[k * s_count + s];
            const Province& p = provinces[s];
            if (!(x < p.threshold)) {
                x = 0;
                continue;
            }
            if (p.fixed_share) {
                x = *p.fixed_share;
                continue;
            }
            at.push_back(static_cast<std::uint32_t>(k * s_count + s));
            year.push_back(first_year + static_cast<std::uint32_t>(k));
            number.push_back(slots[s].number);
        }
    const std::size_t events = at.size();
    beta.resize(events);
    accepted.resize(events);
    // One shape pair for every province is the common case (no override gives each its own).
    const auto draw = [&](std::size_t e) {
        const ShareBeta& sb = provinces[at[e] % s_count].share;
        const DrawAddress address = regional_address(seed, year[e], number[e], PerilId::freeze);
        return beta_from_gammas(sb.a, sb.b, [&](int b) { return address(static_cast<std::uint16_t>(1 + b)); }, gamma_blocks);
    };
    const bool one_shape = std::all_of(provinces.begin(), provinces.end(), [&](const Province& p) {
        return p.share.a == provinces[0].share.a && p.share.b == provinces[0].share.b;
    });
    if (one_shape && events > 0) {
        beta_first_tries(seed, Stream::regional, PerilId::freeze, 1, gamma_blocks, provinces[0].share.a,
                         provinces[0].share.b, year.data(), number.data(), events, beta.data(), accepted.data());
        for (std::size_t e = 0; e < events; ++e) share[at[e]] = accepted[e] ? beta[e] : draw(e);
    } else {
        for (std::size_t e = 0; e < events; ++e) share[at[e]] = draw(e);
    }
}

}  // namespace

// A province's shares depend on the seed, the years and its parameters, not on the book: each
// province's row of a block comes from the process's year-draw cache (risk/random/year_cache.hpp),
// filled on a miss by province_shares on that province alone (the same bits: each province's
// normals and Beta draws are on its own addresses).
void FreezePeril::shares(std::uint64_t seed, std::uint32_t first_year, std::size_t n, const double* z,
                         double* share) const {
    gather_year_rows(row_ids_, seed, first_year, n, fingerprint(z, n), share, [&](std::size_t s, std::vector<double>& out) {
        province_shares(seed, first_year, n, z, {slots_[s]}, {provinces_[s]}, dependence_, independent_, out.data());
    });
}

// A year's losses from its provinces' affected shares (share[slot]): each holding's through
// set(position, loss), the total summed in holding order, and one event per province with a
// loss through emit(event), in province (slot) order: the footprint is the occurrence, its loss
// the province's holdings' summed in book order (0 + x is x: a one-holding province's event is
// its holding's loss).
template <class Set, class Emit>
double FreezePeril::year_losses(const double* share, Set&& set, Emit&& emit) const {
    thread_local std::vector<Event> province;
    province.assign(slots_.size(), Event{0, PerilId::freeze, 0, 0, 0});
    double total = 0;
    for (const Prepared& h : holdings_) {
        const double loss = share[h.slot] * h.tco2e_if_all_affected;
        if (!(loss > 0)) continue;
        Event& e = province[h.slot];
        if (!(e.loss_tco2e > 0)) e.holding = h.position;
        e.loss_tco2e += loss;
        e.exposure_tco2e += h.stock_tco2e;
        set(h.position, loss);
        total += loss;
    }
    for (const Event& e : province)
        if (e.loss_tco2e > 0) emit(e);
    return total;
}

double FreezePeril::add_year(const Year& y, std::span<const std::uint32_t> occurrence, std::span<double> loss_tco2e,
                             EventSink& events) const {
    (void)occurrence;
    if (holdings_.empty()) return 0;
    thread_local std::vector<double> share;
    share.resize(slots_.size());
    shares(y.seed, y.year, 1, &y.weather_normal, share.data());
    return year_losses(
        share.data(), [&](std::uint32_t position, double loss) { loss_tco2e[position] += loss; },
        [&](const Event& e) { events.add(e); });
}

bool FreezePeril::add_block(const YearBlock& block, std::span<const std::uint32_t> occurrence, std::size_t book_holdings,
                            std::span<double> loss_tco2e, std::vector<BlockEvent>& events) const {
    (void)occurrence;
    if (!block.weather_normal || loss_tco2e.size() != block.years * book_holdings) return false;
    if (holdings_.empty()) return true;
    thread_local std::vector<double> share;
    const std::size_t s_count = slots_.size();
    share.resize(block.years * s_count);
    shares(block.seed, block.first_year, block.years, block.weather_normal, share.data());
    if (!block.events) {
        // The losses alone: year_losses' products, without its events (a select, not a branch:
        // whether a year has a footprint is a coin toss; a holding that loses nothing keeps its 0).
        for (const Prepared& h : holdings_) {
            const double* s = share.data() + h.slot;
            double* out = loss_tco2e.data() + h.position;
            for (std::size_t k = 0; k < block.years; ++k) {
                const double loss = s[k * s_count] * h.tco2e_if_all_affected;
                double& l = out[k * book_holdings];
                l = loss > 0 ? loss : l;
            }
        }
        return true;
    }
    for (std::size_t k = 0; k < block.years; ++k) {
        // Most years have no footprint anywhere: year_losses would add and emit nothing.
        const double* year = share.data() + k * s_count;
        if (std::none_of(year, year + s_count, [](double x) { return x > 0; })) continue;
        year_losses(
            year, [&](std::uint32_t position, double loss) { loss_tco2e[k * book_holdings + position] = loss; },
            [&](const Event& e) { events.push_back({static_cast<std::uint32_t>(k), e}); });
    }
    return true;
}

// model.freeze: {"event_probability", "affected_share": {"distribution": "beta", "a", "b"},
// "footprint_share", "loss_fraction"}, each optional; affected_share and footprint_share exclude
// each other.
void decode_freeze_override(const Value& block, const std::string& at, ModelOverrides& overrides,
                            std::vector<FieldProblem>& problems) {
    RecordReader r(block, at, problems);
    FreezeOverride f;
    f.event_probability = r.number("event_probability", false, {0, 1});
    if (const Value* share = r.get("affected_share")) {
        RecordReader sr(*share, r.at("affected_share"), problems);
        sr.one_of("distribution", false, {"beta"});
        const auto a = sr.number("a", true, {0, 1e4, true});
        const auto b = sr.number("b", true, {0, 1e4, true});
        if (a && b) f.affected_share = ShareBeta{*a, *b};
        sr.finish();
    }
    f.footprint_share = r.number("footprint_share", false, {0, 1});
    if (f.footprint_share && r.has("affected_share"))
        r.problem("footprint_share", "give footprint_share or affected_share, not both");
    f.loss_fraction = r.number("loss_fraction", false, {0, 1});
    r.finish();
    set_freeze_override(overrides, f);
}

// One entry per distinct (province, forest type).
Value describe_freeze(const Model& model, const ModelOverrides& overrides, std::span<const PreparedHolding> holdings) {
    static const FreezeModel no_model;
    static const FreezeOverride none;
    const FreezeModel& m = freeze_model(model) ? *freeze_model(model) : no_model;
    const FreezeOverride& o = freeze_override(overrides) ? *freeze_override(overrides) : none;
    std::map<std::tuple<std::string, std::size_t>, int> groups;
    for (const auto& h : holdings) ++groups[{province_key(m.provinces, h.region), index(h.forest_type)}];
    Value out = Value::list();
    for (const auto& [key, count] : groups) {
        const auto& [region, t] = key;
        const FreezeProvince* fp = region.empty() ? nullptr : &m.provinces.at(region);
        Value g;
        g["region"] = region.empty() ? Value() : Value(region);
        g["forest_type"] = forest_type_names[t];
        g["holdings"] = count;
        if (o.event_probability) g["event_probability"] = *o.event_probability;
        else if (fp) g["event_probability"] = fp->event_probability;
        if (o.footprint_share) {
            g["footprint_share"] = *o.footprint_share;
        } else if (o.affected_share || fp) {
            const ShareBeta s = o.affected_share ? *o.affected_share : fp->affected_share;
            g["affected_share"]["distribution"] = "beta";
            g["affected_share"]["a"] = s.a;
            g["affected_share"]["b"] = s.b;
        }
        g["loss_fraction"] = o.loss_fraction ? *o.loss_fraction : m.loss_fraction[t];
        if (!o.event_probability) {
            g["dependence"]["weather_loading"] = m.dependence.weather_loading;
            g["dependence"]["shared_correlation"] = m.dependence.shared_correlation;
            g["dependence"]["neighbour_weight"] = m.dependence.neighbour_weight;
            if (fp) g["dependence"]["neighbours"] = Value(fp->neighbours);
        }
        out.push_back(std::move(g));
    }
    return out;
}

std::unique_ptr<Peril> make_freeze(const PerilSetup& setup) { return std::make_unique<FreezePeril>(setup); }

}  // namespace tanhui::risk
