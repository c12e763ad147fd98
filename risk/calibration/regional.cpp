#include "risk/calibration/regional.hpp"

#include "risk/calibration/fire.hpp"
#include "risk/random/draws.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

namespace tanhui::risk {

YearSeries normal_scores(const YearSeries& values) {
    std::vector<std::pair<double, int>> v;
    for (const auto& [year, x] : values) v.emplace_back(x, year);
    std::sort(v.begin(), v.end());
    const double n = static_cast<double>(v.size());
    YearSeries out;
    for (std::size_t i = 0; i < v.size();) {
        std::size_t j = i;
        while (j < v.size() && v[j].first == v[i].first) ++j;
        const double rank = 0.5 * static_cast<double>(i + 1 + j);  // mean of ranks i + 1 .. j
        for (std::size_t k = i; k < j; ++k) out[v[k].second] = normal_quantile_as241(rank / (n + 1));
        i = j;
    }
    return out;
}

PooledCorrelation pooled_correlation(const std::map<std::string, YearSeries>& a, const std::map<std::string, YearSeries>& b) {
    std::vector<double> x, y;
    PooledCorrelation c;
    c.first_year = std::numeric_limits<int>::max();
    for (const auto& [region, sa] : a) {
        const auto it = b.find(region);
        if (it == b.end()) continue;
        for (const auto& [year, va] : sa) {
            const auto jt = it->second.find(year);
            if (jt == it->second.end()) continue;
            x.push_back(va);
            y.push_back(jt->second);
            c.first_year = std::min(c.first_year, year);
            c.last_year = std::max(c.last_year, year);
        }
    }
    c.pairs = x.size();
    if (c.pairs < 5) {
        c.estimate = c.standard_error = std::nan("");
        c.first_year = 0;
        return c;
    }
    const double n = static_cast<double>(c.pairs);
    double mx = 0, my = 0;
    for (std::size_t i = 0; i < x.size(); ++i) mx += x[i], my += y[i];
    mx /= n;
    my /= n;
    double sxy = 0, sxx = 0, syy = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
    }
    c.estimate = sxx > 0 && syy > 0 ? sxy / std::sqrt(sxx * syy) : 0.0;
    c.standard_error = (1 - c.estimate * c.estimate) / std::sqrt(n - 3);
    return c;
}

Value correlation_value(const PooledCorrelation& c, const std::string& what) {
    Value v;
    v["what"] = what;
    v["estimate"] = real_or_special(c.estimate);
    v["standard_error"] = real_or_special(c.standard_error);
    v["pairs"] = c.pairs;
    v["data_from"] = c.first_year;
    v["data_to"] = c.last_year;
    return v;
}

std::map<std::string, YearSeries> fire_residuals(History& history, const std::vector<std::string>& provinces) {
    std::map<std::string, YearSeries> out;
    for (const std::string& p : provinces) {
        std::vector<int> years;
        std::vector<double> fires;
        for (const FireYear& f : history.fire_years(p, 0, 9999)) {
            years.push_back(f.year);
            fires.push_back(f.fires);
        }
        if (std::count_if(fires.begin(), fires.end(), [](double f) { return f > 0; }) < 8) continue;
        try {
            const CountFit fit = fit_counts(years, fires, CountFamily::negative_binomial, true);
            const std::vector<double> r = log_residuals(fit);
            YearSeries s;
            for (std::size_t i = 0; i < fit.year.size(); ++i) s[fit.year[i]] = r[i];
            out[p] = normal_scores(s);
        } catch (const std::exception&) {
            // a province whose fit fails has no residuals: it is left out of the correlations
        }
    }
    return out;
}

double required_assumption_value(History& history, const std::string& key) {
    const auto v = history.assumption(key);
    if (!v) throw std::runtime_error("assumption " + key + " is missing from data/historical/assumptions.csv");
    return *v;
}

}  // namespace tanhui::risk
