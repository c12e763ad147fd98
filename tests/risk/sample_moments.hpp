// The sample mean and variance of Monte Carlo draws with their standard errors, for tests that
// compare draws with closed-form moments within a stated multiple of the standard error.
#pragma once

#include <cmath>
#include <vector>

namespace tanhui::risk {

struct Moments {
    double mean = 0, variance = 0, se_mean = 0, se_variance = 0;
};

// Variance with n - 1; the standard error of the variance from the fourth central moment,
// sqrt((m4 - s^4) / n), which holds for any distribution with a finite fourth moment.
inline Moments moments(const std::vector<double>& x) {
    const double n = double(x.size());
    double m = 0;
    for (double v : x) m += v;
    m /= n;
    double m2 = 0, m4 = 0;
    for (double v : x) {
        m2 += (v - m) * (v - m);
        m4 += (v - m) * (v - m) * (v - m) * (v - m);
    }
    Moments r;
    r.mean = m;
    r.variance = m2 / (n - 1);
    r.se_mean = std::sqrt(r.variance / n);
    r.se_variance = std::sqrt((m4 / n - r.variance * r.variance) / n);
    return r;
}

}  // namespace tanhui::risk
