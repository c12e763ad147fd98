// Fire (DESIGN "Perils"): per holding-year a Poisson number of fires with mean
//   rate = rate_per_ha_year x area x flammability(forest type) x G_{y, province},
// G the fire-weather year factor (gamma, mean 1, shape k: negative-binomial counts with
// variance m + m^2 / k), each fire's burned area from the spliced lognormal / GPD model, capped
// by what is left of the holding, and carbon lost = burned area x stock density x loss fraction.
// A quote's model.fire overrides replace these exactly ("Override semantics").
#pragma once

#include "risk/model/model.hpp"
#include "risk/perils/peril.hpp"

#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace tanhui::risk {

// Per-fire burned area (ha) by inversion of one uniform: a lognormal body below threshold_ha
// carrying 1 - tail_probability (the lognormal truncated there and rescaled), and above it
// threshold + GPD(xi, beta) carrying tail_probability. Without a tail: the plain lognormal.
class BurnedAreaSampler {
public:
    explicit BurnedAreaSampler(const BurnedAreaModel& model);
    // u in (0, 1) and one_minus_u = 1 - u (passed exactly, for the far tail).
    double quantile_ha(double u, double one_minus_u) const;
    const BurnedAreaModel& model() const { return model_; }

private:
    BurnedAreaModel model_;
    bool has_tail_ = false;
    double body_scale_ = 1;  // Phi((ln threshold - mu) / sigma) / (1 - tail_probability)
};

// The fire-weather factor of each province in a year: G_{y,p} = F_k^-1(Phi(X_{y,p})), F_k the
// gamma(k, 1/k) distribution function (mean 1, variance 1/k), on a Gaussian copula
// X_{y,p} = sqrt(rho) Z_y + sqrt(1 - rho) e_{y,p}: rho is the cross-region correlation of the
// normals (1: one shared factor, X = Z). Z_y and e_{y,p} come from their own stream, so every
// holding of a province sees the same G, whatever else is in the book.
struct WeatherRegion {
    std::string region;  // a key of Model::fire ("35")
    double year_factor_shape = std::numeric_limits<double>::infinity();  // inf: G = 1
};
class FireWeather {
public:
    FireWeather() = default;
    FireWeather(std::vector<WeatherRegion> regions, double cross_region_correlation);
    std::size_t slots() const { return 1 + regions_.size(); }  // slot 0: no factor
    const std::vector<WeatherRegion>& regions() const { return regions_; }
    double cross_region_correlation() const { return rho_; }
    // Fills g (size slots()) with G_{y, slot}, g[0] = 1, and returns Z_y.
    double draw(std::uint64_t seed, std::uint32_t year, std::span<double> g) const;
    // The same for years first_year .. first_year + n - 1 at once (SIMD across years): z[k] = Z,
    // g[k * stride + slot] = G of year first_year + k; stride >= slots(). The same bits as draw().
    void draw_block(std::uint64_t seed, std::uint32_t first_year, std::size_t n, double* z, double* g,
                    std::size_t stride) const;

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
    double rho_ = 1;
};

// The holding word of a region's fire-weather normal: its code as a number ("35" -> 35); codes
// that are not all digits hash to a number with bit 31 set. 0 is the shared normal Z_y.
std::uint32_t region_number(std::string_view region);

// A gamma(shape, 1/shape) quantile of Phi(x), computed from whichever tail is accurate.
double gamma_mean_one_quantile(double shape, double x);

class FirePeril final : public Peril {
public:
    explicit FirePeril(const PerilSetup& setup);
    PerilId id() const override { return PerilId::fire; }
    std::string_view name() const override { return "fire"; }
    std::span<const std::uint32_t> occurrence_holdings() const override { return draw_index_; }
    double add_year(const Year& year, std::span<const std::uint32_t> occurrence, std::span<double> loss_tco2e,
                    EventSink& events) const override;
    // The block path: the same per holding-year code as add_year, one call for 256 years.
    bool add_block(const YearBlock& block, std::span<const std::uint32_t> occurrence, std::size_t book_holdings,
                   std::span<double> loss_tco2e, std::vector<BlockEvent>& events) const override;

    // The flat per-holding numbers of the hot loop (holdings that cannot lose carbon to fire
    // are left out). Public for tests and documentation.
    struct Prepared {
        double rate_per_year = 0;              // expected fires at G = 1
        double area_ha = 0;
        double tco2e_per_burned_ha = 0;        // stock density x loss fraction
        std::uint64_t zero_threshold = 0;      // at G = 1: a word below it means no fire
        std::uint32_t draw_index = 0;
        std::uint32_t position = 0;            // index into loss_tco2e
        std::uint16_t slot = 0;                // fire-weather slot; 0 = no factor (override)
        std::uint16_t severity = 0;            // index into the burned-area samplers
    };
    std::span<const Prepared> prepared() const { return holdings_; }

private:
    std::vector<Prepared> holdings_;
    std::vector<std::uint32_t> draw_index_;  // holdings_[i].draw_index, contiguous for occurrence_words
    std::vector<BurnedAreaSampler> severities_;
};

std::unique_ptr<Peril> make_fire(const PerilSetup& setup);

}  // namespace tanhui::risk
