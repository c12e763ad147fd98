// The Asian engines of price insurance, by name: the only list (STYLE "A peril, product or
// engine is one file pair plus one line"). Each call builds its own QuantLib curves, process and
// engine with an explicit reference date, fills the engine's arguments and calls calculate(): no
// Instrument, so Settings::instance().evaluationDate() is neither read nor written, and calls on
// different threads share nothing. Turnbull-Wakeman is QuantLib's engine written out on flat
// curves (below), bit for bit.
#include "pricing/asian_put.hpp"

#include <ql/exercise.hpp>
#include <ql/instruments/asianoption.hpp>
#include <ql/instruments/payoffs.hpp>
#include <ql/math/randomnumbers/rngtraits.hpp>
#include <ql/pricingengines/asian/analytic_discr_geom_av_price.hpp>
#include <ql/pricingengines/asian/mc_discr_arith_av_price.hpp>
#include <ql/pricingengines/blackcalculator.hpp>
#include <ql/processes/blackscholesprocess.hpp>
#include <ql/quotes/simplequote.hpp>
#include <ql/termstructures/volatility/equityfx/blackconstantvol.hpp>
#include <ql/termstructures/yield/flatforward.hpp>
#include <ql/time/calendars/nullcalendar.hpp>
#include <ql/time/daycounters/actual360.hpp>
#include <ql/time/daycounters/actual364.hpp>
#include <ql/time/daycounters/actual365fixed.hpp>

#include <cmath>
#include <utility>
#include <vector>

