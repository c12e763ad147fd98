#include "risk/calibration/pest.hpp"

#include "data/types.hpp"
#include "risk/calibration/mle.hpp"
#include "risk/calibration/gof.hpp"
#include "risk/random/special.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

namespace tanhui::risk {

namespace {

void check_events(std::span<const double> events, std::span<const double> trials) {
    if (events.size() != trials.size() || events.empty())
        throw InvalidInput("events", "events and trials must be non-empty and of equal length");
    for (std::size_t i = 0; i < events.size(); ++i) {
        if (!(trials[i] > 0) || trials[i] != std::floor(trials[i]))
            throw InvalidInput("trials/" + std::to_string(i), "must be a whole number > 0, got " + std::to_string(trials[i]));
        if (!(events[i] >= 0 && events[i] <= trials[i]) || events[i] != std::floor(events[i]))
            throw InvalidInput("events/" + std::to_string(i),
                               "must be a whole number in [0, trials], got " + std::to_string(events[i]));
    }
}

double log_choose(double n, double k) { return log_gamma(n + 1) - log_gamma(k + 1) - log_gamma(n - k + 1); }

struct Line {
    double intercept, slope, slope_se, rss;
};

// Least squares y = a + b x with the usual SE of b.
Line least_squares(std::span<const double> x, std::span<const double> y) {
    const double n = static_cast<double>(x.size());
    const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n;
    const double my = std::accumulate(y.begin(), y.end(), 0.0) / n;
    double sxx = 0, sxy = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        sxx += (x[i] - mx) * (x[i] - mx);
        sxy += (x[i] - mx) * (y[i] - my);
    }
    Line l{};
    l.slope = sxx > 0 ? sxy / sxx : 0;
    l.intercept = my - l.slope * mx;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double e = y[i] - l.intercept - l.slope * x[i];
        l.rss += e * e;
    }
    l.slope_se = n > 2 && sxx > 0 ? std::sqrt(l.rss / (n - 2) / sxx) : std::numeric_limits<double>::quiet_NaN();
    return l;
}

}  // namespace

FitReport fit_binomial(std::span<const double> events, std::span<const double> trials) {
    check_events(events, trials);
    const double x = std::accumulate(events.begin(), events.end(), 0.0);
    const double n = std::accumulate(trials.begin(), trials.end(), 0.0);
    const double p = x / n;
    FitReport r;
    r.family = "binomial";
    r.parameter_names = {"probability"};
    r.estimates = {p};
    r.covariance = {{p * (1 - p) / n}};
    r.standard_errors = {std::sqrt(p * (1 - p) / n)};
    double ll = 0;
    std::vector<double> expected, variance;
    for (std::size_t i = 0; i < events.size(); ++i) {
        ll += log_choose(trials[i], events[i]);
        if (events[i] > 0) ll += events[i] * std::log(p);
        if (trials[i] - events[i] > 0) ll += (trials[i] - events[i]) * std::log1p(-p);
        expected.push_back(trials[i] * p);
        variance.push_back(trials[i] * p * (1 - p));
    }
    r.log_likelihood = ll;
    r.rows = events.size();
    r.optimiser = "closed_form";
    if (p > 0 && p < 1 && events.size() > 1) r.goodness_of_fit.push_back(pearson_chi_square(events, expected, variance, 1));
    r.data_hash = data_hash({events, trials});
    set_information_criteria(r);
    return r;
}

FitReport fit_beta_binomial(std::span<const double> events, std::span<const double> trials) {
    check_events(events, trials);
    const double x = std::accumulate(events.begin(), events.end(), 0.0);
    const double n = std::accumulate(trials.begin(), trials.end(), 0.0);
    if (x <= 0 || x >= n) throw InvalidInput("events", "needs at least one event and one non-event");
    const MleParameter p[] = {{"probability", x / n, Support::unit_interval, 0.5},
                              {"intra_class_correlation", 0.05, Support::unit_interval, 1.0}};
    const LogLikelihood ll = [&](std::span<const double> th) {
        const double mu = th[0], rho = th[1];
        const double a = mu * (1 - rho) / rho, b = (1 - mu) * (1 - rho) / rho;
        double s = 0;
        for (std::size_t i = 0; i < events.size(); ++i)
            s += log_choose(trials[i], events[i]) + log_beta(events[i] + a, trials[i] - events[i] + b) - log_beta(a, b);
        return s;
    };
    FitReport r = report_from("beta_binomial", maximise_log_likelihood(p, ll), events.size());
    const double mu = r.estimates[0], rho = r.estimates[1];
    std::vector<double> expected, variance;
    for (double t : trials) {
        expected.push_back(t * mu);
        variance.push_back(t * mu * (1 - mu) * (1 + (t - 1) * rho));
    }
    if (events.size() > 2) r.goodness_of_fit.push_back(pearson_chi_square(events, expected, variance, 2));
    r.data_hash = data_hash({events, trials});
    r.notes.emplace_back("p_t ~ Beta(a, b) per period; intra_class_correlation = 1 / (a + b + 1)");
    return r;
}

