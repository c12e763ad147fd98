#include "api/validation/regional.hpp"
#include "risk/perils/freeze.hpp"
#include "risk/perils/landslide.hpp"

#include <cmath>
#include <iomanip>
#include <sstream>

namespace tanhui::api::validation {

ojson landslide_json(const risk::LandslideBacktest& b, const risk::RegionalBacktestOptions& o) {
    ojson j;
    j["fit_years"] = {o.fit_from, o.fit_to};
    j["test_years"] = o.test_years;
    j["province_years"] = b.forecasts.size();
    j["excluded"] = b.excluded;
    j["mean_pit"] = num(b.mean_pit);
    j["ks"] = {{"statistic", num(b.ks.statistic)}, {"iid_p_value", num(b.ks.p_value)}};
    for (const auto* c : {&b.coverage_50, &b.coverage_90})
        j[c == &b.coverage_50 ? "coverage_50" : "coverage_90"] = {
            {"nominal", c->nominal}, {"trials", c->trials}, {"inside", c->inside}, {"observed", num(c->observed)},
            {"binomial_p_value", num(c->binomial_p_value)}};
    return j;
}

std::string landslide_csv(const risk::LandslideBacktest& b) {
    std::ostringstream o;
    o << "region,year,observed,expected,size,pit\n";
    for (const auto& f : b.forecasts)
        o << f.region << ',' << f.year << ',' << csv(f.observed) << ',' << csv(f.expected) << ',' << csv(f.size) << ','
          << csv(f.pit) << '\n';
    return o.str();
}

ojson freeze_json(const risk::FreezeBacktest& b, const risk::RegionalBacktestOptions& o) {
    ojson j;
    j["fit_years"] = {o.freeze_fit_from, o.fit_to};
    j["test_years"] = o.test_years;
    j["event_year_share_of_max"] = o.event_year_share_of_max;
    j["provinces"] = b.provinces.size();
    j["expected_events"] = num(b.expected_events);
    j["dispersion"] = num(b.dispersion);
    j["standard_deviation"] = num(std::sqrt(b.variance));
    j["observed_events"] = b.observed_events;
    j["z"] = num(b.z);
    j["p_value"] = num(b.p_value);
    return j;
}

void regional_tests(const risk::LandslideBacktest& l, const risk::FreezeBacktest& f, Tests& t) {
    t.add("landslide.count_pit_uniform", std::string(risk::landslide_peril_name), "KS uniformity of geological-hazard count PITs (iid)", l.ks.statistic,
          l.ks.p_value, true);
    t.add("landslide.count_coverage_90", std::string(risk::landslide_peril_name), "coverage of central 90 % count intervals (binomial)",
          l.coverage_90.observed, l.coverage_90.binomial_p_value, true);
    t.add("landslide.count_coverage_50", std::string(risk::landslide_peril_name), "coverage of central 50 % count intervals (binomial)",
          l.coverage_50.observed, l.coverage_50.binomial_p_value, false);
    t.add("freeze.event_years", std::string(risk::freeze_peril_name), "freeze event years of the test years against the fitted probabilities (z, quasi-binomial)",
          f.z, f.p_value, true);
}

void write_regional(const ojson& j, std::ostream& t, std::ostream& m) {
    const auto g = &number_or_nan;
    const auto& l = j[std::string(risk::landslide_peril_name)];
    const auto& f = j[std::string(risk::freeze_peril_name)];
    t << "\n== Landslide counts (geological hazards), fit " << l["fit_years"][0] << "-" << l["fit_years"][1] << ", "
      << l["province_years"] << " province-years scored\n"
      << "   KS " << fixed(g(l["ks"]["statistic"]), 3) << " (p " << pval(g(l["ks"]["iid_p_value"])) << ")  mean PIT "
      << fixed(g(l["mean_pit"]), 3) << "  coverage 50 % " << pct(g(l["coverage_50"]["observed"])) << "  90 % "
      << pct(g(l["coverage_90"]["observed"])) << "\n"
      << "\n== Freeze event years, fit " << f["fit_years"][0] << "-" << f["fit_years"][1] << ": observed "
      << f["observed_events"] << ", expected " << fixed(g(f["expected_events"]), 1) << " (sd "
      << fixed(g(f["standard_deviation"]), 1) << ", dispersion " << fixed(g(f["dispersion"]), 2) << "), z "
      << fixed(g(f["z"]), 2) << "\n";
    m << "\n## Landslide counts\n\nNBS geological hazards (landslides + rock falls + debris flows) by province, "
      << "negative binomial fitted on " << l["fit_years"][0] << "-" << l["fit_years"][1] << " with the calibration's rule, "
      << "scored on the test years (" << l["province_years"] << " province-years).\n\n"
      << "| KS (p) | mean PIT | coverage 50 % (p) | coverage 90 % (p) |\n|---|---|---|---|\n| "
      << fixed(g(l["ks"]["statistic"]), 3) << " (" << pval(g(l["ks"]["iid_p_value"])) << ") | " << fixed(g(l["mean_pit"]), 3)
      << " | " << pct(g(l["coverage_50"]["observed"])) << " (" << pval(g(l["coverage_50"]["binomial_p_value"])) << ") | "
      << pct(g(l["coverage_90"]["observed"])) << " (" << pval(g(l["coverage_90"]["binomial_p_value"])) << ") |\n"
      << "\n## Freeze event years\n\nEvent probability per province fitted on " << f["fit_years"][0] << "-"
      << f["fit_years"][1] << " (" << f["provinces"] << " provinces); events of the test years: observed "
      << f["observed_events"] << ", expected " << fixed(g(f["expected_events"]), 1) << " (sd "
      << fixed(g(f["standard_deviation"]), 1) << ", dispersion " << fixed(g(f["dispersion"]), 2) << "), z "
      << fixed(g(f["z"]), 2) << ", p " << pval(g(f["p_value"])) << ".\n";
}

}  // namespace tanhui::api::validation
