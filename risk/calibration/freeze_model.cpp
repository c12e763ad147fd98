#include "risk/calibration/freeze_model.hpp"

#include "risk/calibration/fit_report.hpp"
#include "risk/calibration/gof.hpp"
#include "risk/calibration/regional.hpp"
#include "risk/perils/freeze.hpp"

#include <boost/math/special_functions/beta.hpp>

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

namespace tanhui::risk {

namespace {

double survival_at(double mean, double log_a, double x) {
    const double a = std::exp(log_a);
    return boost::math::ibetac(a, a * (1 - mean) / mean, x);
}

}  // namespace

BetaFit beta_for_mean_and_survival(double mean, double x, double survival) {
    // The peak of P(A > x) over ln a on a grid, then bisection on the falling side.
    const double lo = std::log(1e-3), hi = std::log(1e4);
    constexpr int grid = 140;
    double peak = lo, best = -1;
    for (int i = 0; i <= grid; ++i) {
        const double log_a = lo + (hi - lo) * i / grid;
        const double s = survival_at(mean, log_a, x);
        if (s > best) best = s, peak = log_a;
    }
    BetaFit fit;
    double log_a = peak;
    if (best < survival) {
        fit.tail_short = true;
    } else {
        double l = peak, h = hi;
        for (int i = 0; i < 100; ++i) {
            const double mid = 0.5 * (l + h);
            if (survival_at(mean, mid, x) > survival) l = mid;
            else h = mid;
        }
        log_a = 0.5 * (l + h);
    }
    fit.a = std::exp(log_a);
    fit.b = fit.a * (1 - mean) / mean;
    return fit;
}

namespace {

struct EventYears {
    std::string region;
    std::vector<double> year, index;
    std::size_t events = 0;
    YearSeries scores;
};

double bernoulli_ll(double k, double n, double p) {
    return (k > 0 ? k * std::log(p) : 0.0) + (n - k > 0 ? (n - k) * std::log(1 - p) : 0.0);
}

// One province's event years and its fit report (pooled_p: all provinces', for the LR test).
Value province_report(const EventYears& e, double pooled_p, double p) {
    const double n = static_cast<double>(e.year.size()), k = static_cast<double>(e.events);
    FitReport r;
    r.family = "bernoulli_event_year";
    r.parameter_names = {"event_probability"};
    r.estimates = {p};
    r.standard_errors = {std::sqrt(p * (1 - p) / n)};
    r.covariance = {{p * (1 - p) / n}};
    r.log_likelihood = bernoulli_ll(k, n, k / n);
    r.rows = e.year.size();
    set_information_criteria(r);
    r.goodness_of_fit.push_back(likelihood_ratio_test(bernoulli_ll(k, n, pooled_p), r.log_likelihood, 1));
    r.goodness_of_fit.back().note = "against the pooled event probability of all provinces";
    r.data_from = std::to_string(static_cast<int>(e.year.front()));
    r.data_to = std::to_string(static_cast<int>(e.year.back()));
    r.data_hash = data_hash({e.year, e.index});
    r.optimiser = "closed_form";
    r.notes = {"p = (events + 1/2) / (years + 1) (Jeffreys-type: no province gets 0 or 1)"};
    Value v = report_value(r);
    v["events"] = e.events;
    return v;
}

// Mean correlation of the provinces' scores over neighbouring pairs and over the other pairs.
struct SpatialEstimate {
    PooledCorrelation neighbours, others;
    double shared = 0, weight = 0;
};

double kernel_correlation(const std::vector<std::string>& nr, const std::vector<std::string>& ns, const std::string& r,
                          const std::string& s, double lambda) {
    const auto has = [](const std::vector<std::string>& v, const std::string& x) {
        return std::find(v.begin(), v.end(), x) != v.end();
    };
    double dot = (has(ns, r) ? lambda : 0.0) + (has(nr, s) ? lambda : 0.0);
    for (const std::string& n : nr)
        if (has(ns, n)) dot += lambda * lambda;
    return dot / std::sqrt((1 + lambda * lambda * double(nr.size())) * (1 + lambda * lambda * double(ns.size())));
}

SpatialEstimate spatial_estimate(const std::vector<EventYears>& all, const std::map<std::string, std::vector<std::string>>& nb) {
    SpatialEstimate out;
    std::map<std::string, YearSeries> a, b_near, b_far;
    std::vector<std::pair<std::size_t, std::size_t>> near_pairs;
    std::vector<double> near_r;
    for (std::size_t i = 0; i < all.size(); ++i)
        for (std::size_t j = i + 1; j < all.size(); ++j) {
            const auto& ni = nb.at(all[i].region);
            const bool near = std::find(ni.begin(), ni.end(), all[j].region) != ni.end();
            const std::string key = all[i].region + "-" + all[j].region;
            a[key] = all[i].scores;
            (near ? b_near : b_far)[key] = all[j].scores;
            if (near) {
                near_pairs.emplace_back(i, j);
                near_r.push_back(pooled_correlation({{key, all[i].scores}}, {{key, all[j].scores}}).estimate);
            }
        }
    out.neighbours = pooled_correlation(a, b_near);
    out.others = pooled_correlation(a, b_far);
    out.shared = std::clamp(std::isnan(out.others.estimate) ? 0.0 : out.others.estimate, 0.0, 1.0);
    // lambda: least squares of the model's neighbour correlations rho + (1 - rho) K(lambda)
    // against each neighbouring pair's correlation, on a grid.
    double best = INFINITY;
    for (int g = 0; g <= 60; ++g) {
        const double lambda = 0.05 * g;
        double sse = 0;
        for (std::size_t q = 0; q < near_pairs.size(); ++q) {
            if (std::isnan(near_r[q])) continue;
            const auto& [i, j] = near_pairs[q];
            const double k = kernel_correlation(nb.at(all[i].region), nb.at(all[j].region), all[i].region, all[j].region, lambda);
            const double d = out.shared + (1 - out.shared) * k - near_r[q];
            sse += d * d;
        }
        if (sse < best) best = sse, out.weight = lambda;
    }
    return out;
}

// The footprint's Beta of a province with event probability p: x its own 2008 footprint where a
// figure exists, else the national share; P(A > x | event) p = 1 / T (a 2008 footprint once in
// T years) and E[A | event] p = ratio x / T (the long-run mean is the 2008 term times the ratio;
// held below 0.9 x given an event, so that a concentrated Beta has no tail: binding only when
// T p < ratio / 0.9).
struct Severity : BetaFit {
    double share_2008 = 0;
};

Severity severity(History& history, const std::string& region, double p, double national_share, double return_period,
                  double mean_ratio) {
    Severity out;
    out.share_2008 = history.assumption("freeze.affected_share_2008." + region).value_or(national_share);
    const double x = out.share_2008;
    const double survival = std::clamp(1.0 / (return_period * p), 1e-9, 0.5);
    const double mean = std::min(mean_ratio * x * survival, 0.9 * x);
    static_cast<BetaFit&>(out) = beta_for_mean_and_survival(mean, x, survival);
    return out;
}

}  // namespace

std::vector<CalibrationRecord> calibrate_freeze(History& history, const CalibrationScope& scope) {
    const double share_of_max = required_assumption_value(history, "freeze.event_year_share_of_max");
    const double return_period = required_assumption_value(history, "freeze.return_period_2008_years");
    const double share_2008 = required_assumption_value(history, "freeze.affected_share_2008");
    const double mean_ratio = required_assumption_value(history, "freeze.long_run_over_2008_term");
    const double stock_lost_2008 = required_assumption_value(history, "freeze.stock_lost_share_2008");
    const double measured_mean = required_assumption_value(history, "freeze.damage_rate_2008_mean");

    std::vector<EventYears> all;
    std::vector<double> data;
    std::map<std::string, std::vector<std::string>> neighbours;
    double events = 0, years = 0;
    for (const std::string& p : scope.regions.empty() ? history.provinces() : scope.regions) {
        EventYears e{p, {}, {}, 0, {}};
        YearSeries index;
        for (const DisasterYear& d : history.disaster_years(p)) {
            if (d.year < scope.from_year || d.year > scope.to_year) continue;
            e.year.push_back(d.year);
            e.index.push_back(d.freeze_affected_kha);
            index[d.year] = d.freeze_affected_kha;
        }
        if (e.year.size() < 5) continue;
        const double top = *std::max_element(e.index.begin(), e.index.end());
        for (double v : e.index) e.events += v > 0 && v >= share_of_max * top;
        e.scores = normal_scores(index);
        for (std::size_t i = 0; i < e.year.size(); ++i) data.insert(data.end(), {std::stod(p), e.year[i], e.index[i]});
        events += double(e.events);
        years += double(e.year.size());
        neighbours[p] = history.province_neighbours(p);
        all.push_back(std::move(e));
    }
    if (all.empty()) throw InvalidInput("/from", "no province has 5 years of the NBS freeze index in the range");
    const double pooled = events / years;

    Value model, report;
    for (const EventYears& e : all) {
        const double n = static_cast<double>(e.year.size());
        const double p = (static_cast<double>(e.events) + 0.5) / (n + 1);
        const Severity fit = severity(history, e.region, p, share_2008, return_period, mean_ratio);
        Value& m = model["provinces"][e.region];
        m["event_probability"] = p;
        m["affected_a"] = fit.a;
        m["affected_b"] = fit.b;
        m["neighbours"] = Value(neighbours[e.region]);
        Value& r = report["provinces"][e.region];
        r = province_report(e, pooled, p);
        r["affected_share_2008"] = fit.share_2008;
        r["affected_mean_given_event"] = fit.a / (fit.a + fit.b);
        r["affected_mean_a_year"] = p * fit.a / (fit.a + fit.b);
        r["affected_mean_a_year_target"] = mean_ratio * fit.share_2008 / return_period;
        r["tail_short"] = fit.tail_short;
    }
    for (std::size_t i = 0; i < forest_type_count; ++i) {
        const std::string t(forest_type_names[i]);
        const double rate = required_assumption_value(history, "freeze.damage_rate." + t);
        model["loss_fraction"][t] = std::min(1.0, stock_lost_2008 * rate / measured_mean);
    }
    const SpatialEstimate spatial = spatial_estimate(all, neighbours);
    model["shared_correlation"] = spatial.shared;
    model["neighbour_weight"] = spatial.weight;
    std::map<std::string, YearSeries> scores;
    for (const EventYears& e : all) scores[e.region] = e.scores;
    const PooledCorrelation fire = pooled_correlation(scores, fire_residuals(history, history.provinces()));
    model["fire_year_correlation"] = std::isnan(fire.estimate) ? 0.0 : fire.estimate;

    report["event_definition"] = "a year whose NBS low-temperature/freeze/snow crop area reaches "
                                 "freeze.event_year_share_of_max of the province's largest year";
    report["dependence"]["fire_year"] = correlation_value(fire, "freeze index vs fire count residual, normal scores");
    report["dependence"]["neighbours"] = correlation_value(spatial.neighbours, "freeze index scores of neighbouring provinces");
    report["dependence"]["other_pairs"] = correlation_value(spatial.others, "freeze index scores of the other pairs");
    report["dependence"]["neighbour_weight_least_squares"] = spatial.weight;
    Value& assumptions = report["assumptions"];
    for (const char* k : {"freeze.event_year_share_of_max", "freeze.return_period_2008_years", "freeze.affected_share_2008",
                          "freeze.long_run_over_2008_term", "freeze.stock_lost_share_2008", "freeze.damage_rate_2008_mean"})
        assumptions[k] = required_assumption_value(history, k);
    report["scope"] = "NBS freeze/snow crop index by province (event years); severity anchored on January 2008";
    std::vector<CalibrationRecord> out;
    out.push_back({std::string(freeze_family), "all", std::move(data), std::move(report), std::move(model)});
    return out;
}

namespace {

// The severity assumptions, read at assembly so that a quote's uncertainty band moves them (issue
// 16 item 7); all of them or none (a history without them, as some tests give: the stored fit).
struct SeverityAssumptions {
    double return_period = 0, share_2008 = 0, mean_ratio = 0, stock_lost_2008 = 0, measured_mean = 0;
};
std::optional<SeverityAssumptions> severity_assumptions(History& history) {
    SeverityAssumptions a;
    for (auto [key, to] : {std::pair{"freeze.return_period_2008_years", &a.return_period},
                           std::pair{"freeze.affected_share_2008", &a.share_2008},
                           std::pair{"freeze.long_run_over_2008_term", &a.mean_ratio},
                           std::pair{"freeze.stock_lost_share_2008", &a.stock_lost_2008},
                           std::pair{"freeze.damage_rate_2008_mean", &a.measured_mean}}) {
        const auto v = history.assumption(key);
        if (!v) return std::nullopt;
        *to = *v;
    }
    return a;
}

}  // namespace

// The event probabilities and the dependence are the calibration's (fitted on the NBS series);
// the footprint's Beta and the loss fractions are refitted here from the labelled assumptions,
// by the same functions as the calibration, so that the pinned assumptions give the stored
// values bit for bit and a band's low or high value gives its own model.
void assemble_freeze(Model& model, std::span<const CalibrationRecord> calibrations, History& history) {
    const std::optional<SeverityAssumptions> a = severity_assumptions(history);
    for (const CalibrationRecord& c : calibrations) {
        if (c.family != freeze_family) continue;
        const Value& m = c.model;
        FreezeModel f;
        for (const auto& [code, p] : m.at("provinces").as_record()) {
            FreezeProvince fp;
            fp.event_probability = p.at("event_probability").as_real();
            fp.affected_share = {p.at("affected_a").as_real(), p.at("affected_b").as_real()};
            if (a) {
                const Severity fit = severity(history, code, fp.event_probability, a->share_2008, a->return_period, a->mean_ratio);
                fp.affected_share = {fit.a, fit.b};
            }
            for (const Value& n : p.at("neighbours").as_list()) fp.neighbours.push_back(n.as_text());
            f.provinces[code] = fp;
        }
        for (std::size_t i = 0; i < forest_type_count; ++i) {
            f.loss_fraction[i] = m.at("loss_fraction").at(forest_type_names[i]).as_real();
            const auto rate = history.assumption("freeze.damage_rate." + std::string(forest_type_names[i]));
            if (a && rate) f.loss_fraction[i] = std::min(1.0, a->stock_lost_2008 * *rate / a->measured_mean);
        }
        f.dependence.shared_correlation = m.at("shared_correlation").as_real();
        f.dependence.neighbour_weight = m.at("neighbour_weight").as_real();
        // Events come with low X: the loading is minus the index's correlation with fire's factor,
        // over fire's own loading sqrt(rho) on the shared normal.
        const double rho = model.weather.cross_region_correlation;
        const double r = m.at("fire_year_correlation").as_real();
        f.dependence.weather_loading = rho > 0 ? std::clamp(-r / std::sqrt(rho), -0.95, 0.95) : 0.0;
        set_freeze_model(model, std::move(f));
    }
}

Value freeze_history_rows(History& history, const std::string& region, int from, int to,
                          const std::map<std::string, std::string>& filters) {
    (void)filters;
    Value out = Value::list();
    for (const DisasterYear& d : history.disaster_years(region)) {
        if (d.year < from || d.year > to) continue;
        Value row;
        row["region"] = d.region;
        row["year"] = d.year;
        row["freeze_affected_kha"] = d.freeze_affected_kha;
        out.push_back(std::move(row));
    }
    return out;
}

}  // namespace tanhui::risk
