#include "risk/perils/regional.hpp"

#include "risk/random/batch.hpp"

#include <algorithm>
#include <array>
#include <cmath>
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
    // Each province's own normal once per block, whichever slots need it: the distinct region
    // numbers of the slots and their neighbours, each drawn on its own address (so a province's
    // normals do not depend on which others are drawn), into per-thread rows of n values.
    thread_local std::vector<std::uint32_t> numbers;
    thread_local std::vector<double> own, shared, local;
    numbers.clear();
    const auto row_of = [&](std::uint32_t number) {
        const auto it = std::find(numbers.begin(), numbers.end(), number);
        if (it != numbers.end()) return static_cast<std::size_t>(it - numbers.begin());
        numbers.push_back(number);
        return numbers.size() - 1;
    };
    for (const RegionalSlot& s : slots) {
        row_of(s.number);
        if (!independent)
            for (std::uint32_t nb : s.neighbours) row_of(nb);
    }
    own.resize(numbers.size() * n);
    for (std::size_t i = 0; i < numbers.size(); ++i) normals_over_years(seed, first_year, n, peril, numbers[i], own.data() + i * n);
    const bool with_shared = !independent && d.shared_correlation > 0;
    if (with_shared) {
        shared.resize(n);
        normals_over_years(seed, first_year, n, peril, 0, shared.data());
    }
    local.resize(n);
    const double c = d.weather_loading, c_rest = std::sqrt(1.0 - c * c);
    const double r = std::sqrt(d.shared_correlation), r_rest = std::sqrt(1.0 - d.shared_correlation);
    for (std::size_t s = 0; s < s_count; ++s) {
        const RegionalSlot& slot = slots[s];
        const double* e = own.data() + row_of(slot.number) * n;
        if (independent) {
            for (std::size_t k = 0; k < n; ++k) x[k * s_count + s] = e[k];
            continue;
        }
        // Per year: local = (e_r + lambda e_n1 + lambda e_n2 ...) / norm, the neighbours added in
        // their order; loops over years innermost, each year's operations in the same order.
        const double lambda = d.neighbour_weight;
        const double norm = std::sqrt(1.0 + lambda * lambda * static_cast<double>(slot.neighbours.size()));
        double* l = local.data();
        std::copy(e, e + n, l);
        for (std::uint32_t nb : slot.neighbours) {
            const double* en = own.data() + row_of(nb) * n;
            for (std::size_t k = 0; k < n; ++k) l[k] += lambda * en[k];
        }
        for (std::size_t k = 0; k < n; ++k) l[k] /= norm;
        if (with_shared)
            for (std::size_t k = 0; k < n; ++k) l[k] = r * shared[k] + r_rest * l[k];
        for (std::size_t k = 0; k < n; ++k) x[k * s_count + s] = c * z[k] + c_rest * l[k];
    }
}

}  // namespace tanhui::risk
