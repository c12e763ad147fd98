// The law of a log-price step under a PriceModel (model.hpp), shared by the calibration's
// likelihoods (risk/calibration/price.cpp, price_families.cpp) and the backtest's forecasts
// (risk/backtest/price.cpp), issue 19: a Poisson mixture of location-scale normals or Student-t
// laws, sum_j P(N = j) F((r - mean - j jump_mean) / sqrt(variance + j jump_var)), the Poisson
// sum truncated where its tail is below 1e-12.
#pragma once

#include "risk/model/model.hpp"

namespace tanhui::risk {

struct StepLaw {
    double mean = 0;             // of the diffusion part
    double variance = 0;         // of the diffusion part
    double dof = 0;              // Student-t degrees of freedom (> 2; variance-scaled); 0: normal
    double jump_count_mean = 0;  // Poisson mean of the jumps in the step
    double jump_mean = 0;
    double jump_var = 0;

    double log_pdf(double r) const;
    double cdf(double r) const;
    double quantile(double p) const;  // bisection on cdf to 1e-12
};

// Law of ln S(t + h) - x given the efficient log price x at t (noise not included): GBM
// (drift - vol^2/2) h, OU (theta - x)(1 - e^(-k h)); variance vol^2 h or vol^2 (1 - e^(-2 k h)) / 2k;
// jumps and tail_dof as the model says.
StepLaw step_law(const PriceModel& m, double x, double h);

}  // namespace tanhui::risk
