#include "api/batch/year.hpp"

#include <algorithm>

namespace tanhui::api::batch {

PortfolioYear::PortfolioYear(const Prepared& p)
    : p_(p),
      holdings_(p.book.holdings.size()),
      loss_(p.book.perils.size() * holdings_),
      holding_total_(holdings_),
      weather_(p.book.weather.slots()),
      sink_(&events_) {
    std::size_t n = 0;
    for (const auto& leg : p.legs) {
        fixing_offset_.push_back(n);
        n += leg.fixings();
    }
    fixings_.assign(n, 0.0);
}

void PortfolioYear::run(std::uint64_t seed, std::uint32_t year) {
    seed_ = seed;
    year_ = year;
    sink_.reset();
    const double z = p_.book.weather.draw(seed, year, weather_);
    const risk::Year y{seed, year, z, weather_};
    for (std::size_t k = 0; k < p_.book.perils.size(); ++k) {
        const std::span<double> l(loss_.data() + k * holdings_, holdings_);
        std::fill(l.begin(), l.end(), 0.0);
        p_.book.perils[k]->add_year(y, {}, l, sink_);
    }
    total_ = 0;
    for (std::size_t h = 0; h < holdings_; ++h) {
        double t = 0;
        for (std::size_t k = 0; k < p_.book.perils.size(); ++k) t += loss_[k * holdings_ + h];
        holding_total_[h] = t;
        total_ += t;
    }
    // The largest event's exposure: the stock of the holdings it hit (a freeze footprint or a
    // storm on several holdings is one event), the first such event's when several tie.
    max_event_ = sink_.max_event_tco2e();
    max_event_exposure_ = 0;
    for (const auto& e : events_)
        if (e.loss_tco2e == max_event_) {
            max_event_exposure_ = e.exposure_tco2e;
            break;
        }
    for (std::size_t k = 0; k < p_.legs.size(); ++k)
        p_.legs[k].simulate(seed, year, z, std::span<double>(fixings_.data() + fixing_offset_[k], p_.legs[k].fixings()));
}

double PortfolioYear::pool_loss_tco2e(const PolicyModel& m) const {
    double s = 0;
    if (m.all_perils) {
        for (std::uint32_t h : m.holdings) s += holding_total_[h];
        return s;
    }
    for (std::uint32_t h : m.holdings) {
        double t = 0;
        for (std::uint32_t k : m.perils) t += loss_[k * holdings_ + h];
        s += t;
    }
    return s;
}

double PortfolioYear::payout_cny(const PolicyModel& m, double pool_loss_tco2e) const {
    PolicyYear y;
    y.pool_loss_tco2e = pool_loss_tco2e;
    if (m.plan.needs_holding_losses) {
        policy_loss_.assign(m.holdings.size(), 0.0);
        for (std::size_t i = 0; i < m.holdings.size(); ++i) {
            const std::uint32_t h = m.holdings[i];
            if (m.all_perils) {
                policy_loss_[i] = holding_total_[h];
                continue;
            }
            double t = 0;
            for (std::uint32_t k : m.perils) t += loss_[k * holdings_ + h];
            policy_loss_[i] = t;
        }
        y.year = year_;
        y.seed = seed_;
        y.holding_loss_tco2e = policy_loss_;
    }
    if (m.leg != none) y.fixings = std::span<const double>(fixings_.data() + fixing_offset_[m.leg], p_.legs[m.leg].fixings());
    return m.plan.payout_cny(y);
}

}  // namespace tanhui::api::batch
