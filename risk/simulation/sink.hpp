// The stochastic annual sink (issue 17): each simulated year a holding sequesters its growth-curve
// value times a growth factor F (Model::sink, risk/model/model.hpp), and the carbon it loses to
// perils takes that year's sequestration on the lost area with it.
//
//   S_{y,r} = -c W_{y,r} + sqrt(1 - c^2) U_{y,r}    the sink normal of region r: W its weather
//                                                   normal (weather.hpp: dry, fiery years are
//                                                   lean years), c = weather_correlation
//   X_{y,h} = sqrt(rho) S_{y,r} + sqrt(1 - rho) e_{y,h}    rho = region_correlation
//   drought year of r  <=>  S_{y,r} < Phi^-1(drought_probability)
//   F = exp(s X - s^2 / 2) (1 - cut if drought) / (1 - cut Phi(q - s sqrt(rho))),  s^2 = ln(1 + cv^2)
//   (normal: F = (1 + cv X) (1 - cut if drought) / (1 - cut (p - cv sqrt(rho) phi(q))))
// so that E[F] = 1 exactly: the growth curve stays the expected sequestration.
//
// Random numbers: Stream::sink (draws.hpp), peril word 0; U on block 0 with the region's number as
// holding word, e on block 1 with the holding's draw index, the measurement error on block 2. The
// perils' and the weather's draws do not move, so requests without the sink keep their bits.
// The sink region is the holding's weather region when it has one, else its province.
#pragma once

#include "risk/model/model.hpp"
#include "risk/random/year_cache.hpp"
#include "risk/simulation/simulate.hpp"
#include "risk/simulation/year_series.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tanhui::risk {

// A named stress scenario replays one historical year's growth in every simulated year: the
// region's factor is 1 - cut of the holding's province, and each holding keeps its own spread
// around it (the lognormal's share 1 - region_correlation); the perils keep their losses.
struct SinkScenario {
    std::string name;
    std::map<std::string, double> cut_by_province;  // "35" -> 0.189
    double cut_elsewhere = 0;
};
// "drought_2022": the 2022 heat and drought's NPP anomaly (Fujian -18.9 %, Zhejiang -14.1 %,
// Jiangxi -16.8 %; elsewhere the Yangtze basin's GPP anomaly -6.1 %). The values are the
// assumptions sink.drought_2022.* of data/historical/assumptions.csv. nullopt for another name.
std::optional<SinkScenario> sink_scenario(std::string_view name);
std::vector<std::string> sink_scenario_names();

class SinkSampler {
public:
    // Throws InvalidInput ("model/sink/...") for parameters out of their domain.
    SinkSampler(const Book& book, const SinkModel& model, std::optional<SinkScenario> scenario = std::nullopt);
    // F of years first_year .. first_year + n - 1, holdings in book order: out[k * holdings + h].
    // z: the years' shared weather normals Z when the caller has them (a LossBlock's), else nullptr.
    void factors(std::uint64_t seed, std::uint32_t first_year, std::size_t n, double* out, const double* z = nullptr) const;
    // A measurement error with mean 1 and the given CV (lognormal), for year `year` of a pool.
    static double measurement_factor(std::uint64_t seed, std::uint32_t year, double cv);
    std::size_t holdings() const { return region_of_.size(); }

private:
    const Book& book_;
    SinkModel m_;
    std::optional<SinkScenario> scenario_;
    std::vector<std::size_t> region_of_;        // holding -> sink region
    std::vector<std::uint32_t> region_number_;  // sink region -> holding word of U
    std::vector<std::size_t> region_slot_;      // sink region -> weather slot of W
    std::vector<std::uint64_t> region_row_;     // sink region -> its regional normal's id in the year-draw cache
    // holding -> its own normal's id in the year-draw cache (it depends on the seed, the years and
    // the holding's draw index only); empty for books over cached_holdings_max holdings, whose
    // rows would crowd out the rest.
    std::vector<std::uint64_t> holding_row_;
    // holding -> its factor F's id in the year-draw cache (its region's and its own normal and
    // the model's parameters; small books without a scenario): a warm quote reads F instead of
    // taking an exp a holding-year.
    std::vector<std::uint64_t> factor_row_;
    std::vector<double> scenario_factor_;       // by holding, with a scenario
    double threshold_ = 0;                      // Phi^-1(drought_probability), -inf without droughts
    double s_ = 0;                              // lognormal sigma
    double scale_ = 1;                          // 1 / E[unscaled F]

