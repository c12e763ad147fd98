#include "api/validation/typhoon.hpp"

#include "risk/calibration/typhoon_model.hpp"
#include "risk/perils/typhoon.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>

namespace tanhui::api::validation {

ojson typhoon_section(const risk::Model& model, Tests& tests, std::vector<CsvFile>& files) {
    const risk::TyphoonModel* m = risk::typhoon_model(model);
    if (!m || !m->events || m->events->historical().empty()) return nullptr;
    const auto& storms = m->events->historical();
    int first = storms.front().year, last = storms.front().year;
    for (const auto& s : storms) first = std::min(first, s.year), last = std::max(last, s.year);
    const risk::LandfallRate hist = risk::historical_landfall_rate(storms, first, last);
    const risk::LandfallRate sim = risk::event_set_landfall_rate(*m->events);
    const double se = std::hypot(hist.standard_error, sim.standard_error);
    const double z = se > 0 ? (sim.per_decade - hist.per_decade) / se : 0.0;
    const double p = std::erfc(std::fabs(z) / std::sqrt(2.0));
    const std::string section(risk::typhoon_peril_name);
    tests.add(section + ".fujian_landfalls", section,
              "event set's Fujian landfalls per decade against the best track's (z in combined standard errors)", z, p, true);

    std::ostringstream c;
    c << "decade,first_year,last_year,seasons,historical_landfalls,event_set_landfalls_per_decade\n";
    ojson decades = ojson::array();
    for (int from = first; from <= last; from += 10) {
        const int to = std::min(from + 9, last);
        std::size_t n = 0;
        for (const auto& s : storms)
            if (s.year >= from && s.year <= to && risk::fujian_landfall(s)) ++n;
        const double expected = sim.per_decade * double(to - from + 1) / 10.0;
        c << from << "s," << from << ',' << to << ',' << (to - from + 1) << ',' << n << ',' << csv(expected) << '\n';
        decades.push_back({{"from", from}, {"to", to}, {"landfalls", n}, {"event_set_expected", num(expected)}});
    }
    files.push_back({"typhoon_landfalls.csv", c.str()});
    return {{"seasons_historical", hist.seasons},
            {"landfalls_historical", hist.landfalls},
            {"historical_per_decade", num(hist.per_decade)},
            {"historical_standard_error", num(hist.standard_error)},
            {"event_set_seasons", sim.seasons},
            {"event_set_per_decade", num(sim.per_decade)},
            {"event_set_standard_error", num(sim.standard_error)},
            {"z", num(z)},
            {"p_value", num(p)},
            {"decades", decades}};
}

void write_typhoon(const ojson& j, std::ostream& t, std::ostream& m) {
    const std::string section(risk::typhoon_peril_name);
    if (!j.contains(section) || j[section].is_null()) return;
    const auto& ty = j[section];
    const auto g = &number_or_nan;
    t << "\n== Typhoon: Fujian landfalls per decade, history " << fixed(g(ty["historical_per_decade"]), 2) << " (SE "
      << fixed(g(ty["historical_standard_error"]), 2) << ", " << ty["landfalls_historical"] << " in "
      << ty["seasons_historical"] << " seasons), event set " << fixed(g(ty["event_set_per_decade"]), 2) << " (SE "
      << fixed(g(ty["event_set_standard_error"]), 2) << ", " << ty["event_set_seasons"] << " seasons), z "
      << fixed(g(ty["z"]), 2) << "\n";
    m << "\n## Typhoon: Fujian landfalls\n\nLandfalls per decade on the Fujian coast (central pressure <= 995 hPa): "
      << "history " << fixed(g(ty["historical_per_decade"]), 2) << " (SE " << fixed(g(ty["historical_standard_error"]), 2)
      << ", " << ty["landfalls_historical"] << " in " << ty["seasons_historical"] << " seasons), event set "
      << fixed(g(ty["event_set_per_decade"]), 2) << " (SE " << fixed(g(ty["event_set_standard_error"]), 2) << ", "
      << ty["event_set_seasons"] << " synthetic seasons); z = " << fixed(g(ty["z"]), 2) << ".\n\n"
      << "| decade | landfalls | event set expects |\n|---|---|---|\n";
    for (const auto& d : ty["decades"])
        m << "| " << d["from"] << "-" << d["to"] << " | " << d["landfalls"] << " | " << fixed(g(d["event_set_expected"]), 2)
          << " |\n";
}

}  // namespace tanhui::api::validation
