#include "risk/metrics/metrics.hpp"

#include "risk/metrics/order_statistics.hpp"

#include "data/types.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <functional>
#include <numeric>
#include <optional>
#include <string>

namespace tanhui::risk {

namespace {

constexpr auto rounding = CountRounding::nearest_1e9;

std::string str(double v) { return std::to_string(v); }

void check_losses(std::span<const double> losses, const char* field) {
    if (losses.empty()) throw InvalidInput(field, "no years");
    bool bad = false;  // one branch-free pass; the bad year is looked for only when there is one
    for (const double x : losses) bad |= !(std::fabs(x) <= std::numeric_limits<double>::max());
    if (!bad) return;
    for (std::size_t i = 0; i < losses.size(); ++i)
        if (!std::isfinite(losses[i]))
            throw InvalidInput(std::string(field) + "/" + std::to_string(i), "must be finite, got " + str(losses[i]));
}

void check_level(double a) {
    if (!(a >= 0 && a < 1)) throw InvalidInput("levels", "each level must be in [0, 1), got " + str(a));
}

void check_return_period(double t) {
    if (!(t >= 1 && std::isfinite(t)))
        throw InvalidInput("return_periods", "each return period must be >= 1 year, got " + str(t));
}

// Losses sorted from the largest down, read through risk/metrics/order_statistics.hpp.
class Sorted {
public:
    explicit Sorted(std::span<const double> losses) : desc_(losses.begin(), losses.end()) {
        std::sort(desc_.begin(), desc_.end(), std::greater<>());
    }
    Sorted(const Sorted&) = delete;  // the view points into desc_
    Sorted& operator=(const Sorted&) = delete;

