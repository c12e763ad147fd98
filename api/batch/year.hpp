// One simulated year of a batch portfolio. The same draws as risk::simulate on the book (the
// perils are called in book order with the same Year), but each peril's losses are kept apart,
// so that a policy covering only some of the book's perils gets exactly those. A holding's total
// is summed in peril order from 0, as risk/simulation/simulate.cpp does, so the year's total is
// the same bits as risk::simulate_year_losses on the book (tests/api/batch/batch_test.cpp checks
// it). Each price leg is simulated from the year's weather normal, as risk::simulate does for a
// book's price leg: leg 0 of a one-policy portfolio is its quote's path.
#pragma once

#include "api/batch/prepare.hpp"

#include <span>
#include <vector>

namespace tanhui::api::batch {

class PortfolioYear {
public:
    explicit PortfolioYear(const Prepared& p);

    void run(std::uint64_t seed, std::uint32_t year);

    double total_tco2e() const { return total_; }
    std::uint64_t seed() const { return seed_; }
    std::uint32_t year() const { return year_; }
    // The carbon holding h (book position) lost this year to the book's peril k, and to all of them.
    double loss_tco2e(std::size_t k, std::size_t h) const { return loss_[k * holdings_ + h]; }
    double holding_total_tco2e(std::size_t h) const { return holding_total_[h]; }
    double max_event_tco2e() const { return max_event_; }
    double max_event_exposure_tco2e() const;
    // Carbon lost by the policy's holdings to its perils, summed in its holding order.
    double pool_loss_tco2e(const PolicyModel& m) const;
    // The policy's payout this year: its product's payout on its pool loss and leg fixings.
    double payout_cny(const PolicyModel& m, double pool_loss_tco2e) const;
    double payout_cny(const PolicyModel& m) const { return payout_cny(m, pool_loss_tco2e(m)); }

private:
    const Prepared& p_;
    std::size_t holdings_;
    std::vector<double> loss_;  // by peril, then holding
    std::vector<double> holding_total_;
    std::vector<double> weather_;
    std::vector<double> fixings_;            // all legs' fixings, leg after leg
    std::vector<std::size_t> fixing_offset_;  // of each leg in fixings_
    std::vector<risk::Event> events_;
    risk::EventSink sink_;
    double total_ = 0;
    double max_event_ = 0;
    std::uint32_t max_event_holding_ = none;
    std::uint64_t seed_ = 0;
    std::uint32_t year_ = 0;
    mutable std::vector<double> policy_loss_;  // a policy's losses by holding (needs_holding_losses)
};

}  // namespace tanhui::api::batch