    // The block's normal of sink region r (from the cache), and holding h's factors of the block
    // into out[k * stride] from the region's normals.
    YearRow region_normals(std::size_t r, std::uint64_t seed, std::uint32_t year, std::size_t m, const double* z) const;
    void holding_factors(std::size_t h, const double* region, std::uint64_t seed, std::uint32_t year, std::size_t m,
                         double* out, std::size_t stride) const;
};

// One holding's year: F x sequestration on the area that stood, less the growth its covered
// perils' defoliation took (Peril::add_forgone_growth: pests, DESIGN "defoliation reduces growth
// (forgone sequestration), not stock"; at most what the standing area grew), less the carbon
// lost; and what the sink_loss index adds to the carbon lost: the sequestration forgone on the
// lost area and the defoliation's. Without defoliation (0) the bits of the sink before it.
struct HoldingSinkYear {
    double sink_tco2e = 0;         // sequestered on the standing area - defoliation - carbon lost
    double forgone_tco2e = 0;      // forgone on the lost area (>= 0) + defoliation
    double defoliation_tco2e = 0;  // the growth defoliation took (>= 0, capped)
};
inline HoldingSinkYear holding_sink_year(double factor, double sequestration_tco2e, double stock_tco2e,
                                         double loss_tco2e, double defoliation_tco2e = 0) {
    const double lost_share = stock_tco2e > 0 ? std::min(1.0, loss_tco2e / stock_tco2e) : 0.0;
    const double grown = factor * sequestration_tco2e;
    const double standing = grown * (1 - lost_share);
    HoldingSinkYear r;
    r.defoliation_tco2e = std::min(defoliation_tco2e, std::max(0.0, standing));
    r.forgone_tco2e = std::max(0.0, grown * lost_share) + r.defoliation_tco2e;
    r.sink_tco2e = standing - r.defoliation_tco2e - loss_tco2e;
    return r;
}

// The pool's year by year, index = year - sim.first_year: its sink, the carbon its covered perils
// destroyed (the stock_loss index) and that plus the sequestration forgone on the lost area (the
// sink_loss index: >= stock_loss in every year). Simulated year y is policy year y % term_years
// of its path: sequestration_tco2e[t * holdings + h] is holding h's growth-curve sequestration
// (tCO2e, whole area) in policy year t. Same bits for any thread count.
// defoliation_tco2e: the growth the covered perils' defoliation took (included in the sink and
// in sink_loss; 0 in every year when no covered peril reduces growth).
// peril_tco2e: with by_peril, each year's loss by the book's perils, as simulate_year_losses(book,
// sim, true).peril_tco2e gives it (the same bits, without simulating the losses a second time).
// Each series is written in full before it is returned (risk/simulation/year_series.hpp: not
// zero-filled first).
struct PoolSinkYears {
    YearSeries sink_tco2e;
    YearSeries stock_loss_tco2e;
    YearSeries sink_loss_tco2e;
    YearSeries defoliation_tco2e;
    YearSeries peril_tco2e;
};
// sequestration_tco2e for simulate_pool_sink: a holding's own sequestration_tco2e_per_ha_yr in
// every policy year, else its forest type's curve at age + t (the stand grows older along the
// term), times its area. Throws InvalidInput ("holdings/3/sequestration_tco2e_per_ha_yr") when
// neither gives it.
std::vector<double> sequestration_by_policy_year(const Book& book, std::span<const Holding> holdings, const Model& model,
                                                 std::size_t term_years);

// The series a caller reads (stock_loss_tco2e always; peril_tco2e with by_peril): one left out
// is empty, and the run writes none of its megabytes (a sink quote reads no sink_loss, an index
// quote no sink or defoliation).
struct PoolSinkSeries {
    bool sink = true;
    bool sink_loss = true;
    bool defoliation = true;
};
PoolSinkYears simulate_pool_sink(const Book& book, const SinkSampler& sampler, const Simulation& sim,
                                 std::span<const double> sequestration_tco2e, std::size_t term_years = 1,
                                 bool by_peril = false, PoolSinkSeries series = {});

}  // namespace tanhui::risk
