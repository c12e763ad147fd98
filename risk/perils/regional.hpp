// What the regional event perils (freeze, landslide) share (docs/risk-model.md "Regional event
// perils"): in an event year one footprint damages a share of the forest of every holding of the
// affected province at once. A province's year is drawn on the stream Stream::regional with the
// province's number in the holding word (risk/random/draws.hpp), so two holdings of one province
// see the same event in any book, and a province's draws do not depend on what else is in the book.
//
// The year normal of a province r is a Gaussian copula on three parts:
//   X_{y,r} = c Z_y + sqrt(1 - c^2) S_{y,r},
// Z_y the shared weather normal (fire's year factors; c = the peril's weather loading, estimated
// from the overlapping provincial series), and S_{y,r} the peril's own spatial normal:
//   S_{y,r} = sqrt(rho) R_y + sqrt(1 - rho) (e_r + lambda sum_{n in N(r)} e_n) / sqrt(1 + lambda^2 |N(r)|),
// R_y the peril's normal shared by every province (region word 0), e_r the province's own normal
// and N(r) its neighbours (provinces sharing a land border, data/historical/province_neighbours.csv):
// neighbouring provinces share the normals of each other and of their common neighbours.
#pragma once

#include "risk/perils/peril.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace tanhui::risk {

// The affected share of a footprint: Beta(a, b).
struct ShareBeta {
    double a = 1;
    double b = 1;
};

// The spatial and weather structure of a regional peril (the copula above).
struct RegionalDependence {
    double weather_loading = 0;     // c, in [-1, 1]
    double shared_correlation = 0;  // rho, in [0, 1]
    double neighbour_weight = 0;    // lambda, >= 0
};
void validate(const RegionalDependence& d, const std::string& at);

// One province of a book: the numbers of its normals and the weights that combine them.
struct RegionalSlot {
    std::string region;                     // "35"
    std::uint32_t number = 0;               // region_number(region)
    std::vector<std::uint32_t> neighbours;  // their region numbers
};

// The year normals X of `slots` for years first_year .. first_year + n - 1 (z[k] = Z of year
// first_year + k): x[k * slots.size() + s]. Block 0, words 0-1 of each address; SIMD across years.
// Without dependence (independent = true) X = e_r alone.
void regional_year_normals(std::uint64_t seed, std::uint32_t first_year, std::size_t n, const double* z, PerilId peril,
                           const std::vector<RegionalSlot>& slots, const RegionalDependence& dependence,
                           bool independent, double* x);

// The model's province key of a holding for a map of provinces (its two-digit prefix), "" when none.
template <class Map>
std::string province_key(const Map& provinces, const std::string& region) {
    const std::string code = normalise_region_code(region);
    if (code.size() < 2) return {};
    std::string key = code.substr(0, 2);
    return provinces.count(key) ? key : std::string();
}

}  // namespace tanhui::risk
