#include "risk/calibration/price_law.hpp"

#include "risk/random/special.hpp"

#include <cmath>
#include <limits>

namespace tanhui::risk {

namespace {

// Log density and cdf of one location-scale component of variance var.
double component_log_pdf(double r, double mean, double var, double dof) {
    if (dof <= 0) return normal_log_pdf(r, mean, std::sqrt(var));
    const double scale = std::sqrt(var * (dof - 2) / dof);
    return student_t_log_pdf((r - mean) / scale, dof) - std::log(scale);
}

double component_cdf(double r, double mean, double var, double dof) {
    if (dof <= 0) return normal_cdf((r - mean) / std::sqrt(var));
    return student_t_cdf((r - mean) / std::sqrt(var * (dof - 2) / dof), dof);
}

template <class F>
void for_each_count(double lambda_h, F&& f) {
    if (!(lambda_h > 0)) {
        f(0, 1.0);
        return;
    }
    double p = std::exp(-lambda_h), cumulative = 0;
    for (int j = 0; j <= 200; ++j) {
        if (j > 0) p *= lambda_h / j;
        cumulative += p;
        f(j, p);
        if (j >= lambda_h && 1 - cumulative < 1e-12) break;
    }
}

}  // namespace

double StepLaw::log_pdf(double r) const {
    double top = -std::numeric_limits<double>::infinity(), sum = 0;
    for_each_count(jump_count_mean, [&](int j, double p) {
        if (p <= 0) return;
        const double t = std::log(p) + component_log_pdf(r, mean + j * jump_mean, variance + j * jump_var, dof);
        if (t > top) {
            sum = sum * std::exp(top - t) + 1;
            top = t;
        } else {
            sum += std::exp(t - top);
        }
    });
    return std::isfinite(top) ? top + std::log(sum) : top;
}

double StepLaw::cdf(double r) const {
    double c = 0;
    for_each_count(jump_count_mean,
                   [&](int j, double p) { c += p * component_cdf(r, mean + j * jump_mean, variance + j * jump_var, dof); });
    return c;
}

double StepLaw::quantile(double p) const {
    if (!(jump_count_mean > 0)) {
        if (dof <= 0) return mean + std::sqrt(variance) * normal_quantile(p);
        return mean + std::sqrt(variance * (dof - 2) / dof) * student_t_quantile(p, dof);
    }
    const double sd = std::sqrt(variance + jump_count_mean * (jump_var + jump_mean * jump_mean));
    double lo = mean - 10 * sd, hi = mean + 10 * sd;
    while (cdf(lo) > p) lo -= 10 * sd;
    while (cdf(hi) < p) hi += 10 * sd;
    for (int i = 0; i < 200 && hi - lo > 1e-12 * sd; ++i) {
        const double mid = 0.5 * (lo + hi);
        (cdf(mid) < p ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}

StepLaw step_law(const PriceModel& m, double x, double h) {
    StepLaw law;
    const double vol = m.volatility;
    if (m.process == PriceProcess::ou && m.mean_reversion > 0) {
        const double k = m.mean_reversion;
        law.mean = (m.long_run_log_price - x) * -std::expm1(-k * h);
        law.variance = k * h < 1e-10 ? vol * vol * h : -std::expm1(-2 * k * h) / (2 * k) * vol * vol;
    } else if (m.process == PriceProcess::ou) {
        law.variance = vol * vol * h;
    } else {
        law.mean = (m.drift - vol * vol / 2) * h;
        law.variance = vol * vol * h;
    }
    law.dof = m.tail_dof;
    law.jump_count_mean = m.jump_intensity * h;
    law.jump_mean = m.jump_mean;
    law.jump_var = m.jump_std * m.jump_std;
    return law;
}

}  // namespace tanhui::risk
