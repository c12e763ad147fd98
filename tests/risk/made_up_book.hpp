// A made-up model and made-up holdings (not a calibration, not real holdings), shared by the
// simulation tests and the batch-runner tests: two provinces (Fujian 35, Jiangxi 36) with a
// weather factor each, correlated 0.7; pests that rise in bad weather years; every forest
// type; one growth curve for all.
#pragma once

#include "risk/model/model.hpp"
#include "risk/perils/fire.hpp"
#include "risk/perils/pest.hpp"

#include <string>
#include <vector>

namespace tanhui::risk {

inline Model made_up_model() {
    Model model;
    FireModel fj;
    fj.rate_per_ha_year = 2e-4;
    fj.year_factor_shape = 1.5;
    fj.burned_area = {.mu = 2.5, .sigma = 1.3, .threshold_ha = 200, .tail_probability = 0.02, .gpd_xi = 0.3, .gpd_beta = 150};
    fj.flammability = {1.0, 1.3, 1.2, 0.6, 0.4, 0.9};
    add_fire_model(model, "35", fj);
    FireModel jx = fj;
    jx.rate_per_ha_year = 1e-4;
    jx.year_factor_shape = 3;
    add_fire_model(model, "36", jx);
    model.weather.cross_region_correlation = 0.7;
    PestModel pest;
    pest.probability_per_year = {0.01, 0.05, 0.02, 0.005, 0.003, 0.01};
    pest.mortality = {0.4, 0.8, 0.5, 0.3, 0.2, 0.4};
    pest.weather_elasticity = 0.5;
    set_pest_model(model, pest);
    for (auto& g : model.growth) g = {.max_tco2e_per_ha = 300, .rate_per_year = 0.05, .shape = 2};
    return model;
}

// One holding "h" of area_ha in region, 20 years old: the peril tests' unit of exposure.
inline Holding made_up_holding(std::string region, double area_ha, ForestType type = ForestType::chinese_fir) {
    Holding h;
    h.id = "h";
    h.region = std::move(region);
    h.forest_type = type;
    h.area_ha = area_ha;
    h.age_years = 20;
    return h;
}

// n holdings "made-up-0" ... in Xinluo, Nanping, Sanming and Nanchang, cycling through the forest
// types, 50 to 420 ha, 5 to 34 years old.
inline std::vector<Holding> made_up_holdings(int n) {
    std::vector<Holding> h;
    const char* regions[] = {"350802", "3507", "3504", "360100"};
    for (int i = 0; i < n; ++i) {
        Holding x;
        x.id = "made-up-" + std::to_string(i);
        x.region = regions[i % 4];
        x.forest_type = static_cast<ForestType>(i % 6);
        x.area_ha = 50.0 + 37.0 * (i % 11);
        x.age_years = 5.0 + (i % 30);
        h.push_back(x);
    }
    return h;
}

}  // namespace tanhui::risk
