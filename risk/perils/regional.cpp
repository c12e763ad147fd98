#include "risk/perils/regional.hpp"

#include "risk/random/batch.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <string>

namespace tanhui::risk {

// Random-number layout of a regional peril, stream regional, peril word = the peril's PerilId:
//   holding word 0            block 0 words 0-1: R_y, the normal every province shares
//   holding word region_number block 0 words 0-1: e_{y,r}; blocks 1 .. are the peril's own
//                              (freeze: the footprint's affected share)
void validate(const RegionalDependence& d, const std::string& at) {
    require_parameter(d.weather_loading >= -1 && d.weather_loading <= 1, at + "/weather_loading", "in [-1, 1]",
                      d.weather_loading);
    require_parameter(d.shared_correlation >= 0 && d.shared_correlation <= 1, at + "/shared_correlation", "in [0, 1]",
                      d.shared_correlation);
    require_parameter(d.neighbour_weight >= 0 && d.neighbour_weight <= 100, at + "/neighbour_weight", "in [0, 100]",
                      d.neighbour_weight);
}

namespace {

constexpr std::size_t chunk = 256;

void normals_over_years(std::uint64_t seed, std::uint32_t first_year, std::size_t n, PerilId peril, std::uint32_t number,
                        double* out) {
    std::array<std::uint32_t, chunk> hi, lo;
    for (std::size_t off = 0; off < n; off += chunk) {
        const std::size_t m = std::min(chunk, n - off);
        word_pairs_over_years(seed, Stream::regional, first_year + static_cast<std::uint32_t>(off), m, number, peril, 0,
                              hi.data(), lo.data());
        normals_from_words(hi.data(), lo.data(), m, out + off);
    }
}

}  // namespace

void regional_year_normals(std::uint64_t seed, std::uint32_t first_year, std::size_t n, const double* z, PerilId peril,
                           const std::vector<RegionalSlot>& slots, const RegionalDependence& d, bool independent,
                           double* x) {
    const std::size_t s_count = slots.size();
    if (s_count == 0 || n == 0) return;
    // Each province's own normal once per block, whichever slots need it.
    std::map<std::uint32_t, std::vector<double>> own;
    for (const RegionalSlot& s : slots) {
        own.try_emplace(s.number);
        if (!independent)
            for (std::uint32_t nb : s.neighbours) own.try_emplace(nb);
    }
    for (auto& [number, values] : own) {
        values.resize(n);
        normals_over_years(seed, first_year, n, peril, number, values.data());
    }
    std::vector<double> shared;
    if (!independent && d.shared_correlation > 0) {
        shared.resize(n);
        normals_over_years(seed, first_year, n, peril, 0, shared.data());
    }
    const double c = d.weather_loading, c_rest = std::sqrt(1.0 - c * c);
    const double r = std::sqrt(d.shared_correlation), r_rest = std::sqrt(1.0 - d.shared_correlation);
    for (std::size_t s = 0; s < s_count; ++s) {
        const RegionalSlot& slot = slots[s];
        const std::vector<double>& e = own.at(slot.number);
        if (independent) {
            for (std::size_t k = 0; k < n; ++k) x[k * s_count + s] = e[k];
            continue;
        }
        const double lambda = d.neighbour_weight;
        const double norm = std::sqrt(1.0 + lambda * lambda * static_cast<double>(slot.neighbours.size()));
        for (std::size_t k = 0; k < n; ++k) {
            double local = e[k];
            for (std::uint32_t nb : slot.neighbours) local += lambda * own.at(nb)[k];
            local /= norm;
            const double spatial = shared.empty() ? local : r * shared[k] + r_rest * local;
            x[k * s_count + s] = c * z[k] + c_rest * spatial;
        }
    }
}

}  // namespace tanhui::risk