FitReport fit_annual_hazard(std::span<const int> year, std::span<const double> infected_units, double total_units) {
    if (year.size() != infected_units.size() || year.size() < 2)
        throw InvalidInput("infected_units", "needs at least two (year, count) observations of equal length");
    if (!(total_units > 0)) throw InvalidInput("total_units", "must be > 0, got " + std::to_string(total_units));
    struct Step {
        double at_risk, infected, gap;
    };
    std::vector<Step> steps;
    for (std::size_t i = 0; i < year.size(); ++i) {
        if (!(infected_units[i] >= 0 && infected_units[i] <= total_units))
            throw InvalidInput("infected_units/" + std::to_string(i), "must lie in [0, total_units]");
        if (i == 0) continue;
        if (year[i] <= year[i - 1]) throw InvalidInput("year/" + std::to_string(i), "years must increase strictly");
        steps.push_back({total_units - infected_units[i - 1], std::max(0.0, infected_units[i] - infected_units[i - 1]),
                         static_cast<double>(year[i] - year[i - 1])});
    }
    double new_total = 0, exposure = 0;
    for (const Step& s : steps) {
        new_total += s.infected;
        exposure += s.at_risk * s.gap;
    }
    if (!(new_total > 0) || !(exposure > new_total))
        throw InvalidInput("infected_units", "needs some, but not all, units at risk to become infected");
    const MleParameter p[] = {{"annual_hazard", new_total / exposure, Support::unit_interval, 0.5}};
    auto step_probability = [](double h, double gap) { return -std::expm1(gap * std::log1p(-h)); };
    const LogLikelihood ll = [&](std::span<const double> th) {
        double s = 0;
        for (const Step& st : steps) {
            const double q = step_probability(th[0], st.gap);
            s += log_choose(st.at_risk, st.infected) + st.infected * std::log(q) +
                 (st.at_risk - st.infected) * std::log1p(-q);
        }
        return s;
    };
    FitReport r = report_from("annual_hazard", maximise_log_likelihood(p, ll), steps.size());
    std::vector<double> observed, expected, variance;
    for (const Step& st : steps) {
        const double q = step_probability(r.estimates[0], st.gap);
        observed.push_back(st.infected);
        expected.push_back(st.at_risk * q);
        variance.push_back(st.at_risk * q * (1 - q));
    }
    if (steps.size() > 1) r.goodness_of_fit.push_back(pearson_chi_square(observed, expected, variance, 1));
    r.data_from = std::to_string(year.front());
    r.data_to = std::to_string(year.back());
    const std::vector<double> years(year.begin(), year.end());
    const double total[] = {total_units};
    r.data_hash = data_hash({years, infected_units, total});
    r.notes.emplace_back("net increases of infected units; revocations ignored: hazard is a lower bound");
    r.notes.push_back("units at risk: " + std::to_string(total_units) + " minus the infected");
    return r;
}

