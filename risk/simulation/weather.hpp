// The shared weather year factors of a book (DESIGN "Dependence"; the parameters are
// Model::weather, risk/model/model.hpp): G_{y,r} = F_k^-1(Phi(X_{y,r})) for each region r of the
// book, F_k the gamma(k, 1/k) distribution function (mean 1, variance 1/k) of the region's
// year_factor_shape, on a Gaussian copula X_{y,r} = sqrt(rho) Z_y + sqrt(1 - rho) e_{y,r}: rho is
// the cross-region correlation of the normals (1: one shared factor, X = Z). Z_y and e_{y,r} come
// from their own stream, so every holding of a region sees the same G, whatever else is in the
// book. Fire's counts and pest's probability draw on it; a new peril may too.
#pragma once

#include "risk/random/draws.hpp"

#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tanhui::risk {

struct WeatherRegion {
    std::string region;  // a key of Model::weather.year_factor_shape ("35")
    double year_factor_shape = std::numeric_limits<double>::infinity();  // inf: G = 1
};

class Weather {
public:
    Weather() = default;
    Weather(std::vector<WeatherRegion> regions, double cross_region_correlation);
    std::size_t slots() const { return 1 + regions_.size(); }  // slot 0: no factor
    const std::vector<WeatherRegion>& regions() const { return regions_; }
    double cross_region_correlation() const { return rho_; }
    // Fills g (size slots()) with G_{y, slot}, g[0] = 1, and returns Z_y.
    double draw(std::uint64_t seed, std::uint32_t year, std::span<double> g) const;
    // The same for years first_year .. first_year + n - 1 at once (SIMD across years): z[k] = Z,
    // g[k * stride + slot] = G of year first_year + k; stride >= slots(). The same bits as draw().
    // Z and each region's G depend on the seed, the years and the region's shape and rho only:
    // they come from the process's year-draw cache (risk/random/year_cache.hpp) by 256 years.
    void draw_block(std::uint64_t seed, std::uint32_t first_year, std::size_t n, double* z, double* g,
                    std::size_t stride) const;

    // The Gaussian normals behind G: x[k] = X_{y, slot} of year first_year + k (slot 0: Z_y), the
    // numbers draw_block turns into G (the sink's correlation with the weather, sink.hpp).
    void normals_block(std::uint64_t seed, std::uint32_t first_year, std::size_t n, std::size_t slot, double* x) const;

    // G = gamma quantile at Phi(x) is tabulated per region on [-table_edge, table_edge] and
    // interpolated linearly (relative error below 1e-5; exact beyond the edges): the exact
    // inverse incomplete gamma cost about 2,000 instructions a region-year. Part of the model
    // version, as the random-number layout is.
    static constexpr double table_edge = 8.0;
    static constexpr std::size_t table_intervals = 8192;

private:
    double quantile(std::size_t region, double x) const;
    std::vector<WeatherRegion> regions_;
    std::vector<std::uint32_t> numbers_;  // holding word of each region's normal
    std::vector<std::shared_ptr<const std::vector<double>>> tables_;  // per region; empty: G = 1
    std::vector<std::uint64_t> row_ids_;  // per region: its G's parameters in the year-draw cache
    double rho_ = 1;
};

// The holding word of a region's weather normal: its code as a number ("35" -> 35); codes that
// are not all digits hash to a number with bit 31 set. 0 is the shared normal Z_y.
std::uint32_t region_number(std::string_view region);

// A gamma(shape, 1/shape) quantile of Phi(x), computed from whichever tail is accurate.
double gamma_mean_one_quantile(double shape, double x);

// The same quantile through the table and interpolation Weather uses (shared with it per shape):
// the year factors of regional event perils (risk/perils/landslide.hpp).
class GammaOfNormal {
public:
    explicit GammaOfNormal(double shape);
    double operator()(double x) const;
    double shape() const { return shape_; }

private:
    double shape_;
    std::shared_ptr<const std::vector<double>> table_;  // empty: shape infinite, G = 1
};

}  // namespace tanhui::risk
