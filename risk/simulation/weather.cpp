#include "risk/simulation/weather.hpp"

#include "data/types.hpp"
#include "risk/random/batch.hpp"
#include "risk/random/year_cache.hpp"

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

// Random-number layout of the weather normals: stream Stream::weather, holding word
// region_number (0: Z_y), peril word 1, block 0, words 0-1. The peril word is fire's
// (PerilId::fire) because the factor was fire's before it was shared: these numbers are part of
// the model version, so they stay.
namespace {

constexpr PerilId weather_peril_word = PerilId::fire;

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
    auto table = std::make_shared<std::vector<double>>(Weather::table_intervals + 1);
    for (std::size_t i = 0; i <= Weather::table_intervals; ++i)
        (*table)[i] = gamma_mean_one_quantile(
            shape, -Weather::table_edge +
                       2 * Weather::table_edge * static_cast<double>(i) / static_cast<double>(Weather::table_intervals));
    const std::lock_guard lock(mutex);
    if (cache.size() >= 256) cache.clear();
    return cache.try_emplace(shape, std::move(table)).first->second;
}

}  // namespace

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

Weather::Weather(std::vector<WeatherRegion> regions, double rho) : regions_(std::move(regions)), rho_(rho) {
    if (!(rho >= 0 && rho <= 1))
        throw InvalidInput("model/weather/cross_region_correlation", "must be in [0, 1], got " + str(rho));
    if (regions_.size() + 1 > 0xffff) throw InvalidInput("holdings", "too many weather regions");
    for (const WeatherRegion& r : regions_) {
        if (!(r.year_factor_shape > 0))
            throw InvalidInput("model/weather/year_factor_shape/" + r.region, "must be > 0, got " + str(r.year_factor_shape));
        numbers_.push_back(region_number(r.region));
        if (numbers_.back() == 0) throw InvalidInput("model/weather/year_factor_shape/" + r.region, "region 0 is reserved for the shared factor");
        tables_.push_back(std::isinf(r.year_factor_shape) ? nullptr : weather_table(r.year_factor_shape));
        YearRowParameters id("weather_factors");
        id.add(std::uint64_t{numbers_.back()}).add(r.year_factor_shape).add(rho_);
        row_ids_.push_back(year_draw_cache().intern(id));
    }
}

GammaOfNormal::GammaOfNormal(double shape) : shape_(shape) {
    if (!(shape > 0)) throw InvalidInput("year_factor_shape", "must be > 0, got " + str(shape));
    if (!std::isinf(shape)) table_ = weather_table(shape);
}

double GammaOfNormal::operator()(double x) const {
    if (!table_) return 1.0;
    const std::vector<double>& t = *table_;
    const double u = (x + Weather::table_edge) / (2 * Weather::table_edge) * static_cast<double>(Weather::table_intervals);
    if (!(u >= 0 && u < static_cast<double>(Weather::table_intervals))) return gamma_mean_one_quantile(shape_, x);
    const auto i = static_cast<std::size_t>(u);
    const double w = u - static_cast<double>(i);
    return t[i] + w * (t[i + 1] - t[i]);
}

double Weather::quantile(std::size_t s, double x) const {
    const std::vector<double>& t = *tables_[s];
    const double u = (x + table_edge) / (2 * table_edge) * static_cast<double>(table_intervals);
    if (!(u >= 0 && u < static_cast<double>(table_intervals))) return gamma_mean_one_quantile(regions_[s].year_factor_shape, x);
    const auto i = static_cast<std::size_t>(u);
    const double w = u - static_cast<double>(i);
    return t[i] + w * (t[i + 1] - t[i]);
}

double Weather::draw(std::uint64_t seed, std::uint32_t year, std::span<double> g) const {
    double z = 0;
    draw_block(seed, year, 1, &z, g.data(), g.size());
    return z;
}

void Weather::draw_block(std::uint64_t seed, std::uint32_t first_year, std::size_t n, double* z, double* g,
                         std::size_t stride) const {
    constexpr std::size_t chunk = 256;
    static const std::uint64_t z_id = year_draw_cache().intern(YearRowParameters("weather_normal"));
    YearDrawCache& cache = year_draw_cache();
    const double a = std::sqrt(rho_), b = std::sqrt(1.0 - rho_);
    for (std::size_t off = 0; off < n; off += chunk) {
        const std::size_t m = std::min(chunk, n - off);
        const auto year = first_year + static_cast<std::uint32_t>(off);
        const auto m32 = static_cast<std::uint32_t>(m);
        double* zc = z + off;
        double* gc = g + off * stride;
        const YearRow z_row = cache.get({z_id, seed, year, m32}, [&](std::vector<double>& out) {
            std::array<std::uint32_t, chunk> hi, lo;
            word_pairs_over_years(seed, Stream::weather, year, m, 0, weather_peril_word, 0, hi.data(), lo.data());
            normals_from_words(hi.data(), lo.data(), m, out.data());
        });
        std::copy(z_row->begin(), z_row->end(), zc);
        for (std::size_t k = 0; k < m; ++k) gc[k * stride] = 1.0;
        for (std::size_t s = 0; s < regions_.size(); ++s) {
            if (std::isinf(regions_[s].year_factor_shape)) {
                for (std::size_t k = 0; k < m; ++k) gc[k * stride + s + 1] = 1.0;
                continue;
            }
            const YearRow g_row = cache.get({row_ids_[s], seed, year, m32}, [&](std::vector<double>& out) {
                std::array<std::uint32_t, chunk> hi, lo;
                std::array<double, chunk> e;
                if (rho_ < 1) {
                    word_pairs_over_years(seed, Stream::weather, year, m, numbers_[s], weather_peril_word, 0, hi.data(),
                                          lo.data());
                    normals_from_words(hi.data(), lo.data(), m, e.data());
                    for (std::size_t k = 0; k < m; ++k) e[k] = a * zc[k] + b * e[k];
                } else {
                    std::copy(zc, zc + m, e.begin());
                }
                for (std::size_t k = 0; k < m; ++k) out[k] = quantile(s, e[k]);
            });
            const double* r = g_row->data();
            for (std::size_t k = 0; k < m; ++k) gc[k * stride + s + 1] = r[k];
        }
    }
}

void Weather::normals_block(std::uint64_t seed, std::uint32_t first_year, std::size_t n, std::size_t slot,
                            double* x) const {
    constexpr std::size_t chunk = 256;
    std::array<std::uint32_t, chunk> hi, lo;
    std::array<double, chunk> e;
    const double a = std::sqrt(rho_), b = std::sqrt(1.0 - rho_);
    for (std::size_t off = 0; off < n; off += chunk) {
        const std::size_t m = std::min(chunk, n - off);
        const auto year = first_year + static_cast<std::uint32_t>(off);
        double* xc = x + off;
        word_pairs_over_years(seed, Stream::weather, year, m, 0, weather_peril_word, 0, hi.data(), lo.data());
        normals_from_words(hi.data(), lo.data(), m, xc);
        if (slot == 0 || rho_ >= 1) continue;
        word_pairs_over_years(seed, Stream::weather, year, m, numbers_[slot - 1], weather_peril_word, 0, hi.data(), lo.data());
        normals_from_words(hi.data(), lo.data(), m, e.data());
        for (std::size_t k = 0; k < m; ++k) xc[k] = a * xc[k] + b * e[k];
    }
}

}  // namespace tanhui::risk
