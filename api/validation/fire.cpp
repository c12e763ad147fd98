#include "api/validation/fire.hpp"

#include <cmath>
#include <sstream>

namespace tanhui::api::validation {

namespace {

ojson coverage_json(const risk::CoverageTest& c, double null_p) {
    ojson j{{"nominal", c.nominal}, {"trials", c.trials}, {"inside", c.inside}, {"observed", num(c.observed)},
            {"binomial_p_value", num(c.binomial_p_value)}};
    if (std::isfinite(null_p)) j["null_p_value"] = num(null_p);
    return j;
}

ojson gof_json(const risk::GofTest& g) {
    return {{"statistic", num(g.statistic)}, {"p_value", num(g.p_value)}};
}

}  // namespace

ojson fire_json(const risk::FireBacktest& b) {
    ojson j;
    j["fit_years"] = {b.options.fit_from, b.options.fit_to};
    j["test_years"] = b.options.test_years;
    j["min_fit_years_with_fires"] = b.options.min_fit_years_with_fires;
    j["null_replications"] = b.options.null_replications;
    j["cross_region_correlation"] = num(b.cross_region_correlation);
    j["provinces"] = ojson::array();
    for (const auto& p : b.provinces)
        j["provinces"].push_back({{"region", p.region}, {"fit_years", {p.first_year_used, p.last_year_used}},
                                  {"trend_selected", p.trend_selected}, {"trend_per_year", num(p.trend_per_year)},
                                  {"size_trend", num(p.size_trend)}, {"size_stationary", num(p.size_stationary)},
                                  {"aic_trend", num(p.aic_trend)}, {"aic_stationary", num(p.aic_stationary)},
                                  {"area_fit", p.has_area_fit}, {"area_trend_per_year", num(p.area_trend_per_year)},
                                  {"area_sigma", num(p.area_sigma)}, {"area_year_sd", num(p.area_year_sd)}});
    j["excluded"] = b.excluded;
    j["rules"] = ojson::array();
    for (const auto& r : b.rules) {
        ojson rule;
        rule["rule"] = r.rule;
        rule["province_years"] = r.forecasts.size();
        rule["count"] = {{"ks", {{"statistic", num(r.count_ks.statistic)}, {"iid_p_value", num(r.count_ks.p_value)},
                                 {"null_p_value", num(r.count_ks_null_p_value)}}},
                         {"anderson_darling", gof_json(r.count_ad)},
                         {"coverage_50", coverage_json(r.count_50, r.count_50_null_p_value)},
                         {"coverage_90", coverage_json(r.count_90, r.count_90_null_p_value)},
                         {"mean_log_score", num(r.count_mean_log_score)}};
        rule["area"] = {{"province_years", r.area_n}};
        if (r.area_n >= 2) {  // the stationary rule has no area forecast
            rule["area"]["ks"] = gof_json(r.area_ks);
            rule["area"]["anderson_darling"] = gof_json(r.area_ad);
            rule["area"]["coverage_50"] = coverage_json(r.area_50, NAN);
            rule["area"]["coverage_90"] = coverage_json(r.area_90, NAN);
            rule["area"]["ks_independent_fires"] = gof_json(r.area_independent_ks);
        }
        ojson f = ojson::array();
        for (const auto& x : r.forecasts)
            f.push_back({{"region", x.region}, {"year", x.year}, {"observed_fires", x.observed_fires},
                         {"expected_fires", num(x.expected_fires)}, {"size", num(x.size)}, {"pit_count", num(x.pit_count)},
                         {"interval_50", {x.lower_50, x.upper_50}}, {"interval_90", {x.lower_90, x.upper_90}},
                         {"observed_damaged_ha", x.has_area ? num(x.observed_damaged_ha) : ojson(nullptr)},
                         {"median_damaged_ha", x.has_area ? num(x.median_damaged_ha) : ojson(nullptr)},
                         {"pit_area", x.has_area ? num(x.pit_area) : ojson(nullptr)}});
        rule["forecasts"] = f;
        j["rules"].push_back(rule);
    }
    return j;
}

std::string fire_csv(const risk::FireBacktest& b) {
    std::ostringstream o;
    o << "rule,region,year,observed_fires,expected_fires,size,lower_90,lower_50,upper_50,upper_90,pit_count,"
         "observed_damaged_ha,median_damaged_ha,pit_area,pit_area_independent\n";
    for (const auto& r : b.rules)
        for (const auto& x : r.forecasts)
            o << r.rule << ',' << x.region << ',' << x.year << ',' << csv(x.observed_fires) << ',' << csv(x.expected_fires)
              << ',' << csv(x.size) << ',' << csv(x.lower_90) << ',' << csv(x.lower_50) << ',' << csv(x.upper_50) << ','
              << csv(x.upper_90) << ',' << csv(x.pit_count) << ',' << (x.has_area ? csv(x.observed_damaged_ha) : "") << ','
              << (x.has_area ? csv(x.median_damaged_ha) : "") << ',' << (x.has_area ? csv(x.pit_area) : "") << ','
              << (x.has_area ? csv(x.pit_area_independent) : "") << '\n';
    return o.str();
}

void fire_tests(const risk::FireBacktest& b, Tests& t) {
    for (const auto& r : b.rules) {
        const bool gate = r.rule == "production";
        const std::string s = "fire/" + r.rule;
        t.add("fire." + r.rule + ".count_pit_uniform", s, "KS uniformity of count PITs (Monte Carlo null)",
              r.count_ks.statistic, r.count_ks_null_p_value, gate);
        t.add("fire." + r.rule + ".count_coverage_50", s, "coverage of central 50 % count intervals (Monte Carlo null)",
              r.count_50.observed, r.count_50_null_p_value, gate);
        t.add("fire." + r.rule + ".count_coverage_90", s, "coverage of central 90 % count intervals (Monte Carlo null)",
              r.count_90.observed, r.count_90_null_p_value, gate);
        if (r.area_n >= 2) {
            t.add("fire." + r.rule + ".area_pit_uniform", s, "KS uniformity of burned-area PITs", r.area_ks.statistic,
                  r.area_ks.p_value, gate);
            t.add("fire." + r.rule + ".area_coverage_50", s, "coverage of central 50 % area intervals (binomial)",
                  r.area_50.observed, r.area_50.binomial_p_value, gate);
            t.add("fire." + r.rule + ".area_coverage_90", s, "coverage of central 90 % area intervals (binomial)",
                  r.area_90.observed, r.area_90.binomial_p_value, gate);
        }
        if (gate && r.area_n >= 2)
            t.add("fire.production.area_pit_uniform_independent_fires", s,
                  "KS uniformity of area PITs with fires independent, as the simulation draws them",
                  r.area_independent_ks.statistic, r.area_independent_ks.p_value, false);
    }
}

}  // namespace tanhui::api::validation
