#include "risk/perils/fire.hpp"

#include <boost/math/policies/policy.hpp>
#include <boost/math/special_functions/gamma.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace tanhui::risk {

// Random-number layout of the fire peril, stream holding_perils, peril word PerilId::fire:
//   block 0                 word 0: the count (raw compare for "no fire", then inversion)
//   blocks 1 .. 0x7fff      fire j's burned area: block 1 + j / 2, words 2 (j % 2) and 2 (j % 2) + 1
//   blocks 0x8000 .. 0x800f PTRS tries for the count when its mean exceeds 50
// Fire-weather normals: stream fire_weather, holding word region_number (0: Z_y), peril word
// PerilId::fire, block 0, words 0-1.
namespace {

constexpr std::uint16_t first_area_block = 1;
constexpr std::uint32_t max_fires_per_holding_year = 2 * 0x7fff;  // blocks 1 .. 0x7fff
constexpr std::uint16_t first_ptrs_block = 0x8000;

std::string str(double v) { return std::to_string(v); }

// The table of G at the grid points for one shape: 8,193 inverse incomplete gammas (about a
// millisecond), the same for every book of a model, so built once per shape and process. The
// cache holds the shapes of a few models; beyond that it starts again (tables are shared_ptr:
// books holding one keep it).
std::shared_ptr<const std::vector<double>> weather_table(double shape) {
    static std::mutex mutex;
    static std::map<double, std::shared_ptr<const std::vector<double>>> cache;
    {
        const std::lock_guard lock(mutex);
        if (auto it = cache.find(shape); it != cache.end()) return it->second;
    }
    auto table = std::make_shared<std::vector<double>>(FireWeather::table_intervals + 1);
    for (std::size_t i = 0; i <= FireWeather::table_intervals; ++i)
        (*table)[i] = gamma_mean_one_quantile(
            shape, -FireWeather::table_edge +
                       2 * FireWeather::table_edge * static_cast<double>(i) / static_cast<double>(FireWeather::table_intervals));
    const std::lock_guard lock(mutex);
    if (cache.size() >= 256) cache.clear();
    return cache.try_emplace(shape, std::move(table)).first->second;
}

}  // namespace

BurnedAreaSampler::BurnedAreaSampler(const BurnedAreaModel& m) : model_(m) {
    has_tail_ = m.threshold_ha > 0 && m.tail_probability > 0;
    if (has_tail_) {
        const double z = (std::log(m.threshold_ha) - m.mu) / m.sigma;
        body_scale_ = 0.5 * std::erfc(-z / std::sqrt(2.0)) / (1.0 - m.tail_probability);
    }
}

double BurnedAreaSampler::quantile_ha(double u, double one_minus_u) const {
    if (has_tail_ && one_minus_u < model_.tail_probability) {
        const double survival = one_minus_u / model_.tail_probability;  // P(excess > y) of the GPD
        const double excess = model_.gpd_xi != 0
                                  ? model_.gpd_beta / model_.gpd_xi * (std::pow(survival, -model_.gpd_xi) - 1.0)
                                  : -model_.gpd_beta * std::log(survival);
        return model_.threshold_ha + excess;
    }
    const double p = has_tail_ ? u * body_scale_ : u;
    return std::exp(model_.mu + model_.sigma * normal_quantile_as241(p));
}

std::uint32_t region_number(std::string_view region) {
    if (!region.empty() && region.size() <= 9 && region.find_first_not_of("0123456789") == std::string_view::npos)
        return static_cast<std::uint32_t>(std::stoul(std::string(region)));
    std::uint32_t h = 2166136261u;  // FNV-1a
    for (char c : region) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
    return h | 0x80000000u;
}

double gamma_mean_one_quantile(double shape, double x) {
    if (std::isinf(shape)) return 1.0;
    // promote_double<false>: double precision throughout, ten times faster than the default
    // long double and within 1e-15 of it.
    using Policy = boost::math::policies::policy<boost::math::policies::promote_double<false>>;
    const double q = x <= 0 ? boost::math::gamma_p_inv(shape, 0.5 * std::erfc(-x / std::sqrt(2.0)), Policy())  // Phi(x)
                            : boost::math::gamma_q_inv(shape, 0.5 * std::erfc(x / std::sqrt(2.0)), Policy());  // Phi(-x)
    return q / shape;
}