AffectedShare fit_affected_share(std::span<const int> year, std::span<const double> occurrence_area_ha,
                                 std::span<const double> host_area_ha) {
    if (year.size() != occurrence_area_ha.size() || year.size() != host_area_ha.size() || year.size() < 3)
        throw InvalidInput("occurrence_area_ha", "needs at least 3 years of equal-length columns");
    AffectedShare a;
    a.year.assign(year.begin(), year.end());
    for (std::size_t i = 0; i < year.size(); ++i) {
        if (!(host_area_ha[i] > 0)) throw InvalidInput("host_area_ha/" + std::to_string(i), "must be > 0");
        if (!(occurrence_area_ha[i] >= 0 && occurrence_area_ha[i] <= host_area_ha[i]))
            throw InvalidInput("occurrence_area_ha/" + std::to_string(i), "must lie in [0, host_area_ha]");
        a.share.push_back(occurrence_area_ha[i] / host_area_ha[i]);
    }
    const double n = static_cast<double>(a.share.size());
    a.mean_share = std::accumulate(a.share.begin(), a.share.end(), 0.0) / n;
    double ss = 0;
    for (double s : a.share) ss += (s - a.mean_share) * (s - a.mean_share);
    const double sd_mle = std::sqrt(ss / n);
    a.standard_error = std::sqrt(ss / (n - 1) / n);
    if (std::all_of(a.share.begin(), a.share.end(), [](double s) { return s > 0; })) {
        std::vector<double> t(year.begin(), year.end()), ls;
        for (double s : a.share) ls.push_back(std::log(s));
        const Line l = least_squares(t, ls);
        a.log_trend_per_year = l.slope;
        a.log_trend_standard_error = l.slope_se;
    }
    FitReport& r = a.report;
    r.family = "affected_share";
    r.parameter_names = {"mean_share", "sd_share"};
    r.estimates = {a.mean_share, sd_mle};
    r.standard_errors = {a.standard_error, sd_mle / std::sqrt(2 * n)};
    r.covariance = {{a.standard_error * a.standard_error, 0}, {0, sd_mle * sd_mle / (2 * n)}};
    double ll = 0;
    std::vector<double> u;
    for (double s : a.share) {
        ll += sd_mle > 0 ? normal_log_pdf(s, a.mean_share, sd_mle) : 0.0;
        if (sd_mle > 0) u.push_back(normal_cdf((s - a.mean_share) / sd_mle));
    }
    r.log_likelihood = ll;
    r.rows = a.share.size();
    r.optimiser = "closed_form";
    if (!u.empty()) r.goodness_of_fit.push_back(anderson_darling_normal_estimated(u));
    r.data_from = std::to_string(*std::min_element(year.begin(), year.end()));
    r.data_to = std::to_string(*std::max_element(year.begin(), year.end()));
    const std::vector<double> years(year.begin(), year.end());
    r.data_hash = data_hash({years, occurrence_area_ha, host_area_ha});
    r.notes.push_back("log-linear trend of the share: " + std::to_string(a.log_trend_per_year) + " per year (SE " +
                      std::to_string(a.log_trend_standard_error) + ")");
    r.notes.emplace_back("occurrence area counts light infestations too: an upper bound of the area losing carbon");
    set_information_criteria(r);
    return a;
}

double area_at(std::span<const int> inventory_year, std::span<const double> area_ha, int year) {
    if (inventory_year.size() != area_ha.size() || inventory_year.empty())
        throw InvalidInput("area_ha", "needs at least one inventory, with as many areas as years");
    std::vector<std::size_t> order(inventory_year.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return inventory_year[a] < inventory_year[b]; });
    if (year <= inventory_year[order.front()]) return area_ha[order.front()];
    if (year >= inventory_year[order.back()]) return area_ha[order.back()];
    for (std::size_t k = 1; k < order.size(); ++k) {
        const std::size_t i = order[k - 1], j = order[k];
        if (year <= inventory_year[j]) {
            const double w = static_cast<double>(year - inventory_year[i]) /
                             static_cast<double>(inventory_year[j] - inventory_year[i]);
            return area_ha[i] + w * (area_ha[j] - area_ha[i]);
        }
    }
    return area_ha[order.back()];
}

ElasticityEstimate estimate_pest_weather_elasticity(std::span<const int> year,
                                                         std::span<const double> log_fire_year_factor,
                                                         std::span<const double> pest_share) {
    if (year.size() != log_fire_year_factor.size() || year.size() != pest_share.size() || year.size() < 4)
        throw InvalidInput("pest_share", "needs at least 4 years of equal-length columns");
    std::vector<double> t(year.begin(), year.end()), lp;
    for (std::size_t i = 0; i < pest_share.size(); ++i) {
        if (!(pest_share[i] > 0)) throw InvalidInput("pest_share/" + std::to_string(i), "must be > 0");
        lp.push_back(std::log(pest_share[i]));
    }
    const Line trend = least_squares(t, lp);
    std::vector<double> residual;
    for (std::size_t i = 0; i < lp.size(); ++i) residual.push_back(lp[i] - trend.intercept - trend.slope * t[i]);
    const Line l = least_squares(log_fire_year_factor, residual);
    ElasticityEstimate e;
    e.elasticity = l.slope;
    e.standard_error = l.slope_se;
    e.years = year.size();
    e.significant = e.years >= 8 && std::abs(e.elasticity) > 1.959963984540054 * e.standard_error;
    return e;
}

double pest_weather_elasticity(const std::optional<ElasticityEstimate>& estimate) {
    if (estimate && estimate->significant) return std::clamp(estimate->elasticity, 0.0, 2.0);
    return default_pest_weather_elasticity;
}

double outbreak_probability_from_share(double affected_share, double affected_a, double affected_b) {
    if (!(affected_share >= 0 && affected_share <= 1))
        throw InvalidInput("affected_share", "must lie in [0, 1], got " + std::to_string(affected_share));
    if (!(affected_a > 0) || !(affected_b > 0)) throw InvalidInput("affected_fraction", "a and b must be > 0");
    return std::min(1.0, affected_share * (affected_a + affected_b) / affected_a);
}

}  // namespace tanhui::risk
