// A policy's pool on the stochastic sink in a batch (risk/simulation/sink.hpp), shared by
// sink_insurance and index_insurance with index sink_loss: the batch simulates one portfolio year
// at a time, so the pool draws its holdings' growth factors for that year from their own
// addresses (the portfolio's draw indices) and turns the year's per-holding losses into the
// pool's sink and what the sink_loss index adds to them. A pool whose covered perils defoliate
// (pests) or whose term runs several years also prepares its covered perils on its own
// holdings: the same draws as the portfolio's book (every draw is addressed by holding, year and
// peril), so it can take the defoliation of a year and regenerate the earlier years of a term.
#pragma once

#include "api/batch/policy.hpp"
#include "risk/simulation/sink.hpp"

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace tanhui::api {

// The growth factor a request runs on: the model's with its model.sink on top (DESIGN "Override
// semantics"). Throws InvalidInput ("/model/sink/cv", ...) for a value out of its domain.
risk::SinkModel effective_sink(const risk::Model& model, const risk::ModelOverrides& overrides);

struct SinkPoolYear {
    double sink_tco2e = 0;
    double forgone_tco2e = 0;  // on the lost area, and the defoliation's (the sink_loss index)
};

class SinkPool {
public:
    // The policy's holdings (setup.book, setup.holdings) with their growth-curve sequestration of
    // each of term_years policy years (simulated year y is policy year y % term_years), its
    // covered perils (any order) and an optional stress scenario; throws InvalidInput (a JSON
    // pointer) when a holding has no sequestration.
    SinkPool(const BatchPolicySetup& setup, const risk::SinkModel& model, const std::vector<std::string>& perils,
             std::size_t term_years = 1, std::optional<risk::SinkScenario> scenario = std::nullopt);
    // The pool's year from its per-holding losses (the policy's holding order and perils).
    SinkPoolYear year(std::uint64_t seed, std::uint32_t year, std::span<const double> holding_loss_tco2e) const;
    // The sinks of the term whose last year is `last_year` (sinks.size() = term_years, policy
    // year order): the earlier years regenerated on the pool's perils, the last from its losses.
    void term_sinks(std::uint64_t seed, std::uint32_t last_year, std::span<const double> holding_loss_tco2e,
                    std::span<double> sinks) const;
    // Adds to by_peril (the covered perils in registry order, then the holdings) the carbon lost in
    // the years of the term before `last_year` (empty for a one-year term).
    void add_earlier_term_losses(std::uint64_t seed, std::uint32_t last_year, std::span<double> by_peril) const;
    std::size_t term_years() const { return term_years_; }

private:
    // The carbon each holding lost in `year` to the covered perils, summed in registry order from
    // 0 as the batch's year sums them (api/batch/year.cpp): the same bits.
    void regenerate_losses(std::uint64_t seed, std::uint32_t year, std::span<double> loss_tco2e) const;
    // The carbon each holding lost in `year` to each covered peril (by peril, then holding).
    void losses_by_peril(std::uint64_t seed, std::uint32_t year, std::span<double> by_peril) const;

    std::shared_ptr<risk::Book> book_;  // the policy's holdings, the portfolio's weather, the perils when needed
    std::shared_ptr<risk::SinkSampler> sampler_;
    std::vector<double> sequestration_tco2e_;  // by policy year, then holding
    std::vector<double> stock_tco2e_;
    std::size_t term_years_ = 1;
    bool defoliates_ = false;
};

}  // namespace tanhui::api
