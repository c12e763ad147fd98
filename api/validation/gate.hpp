// The tests of the validation report and the gate they make: a gating test decides the exit code
// of `tanhui validate` (docs/validation.md "Gate"). Each section adds its tests; its seed is
// derived from the run's seed.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace tanhui::api::validation {

struct Test {
    std::string id;
    std::string section;
    std::string what;
    double statistic = 0;
    double p_value = 1;
    bool gating = false;
    bool passed = true;
    std::string accepted;  // the reason, for a gating test that fails and is an accepted finding
};

struct Tests {
    double level = 0.01;  // a test passes at p >= level
    std::vector<Test> all;
    void add(std::string id, std::string section, std::string what, double statistic, double p, bool gating) {
        all.push_back({std::move(id), std::move(section), std::move(what), statistic, p, gating, !(p < level), {}});
    }
};

// The seed of section k of a run.
inline std::uint64_t mix(std::uint64_t seed, std::uint64_t k) { return seed ^ (k * 0x9e3779b97f4a7c15ULL); }

}  // namespace tanhui::api::validation
