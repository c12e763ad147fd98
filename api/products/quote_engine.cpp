#include "api/products/quote_engine.hpp"

#include "pricing/asian_put.hpp"
#include "pricing/index_insurance.hpp"
#include "pricing/premium.hpp"
#include "risk/model/growth.hpp"
#include "risk/metrics/metrics.hpp"
#include "risk/simulation/simulate.hpp"
#include "risk/random/special.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>

namespace tanhui::api {

risk::ModelOverrides to_risk_overrides(const ModelOverrides& m) {
    risk::ModelOverrides o;
    if (m.fire) {
        o.fire.frequency = risk::PoissonFrequency{m.fire->rate_per_year};
        risk::BurnedAreaModel b;
        b.mu = m.fire->mu;
        b.sigma = m.fire->sigma;
        o.fire.burned_area_ha = b;
        o.fire.loss_fraction = m.fire->loss_fraction;
    }
    if (m.pest) {
        o.pest.probability_per_year = m.pest->probability_per_year;
        o.pest.affected_fraction = risk::BetaDistribution{m.pest->a, m.pest->b};
        o.pest.mortality = m.pest->mortality;
    }
    o.carbon.stock_tco2e_per_ha = m.stock_tco2e_per_ha;
    return o;
}

pricing::PremiumTerms to_premium_terms(const PremiumTerms& p) {
    pricing::PremiumTerms t;
    t.principle = *pricing::parse_principle(p.principle);
    t.parameter = p.parameter;
    t.tvar_level = p.alpha;
    t.expense_ratio = p.expense_ratio;
    t.commission = p.commission;
    t.profit_margin = p.profit_margin;
    t.subsidy_share = p.subsidy_share;
    return t;
}

namespace {

// The calibrated price model of a market with the request's overrides on top.
risk::PriceModel price_model(const QuoteRequest& q, const std::string& market, const risk::Model& model) {
    risk::PriceModel pm;
    const auto it = model.prices.find(market);
    if (it != model.prices.end()) pm = it->second;
    else if (!q.model.price || !q.model.price->spot || !q.model.price->volatility) {
        std::string known;
        for (const auto& [m, p] : model.prices) known += (known.empty() ? "" : ", ") + m;
        throw InvalidInput("/cover/market", "no calibrated price model for market \"" + market + "\" (calibrated: " +
                                                known + "); or give model.price.spot and model.price.volatility");
    }
    pm.market = market;
    if (const auto& o = q.model.price) {
        if (o->process == "ou") pm.process = risk::PriceProcess::ou;
        else if (q.model.price) pm.process = o->process == "gbm" ? risk::PriceProcess::gbm : pm.process;
        if (o->spot) pm.spot = *o->spot;
        if (o->drift) pm.drift = *o->drift;
        if (o->volatility) pm.volatility = *o->volatility;
        if (o->risk_free_rate) pm.risk_free_rate = *o->risk_free_rate;
        if (o->dividend_yield) pm.dividend_yield = *o->dividend_yield;
        if (o->mean_reversion) pm.mean_reversion = *o->mean_reversion;
        if (o->long_run_price) pm.long_run_log_price = std::log(*o->long_run_price);
        if (o->jump_intensity) pm.jump_intensity = *o->jump_intensity;
        if (o->jump_mean) pm.jump_mean = *o->jump_mean;
        if (o->jump_std) pm.jump_std = *o->jump_std;
    }
    risk::validate(pm, "/model/price");
    return pm;
}

std::vector<pricing::Date> fixing_dates(const FixingsRequest& f, const PolicyTerms& policy, const std::string& at) {
    const pricing::Date start = pricing::parse_date(policy.start, "/policy/start");
    if (f.kind == "dates") {
        std::vector<pricing::Date> dates;
        for (std::size_t i = 0; i < f.dates.size(); ++i) {
            dates.push_back(pricing::parse_date(f.dates[i], at + "/" + std::to_string(i)));
            if (dates.back() < start) throw InvalidInput(at + "/" + std::to_string(i), "fixing date is before the policy start");
        }
        return dates;
    }
    return pricing::fixing_schedule(start, policy.term_months, *pricing::parse_fixing_frequency(f.kind));
}

std::vector<double> fixing_times(const std::vector<pricing::Date>& dates, const PolicyTerms& policy) {
    const pricing::Date start = pricing::parse_date(policy.start, "/policy/start");
    std::vector<double> t;
    for (const auto& d : dates) t.push_back(pricing::year_fraction(start, d));
    return t;
}

double average(std::span<const double> x) {
    double s = 0;
    for (double v : x) s += v;
    return x.empty() ? 0 : s / static_cast<double>(x.size());
}

risk::Simulation simulation_of(const QuoteRequest& q, const QuoteContext& c) {
    risk::Simulation sim;
    sim.years = static_cast<std::uint32_t>(q.simulation.years);
    sim.seed = q.simulation.seed;
    sim.threads = q.simulation.threads > 0 ? static_cast<unsigned>(q.simulation.threads) : c.default_threads;
    return sim;
}

void require_annual_term(const QuoteRequest& q) {
    if (q.policy.term_months != 12)
        throw InvalidInput("/policy/term_months", "the loss model is annual: " + q.product +
                                                      " needs a 12-month term, got " + std::to_string(q.policy.term_months));
}

// Fields shared by every product's response.
nlohmann::json respond(const QuoteRequest& q, const QuoteContext& c, const pricing::PremiumQuote& pq) {
    nlohmann::json r;
    r["product"] = q.product;
    r["policy_id"] = q.policy.id;
    r["currency"] = "CNY";
    r["sum_insured_cny"] = pq.sum_insured_cny;
    r["pure_premium_cny"] = pq.pure_premium_cny;
    r["pure_premium_se_cny"] = pq.pure_premium_se_cny;
    r["risk_load_cny"] = pq.risk_load_cny;
    r["risk_load_se_cny"] = pq.risk_load_se_cny;
    r["gross_premium_cny"] = pq.gross_premium_cny;
    r["subsidy_cny"] = pq.subsidy_cny;
    r["insured_pays_cny"] = pq.insured_pays_cny;
    r["rate_on_sum_insured"] = pq.rate_on_sum_insured;
    r["probability_of_payout"] = pq.probability_of_payout;
    r["probability_of_payout_se"] = pq.probability_of_payout_se;
    r["payout_std_dev_cny"] = pq.std_dev_cny;
    nlohmann::json rp = nlohmann::json::object();
    for (const auto& p : pq.payout_at_return_period_cny) {
        std::ostringstream key;
        key << p.return_period_years;
        rp[key.str()] = p.payout_cny;
    }
    r["payout_at_return_period_cny"] = rp;
    r["premium_principle"] = q.premium.principle;
    r["premium_parameter"] = q.premium.parameter;
    r["model_version"] = c.model_version;
    r["seed"] = q.simulation.seed;
    r["years"] = q.simulation.years;
    return r;
}

std::vector<double> return_periods_within(const QuoteRequest& q) {
    std::vector<double> rps;
    for (double t : q.return_periods)
        if (t <= static_cast<double>(q.simulation.years)) rps.push_back(t);
    return rps;
}

nlohmann::json index_quote(const QuoteRequest& q, const QuoteContext& c) {
    require_annual_term(q);
    const IndexCoverRequest& cover = *q.index_cover;
    risk::BookOptions options;
    options.perils = cover.perils;
    options.overrides = to_risk_overrides(q.model);
    const risk::Book book = risk::prepare_book(*c.model, q.holdings, options);
    double stock_tco2e = 0;
    for (const auto& h : book.holdings) stock_tco2e += h.area_ha * h.stock_tco2e_per_ha;
    if (!(stock_tco2e > 0)) throw InvalidInput("/holdings", "the insured pool holds no carbon (stock 0 tCO2e)");

    const risk::Simulation sim = simulation_of(q, c);
    const risk::YearLosses losses = risk::simulate_year_losses(book, sim);

    std::vector<double> payouts;
    double sum_insured = 0;
    if (cover.form == "per_tonne") {
        pricing::PerTonneCover pc;
        pc.price_cny_per_tco2e = cover.price_cny_per_tco2e;
        pc.deductible_tco2e = cover.deductible_tco2e;
        sum_insured = cover.sum_insured_cny.value_or(pricing::sum_insured_cny(pc, stock_tco2e));
        pc.limit_cny = cover.limit_cny.value_or(sum_insured);
        payouts = pricing::payouts_cny(pc, losses.total_tco2e);
    } else {
        pricing::LinearCover lc;
        lc.sum_insured_cny = *cover.sum_insured_cny;
        lc.trigger = cover.trigger;
        lc.exit = cover.exit;
        sum_insured = lc.sum_insured_cny;
        payouts = pricing::payouts_cny(lc, losses.total_tco2e, stock_tco2e);
    }
    const auto rps = return_periods_within(q);
    const auto pq = pricing::quote_premium(payouts, sum_insured, to_premium_terms(q.premium), rps);
    nlohmann::json r = respond(q, c, pq);
    const risk::Estimate el = risk::average_annual_loss_with_error(losses.total_tco2e);
    r["expected_loss_tco2e"] = el.value;
    r["expected_loss_se_tco2e"] = el.standard_error;
    r["carbon_stock_tco2e"] = stock_tco2e;
    r["perils"] = cover.perils;
    r["form"] = cover.form;
    return r;
}

// A = mean of S(t_i) under risk-neutral GBM: E[A] and E[A^2] in closed form
// (E[S_i S_j] = S0^2 e^{mu (t_i + t_j) + sigma^2 min(t_i, t_j)}, mu = r - q), A taken as lognormal.
nlohmann::json closed_form_price_quote(const QuoteRequest& q, const QuoteContext& c, const pricing::AsianPrice& rn,
                                       const risk::PriceModel& pm, const std::vector<double>& times, double quantity,
                                       double strike, double sum_insured) {
    const double mu = pm.risk_free_rate - pm.dividend_yield, sigma = pm.volatility, s0 = pm.spot;
    const double n = static_cast<double>(times.size());
    double m1 = 0, m2 = 0;
    for (std::size_t i = 0; i < times.size(); ++i) {
        m1 += s0 * std::exp(mu * times[i]);
        for (std::size_t j = 0; j < times.size(); ++j)
            m2 += s0 * s0 * std::exp(mu * (times[i] + times[j]) + sigma * sigma * std::min(times[i], times[j]));
    }
    m1 /= n;
    m2 /= n * n;
    const double s2 = std::log(m2 / (m1 * m1)), s = std::sqrt(std::max(s2, 0.0)), m = std::log(m1) - s2 / 2;
    const auto terms = to_premium_terms(q.premium);
    const double pure = rn.value * quantity;
    const double load = terms.parameter * pure;
    const auto g = pricing::gross_premium(pure, load, terms);
    nlohmann::json r;
    r["product"] = q.product;
    r["policy_id"] = q.policy.id;
    r["currency"] = "CNY";
    r["sum_insured_cny"] = sum_insured;
    r["pure_premium_cny"] = pure;
    r["pure_premium_se_cny"] = 0.0;
    r["risk_load_cny"] = load;
    r["risk_load_se_cny"] = 0.0;
    r["gross_premium_cny"] = g.gross_premium_cny;
    r["subsidy_cny"] = g.subsidy_cny;
    r["insured_pays_cny"] = g.insured_pays_cny;
    r["rate_on_sum_insured"] = sum_insured > 0 ? g.gross_premium_cny / sum_insured : 0.0;
    r["probability_of_payout"] = s > 0 ? risk::normal_cdf((std::log(strike) - m) / s) : (m1 < strike ? 1.0 : 0.0);
    r["probability_of_payout_se"] = 0.0;
    nlohmann::json rp = nlohmann::json::object();
    for (double t : q.return_periods) {
        std::ostringstream key;
        key << t;
        const double a = std::exp(m + s * risk::normal_quantile(1 / t));  // the average exceeded with probability 1 - 1/T
        rp[key.str()] = rn.discount_factor * quantity * std::max(0.0, strike - a);
    }
    r["payout_at_return_period_cny"] = rp;
    r["premium_principle"] = q.premium.principle;
    r["premium_parameter"] = q.premium.parameter;
    r["model_version"] = c.model_version;
    r["seed"] = q.simulation.seed;
    r["years"] = 0;
    r["distribution"] = "lognormal average (Turnbull-Wakeman moments), no simulation";
    r["expected_loss_tco2e"] = 0.0;
    r["method"] = "risk_neutral";
    r["market"] = q.price_cover->market;
    r["spot_cny_per_tco2e"] = pm.spot;
    r["volatility"] = sigma;
    r["engine"] = q.price_cover->engine;
    r["option_value_per_tco2e"] = rn.value;
    r["option_value_se_per_tco2e"] = rn.standard_error;
    r["discount_factor"] = rn.discount_factor;
    r["expected_average_price"] = rn.expected_average;
    return r;
}

nlohmann::json price_quote(const QuoteRequest& q, const QuoteContext& c) {
    const PriceCoverRequest& cover = *q.price_cover;
    risk::PriceModel pm = price_model(q, cover.market, *c.model);
    const auto dates = fixing_dates(cover.fixings, q.policy, "/cover/fixings");
    const auto times = fixing_times(dates, q.policy);
    const double quantity = cover.quantity_tco2e;
    const double strike = cover.target_price_cny;
    const double sum_insured = quantity * strike;
    const auto rps = return_periods_within(q);
    const risk::Simulation sim = simulation_of(q, c);

    nlohmann::json extra;
    std::vector<double> payouts(sim.years);
    std::optional<pricing::AsianPrice> rn;
    double discount = 1;
    if (cover.method == "risk_neutral") {
        pricing::BlackScholesMarket market;
        market.valuation_date = pricing::parse_date(q.policy.start, "/policy/start");
        market.spot = pm.spot;
        // The total volatility of log returns (GBM fit) unless the request gives one.
        const bool vol_given = q.model.price && q.model.price->volatility;
        market.volatility = !vol_given && pm.risk_neutral_volatility > 0 ? pm.risk_neutral_volatility : pm.volatility;
        market.risk_free_rate = pm.risk_free_rate;
        market.dividend_yield = pm.dividend_yield;
        pricing::AsianOption option;
        option.strike = strike;
        option.fixing_dates = dates;
        pricing::MonteCarloSettings mc;
        mc.paths = std::min<std::uint64_t>(static_cast<std::uint64_t>(q.simulation.years), 1'000'000);
        mc.seed = q.simulation.seed == 0 ? 1 : q.simulation.seed;
        rn = pricing::price_asian(option, market, cover.engine, mc);
        discount = rn->discount_factor;
        // The distribution of the discounted payout under the same risk-neutral GBM gives the
        // load, the payout probability and the return-period payouts.
        risk::PriceModel q_measure = pm;
        q_measure.process = risk::PriceProcess::gbm;
        q_measure.drift = pm.risk_free_rate - pm.dividend_yield;
        q_measure.volatility = market.volatility;
        q_measure.jump_intensity = 0;
        q_measure.correlation_with_fire_weather = 0;
        pm = q_measure;
        extra["engine"] = cover.engine;
        extra["option_value_per_tco2e"] = rn->value;
        extra["option_value_se_per_tco2e"] = rn->standard_error;
        extra["discount_factor"] = rn->discount_factor;
        extra["expected_average_price"] = rn->expected_average;
    }
    if (rn && q.premium.principle == "expected_value" && cover.engine != "monte_carlo") {
        // Closed form throughout: the load needs no distribution, and the payout's distribution
        // is that of Turnbull-Wakeman's lognormal average (its first two risk-neutral moments).
        nlohmann::json r = closed_form_price_quote(q, c, *rn, pm, times, quantity, strike, sum_insured);
        r["fixings"] = nlohmann::json::array();
        for (const auto& d : dates) r["fixings"].push_back(pricing::format_date(d));
        return r;
    }
    const risk::PricePath path(pm, times, 0);
    std::vector<double> averages(sim.years);
    // Each year is independent and addressed: a plain loop gives the same bits as any split.
    for (std::uint32_t y = 0; y < sim.years; ++y) {
        const auto fixings = path.simulate(sim.seed, y);
        averages[y] = average(fixings);
        payouts[y] = discount * quantity * std::max(0.0, strike - averages[y]);
    }
    auto pq = pricing::quote_premium(payouts, sum_insured, to_premium_terms(q.premium), rps);
    if (rn) {
        // The pure premium is the engine's price; the load keeps the principle on the simulated table.
        const double pure = rn->value * quantity;
        const auto g = pricing::gross_premium(pure, pq.risk_load_cny, to_premium_terms(q.premium));
        pq.pure_premium_cny = pure;
        pq.pure_premium_se_cny = rn->standard_error * quantity;
        pq.gross_premium_cny = g.gross_premium_cny;
        pq.subsidy_cny = g.subsidy_cny;
        pq.insured_pays_cny = g.insured_pays_cny;
        pq.rate_on_sum_insured = sum_insured > 0 ? g.gross_premium_cny / sum_insured : 0;
    }
    nlohmann::json r = respond(q, c, pq);
    r["expected_loss_tco2e"] = 0.0;
    r["method"] = cover.method;
    r["market"] = cover.market;
    r["spot_cny_per_tco2e"] = pm.spot;
    r["volatility"] = pm.volatility;
    r["fixings"] = nlohmann::json::array();
    for (const auto& d : dates) r["fixings"].push_back(pricing::format_date(d));
    r["mean_simulated_average_price"] = average(averages);
    for (auto& [k, v] : extra.items()) r[k] = v;
    return r;
}

nlohmann::json revenue_quote(const QuoteRequest& q, const QuoteContext& c) {
    require_annual_term(q);
    const RevenueCoverRequest& cover = *q.revenue_cover;
    const risk::PriceModel pm = price_model(q, cover.market, *c.model);
    const auto dates = fixing_dates(cover.fixings, q.policy, "/cover/fixings");
    risk::BookOptions options;
    options.perils = cover.perils;
    options.overrides = to_risk_overrides(q.model);
    options.price = risk::PriceLeg{pm, fixing_times(dates, q.policy), 0};
    const risk::Book book = risk::prepare_book(*c.model, q.holdings, options);
    const risk::Simulation sim = simulation_of(q, c);
    const double quantity = cover.quantity_tco2e;
    const double guarantee = cover.guaranteed_revenue_cny;
    std::vector<double> payouts(sim.years), lost(sim.years), averages(sim.years);
    risk::simulate(book, sim, [&](const risk::YearResult& y) {
        const std::size_t i = y.year - sim.first_year;
        const double a = average(y.price_fixings);
        const double delivered = std::max(0.0, quantity - y.total_tco2e);
        payouts[i] = std::max(0.0, guarantee - delivered * a);
        lost[i] = y.total_tco2e;
        averages[i] = a;
    });
    const auto pq = pricing::quote_premium(payouts, guarantee, to_premium_terms(q.premium), return_periods_within(q));
    nlohmann::json r = respond(q, c, pq);
    r["expected_loss_tco2e"] = risk::average_annual_loss(lost);
    r["market"] = cover.market;
    r["perils"] = cover.perils;
    r["mean_simulated_average_price"] = average(averages);
    r["fixings"] = nlohmann::json::array();
    for (const auto& d : dates) r["fixings"].push_back(pricing::format_date(d));
    return r;
}

}  // namespace

nlohmann::json compute_quote(const QuoteRequest& request, const QuoteContext& context) {
    if (!context.model) throw std::logic_error("compute_quote: no model");
    if (request.product == "index_insurance") return index_quote(request, context);
    if (request.product == "price_insurance") return price_quote(request, context);
    if (request.product == "revenue_insurance") return revenue_quote(request, context);
    throw InvalidInput("/product", "unknown product \"" + request.product + "\"");
}

}  // namespace tanhui::api
