// The carbon price of one simulated year at a list of fixing times (DESIGN "Perils", price):
// the log price follows GBM or Ornstein-Uhlenbeck (Schwartz 1997 one-factor), either with
// Merton (1976) jumps, exactly discretised between fixings, as model.hpp's PriceModel says:
//   GBM: ln S(t + h) = ln S(t) + (drift - vol^2 / 2) h + vol sqrt(h) e
//   OU:  ln S(t + h) = theta + (ln S(t) - theta) e^(-k h) + vol sqrt((1 - e^(-2 k h)) / (2 k)) e
//   jumps: Poisson(jump_intensity h) log-jumps N(jump_mean, jump_std^2) at uniform times in the
//   step (under OU each decays by e^(-k (t + h - tau))). The jumps are not compensated, so under
//   GBM E[S(t)] = S0 exp((drift + jump_intensity (exp(jump_mean + jump_std^2 / 2) - 1)) t).
// Every year starts from the spot at t = 0: a simulated year is a scenario of the policy year.
//
// Dependence: the continuous part of ln S at the last fixing has correlation
// correlation_with_weather with the year's shared weather normal Z_y. The step
// normals e are built from independent normals n as e = n + (rho Z + sqrt(1 - rho^2) (u.n) - u.n) u,
// u the unit vector of the weights of e in ln S at the last fixing: e stays i.i.d. N(0, 1) and
// u.e = rho Z + sqrt(1 - rho^2) u.n.
//
// Random numbers: stream price, holding word = market_number, year word = the simulated year
// (independent of holdings); peril word 0 blocks j / 2: step j's normal n (words 2 (j % 2),
// 2 (j % 2) + 1); peril word 1 block j: step j's jump count (word 0, inversion; PTRS tries at
// peril words 0x10 .. 0x1f); peril word 0x100 + i block j: the i-th jump of step j (words 0-1
// its size, word 2 its time); with tail_dof > 0, peril words 0x20 .. 0x27 block j: the gamma
// tries of step j's Student-t scale (the step's e times sqrt((dof - 2) / chi2_dof); the weather
// correlation is then that of the normals before the scaling).
#pragma once

#include "risk/model/model.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace tanhui::risk {

class PricePath {
public:
    // fixing_times_years: years from the spot date, non-decreasing, >= 0, at most 65,535.
    PricePath(const PriceModel& model, std::vector<double> fixing_times_years, std::uint32_t market_number = 0);

    std::size_t fixings() const { return times_.size(); }
    const std::vector<double>& fixing_times_years() const { return times_; }
    const PriceModel& model() const { return model_; }
    std::uint32_t market_number() const { return market_; }

    // The year's prices at the fixing times into `out` (size fixings()); no allocation.
    void simulate(std::uint64_t seed, std::uint32_t year, double weather_normal, std::span<double> out) const;
    std::vector<double> simulate(std::uint64_t seed, std::uint32_t year, double weather_normal = 0) const;

private:
    struct Step {
        double decay = 1;       // e^(-k h)
        double mean_shift = 0;  // added after the decay: (drift - vol^2/2) h or theta (1 - e^(-k h))
        double sd = 0;          // of the diffusion part
        double jump_mean = 0;   // Poisson mean of the jump count
        double h = 0;
    };
    PriceModel model_;
    std::vector<double> times_;
    std::vector<Step> steps_;
    std::vector<double> unit_;  // u: weights of the step normals in ln S at the last fixing, normalised
    std::uint32_t market_ = 0;
};

}  // namespace tanhui::risk
