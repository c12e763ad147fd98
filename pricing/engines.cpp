// The Asian engines of price insurance, by name: the only list (STYLE "A peril, product or
// engine is one file pair plus one line"). Each call builds its own QuantLib curves, process and
// engine with an explicit reference date (Turnbull-Wakeman reuses its thread's: below), fills the
// engine's arguments and calls calculate(): no Instrument, so
// Settings::instance().evaluationDate() is neither read nor written, and calls on different
// threads share nothing.
#include "pricing/asian_put.hpp"

#include <ql/exercise.hpp>
#include <ql/instruments/asianoption.hpp>
#include <ql/instruments/payoffs.hpp>
#include <ql/math/randomnumbers/rngtraits.hpp>
#include <ql/pricingengines/asian/analytic_discr_geom_av_price.hpp>
#include <ql/pricingengines/asian/mc_discr_arith_av_price.hpp>
#include <ql/pricingengines/asian/turnbullwakemanasianengine.hpp>
#include <ql/processes/blackscholesprocess.hpp>
#include <ql/quotes/simplequote.hpp>
#include <ql/termstructures/volatility/equityfx/blackconstantvol.hpp>
#include <ql/termstructures/yield/flatforward.hpp>
#include <ql/time/calendars/nullcalendar.hpp>
#include <ql/time/daycounters/actual360.hpp>
#include <ql/time/daycounters/actual364.hpp>
#include <ql/time/daycounters/actual365fixed.hpp>

#include <cmath>
#include <memory>
#include <utility>

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

// The market's four numbers as quotes the curves and the process read.
struct MarketQuotes {
    ql::ext::shared_ptr<ql::SimpleQuote> spot = ql::ext::make_shared<ql::SimpleQuote>();
    ql::ext::shared_ptr<ql::SimpleQuote> risk_free_rate = ql::ext::make_shared<ql::SimpleQuote>();
    ql::ext::shared_ptr<ql::SimpleQuote> dividend_yield = ql::ext::make_shared<ql::SimpleQuote>();
    ql::ext::shared_ptr<ql::SimpleQuote> volatility = ql::ext::make_shared<ql::SimpleQuote>();

    void set(const BlackScholesMarket& m) const {
        spot->setValue(m.spot);
        risk_free_rate->setValue(m.risk_free_rate);
        dividend_yield->setValue(m.dividend_yield);
        volatility->setValue(m.volatility);
    }
};

// Flat continuously compounded curves and a flat volatility, all from `today`, on the quotes.
// FlatForward and BlackConstantVol given a number wrap it in a SimpleQuote themselves: the same
// objects and arithmetic as here.
ql::ext::shared_ptr<ql::GeneralizedBlackScholesProcess> make_process(const ql::Date& today, DayCount day_count,
                                                                      const MarketQuotes& q) {
    const ql::DayCounter dc = day_counter(day_count);
    const auto risk_free = ql::ext::make_shared<ql::FlatForward>(today, ql::Handle<ql::Quote>(q.risk_free_rate), dc, ql::Continuous);
    const auto dividend = ql::ext::make_shared<ql::FlatForward>(today, ql::Handle<ql::Quote>(q.dividend_yield), dc, ql::Continuous);
    const auto vol = ql::ext::make_shared<ql::BlackConstantVol>(today, ql::NullCalendar(), ql::Handle<ql::Quote>(q.volatility), dc);
    // Flat curves are valid at any time. Allowing extrapolation skips the range check, which on
    // Debian's QuantLib (QL_HIGH_RESOLUTION_DATE) converts maxDate() to a time at every Monte
    // Carlo step: half of the engine's run time.
    risk_free->enableExtrapolation();
    dividend->enableExtrapolation();
    vol->enableExtrapolation();
    return ql::ext::make_shared<ql::BlackScholesMertonProcess>(
        ql::Handle<ql::Quote>(q.spot), ql::Handle<ql::YieldTermStructure>(dividend),
        ql::Handle<ql::YieldTermStructure>(risk_free), ql::Handle<ql::BlackVolTermStructure>(vol));
}

ql::ext::shared_ptr<ql::GeneralizedBlackScholesProcess> make_process(const BlackScholesMarket& m) {
    const MarketQuotes q;
    q.set(m);
    return make_process(to_quantlib(m.valuation_date), m.day_count, q);
}

// Turnbull-Wakeman is a closed form of a few microseconds: building its curves, process and
// engine and tearing down their observers was a quarter of it (about 22,000 instructions a price
// quote, docs/performance.md "Issue 18 item 5"). So each thread keeps one engine on one process
// for the last valuation date and day count it priced, and sets each market's four numbers into
// its quotes: the curves recompute from them as new ones would (the same objects, the same
// arithmetic, so the same bits: tests/pricing/engines_test.cpp). A departure from STYLE's "build
// per call" for this engine only; nothing is shared between threads, and no Instrument or
// evaluation date is involved.
class ThreadTurnbullWakeman {
public:
    ql::TurnbullWakemanAsianEngine& engine(const BlackScholesMarket& m) {
        const ql::Date today = to_quantlib(m.valuation_date);
        if (!engine_ || today != today_ || m.day_count != day_count_) {
            engine_.reset();
            quotes_.set(m);
            engine_ = std::make_unique<ql::TurnbullWakemanAsianEngine>(make_process(today, m.day_count, quotes_));
            today_ = today;
            day_count_ = m.day_count;
        } else {
            quotes_.set(m);
        }
        return *engine_;
    }

private:
    MarketQuotes quotes_;
    ql::Date today_;
    DayCount day_count_ = DayCount::actual_365_fixed;
    std::unique_ptr<ql::TurnbullWakemanAsianEngine> engine_;
};

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

AsianPrice turnbull_wakeman(const AsianProblem& p, const MonteCarloSettings&) {
    thread_local ThreadTurnbullWakeman cached;
    const auto& r = run(cached.engine(p.market), p, ql::Average::Arithmetic);
    return {.value = r.value, .standard_error = 0, .engine = "turnbull_wakeman"};
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