namespace tanhui::pricing {
namespace {

namespace ql = QuantLib;

ql::Date to_quantlib(Date d) {
    return ql::Date(static_cast<ql::Day>(static_cast<unsigned>(d.day())),
                    static_cast<ql::Month>(static_cast<unsigned>(d.month())),
                    static_cast<ql::Year>(static_cast<int>(d.year())));
}

ql::DayCounter day_counter(DayCount day_count) {
    switch (day_count) {
    case DayCount::actual_360: return ql::Actual360();
    case DayCount::actual_364: return ql::Actual364();
    case DayCount::actual_365_fixed: break;
    }
    return ql::Actual365Fixed();
}

// Flat continuously compounded curves and a flat volatility, all from the valuation date.
ql::ext::shared_ptr<ql::GeneralizedBlackScholesProcess> make_process(const BlackScholesMarket& m) {
    const ql::Date today = to_quantlib(m.valuation_date);
    const ql::DayCounter dc = day_counter(m.day_count);
    const auto risk_free = ql::ext::make_shared<ql::FlatForward>(today, m.risk_free_rate, dc, ql::Continuous);
    const auto dividend = ql::ext::make_shared<ql::FlatForward>(today, m.dividend_yield, dc, ql::Continuous);
    const auto vol = ql::ext::make_shared<ql::BlackConstantVol>(today, ql::NullCalendar(), m.volatility, dc);
    // Flat curves are valid at any time. Allowing extrapolation skips the range check, which on
    // Debian's QuantLib (QL_HIGH_RESOLUTION_DATE) converts maxDate() to a time at every Monte
    // Carlo step: half of the engine's run time.
    risk_free->enableExtrapolation();
    dividend->enableExtrapolation();
    vol->enableExtrapolation();
    return ql::ext::make_shared<ql::BlackScholesMertonProcess>(
        ql::Handle<ql::Quote>(ql::ext::make_shared<ql::SimpleQuote>(m.spot)),
        ql::Handle<ql::YieldTermStructure>(dividend), ql::Handle<ql::YieldTermStructure>(risk_free),
        ql::Handle<ql::BlackVolTermStructure>(vol));
}

// Fills the engine's arguments as DiscreteAveragingAsianOption::setupArguments would, runs it.
const ql::DiscreteAveragingAsianOption::results& run(ql::DiscreteAveragingAsianOption::engine& engine,
                                                     const AsianProblem& p, ql::Average::Type average) {
    engine.reset();
    auto* args = dynamic_cast<ql::DiscreteAveragingAsianOption::arguments*>(engine.getArguments());
    QL_REQUIRE(args != nullptr, "unexpected engine arguments");
    args->payoff = ql::ext::make_shared<ql::PlainVanillaPayoff>(
        p.type == OptionType::put ? ql::Option::Put : ql::Option::Call, p.strike);
    args->exercise = ql::ext::make_shared<ql::EuropeanExercise>(to_quantlib(p.last_fixing_date));
    args->averageType = average;
    args->pastFixings = p.past_count;
    if (average == ql::Average::Arithmetic)
        args->runningAccumulator = p.past_sum;
    else
        args->runningAccumulator = p.past_count == 0 ? 1.0 : std::exp(p.past_log_sum);
    args->fixingDates.clear();
    for (const Date d : p.future_fixing_dates) args->fixingDates.push_back(to_quantlib(d));
    args->validate();
    engine.calculate();
    const auto* results = dynamic_cast<const ql::DiscreteAveragingAsianOption::results*>(engine.getResults());
    QL_REQUIRE(results != nullptr, "unexpected engine results");
    return *results;
}

// Turnbull & Wakeman (1991) two-moment match, as QuantLib 1.29's TurnbullWakemanAsianEngine
// computes it on flat curves and a flat volatility, operation for operation: each fixing's time
// is the day count's year fraction (whole days: QuantLib's high-resolution dates add their zero
// fractions of a day), a discount factor is 1 / exp(rate t) (InterestRate::discountFactor,
// continuous), a variance vol vol t (BlackConstantVol), and Black's formula is QuantLib's
// BlackCalculator. So the price has the engine's bits (tests/pricing/engines_test.cpp compares
// them with the engine's for random markets, schedules, day counts and past fixings) without
// building curves, a process, an engine and their observers, and without the engine's
// additional results, for each quote: about 50,000 instructions of a price request
// (docs/performance.md "Issue 18 item 5").
AsianPrice turnbull_wakeman(const AsianProblem& p, const MonteCarloSettings&) {
    const BlackScholesMarket& market = p.market;
    const auto time = [&market](Date d) { return year_fraction(market.valuation_date, d, market.day_count); };
    const auto discount = [](double rate, double t) { return 1.0 / std::exp(rate * t); };
    const auto forward = [&](double t) {
        return market.spot * discount(market.dividend_yield, t) / discount(market.risk_free_rate, t);
    };
    const std::size_t past = p.past_count, future = p.future_fixing_dates.size(), m = past + future;
    double accrued = 0;
    if (past != 0) accrued = p.past_sum / static_cast<double>(m);
    const double discount_last = discount(market.risk_free_rate, time(p.last_fixing_date));
    const double effective_strike = p.strike - accrued;
    AsianPrice price{.value = 0, .standard_error = 0, .engine = "turnbull_wakeman"};
    if (effective_strike <= 0.0) {  // exercise (call) or no payout (put) is certain
        if (p.type == OptionType::call) {
            double average = accrued;
            for (const Date d : p.future_fixing_dates) average += forward(time(d)) / static_cast<double>(m);
            price.value = discount_last * (average - p.strike);
        }
        return price;
    }
    // E[A] and E[A^2] of the future part; exp(variance) once a fixing (the engine takes it again
    // in its inner loop: the same value).
    std::vector<double> forwards(future), exp_variances(future);
    double ea = 0, t_last = 0;
    for (std::size_t i = 0; i < future; ++i) {
        const double t = time(p.future_fixing_dates[i]);
        forwards[i] = forward(t);
        exp_variances[i] = std::exp(market.volatility * market.volatility * t);
        ea += forwards[i];
        t_last = t;
    }
    ea /= static_cast<double>(m);
    double ea2 = 0;
    for (std::size_t i = 0; i < future; ++i) {
        ea2 += forwards[i] * forwards[i] * exp_variances[i];
        for (std::size_t j = 0; j < i; ++j) ea2 += 2 * forwards[i] * forwards[j] * exp_variances[j];
    }
    ea2 /= static_cast<double>(m * m);
    const double sigma = std::sqrt(std::log(ea2 / (ea * ea)) / t_last);
    const ql::BlackCalculator black(p.type == OptionType::put ? ql::Option::Put : ql::Option::Call, effective_strike, ea,
                                    sigma * std::sqrt(t_last), discount_last);
    price.value = black.value();
    return price;
}

AsianPrice geometric(const AsianProblem& p, const MonteCarloSettings&) {
    ql::AnalyticDiscreteGeometricAveragePriceAsianEngine engine(make_process(p.market));
    const auto& r = run(engine, p, ql::Average::Geometric);
    return {.value = r.value, .standard_error = 0, .engine = "geometric"};
}

// QuantLib's engine with its path pricer wrapped: the same payoff of the same paths, and every
// risk::items_per_cancel_check paths a look at the cancel flag (risk::Cancelled leaves
// calculate() like any pricer error). The control variate's pricer is left alone: it runs beside.
class CancellableArithmeticEngine : public ql::MCDiscreteArithmeticAPEngine<ql::PseudoRandom> {
public:
    using Base = ql::MCDiscreteArithmeticAPEngine<ql::PseudoRandom>;
    CancellableArithmeticEngine(const MonteCarloSettings& mc,
                                const ql::ext::shared_ptr<ql::GeneralizedBlackScholesProcess>& process)
        : Base(process, /*brownianBridge=*/false, mc.antithetic, mc.control_variate, static_cast<ql::Size>(mc.paths),
               /*requiredTolerance=*/ql::Null<ql::Real>(), /*maxSamples=*/static_cast<ql::Size>(mc.paths),
               static_cast<ql::BigNatural>(mc.seed)),
          cancel_(mc.cancel) {}

protected:
    class Pricer : public path_pricer_type {
    public:
        Pricer(ql::ext::shared_ptr<path_pricer_type> inner, risk::CancelFlag cancel)
            : inner_(std::move(inner)), cancel_(cancel) {}
        ql::Real operator()(const ql::Path& path) const override {
            if (++priced_ % risk::items_per_cancel_check == 0) risk::stop_if_cancelled(cancel_);
            return (*inner_)(path);
        }

