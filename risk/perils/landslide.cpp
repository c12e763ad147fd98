#include "risk/perils/landslide.hpp"

#include "risk/random/simd_clones.hpp"
#include "risk/random/year_cache.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <tuple>
#include <vector>

namespace tanhui::risk {

// Random-number layout of the landslide peril, peril word PerilId::landslide:
//   stream regional, region word = province number: block 0 the province's year normal
//   (risk/perils/regional.cpp; region word 0: the normal all provinces share)
//   stream holding_perils, holding word = draw index: block 0 word 0 the holding's hits (raw
//   compare for "no hit", then inversion); blocks 0x8000 .. PTRS tries when the mean exceeds 50
namespace {

constexpr std::uint16_t first_ptrs_block = 0x8000;
constexpr std::uint32_t max_hits = 1u << 20;

std::string str(double v) { return std::to_string(v); }

// A holding-year's mean number of hits: its rate, times the year's factor unless it is fixed.
double mean_hits(double rate, bool fixed, double g) { return fixed ? rate : rate * g; }

// The cheap half of the "no hit" test, the first holding_loss takes (and the block's screen):
// exp(-x) >= 1 - x, so a word this far below (1 - x) 2^32 means no hit without taking the exp.
bool surely_no_hit(std::uint32_t w0, double mean) { return double(w0) + 2.0 < (1.0 - mean) * two_to_32; }

// One holding's column of the block's screen (add_block): marks[k * stride] = 0 when
// surely_no_hit says year k has no hit. factor and words are the holding's first entries,
// factor[k * slots] and words[k * stride] its year k. Plain pointers and locals (stores through
// unsigned char may alias anything); cloned for SIMD (IEEE arithmetic, no contraction: the same
// marks in every clone).
TANHUI_SIMD_CLONES
void screen_holding(const double* factor, std::size_t slots, const std::uint32_t* words, std::size_t stride,
                    std::size_t years, double rate, bool fixed, unsigned char* marks) {
    for (std::size_t k = 0; k < years; ++k) {
        marks[k * stride] = surely_no_hit(words[k * stride], mean_hits(rate, fixed, factor[k * slots])) ? 0 : 1;
    }
}

}  // namespace

void validate(const LandslideModel& m, const std::string& at) {
    for (const auto& [code, p] : m.provinces) {
        require_parameter(p.events_per_year >= 0 && std::isfinite(p.events_per_year), at + "/" + code + "/events_per_year",
                          ">= 0", p.events_per_year);
        require_parameter(p.year_factor_shape > 0, at + "/" + code + "/year_factor_shape", "> 0", p.year_factor_shape);
        require_parameter(p.forest_area_ha > 0 && std::isfinite(p.forest_area_ha), at + "/" + code + "/forest_area_ha",
                          "> 0", p.forest_area_ha);
    }
    require_parameter(m.area_per_event_ha >= 0 && std::isfinite(m.area_per_event_ha), at + "/area_per_event_ha", ">= 0",
                      m.area_per_event_ha);
    require_parameter(m.stock_lost_fraction >= 0 && m.stock_lost_fraction <= 1, at + "/stock_lost_fraction", "in [0, 1]",
                      m.stock_lost_fraction);
    validate(m.dependence, at + "/dependence");
}

const LandslideModel* landslide_model(const Model& model) { return model.perils.find<LandslideModel>(PerilId::landslide); }
void set_landslide_model(Model& model, LandslideModel l) { model.perils.set(PerilId::landslide, std::move(l)); }
const LandslideOverride* landslide_override(const ModelOverrides& o) {
    return o.perils.find<LandslideOverride>(PerilId::landslide);
}
void set_landslide_override(ModelOverrides& o, const LandslideOverride& l) { o.perils.set(PerilId::landslide, l); }

LandslidePeril::LandslidePeril(const PerilSetup& setup) {
    static const LandslideModel no_model;
    static const LandslideOverride none;
    const LandslideModel& m = landslide_model(setup.model) ? *landslide_model(setup.model) : no_model;
    const LandslideOverride& o = landslide_override(setup.overrides) ? *landslide_override(setup.overrides) : none;
    if (o.hits_per_year && !(*o.hits_per_year >= 0 && std::isfinite(*o.hits_per_year)))
        throw InvalidInput("model/landslide/hits_per_year", "must be >= 0, got " + str(*o.hits_per_year));
    if (o.area_per_event_ha && !(*o.area_per_event_ha >= 0 && std::isfinite(*o.area_per_event_ha)))
        throw InvalidInput("model/landslide/area_per_event_ha", "must be >= 0, got " + str(*o.area_per_event_ha));
    if (o.stock_lost_fraction && !(*o.stock_lost_fraction >= 0 && *o.stock_lost_fraction <= 1))
        throw InvalidInput("model/landslide/stock_lost_fraction", "must be in [0, 1], got " + str(*o.stock_lost_fraction));
    const bool needs_model = !o.hits_per_year || !o.area_per_event_ha || !o.stock_lost_fraction;
    if (needs_model) validate(m, "model/landslide");
    dependence_ = m.dependence;
    area_per_event_ha_ = o.area_per_event_ha ? *o.area_per_event_ha : m.area_per_event_ha;
    const double lost = o.stock_lost_fraction ? *o.stock_lost_fraction : m.stock_lost_fraction;

    std::map<std::string, std::uint32_t> slot_of;
    for (std::size_t i = 0; i < setup.holdings.size(); ++i) {
        const PreparedHolding& h = setup.holdings[i];
        Prepared p;
        p.area_ha = h.area_ha;
        p.tco2e_per_lost_ha = h.stock_tco2e_per_ha * lost;
        p.stock_tco2e = h.area_ha * h.stock_tco2e_per_ha;
        p.draw_index = h.draw_index;
        p.position = static_cast<std::uint32_t>(i);
        if (o.hits_per_year) {
            p.hits_per_year = *o.hits_per_year;
            p.fixed = true;
        } else {
            const std::string key = province_key(m.provinces, h.region);
            if (key.empty())
                throw InvalidInput("holdings/" + std::to_string(i) + "/region",
                                   "no landslide model for region \"" + h.region + "\" and no model.landslide hits_per_year");
            const LandslideProvince& lp = m.provinces.at(key);
            p.hits_per_year = lp.events_per_year * std::min(h.area_ha / lp.forest_area_ha, 1.0);
            auto [it, added] = slot_of.try_emplace(key, static_cast<std::uint32_t>(slots_.size()));
            if (added) {
                RegionalSlot slot{key, region_number(key), {}};
                YearRowParameters id("landslide_factors");
                id.add(std::uint64_t{slot.number}).add(lp.year_factor_shape).add(dependence_.weather_loading);
                id.add(dependence_.shared_correlation).add(dependence_.neighbour_weight);
                row_ids_.push_back(year_draw_cache().intern(id));
                slots_.push_back(std::move(slot));
                factors_.emplace_back(lp.year_factor_shape);
            }
            p.slot = it->second;
        }
        if (p.hits_per_year > 0 && p.area_ha > 0 && p.tco2e_per_lost_ha > 0 && area_per_event_ha_ > 0) {
            holdings_.push_back(p);
            draw_index_.push_back(p.draw_index);
        }
    }
}

// A province's factors depend on the seed, the years and its parameters, not on the book: each
// province's row of a block comes from the process's year-draw cache (risk/random/year_cache.hpp),
// filled on a miss from that province's normals alone (the same bits: each province's normals are
// on its own addresses).
void LandslidePeril::year_factors(std::uint64_t seed, std::uint32_t first_year, std::size_t n, const double* z,
                                  double* g) const {
    gather_year_rows(row_ids_, seed, first_year, n, fingerprint(z, n), g, [&](std::size_t s, std::vector<double>& out) {
        regional_year_normals(seed, first_year, n, z, PerilId::landslide, {slots_[s]}, dependence_, false, out.data());
        for (double& x : out) x = factors_[s](x);
    });
}

// The hits of a holding-year and its loss (0 when word w0 means no hit).
double LandslidePeril::holding_loss(const Prepared& h, std::uint32_t w0, double g, std::uint64_t seed, std::uint32_t year,
                                    std::uint32_t& hits) const {
    hits = 0;
    const double mean = mean_hits(h.hits_per_year, h.fixed, g);
    if (surely_no_hit(w0, mean)) return 0;
    if (w0 < word_threshold(std::exp(-mean))) return 0;
    std::uint64_t n;
    if (mean <= poisson_inversion_max_mean) {
        n = std::max<std::uint64_t>(1, poisson_inversion(uniform32(w0), mean));
    } else {
        const DrawAddress at{seed, Stream::holding_perils, year, h.draw_index, static_cast<std::uint16_t>(PerilId::landslide)};
        n = poisson_ptrs(mean, [&](int b) { return at(static_cast<std::uint16_t>(first_ptrs_block + b)); });
    }
    hits = static_cast<std::uint32_t>(std::min<std::uint64_t>(n, max_hits));
    return std::min(double(hits) * area_per_event_ha_, h.area_ha) * h.tco2e_per_lost_ha;
}

double LandslidePeril::add_year(const Year& y, std::span<const std::uint32_t> occurrence, std::span<double> loss_tco2e,
                                EventSink& events) const {
    if (holdings_.empty()) return 0;
    thread_local std::vector<double> g;
    thread_local std::vector<std::uint32_t> words;
    g.resize(slots_.size());
    year_factors(y.seed, y.year, 1, &y.weather_normal, g.data());
    if (occurrence.empty()) {
        words.resize(holdings_.size());
        occurrence_words(y.seed, y.year, PerilId::landslide, draw_index_.data(), holdings_.size(), words.data());
        occurrence = words;
    }
    double total = 0;
    for (std::size_t i = 0; i < holdings_.size(); ++i) {
        const Prepared& h = holdings_[i];
        std::uint32_t hits;
        const double loss = holding_loss(h, occurrence[i], h.fixed ? 1.0 : g[h.slot], y.seed, y.year, hits);
        if (!(loss > 0)) continue;
        events.add(h.position, PerilId::landslide, 0, loss, h.stock_tco2e);
        loss_tco2e[h.position] += loss;
        total += loss;
    }
    return total;
}

bool LandslidePeril::add_block(const YearBlock& block, std::span<const std::uint32_t> occurrence,
                               std::size_t book_holdings, std::span<double> loss_tco2e,
                               std::vector<BlockEvent>& events) const {
    const std::size_t n = holdings_.size();
    if (!block.weather_normal || occurrence.size() != block.years * n || loss_tco2e.size() != block.years * book_holdings)
        return false;
    if (n == 0) return true;
    thread_local std::vector<double> g;
    const std::size_t s_count = slots_.size();
    g.resize(block.years * std::max<std::size_t>(s_count, 1));
    year_factors(block.seed, block.first_year, block.years, block.weather_normal, g.data());
    // Hits are rare: the block's words are first screened without a branch per word by
    // holding_loss's own first test (surely_no_hit), then only the candidates take
    // holding_loss, in year then holding order as before.
    thread_local std::vector<unsigned char> screen;
    screen.resize(block.years * n);
    for (std::size_t i = 0; i < n; ++i)
        screen_holding(g.data() + holdings_[i].slot, s_count, occurrence.data() + i, n, block.years,
                       holdings_[i].hits_per_year, holdings_[i].fixed, screen.data() + i);
    for (std::size_t k = 0; k < block.years; ++k)
        for (std::size_t i = 0; i < n; ++i) {
            if (!screen[k * n + i]) continue;
            const Prepared& h = holdings_[i];
            std::uint32_t hits;
            const double loss = holding_loss(h, occurrence[k * n + i], h.fixed ? 1.0 : g[k * s_count + h.slot], block.seed,
                                             block.first_year + static_cast<std::uint32_t>(k), hits);
            if (!(loss > 0)) continue;
            if (block.events)
                events.push_back({static_cast<std::uint32_t>(k), {h.position, PerilId::landslide, 0, loss, h.stock_tco2e}});
            loss_tco2e[k * book_holdings + h.position] = loss;
        }
    return true;
}

// model.landslide: {"hits_per_year", "area_per_event_ha", "stock_lost_fraction"}, each optional.
void decode_landslide_override(const Value& block, const std::string& at, ModelOverrides& overrides,
                               std::vector<FieldProblem>& problems) {
    RecordReader r(block, at, problems);
    LandslideOverride l;
    l.hits_per_year = r.number("hits_per_year", false, {0, 1000});
    l.area_per_event_ha = r.number("area_per_event_ha", false, {0, 1e6});
    l.stock_lost_fraction = r.number("stock_lost_fraction", false, {0, 1});
    r.finish();
    set_landslide_override(overrides, l);
}

// One entry per distinct province.
Value describe_landslide(const Model& model, const ModelOverrides& overrides, std::span<const PreparedHolding> holdings) {
    static const LandslideModel no_model;
    static const LandslideOverride none;
    const LandslideModel& m = landslide_model(model) ? *landslide_model(model) : no_model;
    const LandslideOverride& o = landslide_override(overrides) ? *landslide_override(overrides) : none;
    std::map<std::string, int> groups;
    for (const auto& h : holdings) ++groups[province_key(m.provinces, h.region)];
    Value out = Value::list();
    for (const auto& [region, count] : groups) {
        const LandslideProvince* lp = region.empty() ? nullptr : &m.provinces.at(region);
        Value g;
        g["region"] = region.empty() ? Value() : Value(region);
        g["holdings"] = count;
        if (o.hits_per_year) {
            g["hits_per_year"] = *o.hits_per_year;
        } else if (lp) {
            g["events_per_year"] = lp->events_per_year;
            g["year_factor_shape"] = std::isfinite(lp->year_factor_shape) ? Value(lp->year_factor_shape) : Value();
            g["forest_area_ha"] = lp->forest_area_ha;
            g["dependence"]["weather_loading"] = m.dependence.weather_loading;
            g["dependence"]["shared_correlation"] = m.dependence.shared_correlation;
        }
        g["area_per_event_ha"] = o.area_per_event_ha ? *o.area_per_event_ha : m.area_per_event_ha;
        g["stock_lost_fraction"] = o.stock_lost_fraction ? *o.stock_lost_fraction : m.stock_lost_fraction;
        out.push_back(std::move(g));
    }
    return out;
}

std::unique_ptr<Peril> make_landslide(const PerilSetup& setup) { return std::make_unique<LandslidePeril>(setup); }

}  // namespace tanhui::risk
