#include "api/validation/price.hpp"

#include "api/service/price_choice.hpp"

#include <algorithm>
#include <sstream>

namespace tanhui::api::validation {

namespace {

// Markets whose shipped series is known to be broken (docs/calibration.md "Data issues"): reported,
// never gating. None since SZEA was cut to its clean window (issue 19 item 4).
bool known_data_issue(const std::string& /*market*/) { return false; }

}  // namespace

ojson price_json(const std::vector<risk::MarketBacktest>& markets, const risk::PriceBacktestOptions& o) {
    ojson j;
    j["window"] = o.window;
    j["refit_every"] = o.refit_every;
    j["min_test_points"] = o.min_test_points;
    j["levels"] = o.levels;
    j["horizons"] = o.horizons;
    j["markets"] = ojson::array();
    for (const auto& m : markets) {
        ojson mj{{"market", m.market}, {"traded", m.traded}, {"untraded_dropped", m.untraded_dropped},
                 {"included", m.included}};
        if (!m.included) mj["reason"] = m.reason;
        if (m.included) {
            mj["test_dates"] = {m.first_test_date, m.last_test_date};
            mj["refits"] = m.refits;
            mj["selected"] = m.selected;
            mj["selection"] = "best mean log score at the longest horizon among the families passing every test there "
                              "(p >= 0.01); if none passes, the best mean log score";
            mj["families"] = ojson::array();
            for (const auto& f : m.families) {
                ojson fj{{"family", f.family}, {"failed_fits", f.failed_fits}, {"passes", f.passes},
                         {"mean_log_score", ojson::array()}, {"tests", ojson::array()}};
                for (const double s : f.mean_log_score) fj["mean_log_score"].push_back(num(s));
                for (const auto& r : f.tests)
                    fj["tests"].push_back({{"horizon", r.horizon}, {"level", r.level}, {"exceedances", r.kupiec.exceedances},
                                           {"kupiec_p_value", num(r.kupiec.p_value)},
                                           {"christoffersen_p_value", num(r.christoffersen.p_value)}});
                mj["families"].push_back(fj);
            }
            mj["tests"] = ojson::array();
            for (const auto& r : m.tests)
                mj["tests"].push_back({{"method", r.method}, {"horizon", r.horizon}, {"level", r.level},
                                       {"trials", r.kupiec.trials}, {"exceedances", r.kupiec.exceedances},
                                       {"expected", num(static_cast<double>(r.kupiec.trials) * r.kupiec.expected_rate)},
                                       {"kupiec_lr", num(r.kupiec.statistic)}, {"kupiec_p_value", num(r.kupiec.p_value)},
                                       {"christoffersen_lr", num(r.christoffersen.statistic)},
                                       {"christoffersen_p_value", num(r.christoffersen.p_value)}});
        }
        j["markets"].push_back(mj);
    }
    return j;
}

std::string price_tests_csv(const std::vector<risk::MarketBacktest>& markets) {
    std::ostringstream o;
    o << "market,method,horizon,level,trials,exceedances,expected,rate,kupiec_lr,kupiec_p,christoffersen_lr,christoffersen_p\n";
    for (const auto& m : markets)
        for (const auto& r : m.tests)
            o << m.market << ',' << r.method << ',' << r.horizon << ',' << csv(r.level) << ',' << r.kupiec.trials << ','
              << r.kupiec.exceedances << ',' << csv(static_cast<double>(r.kupiec.trials) * r.kupiec.expected_rate) << ','
              << csv(r.kupiec.observed_rate) << ',' << csv(r.kupiec.statistic) << ',' << csv(r.kupiec.p_value) << ','
              << csv(r.christoffersen.statistic) << ',' << csv(r.christoffersen.p_value) << '\n';
    return o.str();
}

std::string price_families_csv(const std::vector<risk::MarketBacktest>& markets) {
    std::ostringstream o;
    o << "market,family,selected,passes,horizon,mean_log_score,level,trials,exceedances,expected,kupiec_p,christoffersen_p\n";
    for (const auto& m : markets)
        for (const auto& f : m.families)
            for (const auto& r : f.tests) {
                const auto h = static_cast<std::size_t>(
                    std::find(m.horizons.begin(), m.horizons.end(), r.horizon) - m.horizons.begin());
                o << m.market << ',' << f.family << ',' << (f.family == m.selected ? 1 : 0) << ',' << (f.passes ? 1 : 0)
                  << ',' << r.horizon << ',' << csv(f.mean_log_score[h]) << ',' << csv(r.level) << ',' << r.kupiec.trials
                  << ',' << r.kupiec.exceedances << ','
                  << csv(static_cast<double>(r.kupiec.trials) * r.kupiec.expected_rate) << ',' << csv(r.kupiec.p_value)
                  << ',' << csv(r.christoffersen.p_value) << '\n';
            }
    return o.str();
}

std::string price_series_csv(const risk::MarketBacktest& m, const risk::PriceBacktestOptions& o) {
    std::ostringstream out;
    out << "horizon,origin_date,target_date,horizon_years,log_return,process";
    for (const double l : o.levels) out << ",model_var_" << csv(100 * l) << ",historical_var_" << csv(100 * l);
    out << '\n';
    for (std::size_t h = 0; h < m.forecasts.size(); ++h)
        for (const auto& v : m.forecasts[h]) {
            out << m.horizons[h] << ',' << v.origin_date << ',' << v.target_date << ',' << csv(v.horizon_years) << ','
                << csv(v.log_return) << ',' << v.process;
            for (std::size_t l = 0; l < o.levels.size(); ++l) out << ',' << csv(v.model_var[l]) << ',' << csv(v.historical_var[l]);
            out << '\n';
        }
    return out.str();
}

void price_tests(const std::vector<risk::MarketBacktest>& markets, Tests& t) {
    for (const auto& m : markets) {
        if (!m.included) continue;
        // The family production quotes the market on (api/service/price_choice.hpp) must be the one
        // this backtest selects: p = 1 when it is, 0 when not (then update the table and re-record).
        const auto shipped = shipped_price_family(m.market);
        t.add("price." + m.market + ".family", "price/" + m.market,
              "quoted family " + shipped.value_or("(none: AIC)") + " is the backtest's choice " + m.selected, 0,
              shipped == m.selected ? 1.0 : 0.0, !known_data_issue(m.market));
        for (const auto& r : m.tests) {
            // Gating: the calibrated process over 20 traded days (the products fix monthly or
            // quarterly), on every market without a known data issue. One-day tails and the
            // historical-simulation baseline are reported only (docs/validation.md "Gate").
            const bool gate = r.method == "model" && r.horizon > 1 && !known_data_issue(m.market);
            const std::string id = "price." + m.market + "." + r.method + ".h" + std::to_string(r.horizon) + ".var" +
                                   fixed(100 * r.level, 0);
            const std::string s = "price/" + m.market;
            t.add(id + ".kupiec", s,
                  std::to_string(r.horizon) + "-step " + fixed(100 * r.level, 0) + " % VaR, " + r.method + ": Kupiec",
                  r.kupiec.statistic, r.kupiec.p_value, gate);
            t.add(id + ".christoffersen", s,
                  std::to_string(r.horizon) + "-step " + fixed(100 * r.level, 0) + " % VaR, " + r.method +
                      ": Christoffersen independence",
                  r.christoffersen.statistic, r.christoffersen.p_value, gate);
        }
    }
}

}  // namespace tanhui::api::validation
