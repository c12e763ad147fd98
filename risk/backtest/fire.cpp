#include "risk/backtest/fire.hpp"

#include "risk/calibration/fire.hpp"
#include "risk/random/draws.hpp"
#include "risk/calibration/gof.hpp"
#include "risk/simulation/parallel.hpp"
#include "risk/random/special.hpp"

#include <boost/math/special_functions/gamma.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <stdexcept>

namespace tanhui::risk {

namespace {

constexpr std::uint32_t null_stream = 0x7a12;

// A size far above the mean is a Poisson (variance inflation m / k below 1e-4), and the
// incomplete-beta continued fraction of the NB cdf needs O(sqrt(k)) terms: use the Poisson.
bool poisson_like(double mean, double size) { return !std::isfinite(size) || mean < 1e-4 * size; }

double count_cdf(double y, double mean, double size) {
    if (y < 0) return 0.0;
    return poisson_like(mean, size) ? poisson_cdf(y, mean) : negative_binomial_cdf(y, mean, size);
}

double count_log_pmf(double y, double mean, double size) {
    return poisson_like(mean, size) ? poisson_log_pmf(y, mean) : negative_binomial_log_pmf(y, mean, size);
}

std::uint32_t region_number(const std::string& region) {
    std::uint32_t n = 0;
    for (const char c : region)
        if (c >= '0' && c <= '9') n = n * 10 + static_cast<std::uint32_t>(c - '0');
    return n;
}

// ln(A / n) of a year with n fires, per-fire ln A ~ N(mu_t + eta, sigma^2), eta ~ N(0, year_sd^2):
// Fenton-Wilkinson for the mean of n lognormals (docs/calibration.md "Burned area per fire").
void area_predictive(double mu_t, double sigma, double year_sd, double n, double& mean, double& sd) {
    const double s2 = std::log1p(std::expm1(sigma * sigma) / n);
    mean = mu_t + sigma * sigma / 2 - s2 / 2;
    sd = std::sqrt(s2 + year_sd * year_sd);
}

// The Monte Carlo null of the count tests: years independent, provinces of a year dependent
// through the Gaussian copula of the weather factor (docs/risk-model.md), counts Poisson
// given G ~ gamma(k, 1/k).
struct NullDraw {
    std::vector<double> ks;
    std::vector<std::size_t> inside_50, inside_90;
};

// F(0), F(1), ... of a forecast's count distribution by the pmf recursion, up to 1 - 1e-13:
// the null's PITs are table look-ups (an NB cdf per draw costs an incomplete beta).
std::vector<double> cdf_table(double mean, double size) {
    std::vector<double> t;
    const bool poisson = poisson_like(mean, size);
    // ln p(y) by recursion, so that p(0) may underflow when the mean is large.
    double log_p = poisson ? -mean : size * std::log(size / (size + mean));
    const double log_ratio = poisson ? std::log(mean) : std::log(mean / (size + mean));
    double cdf = 0;
    for (std::size_t y = 0; cdf < 1 - 1e-13 && y < 10'000'000; ++y) {
        cdf += std::exp(log_p);
        t.push_back(std::min(cdf, 1.0));
        const auto yd = static_cast<double>(y);
        log_p += log_ratio + (poisson ? -std::log(yd + 1) : std::log((yd + size) / (yd + 1)));
    }
    return t;
}

double table_cdf(const std::vector<double>& table, double y, double mean, double size) {
    if (y < 0) return 0.0;
    if (table.empty()) return count_cdf(y, mean, size);
    const auto k = static_cast<std::size_t>(y);
    return k < table.size() ? table[k] : 1.0;
}

NullDraw simulate_null(const std::vector<FireForecast>& f, double rho, const FireBacktestOptions& o, std::uint32_t rule) {
    std::vector<std::vector<double>> tables;
    for (const auto& x : f) tables.push_back(cdf_table(x.expected_fires, x.size));
    std::map<int, std::uint16_t> year_slot;
    for (const auto& x : f) year_slot.emplace(x.year, static_cast<std::uint16_t>(year_slot.size()));
    NullDraw out;
    out.ks.resize(o.null_replications);
    out.inside_50.resize(o.null_replications);
    out.inside_90.resize(o.null_replications);
    parallel_for(o.null_replications, o.threads, [&](std::size_t replication) {
        const auto r = static_cast<std::uint32_t>(replication);
        std::vector<double> u(f.size());
        std::map<int, double> z;
        for (const auto& [year, slot] : year_slot) {
            const Words w = draw_words(o.seed, null_stream, r, 0xffffffffu, static_cast<std::uint16_t>(rule),
                                       static_cast<std::uint16_t>(slot * 32));
            z[year] = normal_from_words(w[0], w[1]);
        }
        for (std::size_t i = 0; i < f.size(); ++i) {
            const FireForecast& x = f[i];
            const auto slot = static_cast<std::uint16_t>(year_slot.at(x.year) * 32);
            const std::uint32_t holding = region_number(x.region);
            const auto block = [&](int b) {
                return draw_words(o.seed, null_stream, r, holding, static_cast<std::uint16_t>(rule),
                                  static_cast<std::uint16_t>(slot + b));
            };
            const Words w0 = block(0);
            double g = 1.0;
            if (!poisson_like(x.expected_fires, x.size)) {
                const double e = normal_from_words(w0[0], w0[1]);
                const double xn = std::sqrt(rho) * z.at(x.year) + std::sqrt(1 - rho) * e;
                const double p = std::clamp(normal_cdf(xn), 1e-300, 1 - 1e-16);
                g = boost::math::gamma_p_inv(x.size, p) / x.size;
            }
            const double mean = x.expected_fires * g;
            const Words w1 = block(1);
            const double y = static_cast<double>(
                mean <= poisson_inversion_max_mean ? poisson_inversion(uniform52(w1[0], w1[1]), mean)
                                                   : poisson_ptrs(mean, [&](int b) { return block(2 + b); }));
            u[i] = randomized_pit(table_cdf(tables[i], y - 1, x.expected_fires, x.size),
                                  table_cdf(tables[i], y, x.expected_fires, x.size), uniform52(w0[2], w0[3]));
        }
        out.ks[r] = ks_statistic(u);
        out.inside_50[r] = interval_coverage(u, 0.5).inside;
        out.inside_90[r] = interval_coverage(u, 0.9).inside;
    });
    return out;
}

double upper_tail_p(const std::vector<double>& null, double observed) {
    const auto above = std::count_if(null.begin(), null.end(), [&](double d) { return d >= observed; });
    return (1.0 + static_cast<double>(above)) / (1.0 + static_cast<double>(null.size()));
}

double two_sided_p(const std::vector<std::size_t>& null, std::size_t observed) {
    const auto n = static_cast<double>(null.size());
    const auto le = static_cast<double>(std::count_if(null.begin(), null.end(), [&](std::size_t c) { return c <= observed; }));
    const auto ge = static_cast<double>(std::count_if(null.begin(), null.end(), [&](std::size_t c) { return c >= observed; }));
    return std::min(1.0, 2 * std::min((1 + le) / (1 + n), (1 + ge) / (1 + n)));
}

}  // namespace

double count_quantile(double q, double mean, double size) {
    if (!(q > 0 && q < 1)) throw InvalidInput("q", "must be in (0, 1)");
    double hi = std::max(1.0, mean);
    while (count_cdf(hi, mean, size) < q) hi *= 2;
    double lo = -1;  // F(lo) < q
    while (hi - lo > 1) {
        const double mid = std::floor((lo + hi) / 2);
        (count_cdf(mid, mean, size) >= q ? hi : lo) = mid;
    }
    return hi;
}

FireRuleResult score_fire_forecasts(std::string rule, std::vector<FireForecast> forecasts, double rho,
                                    const FireBacktestOptions& o, std::uint32_t rule_index) {
    FireRuleResult r;
    r.rule = std::move(rule);
    std::vector<double> pit_count, pit_area, pit_area_independent;
    double log_score = 0;
    for (auto& x : forecasts) {
        if (!(x.expected_fires > 0 && x.expected_fires < 1e7 && x.size > 0))
            throw InvalidInput("forecasts", "region " + x.region + " year " + std::to_string(x.year) +
                                                ": predictive mean must be in (0, 1e7) and size > 0, got " +
                                                std::to_string(x.expected_fires) + ", " + std::to_string(x.size));
        const double v = pit_uniform(o.seed, static_cast<std::uint32_t>(x.year), region_number(x.region));
        const auto table = cdf_table(x.expected_fires, x.size);
        x.pit_count = randomized_pit(table_cdf(table, x.observed_fires - 1, x.expected_fires, x.size),
                                     table_cdf(table, x.observed_fires, x.expected_fires, x.size), v);
        const auto quantile = [&](double q) {
            const auto it = std::lower_bound(table.begin(), table.end(), q);
            return it != table.end() ? static_cast<double>(it - table.begin()) : count_quantile(q, x.expected_fires, x.size);
        };
        x.lower_50 = quantile(0.25);
        x.upper_50 = quantile(0.75);
        x.lower_90 = quantile(0.05);
        x.upper_90 = quantile(0.95);
        log_score += count_log_pmf(x.observed_fires, x.expected_fires, x.size);
        pit_count.push_back(x.pit_count);
        if (x.has_area) {
            const double z = std::log(x.observed_damaged_ha / x.observed_fires);
            x.pit_area = normal_cdf((z - x.area_log_mean) / x.area_log_sd);
            x.pit_area_independent = normal_cdf((z - x.area_log_mean_independent) / x.area_log_sd_independent);
            x.median_damaged_ha = x.observed_fires * std::exp(x.area_log_mean);
            pit_area.push_back(x.pit_area);
            pit_area_independent.push_back(x.pit_area_independent);
        }
    }
    if (pit_count.size() < 2) throw InvalidInput("forecasts", "need at least 2 province-years to score");
    r.count_mean_log_score = log_score / static_cast<double>(pit_count.size());
    r.count_ks = kolmogorov_smirnov(pit_count, false);
    r.count_ad = anderson_darling(pit_count, false);
    r.count_50 = interval_coverage(pit_count, 0.5);
    r.count_90 = interval_coverage(pit_count, 0.9);
    if (o.null_replications > 0) {
        const NullDraw null = simulate_null(forecasts, rho, o, rule_index);
        r.count_ks_null_p_value = upper_tail_p(null.ks, r.count_ks.statistic);
        r.count_50_null_p_value = two_sided_p(null.inside_50, r.count_50.inside);
        r.count_90_null_p_value = two_sided_p(null.inside_90, r.count_90.inside);
        r.count_ks.note = "p_value: iid Kolmogorov; null_p_value: Monte Carlo, " + std::to_string(o.null_replications) +
                          " replications with cross-province fire-weather correlation";
    } else {
        r.count_ks_null_p_value = r.count_ks.p_value;
        r.count_50_null_p_value = r.count_50.binomial_p_value;
        r.count_90_null_p_value = r.count_90.binomial_p_value;
    }
    r.area_n = pit_area.size();
    if (pit_area.size() >= 2) {
        r.area_ks = kolmogorov_smirnov(pit_area, false);
        r.area_ad = anderson_darling(pit_area, false);
        r.area_50 = interval_coverage(pit_area, 0.5);
        r.area_90 = interval_coverage(pit_area, 0.9);
        r.area_independent_ks = kolmogorov_smirnov(pit_area_independent, false);
    }
    r.forecasts = std::move(forecasts);
    return r;
}

namespace {

// The null's cross-province correlation: production's estimator on the fit window only.
double fit_window_correlation(std::span<const ProvinceFireHistory> provinces, const FireBacktestOptions& o) {
    std::vector<RegionCounts> weather;
    for (const auto& code : o.weather_regions)
        for (const auto& p : provinces)
            if (p.region == code) {
                RegionCounts rc{code, {}, {}};
                for (const auto& y : p.years)
                    if (y.year >= o.fit_from && y.year <= o.fit_to) {
                        rc.year.push_back(y.year);
                        rc.fires.push_back(y.fires);
                    }
                if (rc.year.size() >= 5) weather.push_back(std::move(rc));
            }
    if (weather.size() < 2) return 0.0;
    return std::clamp(estimate_weather_dependence(weather, true).mean_correlation, 0.0, 1.0);
}

struct Candidate {
    const ProvinceFireHistory* history;
    std::vector<FireYear> fit_rows, test_rows;
};

// The provinces with a complete fit window, enough fit years with fires and a test year, in input
// order; the others are named in `excluded` with the reason.
std::vector<Candidate> qualifying_provinces(std::span<const ProvinceFireHistory> provinces, const FireBacktestOptions& o,
                                            std::vector<std::string>& excluded) {
    const auto window_years = static_cast<std::size_t>(o.fit_to - o.fit_from + 1);
    std::vector<Candidate> candidates;
    for (const auto& p : provinces) {
        if (!o.regions.empty() && std::find(o.regions.begin(), o.regions.end(), p.region) == o.regions.end()) continue;
        std::vector<FireYear> fit_rows, test_rows;
        for (const auto& y : p.years) {
            if (y.year >= o.fit_from && y.year <= o.fit_to) fit_rows.push_back(y);
            if (std::find(o.test_years.begin(), o.test_years.end(), y.year) != o.test_years.end()) test_rows.push_back(y);
        }
        std::sort(fit_rows.begin(), fit_rows.end(), [](const FireYear& a, const FireYear& b) { return a.year < b.year; });
        std::sort(test_rows.begin(), test_rows.end(), [](const FireYear& a, const FireYear& b) { return a.year < b.year; });
        const auto with_fires = static_cast<std::size_t>(
            std::count_if(fit_rows.begin(), fit_rows.end(), [](const FireYear& y) { return y.fires > 0; }));
        if (fit_rows.size() != window_years) {
            excluded.push_back(p.region + ": " + std::to_string(fit_rows.size()) + " of " + std::to_string(window_years) +
                               " fit years present");
            continue;
        }
        if (with_fires < o.min_fit_years_with_fires) {
            excluded.push_back(p.region + ": " + std::to_string(with_fires) + " fit years with fires, fewer than " +
                               std::to_string(o.min_fit_years_with_fires));
            continue;
        }
        if (test_rows.empty()) {
            excluded.push_back(p.region + ": no test year present");
            continue;
        }
        candidates.push_back({&p, std::move(fit_rows), std::move(test_rows)});
    }
    return candidates;
}

// One province's fits and its forecasts of the test years under each rule.
struct Fitted {
    ProvinceFireFit fit;
    std::vector<FireForecast> production, extrapolated, stationary, with_uncertainty;
};

// The forecast of test year t by a count fit (its trend held after `freeze`, if given) and an
// area fit (none: no area forecast).
FireForecast forecast_year(const std::string& region, const FireYear& t, const CountFit& counts_fit,
                           std::optional<int> freeze, const std::optional<BurnedAreaFit>& af) {
    FireForecast f;
    f.region = region;
    f.year = t.year;
    f.observed_fires = t.fires;
    f.expected_fires = project_count(counts_fit, t.year, {.freeze_trend_after_year = freeze}).expected_count;
    f.size = counts_fit.size;
    if (af && t.fires > 0 && t.forest_damaged_ha > 0) {
        f.has_area = true;
        f.observed_damaged_ha = t.forest_damaged_ha;
        const int effective = freeze ? std::min(t.year, *freeze) : t.year;
        const double mu_t = af->mu + (af->trend ? af->trend_per_year * (effective - af->reference_year) : 0.0);
        area_predictive(mu_t, af->sigma, af->year_sd, t.fires, f.area_log_mean, f.area_log_sd);
        const double marginal = std::sqrt(af->sigma * af->sigma + af->year_sd * af->year_sd);
        area_predictive(mu_t, marginal, 0.0, t.fires, f.area_log_mean_independent, f.area_log_sd_independent);
    }
    return f;
}

// Area: production always fits the trend with a year effect; the stationary rule drops the trend.
// (The production estimator of area is costly, about 2 s a fit; the stationary rule is about
// counts, so it has no area forecast.)
std::optional<BurnedAreaFit> production_area_fit(const std::vector<FireYear>& fit_rows) {
    AreaPerFireData area;
    for (const auto& r : fit_rows)
        if (r.fires > 0 && r.forest_damaged_ha > 0) {
            area.year.push_back(r.year);
            area.fires.push_back(r.fires);
            area.damaged_area_ha.push_back(r.forest_damaged_ha);
            area.size_class_fires.push_back(
                size_classes_from_nbs(r.year, r.fires, r.fires_general, r.fires_larger, r.fires_major, r.fires_extreme));
        }
    if (area.year.size() < 5) return std::nullopt;
    try {
        return fit_burned_area(area, production_area_options);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

Fitted fit_province(const Candidate& candidate, const FireBacktestOptions& o) {
    const ProvinceFireHistory& p = *candidate.history;
    const std::vector<FireYear>& fit_rows = candidate.fit_rows;
    std::vector<int> years;
    std::vector<double> counts;
    for (const auto& r : fit_rows) {
        years.push_back(r.year);
        counts.push_back(r.fires);
    }
    const auto fit_stationary = fit_counts(years, counts, CountFamily::negative_binomial, false);
    const auto fit_trend = fit_counts(years, counts, CountFamily::negative_binomial, true);
    const auto cmp = compare_trend(fit_stationary, fit_trend);
    const CountFit& chosen = cmp.trend_selected ? fit_trend : fit_stationary;

    Fitted out;
    ProvinceFireFit& pf = out.fit;
    pf.region = p.region;
    pf.first_year_used = fit_rows.front().year;
    pf.last_year_used = fit_rows.back().year;
    pf.rows = fit_rows.size();
    pf.trend_selected = cmp.trend_selected;
    pf.trend_per_year = fit_trend.trend_per_year;
    pf.size_trend = fit_trend.size;
    pf.size_stationary = fit_stationary.size;
    pf.aic_trend = cmp.aic_trend;
    pf.aic_stationary = cmp.aic_stationary;
    const std::optional<BurnedAreaFit> area_trend = production_area_fit(fit_rows);
    const std::optional<BurnedAreaFit> no_area;
    if (area_trend) {
        pf.has_area_fit = true;
        pf.area_mu = area_trend->mu;
        pf.area_trend_per_year = area_trend->trend_per_year;
        pf.area_sigma = area_trend->sigma;
        pf.area_year_sd = area_trend->year_sd;
    }
    for (const auto& t : candidate.test_rows) {
        out.production.push_back(forecast_year(p.region, t, chosen, o.fit_to, area_trend));
        // The projected mean's estimation error folded into the NB (calibrate_fire.hpp,
        // FireModelOptions::include_parameter_uncertainty): mean exp(eta + se^2/2), size
        // 1 / (exp(se^2) (1 + 1/k) - 1).
        FireForecast u = out.production.back();
        const auto projection = project_count(chosen, t.year, {.freeze_trend_after_year = o.fit_to});
        const double se2 = projection.log_standard_error * projection.log_standard_error;
        if (std::isfinite(se2)) {
            u.expected_fires = projection.expected_count * std::exp(se2 / 2);
            u.size = 1 / (std::exp(se2) * (1 + 1 / chosen.size) - 1);
        }
        out.with_uncertainty.push_back(u);
        out.extrapolated.push_back(forecast_year(p.region, t, fit_trend, std::nullopt, area_trend));
        out.stationary.push_back(forecast_year(p.region, t, fit_stationary, std::nullopt, no_area));
    }
    return out;
}

}  // namespace

FireBacktest backtest_fire(std::span<const ProvinceFireHistory> provinces, const FireBacktestOptions& o) {
    if (!(o.fit_to >= o.fit_from + 4)) throw InvalidInput("fit_to", "the fit window needs at least 5 years");
    for (const int y : o.test_years)
        if (y <= o.fit_to) throw InvalidInput("test_years", "a test year (" + std::to_string(y) + ") is inside the fit window");
    FireBacktest out;
    out.options = o;
    out.cross_region_correlation = fit_window_correlation(provinces, o);
    // Qualifying provinces first (cheap), then their fits on threads, collected in input order.
    const std::vector<Candidate> candidates = qualifying_provinces(provinces, o, out.excluded);
    std::vector<Fitted> fitted(candidates.size());
    parallel_for(candidates.size(), o.threads, [&](std::size_t c) { fitted[c] = fit_province(candidates[c], o); });
    std::vector<FireForecast> production, extrapolated, stationary, with_uncertainty;
    for (auto& f : fitted) {
        with_uncertainty.insert(with_uncertainty.end(), f.with_uncertainty.begin(), f.with_uncertainty.end());
        out.provinces.push_back(f.fit);
        production.insert(production.end(), f.production.begin(), f.production.end());
        extrapolated.insert(extrapolated.end(), f.extrapolated.begin(), f.extrapolated.end());
        stationary.insert(stationary.end(), f.stationary.begin(), f.stationary.end());
    }
    if (production.size() < 2) throw InvalidInput("provinces", "fewer than 2 province-years qualify for the fire backtest");
    const double rho = out.cross_region_correlation;
    out.rules.push_back(score_fire_forecasts("production", std::move(production), rho, o, 0));
    out.rules.push_back(
        score_fire_forecasts("production_parameter_uncertainty", std::move(with_uncertainty), rho, o, 3));
    out.rules.push_back(score_fire_forecasts("trend_extrapolated", std::move(extrapolated), rho, o, 1));
    out.rules.push_back(score_fire_forecasts("stationary", std::move(stationary), rho, o, 2));
    return out;
}

}  // namespace tanhui::risk
