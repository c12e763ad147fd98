#include "risk/simulation/sink.hpp"

#include "risk/model/growth.hpp"
#include "risk/random/batch.hpp"
#include "risk/random/simd_clones.hpp"
#include "risk/random/special.hpp"
#include "risk/random/year_cache.hpp"
#include "risk/simulation/loss_blocks.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <cmath>
#include <limits>

namespace tanhui::risk {

namespace {

constexpr auto sink_peril_word = static_cast<PerilId>(0);
constexpr std::uint16_t region_block = 0, holding_block = 1, measurement_block = 2;
constexpr std::size_t chunk = 256;
constexpr std::size_t cached_holdings_max = 64;  // a quote's book; a batch's pools draw their normals

// The normals of one address over n <= chunk consecutive years.
void normals_over_years(std::uint64_t seed, std::uint32_t first_year, std::size_t n, std::uint32_t holding,
                        std::uint16_t block, double* out) {
    std::array<std::uint32_t, chunk> hi, lo;
    word_pairs_over_years(seed, Stream::sink, first_year, n, holding, sink_peril_word, block, hi.data(), lo.data());
    normals_from_words(hi.data(), lo.data(), n, out);
}

// Weather::normals_block of a slot from the years' Z already drawn (a LossBlock's): the same
// operations on the same words, so the same bits, without drawing Z a second time.
void weather_normals_from(const Weather& weather, std::uint64_t seed, std::uint32_t first_year, std::size_t n,
                          std::size_t slot, const double* z, double* x) {
    std::copy(z, z + n, x);
    const double rho = weather.cross_region_correlation();
    if (slot == 0 || rho >= 1) return;
    std::array<std::uint32_t, chunk> hi, lo;
    std::array<double, chunk> e;
    const double a = std::sqrt(rho), b = std::sqrt(1.0 - rho);
    const std::uint32_t number = region_number(weather.regions()[slot - 1].region);
    // Stream weather's peril word is fire's (draws.hpp), as in Weather::draw_block.
    word_pairs_over_years(seed, Stream::weather, first_year, n, number, PerilId::fire, 0, hi.data(), lo.data());
    normals_from_words(hi.data(), lo.data(), n, e.data());
    for (std::size_t k = 0; k < n; ++k) x[k] = a * x[k] + b * e[k];
}

// A one-holding pool's years of a block: what the year loop of simulate_pool_sink gives it (the
// sums 0 + the holding's), in one loop over the years that vectorises (sink.cpp is compiled
// without trapping math, risk/CMakeLists.txt: holding_sink_year's min and max become blends).
// seq[k]: the holding's sequestration in year k's policy year.
TANHUI_AVX2_CLONES
void one_holding_years(std::size_t n, double stock, const double* __restrict factor, const double* __restrict seq,
                       const double* __restrict loss, const double* __restrict defoliation, const double* __restrict total,
                       double* __restrict sink, double* __restrict stock_loss, double* __restrict sink_loss,
                       double* __restrict defoliated) {
    for (std::size_t k = 0; k < n; ++k) {
        const HoldingSinkYear r = holding_sink_year(factor[k], seq[k], stock, loss[k], defoliation[k]);
        sink[k] = 0.0 + r.sink_tco2e;
        stock_loss[k] = total[k];
        sink_loss[k] = total[k] + (0.0 + r.forgone_tco2e);
        defoliated[k] = 0.0 + r.defoliation_tco2e;
    }
}

std::string province_of(const std::string& region) {
    const std::string code = normalise_region_code(region);
    return code.substr(0, std::min<std::size_t>(2, code.size()));
}

}  // namespace

std::optional<SinkScenario> sink_scenario(std::string_view name) {
    if (name != "drought_2022") return std::nullopt;
    // assumptions.csv sink.drought_2022.cut.{35,33,36} and .elsewhere.
    return SinkScenario{"drought_2022", {{"35", 0.189}, {"33", 0.141}, {"36", 0.168}}, 0.061};
}

std::vector<std::string> sink_scenario_names() { return {"drought_2022"}; }

SinkSampler::SinkSampler(const Book& book, const SinkModel& model, std::optional<SinkScenario> scenario)
    : book_(book), m_(model), scenario_(std::move(scenario)) {
    validate(m_, "model/sink");
    std::map<std::string, std::size_t> index;
    for (const PreparedHolding& h : book.holdings) {
        const std::string key = h.weather_region.empty() ? province_of(h.region) : h.weather_region;
        auto [it, added] = index.try_emplace(key, region_number_.size());
        if (added) {
            region_number_.push_back(region_number(key));
            region_slot_.push_back(h.weather_slot);
            // The region's normal -c W + sqrt(1 - c^2) U depends on these and the seed and years only.
            const std::size_t slot = h.weather_slot;
            YearRowParameters id("sink_region");
            id.add(std::uint64_t{region_number_.back()});
            id.add(std::uint64_t{slot == 0 ? 0u : region_number(book.weather.regions()[slot - 1].region)});
            id.add(book.weather.cross_region_correlation()).add(m_.weather_correlation);
            region_row_.push_back(year_draw_cache().intern(id));
        }
        region_of_.push_back(it->second);
        if (book.holdings.size() <= cached_holdings_max)
            holding_row_.push_back(year_draw_cache().intern(YearRowParameters("sink_holding").add(std::uint64_t{h.draw_index})));
        if (scenario_) {
            const auto cut = scenario_->cut_by_province.find(province_of(h.region));
            scenario_factor_.push_back(1 - (cut == scenario_->cut_by_province.end() ? scenario_->cut_elsewhere : cut->second));
        }
    }
    const double p = m_.drought_probability, d = m_.drought_cut, a = std::sqrt(m_.region_correlation);
    threshold_ = p > 0 ? normal_quantile(p) : -std::numeric_limits<double>::infinity();
    if (m_.distribution == SinkDistribution::lognormal) {
        s_ = std::sqrt(std::log1p(m_.cv * m_.cv));
        scale_ = 1 / (1 - d * (p > 0 ? normal_cdf(threshold_ - s_ * a) : 0.0));
    } else {
        const double phi = p > 0 ? std::exp(-0.5 * threshold_ * threshold_) / std::sqrt(2 * M_PI) : 0.0;
        scale_ = 1 / (1 - d * (p - m_.cv * a * phi));
    }
    // A holding's F is its region's normal and its own (both rows above) put through the model's
    // numbers: every one that enters the operations is in the row's identity.
    if (!scenario_ && !holding_row_.empty())
        for (std::size_t h = 0; h < region_of_.size(); ++h)
            factor_row_.push_back(year_draw_cache().intern(YearRowParameters("sink_factor")
                                                               .add(region_row_[region_of_[h]])
                                                               .add(holding_row_[h])
                                                               .add(m_.region_correlation)
                                                               .add(std::uint64_t{m_.distribution == SinkDistribution::lognormal})
                                                               .add(s_)
                                                               .add(m_.cv)
                                                               .add(threshold_)
                                                               .add(m_.drought_cut)
                                                               .add(scale_)));
}

YearRow SinkSampler::region_normals(std::size_t r, std::uint64_t seed, std::uint32_t year, std::size_t m,
                                    const double* z) const {
    // The region's normal of the block: from the process's year-draw cache (book-independent).
    const double c = m_.weather_correlation, c2 = std::sqrt(1 - c * c);
    const YearRowKey key{region_row_[r], seed, year, static_cast<std::uint32_t>(m), z ? fingerprint(z, m) : 0};
    return year_draw_cache().get(key, [&](std::vector<double>& u) {
        std::array<double, chunk> w;
        if (z) weather_normals_from(book_.weather, seed, year, m, region_slot_[r], z, w.data());
        else book_.weather.normals_block(seed, year, m, region_slot_[r], w.data());
        normals_over_years(seed, year, m, region_number_[r], region_block, u.data());
        for (std::size_t k = 0; k < m; ++k) u[k] = -c * w[k] + c2 * u[k];
    });
}

void SinkSampler::holding_factors(std::size_t h, const double* region, std::uint64_t seed, std::uint32_t year,
                                  std::size_t m, double* out, std::size_t stride) const {
    const double a = std::sqrt(m_.region_correlation), b = std::sqrt(1 - m_.region_correlation);
    const bool lognormal = m_.distribution == SinkDistribution::lognormal;
    const double half_var = 0.5 * s_ * s_;
    std::array<double, chunk> e;
    const double* eh = e.data();
    YearRow own;  // the holding's normals from the year-draw cache (small books)
    if (b > 0 && !holding_row_.empty()) {
        own = year_draw_cache().get({holding_row_[h], seed, year, static_cast<std::uint32_t>(m)}, [&](std::vector<double>& u) {
            normals_over_years(seed, year, m, book_.holdings[h].draw_index, holding_block, u.data());
        });
        eh = own->data();
    } else if (b > 0) {
        normals_over_years(seed, year, m, book_.holdings[h].draw_index, holding_block, e.data());
    }
    for (std::size_t k = 0; k < m; ++k) {
        const double x = b > 0 ? a * region[k] + b * eh[k] : region[k];
        double f = lognormal ? std::exp(s_ * x - half_var) : 1 + m_.cv * x;
        if (region[k] < threshold_) f *= 1 - m_.drought_cut;
        out[k * stride] = f * scale_;
    }
}

void SinkSampler::factors(std::uint64_t seed, std::uint32_t first_year, std::size_t n, double* out, const double* z) const {
    const std::size_t holdings = region_of_.size();
    if (scenario_) {  // the region's year is the scenario's; each holding keeps its own spread
        const double b = std::sqrt(1 - m_.region_correlation);
        const double sb = s_ * b;
        std::array<double, chunk> e;
        for (std::size_t off = 0; off < n; off += chunk) {
            const std::size_t m = std::min(chunk, n - off);
            const auto year = first_year + static_cast<std::uint32_t>(off);
            for (std::size_t h = 0; h < holdings; ++h) {
                if (b > 0) normals_over_years(seed, year, m, book_.holdings[h].draw_index, holding_block, e.data());
                for (std::size_t k = 0; k < m; ++k)
                    out[(off + k) * holdings + h] = scenario_factor_[h] * (b > 0 ? std::exp(sb * e[k] - 0.5 * sb * sb) : 1.0);
            }
        }
        return;
    }
    for (std::size_t off = 0; off < n; off += chunk) {
        const std::size_t m = std::min(chunk, n - off);
        const auto year = first_year + static_cast<std::uint32_t>(off);
        const double* zb = z ? z + off : nullptr;
        if (!factor_row_.empty()) {  // a small book: each holding's F from the cache
            for (std::size_t h = 0; h < holdings; ++h) {
                const YearRowKey key{factor_row_[h], seed, year, static_cast<std::uint32_t>(m), zb ? fingerprint(zb, m) : 0};
                const YearRow row = year_draw_cache().get(key, [&](std::vector<double>& f) {
                    const YearRow region = region_normals(region_of_[h], seed, year, m, zb);
                    holding_factors(h, region->data(), seed, year, m, f.data(), 1);
                });
                for (std::size_t k = 0; k < m; ++k) out[(off + k) * holdings + h] = (*row)[k];
            }
            continue;
        }
        for (std::size_t r = 0; r < region_number_.size(); ++r) {
            const YearRow region = region_normals(r, seed, year, m, zb);
            for (std::size_t h = 0; h < holdings; ++h)
                if (region_of_[h] == r) holding_factors(h, region->data(), seed, year, m, out + off * holdings + h, holdings);
        }
    }
}

double SinkSampler::measurement_factor(std::uint64_t seed, std::uint32_t year, double cv) {
    if (!(cv > 0)) return 1.0;
    const Words w = draw_words(seed, static_cast<std::uint32_t>(Stream::sink), year, 0,
                               static_cast<std::uint16_t>(sink_peril_word), measurement_block);
    const double s = std::sqrt(std::log1p(cv * cv));
    return std::exp(s * normal_from_words(w[0], w[1]) - 0.5 * s * s);
}

std::vector<double> sequestration_by_policy_year(const Book& book, std::span<const Holding> holdings, const Model& model,
                                                 std::size_t term_years) {
    const std::size_t n = book.holdings.size();
    std::vector<double> out(term_years * n);
    for (std::size_t h = 0; h < n; ++h) {
        const PreparedHolding& p = book.holdings[h];
        const Holding& given = holdings[h];
        if (!p.sequestration_tco2e_per_ha_yr)
            throw InvalidInput("holdings/" + std::to_string(h) + "/sequestration_tco2e_per_ha_yr",
                               "is needed for the sink and the model has no growth curve for " + std::string(to_string(p.forest_type)));
        for (std::size_t t = 0; t < term_years; ++t) {
            const double per_ha = t == 0 || given.sequestration_tco2e_per_ha_yr
                                      ? *p.sequestration_tco2e_per_ha_yr
                                      : sequestration_tco2e_per_ha_yr(model.growth[index(p.forest_type)],
                                                                      given.age_years + static_cast<double>(t));
            out[t * n + h] = per_ha * p.area_ha;
        }
    }
    return out;
}

PoolSinkYears simulate_pool_sink(const Book& book, const SinkSampler& sampler, const Simulation& sim,
                                 std::span<const double> sequestration_tco2e, std::size_t term_years, bool by_peril,
                                 PoolSinkSeries series) {
    const std::size_t holdings = book.holdings.size();
    if (term_years == 0 || sequestration_tco2e.size() != term_years * holdings)
        throw std::logic_error("simulate_pool_sink: one sequestration per holding and policy year");
    PoolSinkYears out;
    // Every year of every series asked for is written below (a block's years on either path, and
    // its perils' losses), so they are not zero-filled first. A series not asked for is written to
    // a block's scratch instead, which stays in the core's cache.
    if (series.sink) out.sink_tco2e = YearSeries(sim.years);
    out.stock_loss_tco2e = YearSeries(sim.years);
    if (series.sink_loss) out.sink_loss_tco2e = YearSeries(sim.years);
    if (series.defoliation) out.defoliation_tco2e = YearSeries(sim.years);
    const std::size_t perils = book.perils.size();
    if (by_peril) out.peril_tco2e = YearSeries(std::size_t{sim.years} * perils);
    std::vector<double> stock(holdings);
    for (std::size_t h = 0; h < holdings; ++h) stock[h] = book.holdings[h].area_ha * book.holdings[h].stock_tco2e_per_ha;
    // A block of years at a time: the growth factors of the block from its weather normals, the
    // growth its perils' defoliation takes (the loss block's), then each year's holdings in book
    // order.
    simulate_loss_blocks(book, sim, [&](const LossBlock& b) {
        thread_local std::vector<double> factor;
        factor.resize(b.years * holdings);
        sampler.factors(sim.seed, b.first_year, b.years, factor.data(), b.weather_normal.data());
        const std::span<const double> defoliation = b.forgone_growth;
        // The block's years of each series: in the output, or in scratch when not asked for.
        const std::size_t at = b.first_year - sim.first_year;
        thread_local std::array<double, chunk> unused_sink, unused_sink_loss, unused_defoliation;
        double* const sink_out = series.sink ? out.sink_tco2e.data() + at : unused_sink.data();
        double* const stock_loss_out = out.stock_loss_tco2e.data() + at;
        double* const sink_loss_out = series.sink_loss ? out.sink_loss_tco2e.data() + at : unused_sink_loss.data();
        double* const defoliation_out = series.defoliation ? out.defoliation_tco2e.data() + at : unused_defoliation.data();
        // The policy year of the block's first year, then counted up (no division a year).
        std::size_t t = at % term_years;
        if (holdings == 1) {
            std::array<double, chunk> seq;
            for (std::size_t k = 0; k < b.years; ++k, t = t + 1 == term_years ? 0 : t + 1) seq[k] = sequestration_tco2e[t];
            one_holding_years(b.years, stock[0], factor.data(), seq.data(), b.loss_tco2e.data(), defoliation.data(),
                              b.total_tco2e.data(), sink_out, stock_loss_out, sink_loss_out, defoliation_out);
        } else {
            for (std::size_t k = 0; k < b.years; ++k, t = t + 1 == term_years ? 0 : t + 1) {
                const double* f = factor.data() + k * holdings;
                const double* loss = b.loss_tco2e.data() + k * holdings;
                const double* seq = sequestration_tco2e.data() + t * holdings;
                const double* defoliation_k = defoliation.data() + k * holdings;
                double sink = 0, forgone = 0, defoliated = 0;
                for (std::size_t h = 0; h < holdings; ++h) {
                    const HoldingSinkYear r = holding_sink_year(f[h], seq[h], stock[h], loss[h], defoliation_k[h]);
                    sink += r.sink_tco2e;
                    forgone += r.forgone_tco2e;
                    defoliated += r.defoliation_tco2e;
                }
                sink_out[k] = sink;
                stock_loss_out[k] = b.total_tco2e[k];
                sink_loss_out[k] = b.total_tco2e[k] + forgone;
                defoliation_out[k] = defoliated;
            }
        }
        if (by_peril)
            std::copy(b.peril_tco2e.begin(), b.peril_tco2e.end(),
                      out.peril_tco2e.begin() + static_cast<std::ptrdiff_t>((b.first_year - sim.first_year) * perils));
    }, by_peril, true);
    return out;
}

}  // namespace tanhui::risk
