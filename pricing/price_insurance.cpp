#include "pricing/price_insurance.hpp"

#include "pricing/checks.hpp"
#include "risk/random/special.hpp"

#include <algorithm>
#include <cmath>

namespace tanhui::pricing {

std::optional<PriceMethod> parse_price_method(std::string_view name) {
    if (name == "risk_neutral") return PriceMethod::risk_neutral;
    if (name == "actuarial") return PriceMethod::actuarial;
    return std::nullopt;
}

std::string_view to_string(PriceMethod method) {
    return method == PriceMethod::actuarial ? "actuarial" : "risk_neutral";
}

std::string_view to_string(FixingFrequency frequency) {
    switch (frequency) {
    case FixingFrequency::quarterly: return "quarterly";
    case FixingFrequency::at_expiry: return "at_expiry";
    case FixingFrequency::monthly: break;
    }
    return "monthly";
}

std::vector<Date> fixing_dates(const Fixings& fixings, Date start, int term_months) {
    if (fixings.dates.empty()) return fixing_schedule(start, term_months, fixings.frequency);
    for (std::size_t i = 0; i < fixings.dates.size(); ++i)
        if (fixings.dates[i] < start) checks::fail(checks::indexed("fixings", i), "fixing date is before the policy start");
    return fixings.dates;
}

std::vector<double> fixing_times_years(Date start, std::span<const Date> dates) {
    std::vector<double> t;
    t.reserve(dates.size());
    for (const Date d : dates) t.push_back(year_fraction(start, d));
    return t;
}

double average_price(std::span<const double> fixings) {
    double s = 0;
    for (const double v : fixings) s += v;
    return fixings.empty() ? 0 : s / static_cast<double>(fixings.size());
}

void validate(const PriceInsuranceTerms& terms) {
    checks::positive(terms.quantity_tco2e, "quantity_tco2e");
    checks::positive(terms.target_price_cny, "target_price_cny");
    if (terms.engine && terms.method != PriceMethod::risk_neutral)
        checks::fail("engine", "applies to method \"risk_neutral\" only");
}

const AsianEngineEntry& engine_of(const PriceInsuranceTerms& terms) {
    return terms.engine ? *terms.engine : *find_asian_engine("turnbull_wakeman");
}

double sum_insured_cny(const PriceInsuranceTerms& terms) { return terms.quantity_tco2e * terms.target_price_cny; }

double payout_cny(const PriceInsuranceTerms& terms, double average_price_cny, double discount_factor) {
    return discount_factor * terms.quantity_tco2e * std::max(0.0, terms.target_price_cny - average_price_cny);
}

std::optional<std::string> overflow_problem(double value, const risk::PriceModel& m) {
    if (std::isfinite(value)) return std::nullopt;
    std::string s = "the price process overflows (a price or premium computed from it is " + checks::number(value) +
                    "): spot " + checks::number(m.spot) + ", drift " + checks::number(m.drift) + ", volatility " +
                    checks::number(m.volatility) + ", jump_intensity " + checks::number(m.jump_intensity) + ", jump_mean " +
                    checks::number(m.jump_mean) + ", jump_std " + checks::number(m.jump_std);
    if (m.process == risk::PriceProcess::ou) s += ", mean_reversion " + checks::number(m.mean_reversion);
    return s + "; lower the jumps or the volatility";
}

BlackScholesMarket risk_neutral_market(const risk::PriceModel& model, Date valuation_date, bool volatility_given) {
    BlackScholesMarket market;
    market.valuation_date = valuation_date;
    market.spot = model.spot;
    market.volatility = !volatility_given && model.risk_neutral_volatility > 0 ? model.risk_neutral_volatility : model.volatility;
    market.risk_free_rate = model.risk_free_rate;
    market.dividend_yield = model.dividend_yield;
    return market;
}

risk::PriceModel risk_neutral_model(const risk::PriceModel& physical, const BlackScholesMarket& market) {
    risk::PriceModel q = physical;
    q.process = risk::PriceProcess::gbm;
    q.drift = physical.risk_free_rate - physical.dividend_yield;
    q.volatility = market.volatility;
    q.jump_intensity = 0;
    q.tail_dof = 0;
    q.noise_sd = 0;
    q.correlation_with_weather = 0;
    return q;
}

AsianPrice price_risk_neutral(const PriceInsuranceTerms& terms, std::span<const Date> dates,
                              const BlackScholesMarket& market, std::uint64_t years, std::uint64_t seed,
                              risk::CancelFlag cancel) {
    AsianOption option;
    option.strike = terms.target_price_cny;
    option.fixing_dates.assign(dates.begin(), dates.end());
    MonteCarloSettings mc;
    mc.paths = std::min<std::uint64_t>(years, 1'000'000);
    mc.seed = seed == 0 ? 1 : seed;
    mc.cancel = cancel;
    return price_asian(option, market, engine_of(terms).name, mc);
}

LognormalAverage lognormal_average(double spot, double growth_rate, double volatility, std::span<const double> times) {
    const double mu = growth_rate, sigma = volatility, s0 = spot;
    const double n = static_cast<double>(times.size());
    double m1 = 0, m2 = 0;
    for (std::size_t i = 0; i < times.size(); ++i) {
        m1 += s0 * std::exp(mu * times[i]);
        for (std::size_t j = 0; j < times.size(); ++j)
            m2 += s0 * s0 * std::exp(mu * (times[i] + times[j]) + sigma * sigma * std::min(times[i], times[j]));
    }
    m1 /= n;
    m2 /= n * n;
    const double s2 = std::log(m2 / (m1 * m1));
    return {.mean = m1, .second_moment = m2, .log_mean = std::log(m1) - s2 / 2, .log_sd = std::sqrt(std::max(s2, 0.0))};
}

double probability_below(const LognormalAverage& a, double level) {
    if (a.log_sd > 0) return risk::normal_cdf((std::log(level) - a.log_mean) / a.log_sd);
    return a.mean < level ? 1.0 : 0.0;
}

double average_quantile(const LognormalAverage& a, double p) {
    return std::exp(a.log_mean + a.log_sd * risk::normal_quantile(p));
}

bool closed_form_applies(const PremiumTerms& premium, const AsianEngineEntry& engine) {
    return premium.principle == Principle::expected_value && engine.closed_form;
}

PremiumQuote closed_form_quote(const PriceInsuranceTerms& terms, const AsianPrice& price, const LognormalAverage& average,
                               const PremiumTerms& premium, std::span<const double> return_periods) {
    PremiumQuote q;
    q.sum_insured_cny = sum_insured_cny(terms);
    q.pure_premium_cny = price.value * terms.quantity_tco2e;
    q.risk_load_cny = premium.parameter * q.pure_premium_cny;
    const GrossPremium g = gross_premium(q.pure_premium_cny, q.risk_load_cny, premium);
    q.gross_premium_cny = g.gross_premium_cny;
    q.subsidy_cny = g.subsidy_cny;
    q.insured_pays_cny = g.insured_pays_cny;
    q.rate_on_sum_insured = q.sum_insured_cny > 0 ? g.gross_premium_cny / q.sum_insured_cny : 0.0;
    q.probability_of_payout = probability_below(average, terms.target_price_cny);
    for (const double t : return_periods) {
        const double a = average_quantile(average, 1 / t);
        q.payout_at_return_period_cny.push_back({t, payout_cny(terms, a, price.discount_factor), false});
    }
    return q;
}

SimulatedPayouts simulate_payouts(const PriceInsuranceTerms& terms, const risk::PricePath& path, std::uint64_t seed,
                                  std::uint32_t years, double discount_factor, risk::CancelFlag cancel) {
    SimulatedPayouts out;
    out.payouts_cny.resize(years);
    std::vector<double> averages(years);
    // Each year is independent and addressed: a plain loop gives the same bits as any split.
    for (std::uint32_t y = 0; y < years; ++y) {
        if (y % risk::items_per_cancel_check == 0) risk::stop_if_cancelled(cancel);
        const auto fixings = path.simulate(seed, y);
        averages[y] = average_price(fixings);
        out.payouts_cny[y] = payout_cny(terms, averages[y], discount_factor);
    }
    out.mean_average_price = average_price(averages);
    return out;
}

void use_price_as_pure_premium(PremiumQuote& q, const AsianPrice& price, double quantity_tco2e, const PremiumTerms& premium) {
    const double pure = price.value * quantity_tco2e;
    const GrossPremium g = gross_premium(pure, q.risk_load_cny, premium);
    q.pure_premium_cny = pure;
    q.pure_premium_se_cny = price.standard_error * quantity_tco2e;
    q.gross_premium_cny = g.gross_premium_cny;
    q.subsidy_cny = g.subsidy_cny;
    q.insured_pays_cny = g.insured_pays_cny;
    q.rate_on_sum_insured = q.sum_insured_cny > 0 ? g.gross_premium_cny / q.sum_insured_cny : 0;
}

}  // namespace tanhui::pricing