FireWeather::FireWeather(std::vector<WeatherRegion> regions, double rho) : regions_(std::move(regions)), rho_(rho) {
    if (!(rho >= 0 && rho <= 1))
        throw InvalidInput("model/fire_weather_cross_region_correlation", "must be in [0, 1], got " + str(rho));
    if (regions_.size() + 1 > 0xffff) throw InvalidInput("holdings", "too many fire regions");
    for (const WeatherRegion& r : regions_) {
        if (!(r.year_factor_shape > 0))
            throw InvalidInput("model/fire/" + r.region + "/year_factor_shape", "must be > 0, got " + str(r.year_factor_shape));
        numbers_.push_back(region_number(r.region));
        if (numbers_.back() == 0) throw InvalidInput("model/fire/" + r.region, "region 0 is reserved for the shared factor");
        tables_.push_back(std::isinf(r.year_factor_shape) ? nullptr : weather_table(r.year_factor_shape));
    }
}

double FireWeather::quantile(std::size_t s, double x) const {
    const std::vector<double>& t = *tables_[s];
    const double u = (x + table_edge) / (2 * table_edge) * static_cast<double>(table_intervals);
    if (!(u >= 0 && u < static_cast<double>(table_intervals))) return gamma_mean_one_quantile(regions_[s].year_factor_shape, x);
    const auto i = static_cast<std::size_t>(u);
    const double w = u - static_cast<double>(i);
    return t[i] + w * (t[i + 1] - t[i]);
}

double FireWeather::draw(std::uint64_t seed, std::uint32_t year, std::span<double> g) const {
    double z = 0;
    draw_block(seed, year, 1, &z, g.data(), g.size());
    return z;
}

void FireWeather::draw_block(std::uint64_t seed, std::uint32_t first_year, std::size_t n, double* z, double* g,
                             std::size_t stride) const {
    constexpr std::size_t chunk = 256;
    std::array<std::uint32_t, chunk> hi, lo;
    std::array<double, chunk> e;
    const double a = std::sqrt(rho_), b = std::sqrt(1.0 - rho_);
    for (std::size_t off = 0; off < n; off += chunk) {
        const std::size_t m = std::min(chunk, n - off);
        const auto year = first_year + static_cast<std::uint32_t>(off);
        double* zc = z + off;
        double* gc = g + off * stride;
        word_pairs_over_years(seed, Stream::fire_weather, year, m, 0, PerilId::fire, 0, hi.data(), lo.data());
        normals_from_words(hi.data(), lo.data(), m, zc);
        for (std::size_t k = 0; k < m; ++k) gc[k * stride] = 1.0;
        for (std::size_t s = 0; s < regions_.size(); ++s) {
            if (std::isinf(regions_[s].year_factor_shape)) {
                for (std::size_t k = 0; k < m; ++k) gc[k * stride + s + 1] = 1.0;
                continue;
            }
            if (rho_ < 1) {
                word_pairs_over_years(seed, Stream::fire_weather, year, m, numbers_[s], PerilId::fire, 0, hi.data(), lo.data());
                normals_from_words(hi.data(), lo.data(), m, e.data());
                for (std::size_t k = 0; k < m; ++k) e[k] = a * zc[k] + b * e[k];
            } else {
                std::copy(zc, zc + m, e.begin());
            }
            for (std::size_t k = 0; k < m; ++k) gc[k * stride + s + 1] = quantile(s, e[k]);
        }
    }
}

