#include "risk/backtest/regional.hpp"

#include "risk/calibration/fire.hpp"
#include "risk/calibration/gof.hpp"
#include "risk/calibration/landslide_model.hpp"

#include <boost/math/special_functions/beta.hpp>
#include <boost/math/special_functions/gamma.hpp>

#include <algorithm>
#include <cmath>
#include <map>

namespace tanhui::risk {

namespace {

// P(Y <= y) of a negative binomial with mean m and size k (Poisson when k is infinite).
double nb_cdf(double y, double m, double k) {
    if (y < 0) return 0;
    if (!(m > 0)) return 1;
    if (std::isinf(k)) return boost::math::gamma_q(y + 1, m);
    return boost::math::ibeta(k, y + 1, k / (k + m));
}

}  // namespace

LandslideBacktest backtest_landslide(const std::vector<std::vector<GeoHazardYear>>& provinces,
                                     const RegionalBacktestOptions& o) {
    LandslideBacktest out;
    std::vector<double> pits;
    for (const auto& rows : provinces) {
        if (rows.empty()) continue;
        std::vector<int> year;
        std::vector<double> count;
        for (const GeoHazardYear& g : rows)
            if (g.year >= o.fit_from && g.year <= o.fit_to) {
                year.push_back(g.year);
                count.push_back(g.landslides + g.collapses + g.debris_flows);
            }
        const auto fit = fit_landslide_counts(year, count);
        if (!fit) {
            out.excluded.push_back(rows.front().region);
            continue;
        }
        const double m = expected_count(*fit, fit->year.back());  // held flat after the fit window
        for (const GeoHazardYear& g : rows) {
            if (std::find(o.test_years.begin(), o.test_years.end(), g.year) == o.test_years.end()) continue;
            const double y = g.landslides + g.collapses + g.debris_flows;
            const double v = pit_uniform(o.seed, static_cast<std::uint32_t>(std::stoul(g.region)),
                                         static_cast<std::uint32_t>(g.year));
            const double pit = randomized_pit(nb_cdf(y - 1, m, fit->size), nb_cdf(y, m, fit->size), v);
            out.forecasts.push_back({g.region, g.year, y, m, fit->size, pit});
            pits.push_back(pit);
        }
    }
    if (pits.empty()) return out;
    out.ks = kolmogorov_smirnov(pits, false);
    out.coverage_50 = interval_coverage(pits, 0.5);
    out.coverage_90 = interval_coverage(pits, 0.9);
    for (double p : pits) out.mean_pit += p;
    out.mean_pit /= static_cast<double>(pits.size());
    return out;
}

FreezeBacktest backtest_freeze(const std::vector<std::vector<DisasterYear>>& provinces, const RegionalBacktestOptions& o) {
    FreezeBacktest out;
    std::map<int, double> count, expected, variance;  // fit years: events, sum p, sum p (1 - p)
    for (const auto& rows : provinces) {
        std::vector<double> fit;
        for (const DisasterYear& d : rows)
            if (d.year >= o.freeze_fit_from && d.year <= o.fit_to) fit.push_back(d.freeze_affected_kha);
        if (fit.size() < 5) continue;
        const double top = *std::max_element(fit.begin(), fit.end());
        const double threshold = o.event_year_share_of_max * top;
        const auto is_event = [&](double v) { return v > 0 && v >= threshold; };
        const double events = static_cast<double>(std::count_if(fit.begin(), fit.end(), is_event));
        FreezeForecast f{rows.front().region, (events + 0.5) / (static_cast<double>(fit.size()) + 1), 0, 0};
        for (const DisasterYear& d : rows)
            if (d.year >= o.freeze_fit_from && d.year <= o.fit_to) {
                count[d.year] += is_event(d.freeze_affected_kha) ? 1.0 : 0.0;
                expected[d.year] += f.probability;
                variance[d.year] += f.probability * (1 - f.probability);
            }
        for (const DisasterYear& d : rows) {
            if (std::find(o.test_years.begin(), o.test_years.end(), d.year) == o.test_years.end()) continue;
            ++f.test_years;
            f.events += is_event(d.freeze_affected_kha);
        }
        out.expected_events += f.probability * f.test_years;
        out.variance += f.probability * (1 - f.probability) * f.test_years;
        out.observed_events += f.events;
        out.provinces.push_back(f);
    }
    double squares = 0, binomial = 0;
    for (const auto& [year, c] : count) {
        squares += (c - expected[year]) * (c - expected[year]);
        binomial += variance[year];
    }
    if (binomial > 0) out.dispersion = std::max(1.0, squares / binomial);
    out.variance *= out.dispersion;
    if (out.variance > 0) {
        out.z = (out.observed_events - out.expected_events) / std::sqrt(out.variance);
        out.p_value = std::erfc(std::fabs(out.z) / std::sqrt(2.0));
    }
    return out;
}

}  // namespace tanhui::risk
