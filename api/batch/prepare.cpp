#include "api/batch/prepare.hpp"

#include "api/batch/split.hpp"

#include "api/batch/ord_csv.hpp"
#include "api/json/problem.hpp"
#include "api/products/quote_engine.hpp"
#include "api/products/registry.hpp"
#include "pricing/price_insurance.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>

namespace tanhui::api::batch {

namespace {

std::vector<std::string> union_of_perils(const Portfolio& portfolio) {
    std::set<std::string> wanted;
    for (const auto& policy : portfolio.policies)
        for (const auto& name : policy.request.product->facts(policy.request.cover).perils) wanted.insert(name);
    std::vector<std::string> perils;
    for (const auto& entry : risk::peril_registry())
        if (wanted.count(std::string(entry.name))) perils.emplace_back(entry.name);
    return perils;
}

risk::Book book_of(const Portfolio& portfolio, const risk::Model& model, const std::vector<std::string>& perils) {
    risk::BookOptions options;
    options.perils = perils;
    options.overrides = to_risk_overrides(portfolio.model);
    try {
        return risk::prepare_book(model, portfolio.holdings, options);
    } catch (const InvalidInput& e) {
        std::string where = portfolio.source + ": ";
        const std::string& f = e.field();
        if (f.rfind("holdings/", 0) == 0) {
            const std::size_t i = std::strtoul(f.c_str() + 9, nullptr, 10);
            if (i < portfolio.holdings.size()) where += "holding \"" + portfolio.holdings[i].id + "\": ";
        }
        throw PortfolioError({where + e.what()}, 1);
    }
}

// A leg is identified by its market, fixing times and every parameter of its price model.
std::string leg_key(const PriceLegSpec& leg) {
    const risk::PriceModel& m = leg.model;
    std::string key = m.market + (m.process == risk::PriceProcess::ou ? "|ou" : "|gbm");
    for (double v : {m.spot, m.drift, m.volatility, m.mean_reversion, m.long_run_log_price, m.jump_intensity, m.jump_mean,
                     m.jump_std, m.risk_free_rate, m.risk_neutral_volatility, m.dividend_yield, m.correlation_with_weather,
                     m.tail_dof, m.noise_sd})
        key += '|' + format_number(v);
    key += "|t";
    for (double t : leg.fixing_times_years) key += '|' + format_number(t);
    return key;
}

PolicyModel policy_model(const BatchPolicy& policy, const Prepared& p, const risk::Model& model, std::uint32_t years,
                         std::uint64_t seed, std::span<const Holding> holdings, const risk::ModelOverrides& overrides) {
    const QuoteRequest& q = policy.request;
    PolicyModel m;
    m.holdings = policy.holdings;
    for (const auto& name : q.product->facts(q.cover).perils)
        m.perils.push_back(static_cast<std::uint32_t>(std::find(p.perils.begin(), p.perils.end(), name) - p.perils.begin()));
    std::sort(m.perils.begin(), m.perils.end());
    m.all_perils = m.perils.size() == p.perils.size();
    double stock_tco2e = 0;
    for (std::uint32_t h : m.holdings) stock_tco2e += p.holding_stock_tco2e[h];
    m.plan = q.product->plan_batch(q, BatchPolicySetup{model, stock_tco2e, years, seed, &p.book, m.holdings, holdings, &overrides});
    m.premium = q.premium;
    try {
        pricing::validate(m.premium);
    } catch (const InvalidInput& e) {
        rethrow_under(e, "/premium");
    }
    return m;
}

// A leg whose prices overflow a double (extreme jumps or volatility) would pay nothing without a
// word: its first years (at most 10,000) are simulated now, and each policy on it is named.
void check_legs(const Prepared& p, const Portfolio& portfolio, std::uint32_t years, std::uint64_t seed,
                std::vector<std::string>& problems) {
    for (std::size_t k = 0; k < p.legs.size(); ++k) {
        double worst = 0;
        std::vector<double> fixings(p.legs[k].fixings());
        for (std::uint32_t y = 0; y < std::min<std::uint32_t>(years, 10'000) && std::isfinite(worst); ++y) {
            p.legs[k].simulate(seed, y, 0, fixings);
            for (double f : fixings)
                if (!std::isfinite(f)) worst = f;
        }
        const auto problem = pricing::overflow_problem(worst, p.legs[k].model());
        if (!problem) continue;
        for (std::size_t i = 0; i < p.policies.size(); ++i)
            if (p.policies[i].leg == k) {
                const BatchPolicy& policy = portfolio.policies[i];
                problems.push_back(policy_problem(policy, policy.request.model.price ? "/model/price" : "/cover/market", *problem));
            }
    }
}

}  // namespace

Prepared prepare(const Portfolio& portfolio, const risk::Model& model, std::uint32_t years, std::uint64_t seed) {
    Prepared p;
    p.perils = union_of_perils(portfolio);
    p.book = book_of(portfolio, model, p.perils);
    for (const auto& h : p.book.holdings) p.holding_stock_tco2e.push_back(h.area_ha * h.stock_tco2e_per_ha);
    for (const auto& h : portfolio.holdings) p.holding_region.push_back(h.region);

    std::vector<std::string> problems;
    std::set<double> rps;
    std::map<std::string, std::uint32_t> legs;
    for (const auto& policy : portfolio.policies) {
        for (double t : policy.request.return_periods) rps.insert(t);  // beyond the years: flagged in the results
        try {
            PolicyModel m = policy_model(policy, p, model, years, seed, portfolio.holdings, to_risk_overrides(portfolio.model));
            if (m.plan.leg) {
                const std::string key = leg_key(*m.plan.leg);
                auto it = legs.find(key);
                if (it == legs.end()) {
                    const auto k = static_cast<std::uint32_t>(p.legs.size());
                    p.legs.emplace_back(m.plan.leg->model, m.plan.leg->fixing_times_years, k);
                    it = legs.emplace(key, k).first;
                }
                m.leg = it->second;
            }
            p.policies.push_back(std::move(m));
        } catch (const InvalidInput& e) {
            problems.push_back(policy_problem(policy, field_to_pointer(e.field()), message_of(e)));
            p.policies.emplace_back();
        }
    }
    if (problems.empty()) check_legs(p, portfolio, years, seed, problems);
    if (!problems.empty()) {
        const std::size_t total = problems.size();
        if (problems.size() > 20) problems.resize(20);
        throw PortfolioError(std::move(problems), total);
    }
    p.return_periods.assign(rps.begin(), rps.end());
    p.split = split_layout(p);
    return p;
}

}  // namespace tanhui::api::batch