    private:
        ql::ext::shared_ptr<path_pricer_type> inner_;
        risk::CancelFlag cancel_;
        mutable std::uint64_t priced_ = 0;
    };
    ql::ext::shared_ptr<path_pricer_type> pathPricer() const override {
        auto inner = Base::pathPricer();
        if (!cancel_) return inner;
        return ql::ext::make_shared<Pricer>(std::move(inner), cancel_);
    }

private:
    risk::CancelFlag cancel_;
};

// Pseudo-random (Mersenne Twister, inverse-normal) so that errorEstimate is a real standard
// error; the Brownian bridge would not change the variance of pseudo-random paths.
AsianPrice monte_carlo(const AsianProblem& p, const MonteCarloSettings& mc) {
    CancellableArithmeticEngine engine(mc, make_process(p.market));
    const auto& r = run(engine, p, ql::Average::Arithmetic);
    return {.value = r.value, .standard_error = r.errorEstimate, .engine = "monte_carlo"};
}

constexpr AsianEngineEntry engines[] = {
    {"turnbull_wakeman", true, turnbull_wakeman},
    {"monte_carlo", false, monte_carlo},
    {"geometric", true, geometric},
};

}  // namespace

std::span<const AsianEngineEntry> asian_engines() { return engines; }

const AsianEngineEntry* find_asian_engine(std::string_view name) {
    for (const auto& e : engines)
        if (e.name == name) return &e;
    return nullptr;
}

}  // namespace tanhui::pricing