FirePeril::FirePeril(const PerilSetup& setup) {
    const FireOverride& o = setup.overrides.fire;
    if (o.frequency && !(o.frequency->rate_per_year >= 0 && std::isfinite(o.frequency->rate_per_year)))
        throw InvalidInput("model/fire/frequency/rate_per_year", "must be >= 0, got " + str(o.frequency->rate_per_year));
    if (o.loss_fraction && !(*o.loss_fraction >= 0 && *o.loss_fraction <= 1))
        throw InvalidInput("model/fire/loss_fraction", "must be in [0, 1], got " + str(*o.loss_fraction));
    if (o.burned_area_ha) {
        validate(*o.burned_area_ha, "model/fire/burned_area_ha");
        severities_.emplace_back(*o.burned_area_ha);
    }
    std::map<std::string, std::uint16_t> severity_of;  // by Model::fire key
    std::map<std::string, bool> validated;

    for (std::size_t i = 0; i < setup.holdings.size(); ++i) {
        const PreparedHolding& h = setup.holdings[i];
        const FireModel* fm = nullptr;
        if (!h.fire_region.empty()) {
            fm = &setup.model.fire.at(h.fire_region);
            if (!validated[h.fire_region]) {
                validate(*fm, "model/fire/" + h.fire_region);
                validated[h.fire_region] = true;
            }
        }
        const bool needs_model = !o.frequency || !o.burned_area_ha || !o.loss_fraction;
        if (needs_model && !fm)
            throw InvalidInput("holdings/" + std::to_string(i) + "/region",
                               "no fire model for region \"" + h.region + "\" and no model.fire override");
        const std::size_t t = index(h.forest_type);

        Prepared p;
        p.area_ha = h.area_ha;
        p.draw_index = h.draw_index;
        p.position = static_cast<std::uint32_t>(i);
        if (o.frequency) {
            p.rate_per_year = o.frequency->rate_per_year;
            p.slot = 0;
        } else {
            p.rate_per_year = fm->rate_per_ha_year * h.area_ha * fm->flammability[t];
            p.slot = h.weather_slot;
            if (p.slot >= setup.weather_slots) throw InvalidInput("holdings/" + std::to_string(i), "weather slot out of range");
        }
        p.tco2e_per_burned_ha = h.stock_tco2e_per_ha * (o.loss_fraction ? *o.loss_fraction : fm->loss_fraction[t]);
        if (o.burned_area_ha) {
            p.severity = 0;
        } else {
            auto [it, added] = severity_of.try_emplace(h.fire_region, static_cast<std::uint16_t>(severities_.size()));
            if (added) severities_.emplace_back(fm->burned_area);
            p.severity = it->second;
        }
        p.zero_threshold = word_threshold(std::exp(-p.rate_per_year));
        if (p.rate_per_year > 0 && p.area_ha > 0 && p.tco2e_per_burned_ha > 0) {
            holdings_.push_back(p);
            draw_index_.push_back(p.draw_index);
        }
    }
}

namespace {

// Whether word w0 of a holding-year can mean a fire, and the year's mean count (rate x G).
bool fire_possible(const FirePeril::Prepared& h, std::uint32_t w0, double g, double& mean) {
    mean = h.rate_per_year;
    if (h.slot == 0) return w0 >= h.zero_threshold;
    mean *= g;
    // exp(-x) >= 1 - x: words this far below (1 - x) 2^32 are below the exact threshold, so the
    // exp is only taken in the thin band where the two differ.
    if (double(w0) + 2.0 < (1.0 - mean) * two_to_32) return false;
    return w0 >= word_threshold(std::exp(-mean));
}

// The fires of a holding-year with at least one: their count, then each burned area capped by
// what is left of the holding. Calls emit(j, loss) for each fire; returns the holding's loss.
template <class Emit>
double burn(const FirePeril::Prepared& h, const BurnedAreaSampler& severity, std::uint32_t w0, double mean,
            std::uint64_t seed, std::uint32_t year, Emit&& emit) {
    const DrawAddress at{seed, Stream::holding_perils, year, h.draw_index, static_cast<std::uint16_t>(PerilId::fire)};
    std::uint64_t fires;
    if (mean <= poisson_inversion_max_mean)
        fires = std::max<std::uint64_t>(1, poisson_inversion(uniform32(w0), mean));
    else
        fires = poisson_ptrs(mean, [&](int b) { return at(static_cast<std::uint16_t>(first_ptrs_block + b)); });
    if (fires > max_fires_per_holding_year) fires = max_fires_per_holding_year;

    double remaining_ha = h.area_ha;
    double holding_loss = 0;
    Words w{};
    for (std::uint32_t j = 0; j < fires && remaining_ha > 0; ++j) {
        if (j % 2 == 0) w = at(static_cast<std::uint16_t>(first_area_block + j / 2));
        const double u = uniform52(w[2 * (j % 2)], w[2 * (j % 2) + 1]);
        const double burned = std::min(severity.quantile_ha(u, 1.0 - u), remaining_ha);
        remaining_ha -= burned;
        const double loss = burned * h.tco2e_per_burned_ha;
        emit(j, loss);
        holding_loss += loss;
    }
    return holding_loss;
}

}  // namespace

