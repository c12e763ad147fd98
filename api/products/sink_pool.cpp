#include "api/products/sink_pool.hpp"

#include "api/products/quote_engine.hpp"
#include "risk/perils/registry.hpp"
#include "risk/simulation/simulate.hpp"

#include <algorithm>

namespace tanhui::api {

risk::SinkModel effective_sink(const risk::Model& model, const risk::ModelOverrides& overrides) {
    try {
        return risk::effective_sink_model(model.sink, overrides.sink);
    } catch (const InvalidInput& e) {
        rethrow_under(e, "");
    }
}

SinkPool::SinkPool(const BatchPolicySetup& setup, const risk::SinkModel& model, const std::vector<std::string>& perils,
                   std::size_t term_years, std::optional<risk::SinkScenario> scenario)
    : book_(std::make_shared<risk::Book>()), term_years_(term_years) {
    if (!setup.book) throw std::logic_error("SinkPool: the batch gave no book");
    book_->weather = setup.book->weather;
    std::vector<Holding> given;
    for (const std::uint32_t h : setup.holdings) {
        book_->holdings.push_back(setup.book->holdings[h]);
        given.push_back(setup.portfolio_holdings[h]);
    }
    try {
        sequestration_tco2e_ = risk::sequestration_by_policy_year(*book_, given, setup.model, term_years);
    } catch (const InvalidInput& e) {
        rethrow_under(e, "");
    }
    for (const auto& h : book_->holdings) stock_tco2e_.push_back(h.area_ha * h.stock_tco2e_per_ha);
    // The covered perils in registry order (the batch's book order), prepared on the pool's
    // holdings with the portfolio's overrides and weather slots.
    static const risk::ModelOverrides no_overrides;
    const risk::PerilSetup peril_setup{setup.model, setup.overrides ? *setup.overrides : no_overrides, book_->holdings,
                                       book_->weather.slots()};
    for (const risk::PerilEntry& e : risk::peril_registry())
        if (std::find(perils.begin(), perils.end(), e.name) != perils.end()) {
            book_->perils.push_back(risk::make_peril(e.name, peril_setup));
            defoliates_ = defoliates_ || book_->perils.back()->reduces_growth();
        }
    if (term_years_ == 1 && !defoliates_) book_->perils.clear();  // the batch's losses are all it needs
    sampler_ = std::make_shared<risk::SinkSampler>(*book_, model, std::move(scenario));
}

SinkPoolYear SinkPool::year(std::uint64_t seed, std::uint32_t year, std::span<const double> holding_loss_tco2e) const {
    const std::size_t n = stock_tco2e_.size();
    thread_local std::vector<double> f, defoliation, g;
    f.resize(n);
    sampler_->factors(seed, year, 1, f.data());
    defoliation.assign(n, 0.0);
    if (defoliates_) {
        g.resize(book_->weather.slots());
        const double z = book_->weather.draw(seed, year, g);
        const risk::Year y{seed, year, z, g};
        for (const auto& p : book_->perils)
            if (p->reduces_growth()) p->add_forgone_growth(y, defoliation);
    }
    const double* seq = sequestration_tco2e_.data() + (year % term_years_) * n;
    SinkPoolYear out;
    for (std::size_t h = 0; h < n; ++h) {
        const risk::HoldingSinkYear r = risk::holding_sink_year(f[h], seq[h], stock_tco2e_[h], holding_loss_tco2e[h], defoliation[h]);
        out.sink_tco2e += r.sink_tco2e;
        out.forgone_tco2e += r.forgone_tco2e;
    }
    return out;
}

void SinkPool::losses_by_peril(std::uint64_t seed, std::uint32_t year, std::span<double> by_peril) const {
    thread_local std::vector<double> g;
    g.resize(book_->weather.slots());
    const double z = book_->weather.draw(seed, year, g);
    const risk::Year y{seed, year, z, g};
    risk::EventSink events;
    const std::size_t n = stock_tco2e_.size();
    std::fill(by_peril.begin(), by_peril.end(), 0.0);
    for (std::size_t k = 0; k < book_->perils.size(); ++k) book_->perils[k]->add_year(y, {}, by_peril.subspan(k * n, n), events);
}

void SinkPool::regenerate_losses(std::uint64_t seed, std::uint32_t year, std::span<double> loss_tco2e) const {
    const std::size_t n = loss_tco2e.size();
    thread_local std::vector<double> by;
    by.resize(book_->perils.size() * n);
    losses_by_peril(seed, year, by);
    std::fill(loss_tco2e.begin(), loss_tco2e.end(), 0.0);
    for (std::size_t k = 0; k < book_->perils.size(); ++k)
        for (std::size_t h = 0; h < n; ++h) loss_tco2e[h] += by[k * n + h];
}

void SinkPool::add_earlier_term_losses(std::uint64_t seed, std::uint32_t last_year, std::span<double> by_peril) const {
    const std::size_t n = stock_tco2e_.size();
    if (by_peril.size() != book_->perils.size() * n || last_year + 1 < term_years_)
        throw std::logic_error("SinkPool::add_earlier_term_losses: not a whole term of the pool's perils");
    const auto first = static_cast<std::uint32_t>(last_year + 1 - term_years_);
    thread_local std::vector<double> one;
    one.resize(by_peril.size());
    for (std::size_t t = 0; t + 1 < term_years_; ++t) {
        losses_by_peril(seed, first + static_cast<std::uint32_t>(t), one);
        for (std::size_t i = 0; i < one.size(); ++i) by_peril[i] += one[i];
    }
}

void SinkPool::term_sinks(std::uint64_t seed, std::uint32_t last_year, std::span<const double> holding_loss_tco2e,
                          std::span<double> sinks) const {
    if (sinks.size() != term_years_ || last_year + 1 < term_years_) throw std::logic_error("SinkPool::term_sinks: not a whole term");
    const auto first = static_cast<std::uint32_t>(last_year + 1 - term_years_);
    std::vector<double> loss(stock_tco2e_.size());
    for (std::size_t t = 0; t + 1 < term_years_; ++t) {
        const auto y = first + static_cast<std::uint32_t>(t);
        regenerate_losses(seed, y, loss);
        sinks[t] = year(seed, y, loss).sink_tco2e;
    }
    sinks[term_years_ - 1] = year(seed, last_year, holding_loss_tco2e).sink_tco2e;
}

}  // namespace tanhui::api
