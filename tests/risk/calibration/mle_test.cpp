// Maximum likelihood flags an estimate that sits at a bound (issue 18): of its support, where the
// data put it (a variance component of 0, a share of 1), or of the region the likelihood is
// searched in (an optimiser's box); and flags nothing at an interior optimum.
#include "risk/calibration/mle.hpp"

#include "risk/simulation/cancel.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

namespace tanhui::risk {
namespace {

// y_i ~ N(mu, 1 + tau^2): a known unit variance plus a variance component tau^2 >= 0. The MLE of
// tau^2 is max(0, s^2 - 1), s^2 the sample variance about the mean with divisor n (Searle, Casella
// & McCulloch, Variance Components, 1992, sec. 3.3): 0 when the data vary less than the unit.
LogLikelihood variance_component(const std::vector<double>& y) {
    return [&y](std::span<const double> th) {
        const double var = 1 + th[1] * th[1];
        double s = 0;
        for (double v : y) s += -0.5 * std::log(2 * M_PI * var) - (v - th[0]) * (v - th[0]) / (2 * var);
        return s;
    };
}

std::vector<double> scaled(double sd) {  // 20 points of mean 0 and standard deviation sd (divisor n)
    std::vector<double> y;
    for (int i = 0; i < 10; ++i) {
        y.push_back(sd);
        y.push_back(-sd);
    }
    return y;
}

const MleParameter normal_parameters[] = {{"mu", 0.1, Support::real, 0.5}, {"tau", 0.5, Support::positive, 0.5}};

// A calibration the server cancels (its client hung up, its deadline passed) stops within one
// evaluation of the likelihood: the flag of the thread's CancelScope is read before each. A flag
// that is never set changes nothing: the same estimates, bit for bit.
TEST(Mle, ACancelledScopeStopsTheFitAtTheNextEvaluation) {
    const auto y = scaled(std::sqrt(2.0));
    const LogLikelihood inner = variance_component(y);
    std::atomic<bool> cancel{false};
    int evaluations = 0;
    const LogLikelihood counted = [&](std::span<const double> th) {
        if (++evaluations == 25) cancel.store(true);
        return inner(th);
    };
    {
        const CancelScope scope(&cancel);
        EXPECT_THROW(maximise_log_likelihood(normal_parameters, counted), Cancelled);
    }
    EXPECT_EQ(evaluations, 25);  // the 26th evaluation was not made
    EXPECT_EQ(CancelScope::current(), nullptr);  // the scope ended with its block

    std::atomic<bool> never{false};
    const MleResult without = maximise_log_likelihood(normal_parameters, inner);
    const CancelScope scope(&never);
    const MleResult with = maximise_log_likelihood(normal_parameters, inner);
    EXPECT_EQ(with.estimates, without.estimates);
    EXPECT_EQ(with.log_likelihood, without.log_likelihood);
}

TEST(Mle, VarianceComponentThatTheDataPutAtZeroIsFlagged) {
    const auto y = scaled(0.8);  // s^2 = 0.64 < 1: tau = 0
    const MleResult r = maximise_log_likelihood(normal_parameters, variance_component(y));
    EXPECT_LT(r.estimates[1], 1e-3);
    EXPECT_EQ(r.at_bound, std::vector<std::string>{"tau at 0"});
    EXPECT_EQ(report_from("normal_variance_component", r, y.size()).at_bound, r.at_bound);
}

TEST(Mle, InteriorOptimumIsNotFlagged) {
    const auto y = scaled(std::sqrt(2.0));  // s^2 = 2: tau^2 = 1
    const MleResult r = maximise_log_likelihood(normal_parameters, variance_component(y));
    EXPECT_NEAR(r.estimates[1], 1.0, 1e-4);
    EXPECT_TRUE(r.at_bound.empty()) << r.at_bound.front();
}

// Bernoulli trials that all succeed: the MLE of p is 1, the upper end of the unit interval.
TEST(Mle, ShareAtOneIsFlagged) {
    const LogLikelihood ll = [](std::span<const double> th) { return 30 * std::log(th[0]); };
    const MleParameter p[] = {{"p", 0.5, Support::unit_interval, 0.5}};
    const MleResult r = maximise_log_likelihood(p, ll);
    EXPECT_GT(r.estimates[0], 0.999);
    EXPECT_EQ(r.at_bound, std::vector<std::string>{"p at 1"});
}

// The likelihood searched only where theta >= 1 (-inf outside, as risk/calibration/price.cpp
// bounds the OU mean reversion); its unconstrained maximum at 0.5 lies outside.
TEST(Mle, EstimateAtTheEdgeOfTheSearchedRegionIsFlagged) {
    const LogLikelihood ll = [](std::span<const double> th) {
        if (th[0] < 1) return -std::numeric_limits<double>::infinity();
        return -(th[0] - 0.5) * (th[0] - 0.5);
    };
    const MleParameter p[] = {{"theta", 3, Support::positive, 0.5}};
    const MleResult r = maximise_log_likelihood(p, ll);
    EXPECT_NEAR(r.estimates[0], 1.0, 1e-6);
    EXPECT_EQ(r.at_bound, std::vector<std::string>{"theta at the edge of the searched region"});
}

}  // namespace
}  // namespace tanhui::risk