double FirePeril::add_year(const Year& y, std::span<const std::uint32_t> occurrence, std::span<double> loss_tco2e,
                           EventSink& events) const {
    std::array<std::uint32_t, occurrence_batch> batch;
    double total = 0;
    for (std::size_t start = 0; start < holdings_.size(); start += occurrence_batch) {
        const std::size_t n = std::min(occurrence_batch, holdings_.size() - start);
        const std::uint32_t* words = occurrence.empty() ? batch.data() : occurrence.data() + start;
        if (occurrence.empty()) occurrence_words(y.seed, y.year, PerilId::fire, draw_index_.data() + start, n, batch.data());
        for (std::size_t i = 0; i < n; ++i) {
            const Prepared& h = holdings_[start + i];
            double mean;
            if (!fire_possible(h, words[i], y.fire_weather[h.slot], mean)) continue;
            const double holding_loss = burn(h, severities_[h.severity], words[i], mean, y.seed, y.year,
                                             [&](std::uint32_t j, double loss) { events.add(h.position, PerilId::fire, j, loss); });
            loss_tco2e[h.position] += holding_loss;
            total += holding_loss;
        }
    }
    return total;
}

bool FirePeril::add_block(const YearBlock& block, std::span<const std::uint32_t> occurrence, std::size_t book_holdings,
                          std::span<double> loss_tco2e, std::vector<BlockEvent>& events) const {
    const std::size_t n = holdings_.size();
    if (n > 64 || occurrence.size() != block.years * n || loss_tco2e.size() != block.years * book_holdings) return false;
    // Most holding-years have no fire: the block's words are screened without a branch per word
    // (a word is a candidate unless fire_possible's first test already rules a fire out), then
    // each candidate takes add_year's code.
    thread_local std::vector<std::uint32_t> candidates;
    thread_local std::vector<unsigned char> screen;
    candidates.resize(block.years * n);
    screen.resize(block.years * n);
    {
        // Plain locals: stores through unsigned char may alias anything, so the loop reads
        // nothing through a pointer it could be storing to, and vectorises.
        const double* fire_weather = block.fire_weather;
        const std::size_t slots = block.slots, years = block.years;
        const std::uint32_t* words = occurrence.data();
        unsigned char* out = screen.data();
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t slot = holdings_[i].slot;
            const double rate = holdings_[i].rate_per_year;
            const std::uint64_t zero_threshold = holdings_[i].zero_threshold;
            for (std::size_t k = 0; k < years; ++k) {
                const std::uint32_t w0 = words[k * n + i];
                const double mean = rate * fire_weather[k * slots + slot];
                const bool candidate = slot == 0 ? w0 >= zero_threshold : !(double(w0) + 2.0 < (1.0 - mean) * two_to_32);
                out[k * n + i] = candidate ? 1 : 0;
            }
        }
    }
    std::size_t count = 0;
    for (std::size_t k = 0; k < block.years; ++k)
        for (std::size_t i = 0; i < n; ++i) {
            candidates[count] = static_cast<std::uint32_t>(k * 64 + i);  // at most 64 holdings: no division below
            count += screen[k * n + i];
        }
    for (std::size_t t = 0; t < count; ++t) {
        const std::size_t k = candidates[t] >> 6, i = candidates[t] & 63;
        const Prepared& h = holdings_[i];
        const std::uint32_t w0 = occurrence[k * n + i];
        double mean;
        if (!fire_possible(h, w0, block.fire_weather[k * block.slots + h.slot], mean)) continue;
        loss_tco2e[k * book_holdings + h.position] =
            burn(h, severities_[h.severity], w0, mean, block.seed, block.first_year + static_cast<std::uint32_t>(k),
                 [&](std::uint32_t j, double loss) {
                     events.push_back({static_cast<std::uint32_t>(k), {h.position, PerilId::fire, j, loss}});
                 });
    }
    return true;
}

std::unique_ptr<Peril> make_fire(const PerilSetup& setup) { return std::make_unique<FirePeril>(setup); }

}  // namespace tanhui::risk
