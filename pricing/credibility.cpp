#include "pricing/credibility.hpp"

#include "pricing/checks.hpp"

#include <cmath>

namespace tanhui::pricing {

CredibilityResult buhlmann_straub(std::span<const CredibilityGroup> groups) {
    if (groups.size() < 2)
        checks::fail("groups", "must hold at least 2 groups, got " + std::to_string(groups.size()));
    std::size_t degrees_of_freedom = 0;  // sum_i (n_i - 1)
    for (std::size_t i = 0; i < groups.size(); ++i) {
        const auto& g = groups[i];
        const std::string at = checks::indexed("groups", i);
        if (g.ratios.empty()) checks::fail(at + ".ratios", "must hold at least one period");
        if (g.weights.size() != g.ratios.size())
            checks::fail(at + ".weights", "must hold one weight per ratio (" + std::to_string(g.ratios.size()) +
                                              "), got " + std::to_string(g.weights.size()));
        for (std::size_t j = 0; j < g.ratios.size(); ++j) {
            checks::finite(g.ratios[j], checks::indexed(at + ".ratios", j));
            checks::positive(g.weights[j], checks::indexed(at + ".weights", j));
        }
        degrees_of_freedom += g.ratios.size() - 1;
    }
    if (degrees_of_freedom == 0)
        checks::fail("groups", "at least one group needs 2 or more periods to estimate the within variance");

    CredibilityResult out;
    const auto r = static_cast<double>(groups.size());
    double total_weight = 0, weighted_sum = 0, sum_squared_weights = 0, within = 0;
    for (const auto& g : groups) {
        GroupCredibility c{.id = g.id};
        double sum = 0;
        for (std::size_t j = 0; j < g.ratios.size(); ++j) {
            c.weight += g.weights[j];
            sum += g.weights[j] * g.ratios[j];
        }
        c.mean = sum / c.weight;
        for (std::size_t j = 0; j < g.ratios.size(); ++j)
            within += g.weights[j] * (g.ratios[j] - c.mean) * (g.ratios[j] - c.mean);
        total_weight += c.weight;
        weighted_sum += sum;
        sum_squared_weights += c.weight * c.weight;
        out.groups.push_back(c);
    }
    const double weighted_mean = weighted_sum / total_weight;
    out.within_variance = within / static_cast<double>(degrees_of_freedom);
    double between = 0;
    for (const auto& c : out.groups) between += c.weight * (c.mean - weighted_mean) * (c.mean - weighted_mean);
    out.between_variance = (between - out.within_variance * (r - 1)) / (total_weight - sum_squared_weights / total_weight);

    if (!(out.between_variance > 0)) {
        for (auto& c : out.groups) {
            c.credibility_factor = 0;
            c.premium = weighted_mean;
        }
        out.collective_premium = weighted_mean;
        out.warnings.push_back("between-group variance estimate " + checks::number(out.between_variance) +
                               " is not positive: every credibility factor is 0 and every premium is the "
                               "weight-weighted mean of all groups");
        return out;
    }
    const double k = out.within_variance / out.between_variance;
    double z_sum = 0, z_weighted = 0;
    for (auto& c : out.groups) {
        c.credibility_factor = c.weight / (c.weight + k);
        z_sum += c.credibility_factor;
        z_weighted += c.credibility_factor * c.mean;
    }
    out.collective_premium = z_weighted / z_sum;
    for (auto& c : out.groups)
        c.premium = c.credibility_factor * c.mean + (1 - c.credibility_factor) * out.collective_premium;
    return out;
}

}  // namespace tanhui::pricing
