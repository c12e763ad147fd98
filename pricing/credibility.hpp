// Experience rating: Buhlmann-Straub credibility with the unbiased estimators of the structure
// parameters. DESIGN "Premiums" and the JSON contract's "Credibility" paragraph.
#pragma once

#include <string>
#include <span>
#include <vector>

namespace tanhui::pricing {

// JSON {"groups": [{"id": "3508", "ratios": [...], "weights": [...]}]}: one ratio (loss ratio,
// burning rate, ...) and its weight (exposure, premium, sum insured) per period.
struct CredibilityGroup {
    std::string id;
    std::vector<double> ratios;
    std::vector<double> weights;
};

struct GroupCredibility {
    std::string id;
    double credibility_factor = 0;  // Z_i = w_i / (w_i + s^2 / a)
    double premium = 0;             // Z_i Xbar_i + (1 - Z_i) collective
    double weight = 0;              // w_i = sum_j w_ij
    double mean = 0;                // Xbar_i = sum_j w_ij X_ij / w_i
};

struct CredibilityResult {
    double collective_premium = 0;  // sum Z_i Xbar_i / sum Z_i; the weighted mean when a <= 0
    double within_variance = 0;     // s^2, unbiased
    double between_variance = 0;    // a, unbiased; reported as estimated even when <= 0
    std::vector<GroupCredibility> groups;
    std::vector<std::string> warnings;
};

// Buhlmann & Straub (1970); estimators as in Buhlmann & Gisler, A Course in Credibility Theory
// (2005), sec. 4.8, and Klugman, Panjer & Willmot, Loss Models, ch. 19 (nonparametric):
//   s^2 = sum_i sum_j w_ij (X_ij - Xbar_i)^2 / sum_i (n_i - 1)
//   a   = (sum_i w_i (Xbar_i - Xbar)^2 - s^2 (r - 1)) / (w - sum_i w_i^2 / w),  Xbar weighted mean
// When a <= 0 every Z_i is 0 and every premium, and the collective premium, is Xbar; a warning
// says so (R's actuar::cm does the same). When s^2 = 0 and a > 0 every Z_i is 1.
// Throws InvalidInput ("groups", "groups[i].ratios", "groups[i].weights[j]", ...) unless there
// are >= 2 groups, each with as many weights as ratios and at least one period, all finite,
// weights > 0, and at least one group has >= 2 periods.
CredibilityResult buhlmann_straub(std::span<const CredibilityGroup> groups);

}  // namespace tanhui::pricing
