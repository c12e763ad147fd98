#include "api/products/sink_pool.hpp"

#include "api/products/quote_engine.hpp"

namespace tanhui::api {

SinkPool::SinkPool(const BatchPolicySetup& setup, const risk::SinkModel& model) : book_(std::make_shared<risk::Book>()) {
    if (!setup.book) throw std::logic_error("SinkPool: the batch gave no book");
    book_->weather = setup.book->weather;
    std::vector<Holding> given;
    for (const std::uint32_t h : setup.holdings) {
        book_->holdings.push_back(setup.book->holdings[h]);
        given.push_back(setup.portfolio_holdings[h]);
    }
    try {
        sequestration_tco2e_ = risk::sequestration_by_policy_year(*book_, given, setup.model, 1);
    } catch (const InvalidInput& e) {
        rethrow_under(e, "");
    }
    for (const auto& h : book_->holdings) stock_tco2e_.push_back(h.area_ha * h.stock_tco2e_per_ha);
    sampler_ = std::make_shared<risk::SinkSampler>(*book_, model);
}

SinkPoolYear SinkPool::year(std::uint64_t seed, std::uint32_t year, std::span<const double> holding_loss_tco2e) const {
    thread_local std::vector<double> f;
    f.resize(stock_tco2e_.size());
    sampler_->factors(seed, year, 1, f.data());
    SinkPoolYear out;
    for (std::size_t h = 0; h < f.size(); ++h) {
        // Seam for issue 16 (pests' defoliation): the holding-year's growth reduction goes here.
        const risk::HoldingSinkYear r = risk::holding_sink_year(f[h], sequestration_tco2e_[h], stock_tco2e_[h], holding_loss_tco2e[h]);
        out.sink_tco2e += r.sink_tco2e;
        out.forgone_tco2e += r.forgone_tco2e;
    }
    return out;
}

}  // namespace tanhui::api