    Estimate var(double a) const { return quantile_with_whole_band(x(), a, rounding); }
    Estimate tvar(double a) const {
        return tail_mean_with_error(x(), rounded_count(double(desc_.size()) * (1 - a), rounding), a, var(a).value);
    }
    Estimate return_period(double t, bool& beyond) const {
        const ReturnPeriodValue v = return_period_value(x(), t, rounding);
        beyond = v.beyond_simulation;
        return {v.value, return_period_standard_error(x(), v.rank)};
    }
    Estimate return_period_tvar(double t) const {
        const ReturnPeriodValue v = return_period_value(x(), t, rounding);
        return tail_mean_with_error(x(), v.rank, 1 - 1 / t, v.value);
    }

private:
    OrderStatistics x() const { return OrderStatistics::largest_first(desc_); }
    std::vector<double> desc_;
};

}  // namespace

double average_annual_loss(std::span<const double> losses) {
    if (losses.empty()) throw InvalidInput("losses", "no years");
    // check_losses's test in the loop of the sum: the loop waits on the chain of additions, and
    // has the time for it (a separate pass read the years twice).
    double sum = 0;
    bool bad = false;
    for (double x : losses) {
        sum += x;
        bad |= !(std::fabs(x) <= std::numeric_limits<double>::max());
    }
    if (bad) check_losses(losses, "losses");
    return sum / double(losses.size());
}

namespace {
double sample_std_about(std::span<const double> losses, double mean) {
    if (losses.size() < 2) return 0;
    double ss = 0;
    for (double x : losses) ss += (x - mean) * (x - mean);
    return std::sqrt(ss / double(losses.size() - 1));
}
}  // namespace

double sample_std(std::span<const double> losses) { return sample_std_about(losses, average_annual_loss(losses)); }

Estimate average_annual_loss_with_error(std::span<const double> losses) {
    const double mean = average_annual_loss(losses);
    return {mean, sample_std_about(losses, mean) / std::sqrt(static_cast<double>(losses.size()))};
}

double value_at_risk(std::span<const double> losses, double level) {
    check_losses(losses, "losses");
    check_level(level);
    return Sorted(losses).var(level).value;
}

double tail_value_at_risk(std::span<const double> losses, double level) {
    check_losses(losses, "losses");
    check_level(level);
    return Sorted(losses).tvar(level).value;
}

double return_period_loss(std::span<const double> losses, double t) {
    check_losses(losses, "losses");
    check_return_period(t);
    bool beyond = false;
    return Sorted(losses).return_period(t, beyond).value;
}

Metrics compute_metrics(std::span<const double> annual, std::span<const double> max_event, const MetricOptions& options) {
    check_losses(annual, "losses");
    if (!max_event.empty()) {
        check_losses(max_event, "max_event_losses");
        if (max_event.size() != annual.size())
            throw InvalidInput("max_event_losses", "has " + std::to_string(max_event.size()) + " years, the losses " +
                                                       std::to_string(annual.size()));
    }
    for (double a : options.levels) check_level(a);
    for (double t : options.return_periods) check_return_period(t);

    Metrics m;
    m.years = annual.size();
    m.has_oep = !max_event.empty();
    const double n = double(annual.size());
    const double mean = average_annual_loss(annual);
    double m2 = 0, m4 = 0;
    for (double x : annual) {
        const double d2 = (x - mean) * (x - mean);
        m2 += d2;
        m4 += d2 * d2;
    }
    const double s = annual.size() > 1 ? std::sqrt(m2 / (n - 1)) : 0.0;
    m.aal = {mean, s / std::sqrt(n)};
    m2 /= n;
    m4 /= n;
    m.std = {s, s > 0 ? std::sqrt(std::max(0.0, m4 - m2 * m2) / n) / (2 * s) : 0.0};

    const Sorted aep(annual);
    for (double a : options.levels) m.levels.push_back({a, aep.var(a), aep.tvar(a)});
    std::optional<Sorted> oep;
    if (m.has_oep) oep.emplace(max_event);
    for (double t : options.return_periods) {
        ReturnPeriodMetrics r;
        r.return_period = t;
        r.aep = aep.return_period(t, r.beyond_simulation);
        r.aep_tvar = aep.return_period_tvar(t);
        if (oep) {
            bool beyond = false;
            r.oep = oep->return_period(t, beyond);
            r.oep_tvar = oep->return_period_tvar(t);
        }
        m.return_periods.push_back(r);
    }
    return m;
}

TailYears tail_years(std::span<const double> annual, double level) {
    check_losses(annual, "losses");
    check_level(level);
    TailYears tail;
    tail.tail_mass = rounded_count(double(annual.size()) * (1 - level), rounding);
    const auto k = static_cast<std::size_t>(std::floor(tail.tail_mass));
    const double f = tail.tail_mass - double(k);
    const std::size_t count = std::min(annual.size(), k + (f > 0 ? 1 : 0));
    std::vector<std::size_t> order(annual.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(count), order.end(),
                      [&](std::size_t x, std::size_t y) { return annual[x] > annual[y] || (annual[x] == annual[y] && x < y); });
    double sum = 0;
    for (std::size_t i = 0; i < count; ++i) {
        tail.index.push_back(order[i]);
        tail.weight.push_back(i < k ? 1.0 : f);
        sum += tail.weight.back() * annual[order[i]];
    }
    tail.tvar = sum / tail.tail_mass;
    return tail;
}

std::vector<double> euler_contributions(const TailYears& tail, std::span<const double> rows, std::size_t holdings) {
    if (rows.size() != tail.index.size() * holdings)
        throw InvalidInput("holding_losses", "expected " + std::to_string(tail.index.size()) + " x " +
                                                 std::to_string(holdings) + " values, got " + std::to_string(rows.size()));
    std::vector<double> c(holdings, 0.0);
    for (std::size_t t = 0; t < tail.index.size(); ++t)
        for (std::size_t i = 0; i < holdings; ++i) c[i] += tail.weight[t] * rows[t * holdings + i];
    for (double& v : c) v /= tail.tail_mass;
    return c;
}

std::vector<EptRow> ept_rows(const Metrics& m, int summary_id) {
    std::vector<const ReturnPeriodMetrics*> rps;
    for (const auto& r : m.return_periods) rps.push_back(&r);
    std::stable_sort(rps.begin(), rps.end(), [](auto* x, auto* y) { return x->return_period > y->return_period; });
    std::vector<EptRow> rows;
    auto add = [&](int type, auto value) {
        for (const ReturnPeriodMetrics* r : rps) rows.push_back({summary_id, 2, type, r->return_period, value(*r)});
    };
    if (m.has_oep) {
        add(1, [](const ReturnPeriodMetrics& r) { return r.oep.value; });
        add(2, [](const ReturnPeriodMetrics& r) { return r.oep_tvar.value; });
    }
    add(3, [](const ReturnPeriodMetrics& r) { return r.aep.value; });
    add(4, [](const ReturnPeriodMetrics& r) { return r.aep_tvar.value; });
    return rows;
}

AltRow alt_row(const Metrics& m, int summary_id) { return {summary_id, 2, m.aal.value, m.std.value}; }

AlctRow alct_row(const Metrics& m, int summary_id) {
    AlctRow r;
    r.summary_id = summary_id;
    r.mean_loss = m.aal.value;
    r.sd_loss = m.std.value;
    r.sample_size = m.years;
    r.standard_error = m.aal.standard_error;
    r.lower_ci = m.aal.value - 1.959963984540054 * r.standard_error;
    r.upper_ci = m.aal.value + 1.959963984540054 * r.standard_error;
    r.relative_error = m.aal.value != 0 ? r.standard_error / m.aal.value : 0;
    return r;
}

}  // namespace tanhui::risk
