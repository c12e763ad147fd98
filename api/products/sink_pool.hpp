// A policy's pool on the stochastic sink in a batch (risk/simulation/sink.hpp), shared by
// sink_insurance and index_insurance with index sink_loss: the batch simulates one portfolio year
// at a time, so the pool draws its holdings' growth factors for that year from their own
// addresses (the portfolio's draw indices) and turns the year's per-holding losses into the
// pool's sink and the sequestration forgone on the lost area.
#pragma once

#include "api/batch/policy.hpp"
#include "risk/simulation/sink.hpp"

#include <memory>
#include <span>
#include <vector>

namespace tanhui::api {

struct SinkPoolYear {
    double sink_tco2e = 0;
    double forgone_tco2e = 0;
};

class SinkPool {
public:
    // The policy's holdings (setup.book, setup.holdings) with their growth-curve sequestration of
    // a 12-month term; throws InvalidInput (a JSON pointer) when a holding has none.
    SinkPool(const BatchPolicySetup& setup, const risk::SinkModel& model);
    // The pool's year from its per-holding losses (the policy's holding order and perils).
    SinkPoolYear year(std::uint64_t seed, std::uint32_t year, std::span<const double> holding_loss_tco2e) const;

private:
    std::shared_ptr<risk::Book> book_;
    std::shared_ptr<risk::SinkSampler> sampler_;
    std::vector<double> sequestration_tco2e_;
    std::vector<double> stock_tco2e_;
};

}  // namespace tanhui::api
