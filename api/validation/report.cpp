#include "api/validation/report.hpp"

#include "api/service/calibration.hpp"
#include "api/products/products.hpp"
#include "api/json/quote_request.hpp"
#include "pricing/buffer.hpp"
#include "pricing/index_insurance.hpp"
#include "risk/backtest/fire.hpp"
#include "risk/backtest/price.hpp"
#include "risk/model/growth.hpp"
#include "risk/simulation/parallel.hpp"
#include "risk/simulation/simulate.hpp"
#include "risk/random/special.hpp"


#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <sstream>

#ifndef TANHUI_SOURCE_DIR
#define TANHUI_SOURCE_DIR "."
#endif

namespace tanhui::api {

namespace {

using ojson = nlohmann::ordered_json;

ojson num(double v) { return std::isfinite(v) ? ojson(v) : ojson(nullptr); }

// Shortest round-trip text of a number for CSV; empty for NaN and infinities.
std::string csv(double v) {
    if (!std::isfinite(v)) return "";
    char buffer[64];
    const auto r = std::to_chars(buffer, buffer + sizeof buffer, v);
    return std::string(buffer, r.ptr);
}

std::string fixed(double v, int digits) {
    if (!std::isfinite(v)) return "-";
    std::ostringstream o;
    o << std::fixed << std::setprecision(digits) << v;
    return o.str();
}

std::string pct(double v, int digits = 1) { return std::isfinite(v) ? fixed(100 * v, digits) + " %" : "-"; }

// p-values: 3 significant digits, "<1e-6" below.
std::string pval(double p) {
    if (!std::isfinite(p)) return "-";
    if (p < 1e-6) return "<1e-6";
    std::ostringstream o;
    o << std::setprecision(3) << p;
    return o.str();
}

// One test of the report. A gating test decides the exit code of `tanhui validate`.
struct Test {
    std::string id;
    std::string section;
    std::string what;
    double statistic = 0;
    double p_value = 1;
    bool gating = false;
    bool passed = true;
    std::string accepted;  // the reason, for a gating test that fails and is an accepted finding
};

struct Tests {
    double level = 0.01;
    std::vector<Test> all;
    void add(std::string id, std::string section, std::string what, double statistic, double p, bool gating) {
        all.push_back({std::move(id), std::move(section), std::move(what), statistic, p, gating, !(p < level), {}});
    }
};

std::uint64_t mix(std::uint64_t seed, std::uint64_t k) { return seed ^ (k * 0x9e3779b97f4a7c15ULL); }

// ---- fire ---------------------------------------------------------------------------------------

ojson coverage_json(const risk::CoverageTest& c, double null_p) {
    ojson j{{"nominal", c.nominal}, {"trials", c.trials}, {"inside", c.inside}, {"observed", num(c.observed)},
            {"binomial_p_value", num(c.binomial_p_value)}};
    if (std::isfinite(null_p)) j["null_p_value"] = num(null_p);
    return j;
}

ojson gof_json(const risk::GofTest& g) {
    return {{"statistic", num(g.statistic)}, {"p_value", num(g.p_value)}};
}

ojson fire_json(const risk::FireBacktest& b) {
    ojson j;
    j["fit_years"] = {b.options.fit_from, b.options.fit_to};
    j["test_years"] = b.options.test_years;
    j["min_fit_years_with_fires"] = b.options.min_fit_years_with_fires;
    j["null_replications"] = b.options.null_replications;
    j["cross_region_correlation"] = num(b.cross_region_correlation);
    j["provinces"] = ojson::array();
    for (const auto& p : b.provinces)
        j["provinces"].push_back({{"region", p.region}, {"fit_years", {p.first_year_used, p.last_year_used}},
                                  {"trend_selected", p.trend_selected}, {"trend_per_year", num(p.trend_per_year)},
                                  {"size_trend", num(p.size_trend)}, {"size_stationary", num(p.size_stationary)},
                                  {"aic_trend", num(p.aic_trend)}, {"aic_stationary", num(p.aic_stationary)},
                                  {"area_fit", p.has_area_fit}, {"area_trend_per_year", num(p.area_trend_per_year)},
                                  {"area_sigma", num(p.area_sigma)}, {"area_year_sd", num(p.area_year_sd)}});
    j["excluded"] = b.excluded;
    j["rules"] = ojson::array();
    for (const auto& r : b.rules) {
        ojson rule;
        rule["rule"] = r.rule;
        rule["province_years"] = r.forecasts.size();
        rule["count"] = {{"ks", {{"statistic", num(r.count_ks.statistic)}, {"iid_p_value", num(r.count_ks.p_value)},
                                 {"null_p_value", num(r.count_ks_null_p_value)}}},
                         {"anderson_darling", gof_json(r.count_ad)},
                         {"coverage_50", coverage_json(r.count_50, r.count_50_null_p_value)},
                         {"coverage_90", coverage_json(r.count_90, r.count_90_null_p_value)},
                         {"mean_log_score", num(r.count_mean_log_score)}};
        rule["area"] = {{"province_years", r.area_n}};
        if (r.area_n >= 2) {  // the stationary rule has no area forecast
            rule["area"]["ks"] = gof_json(r.area_ks);
            rule["area"]["anderson_darling"] = gof_json(r.area_ad);
            rule["area"]["coverage_50"] = coverage_json(r.area_50, NAN);
            rule["area"]["coverage_90"] = coverage_json(r.area_90, NAN);
            rule["area"]["ks_independent_fires"] = gof_json(r.area_independent_ks);
        }
        ojson f = ojson::array();
        for (const auto& x : r.forecasts)
            f.push_back({{"region", x.region}, {"year", x.year}, {"observed_fires", x.observed_fires},
                         {"expected_fires", num(x.expected_fires)}, {"size", num(x.size)}, {"pit_count", num(x.pit_count)},
                         {"interval_50", {x.lower_50, x.upper_50}}, {"interval_90", {x.lower_90, x.upper_90}},
                         {"observed_damaged_ha", x.has_area ? num(x.observed_damaged_ha) : ojson(nullptr)},
                         {"median_damaged_ha", x.has_area ? num(x.median_damaged_ha) : ojson(nullptr)},
                         {"pit_area", x.has_area ? num(x.pit_area) : ojson(nullptr)}});
        rule["forecasts"] = f;
        j["rules"].push_back(rule);
    }
    return j;
}

std::string fire_csv(const risk::FireBacktest& b) {
    std::ostringstream o;
    o << "rule,region,year,observed_fires,expected_fires,size,lower_90,lower_50,upper_50,upper_90,pit_count,"
         "observed_damaged_ha,median_damaged_ha,pit_area,pit_area_independent\n";
    for (const auto& r : b.rules)
        for (const auto& x : r.forecasts)
            o << r.rule << ',' << x.region << ',' << x.year << ',' << csv(x.observed_fires) << ',' << csv(x.expected_fires)
              << ',' << csv(x.size) << ',' << csv(x.lower_90) << ',' << csv(x.lower_50) << ',' << csv(x.upper_50) << ','
              << csv(x.upper_90) << ',' << csv(x.pit_count) << ',' << (x.has_area ? csv(x.observed_damaged_ha) : "") << ','
              << (x.has_area ? csv(x.median_damaged_ha) : "") << ',' << (x.has_area ? csv(x.pit_area) : "") << ','
              << (x.has_area ? csv(x.pit_area_independent) : "") << '\n';
    return o.str();
}

void fire_tests(const risk::FireBacktest& b, Tests& t) {
    for (const auto& r : b.rules) {
        const bool gate = r.rule == "production";
        const std::string s = "fire/" + r.rule;
        t.add("fire." + r.rule + ".count_pit_uniform", s, "KS uniformity of count PITs (Monte Carlo null)",
              r.count_ks.statistic, r.count_ks_null_p_value, gate);
        t.add("fire." + r.rule + ".count_coverage_50", s, "coverage of central 50 % count intervals (Monte Carlo null)",
              r.count_50.observed, r.count_50_null_p_value, gate);
        t.add("fire." + r.rule + ".count_coverage_90", s, "coverage of central 90 % count intervals (Monte Carlo null)",
              r.count_90.observed, r.count_90_null_p_value, gate);
        if (r.area_n >= 2) {
            t.add("fire." + r.rule + ".area_pit_uniform", s, "KS uniformity of burned-area PITs", r.area_ks.statistic,
                  r.area_ks.p_value, gate);
            t.add("fire." + r.rule + ".area_coverage_50", s, "coverage of central 50 % area intervals (binomial)",
                  r.area_50.observed, r.area_50.binomial_p_value, gate);
            t.add("fire." + r.rule + ".area_coverage_90", s, "coverage of central 90 % area intervals (binomial)",
                  r.area_90.observed, r.area_90.binomial_p_value, gate);
        }
        if (gate && r.area_n >= 2)
            t.add("fire.production.area_pit_uniform_independent_fires", s,
                  "KS uniformity of area PITs with fires independent, as the simulation draws them",
                  r.area_independent_ks.statistic, r.area_independent_ks.p_value, false);
    }
}

// ---- price --------------------------------------------------------------------------------------

// Markets whose shipped series is known to be broken (docs/calibration.md "Data issues"): reported,
// never gating.
bool known_data_issue(const std::string& market) { return market == "SZEA"; }

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
        if (known_data_issue(m.market)) mj["data_issue"] = "two instruments mixed in one series (docs/calibration.md)";
        if (m.included) {
            mj["test_dates"] = {m.first_test_date, m.last_test_date};
            mj["refits"] = m.refits;
            mj["ou_selected"] = m.ou_selected;
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

// ---- burning cost -------------------------------------------------------------------------------

struct MeanSe {
    double mean = 0, se = 0, sd = 0;
};
MeanSe mean_se(std::span<const double> x) {
    MeanSe m;
    const auto n = static_cast<double>(x.size());
    for (const double v : x) m.mean += v;
    m.mean /= n;
    double ss = 0;
    for (const double v : x) ss += (v - m.mean) * (v - m.mean);
    m.sd = std::sqrt(ss / (n - 1));
    m.se = m.sd / std::sqrt(n);
    return m;
}

double two_sided_normal_p(double z) { return std::isfinite(z) ? 2 * (1 - risk::normal_cdf(std::abs(z))) : 0.0; }

ojson burning_cost(data::Store& store, const ModelVersion& version, const risk::Model& model,
                   const ValidationOptions& o, Tests& t, std::vector<CsvFile>& files) {
    std::ifstream in(o.policy_file);
    if (!in) throw std::runtime_error("cannot read the burning-cost policy " + o.policy_file.string());
    const auto body = nlohmann::json::parse(in);
    const auto decoded = decode_quote(body);
    if (!decoded.value || !decoded.value->index_cover || decoded.value->index_cover->form != "per_tonne")
        throw std::runtime_error(o.policy_file.string() + " is not a valid per_tonne index_insurance quote request");
    const QuoteRequest& q = *decoded.value;
    const IndexCoverRequest& cover_request = *q.index_cover;
    const int policy_year = std::stoi(q.policy.start.substr(0, 4));

    // The replay of each holding, as `tanhui burning-cost` (api/products/products.cpp) does it: the
    // province's damaged area of year y, trend-adjusted to min(policy year, last data year),
    // times the holding's share of the province's forest; here also times the forest type's
    // flammability, which the model applies and the burning-cost product does not.
    struct Replay {
        std::vector<int> years;
        std::vector<double> damaged, factor, loss_product, loss;
    } replay;
    ojson holdings = ojson::array();
    double stock_total = 0;
    for (std::size_t h = 0; h < q.holdings.size(); ++h) {
        const Holding& holding = q.holdings[h];
        const Calibration* fire = nullptr;
        const std::string code = normalise_region_code(holding.region);
        for (std::size_t len : {code.size(), std::size_t{4}, std::size_t{2}}) {
            if (fire || len > code.size()) continue;
            for (const auto& c : version.calibrations)
                if (c.family == "fire" && c.scope == code.substr(0, len)) fire = &c;
        }
        if (!fire || !model.fire.count(fire->scope))
            throw std::runtime_error("model " + version.version + " has no fire calibration for region " + code);
        const FireTrend trend = fire_trend_from_report(fire->report);
        const auto history = store.fire_history(fire->scope, trend.first_year, trend.last_year);
        const double forest = fire->report.value("forest_area_ha", 0.0);
        if (!(forest > 0)) throw std::runtime_error("fire calibration " + fire->id + " reports no forest area");
        const auto carbon = risk::holding_carbon(holding, model.growth, {}, "/holdings/" + std::to_string(h));
        const auto& fm = model.fire.at(fire->scope);
        const double lf = fm.loss_fraction[risk::index(holding.forest_type)];
        const double flam = fm.flammability[risk::index(holding.forest_type)];
        const double share = holding.area_ha / forest;
        const int trend_year = std::min(policy_year, trend.last_year);
        const double b = trend.counts_trend_per_year + trend.burned_area_trend_per_year;
        stock_total += carbon.stock_tco2e;
        if (replay.years.empty()) {
            for (const auto& y : history) {
                replay.years.push_back(y.year);
                replay.damaged.push_back(y.forest_damaged_ha);
                replay.factor.push_back(std::exp(b * (trend_year - y.year)));
            }
            replay.loss_product.assign(history.size(), 0.0);
            replay.loss.assign(history.size(), 0.0);
        } else if (history.size() != replay.years.size()) {
            throw std::runtime_error("the policy's holdings lie in provinces with different fire years");
        }
        for (std::size_t i = 0; i < history.size(); ++i) {
            const double adjusted = history[i].forest_damaged_ha * std::exp(b * (trend_year - history[i].year));
            replay.loss_product[i] += std::min(holding.area_ha, adjusted * share) * carbon.stock_tco2e_per_ha * lf;
            replay.loss[i] += std::min(holding.area_ha, adjusted * share * flam) * carbon.stock_tco2e_per_ha * lf;
        }
        holdings.push_back({{"id", holding.id}, {"region", holding.region}, {"province", fire->scope},
                            {"forest_type", std::string(to_string(holding.forest_type))}, {"area_ha", holding.area_ha},
                            {"stock_tco2e_per_ha", carbon.stock_tco2e_per_ha}, {"loss_fraction", lf},
                            {"flammability", flam}, {"share_of_province_forest", share},
                            {"fire_calibration", fire->id}, {"trend_per_year", b}, {"adjusted_to_year", trend_year}});
    }
    pricing::PerTonneCover cover;
    cover.price_cny_per_tco2e = cover_request.price_cny_per_tco2e;
    cover.deductible_tco2e = cover_request.deductible_tco2e;
    cover.limit_cny = cover_request.limit_cny.value_or(pricing::sum_insured_cny(cover, stock_total));
    pricing::PerTonneCover first_tonne;  // no deductible, no limit: payout = price x loss
    first_tonne.price_cny_per_tco2e = cover.price_cny_per_tco2e;

    const auto payouts = [](const pricing::PerTonneCover& c, const std::vector<double>& loss) {
        return pricing::payouts_cny(c, loss);
    };
    const auto bc_product = mean_se(payouts(cover, replay.loss_product));
    const auto bc_policy = mean_se(payouts(cover, replay.loss));
    const auto bc_first = mean_se(payouts(first_tonne, replay.loss));
    const auto replay_loss = mean_se(replay.loss);

    // The model's expected values at the policy year (trend held at the last data year).
    risk::Simulation sim;
    sim.years = o.model_years;
    sim.seed = mix(o.seed, 4);
    sim.threads = o.threads;
    const auto simulate = [&](std::vector<std::string> perils) {
        risk::BookOptions bo;
        bo.perils = std::move(perils);
        const risk::Book book = risk::prepare_book(model, q.holdings, bo);
        return risk::simulate_year_losses(book, sim).total_tco2e;
    };
    const auto fire_loss = simulate({"fire"});
    const auto all_loss = simulate({"fire", "pest"});
    const auto model_loss = mean_se(fire_loss);
    const auto model_policy = mean_se(payouts(cover, fire_loss));
    const auto model_first = mean_se(payouts(first_tonne, fire_loss));
    const auto model_policy_all = mean_se(payouts(cover, all_loss));
    const auto model_loss_all = mean_se(all_loss);

    const auto gap = [](const MeanSe& a, const MeanSe& b) { return (a.mean - b.mean) / std::sqrt(a.se * a.se + b.se * b.se); };
    const double z_loss = gap(replay_loss, model_loss);
    const double z_policy = gap(bc_policy, model_policy);
    t.add("burning_cost.expected_fire_loss_gap", "burning_cost",
          "replayed 2004-2021 mean fire loss of the pool vs the model's, in SEs (two-sided normal)", z_loss,
          two_sided_normal_p(z_loss), true);
    t.add("burning_cost.policy_payout_gap", "burning_cost",
          "burning cost of the policy as written vs the model's expected fire payout, in SEs", z_policy,
          two_sided_normal_p(z_policy), false);

    std::ostringstream c;
    c << "year,forest_damaged_ha,trend_factor,pool_loss_tco2e,pool_loss_product_tco2e,payout_cny,payout_product_cny\n";
    const auto pay_policy = payouts(cover, replay.loss);
    const auto pay_product = payouts(cover, replay.loss_product);
    for (std::size_t i = 0; i < replay.years.size(); ++i)
        c << replay.years[i] << ',' << csv(replay.damaged[i]) << ',' << csv(replay.factor[i]) << ',' << csv(replay.loss[i])
          << ',' << csv(replay.loss_product[i]) << ',' << csv(pay_policy[i]) << ',' << csv(pay_product[i]) << '\n';
    files.push_back({"burning_cost.csv", c.str()});
    std::ostringstream m;
    m << "quantity,replay_mean,replay_se,model_mean,model_se,model_fire_and_pest_mean,model_fire_and_pest_se\n"
      << "fire_loss_tco2e," << csv(replay_loss.mean) << ',' << csv(replay_loss.se) << ',' << csv(model_loss.mean) << ','
      << csv(model_loss.se) << ',' << csv(model_loss_all.mean) << ',' << csv(model_loss_all.se) << '\n'
      << "policy_payout_cny," << csv(bc_policy.mean) << ',' << csv(bc_policy.se) << ',' << csv(model_policy.mean) << ','
      << csv(model_policy.se) << ',' << csv(model_policy_all.mean) << ',' << csv(model_policy_all.se) << '\n';
    files.push_back({"burning_cost_summary.csv", m.str()});

    const auto ms = [](const MeanSe& x) { return ojson{{"mean", num(x.mean)}, {"se", num(x.se)}, {"sd", num(x.sd)}}; };
    ojson j;
    j["policy_file"] = o.policy_file.filename().string();
    j["policy_id"] = q.policy.id;
    j["policy_year"] = policy_year;
    j["cover"] = {{"price_cny_per_tco2e", cover.price_cny_per_tco2e}, {"deductible_tco2e", cover.deductible_tco2e},
                  {"limit_cny", num(cover.limit_cny)}};
    j["holdings"] = holdings;
    j["years"] = {replay.years.front(), replay.years.back()};
    j["replay"] = {{"fire_loss_tco2e", ms(replay_loss)}, {"policy_payout_cny", ms(bc_policy)},
                   {"first_tonne_payout_cny", ms(bc_first)}, {"policy_payout_cny_product_rule", ms(bc_product)},
                   {"years_with_payout", std::count_if(pay_policy.begin(), pay_policy.end(), [](double v) { return v > 0; })}};
    j["model"] = {{"simulated_years", o.model_years}, {"seed", sim.seed},
                  {"fire_loss_tco2e", ms(model_loss)}, {"policy_payout_cny", ms(model_policy)},
                  {"first_tonne_payout_cny", ms(model_first)},
                  {"fire_and_pest", {{"loss_tco2e", ms(model_loss_all)}, {"policy_payout_cny", ms(model_policy_all)}}}};
    j["gap_in_se"] = {{"fire_loss", num(z_loss)}, {"policy_payout", num(z_policy)}};
    return j;
}

// ---- reversal buffer ----------------------------------------------------------------------------

struct FlatBuffer {
    std::string key;
    double value = 0;
    std::string unit, citation;
};

std::optional<FlatBuffer> flat_buffer(data::Store& store, const std::string& key) {
    const auto a = store.labelled_assumption(key);
    if (!a) return std::nullopt;
    return FlatBuffer{key, a->value, a->unit, a->citation};
}

ojson buffer(data::Store& store, const risk::Model& model, const ValidationOptions& o, std::vector<CsvFile>& files) {
    std::ifstream in(o.buffer_file);
    if (!in) throw std::runtime_error("cannot read the buffer request " + o.buffer_file.string());
    const auto decoded = decode_buffer(nlohmann::json::parse(in));
    if (!decoded.value) throw std::runtime_error(o.buffer_file.string() + " is not a valid buffer request");
    Holding project;
    bool found = false;
    for (const auto& h : decoded.value->holdings)
        if (!found && h.forest_type == ForestType::chinese_fir && normalise_region_code(h.region).substr(0, 2) == "35") {
            project = h;
            found = true;
        }
    if (!found) throw std::runtime_error(o.buffer_file.string() + " has no Fujian chinese_fir holding");
    const std::uint32_t horizon = 40;
    const double alpha = 0.99;

    struct Set { std::string name; std::vector<std::string> perils; std::vector<double> shares; pricing::BufferResult r; };
    std::vector<Set> sets{{"fire_and_pest", {"fire", "pest"}, {}, {}}, {"fire", {"fire"}, {}, {}}, {"pest", {"pest"}, {}, {}}};
    for (auto& s : sets) {
        risk::BookOptions bo;
        bo.perils = s.perils;
        const risk::Book book = risk::prepare_book(model, std::vector<Holding>{project}, bo);
        s.shares = cumulative_reversal_shares(book, horizon, o.buffer_paths, mix(o.seed, 5), risk::thread_count(o.threads));
        s.r = pricing::reversal_buffer(s.shares, {.horizon_years = horizon, .alpha = alpha, .buffer_share = std::nullopt});
    }
    // Each flat buffer against the perils it covers.
    struct Compare { std::string key, label, set; };
    const std::vector<Compare> compare{
        {"buffer_literature.carb_us_forest.wildfire", "CARB U.S. Forest: wildfire", "fire"},
        {"buffer_literature.carb_us_forest.disease_insect", "CARB U.S. Forest: disease or insect outbreak", "pest"},
        {"", "CARB U.S. Forest: wildfire + disease/insect", "fire_and_pest"},
        {"buffer_literature.verra_nprt.minimum", "Verra AFOLU NPRT: minimum overall rating", "fire_and_pest"},
        {"buffer_literature.verra_nprt.maximum", "Verra AFOLU NPRT: maximum before failing", "fire_and_pest"}};
    const auto carb_fire = flat_buffer(store, compare[0].key);
    const auto carb_pest = flat_buffer(store, compare[1].key);
    ojson flats = ojson::array();
    for (const auto& c : compare) {
        std::optional<FlatBuffer> f;
        if (c.key.empty()) {
            if (carb_fire && carb_pest)
                f = FlatBuffer{"sum of the two CARB rows", carb_fire->value + carb_pest->value, carb_fire->unit,
                               carb_fire->citation};
        } else {
            f = flat_buffer(store, c.key);
        }
        if (!f)
            throw std::runtime_error("assumption " + c.key + " is missing from the store: rebuild the database "
                                     "(TANHUI_DB=new path) from data/historical");
        const auto& s = *std::find_if(sets.begin(), sets.end(), [&](const Set& x) { return x.name == c.set; });
        const auto r = pricing::reversal_buffer(s.shares, {.horizon_years = horizon, .alpha = alpha, .buffer_share = f->value});
        flats.push_back({{"label", c.label}, {"key", f->key}, {"buffer_share", f->value}, {"model_perils", c.set},
                         {"probability_exhausted", r.probability_exhausted->value},
                         {"probability_exhausted_se", r.probability_exhausted->standard_error},
                         {"citation", f->citation}});
    }
    std::ostringstream q;
    q << "probability";
    for (const auto& s : sets) q << ',' << s.name;
    q << '\n';
    std::vector<std::vector<double>> sorted;
    for (const auto& s : sets) {
        sorted.push_back(s.shares);
        std::sort(sorted.back().begin(), sorted.back().end());
    }
    for (int k = 1; k < 1000; ++k) {
        const double p = k / 1000.0;
        q << csv(p);
        for (const auto& v : sorted) q << ',' << csv(v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))]);
        q << '\n';
    }
    files.push_back({"buffer_quantiles.csv", q.str()});
    std::ostringstream fb;
    fb << "label,buffer_share,model_perils,probability_exhausted,probability_exhausted_se\n";
    for (const auto& f : flats)
        fb << '"' << f["label"].get<std::string>() << "\"," << csv(f["buffer_share"].get<double>()) << ','
           << f["model_perils"].get<std::string>() << ',' << csv(f["probability_exhausted"].get<double>()) << ','
           << csv(f["probability_exhausted_se"].get<double>()) << '\n';
    files.push_back({"buffer_flat.csv", fb.str()});

    ojson j;
    j["project"] = {{"id", project.id}, {"region", project.region}, {"forest_type", "chinese_fir"},
                    {"area_ha", project.area_ha}, {"age_years", project.age_years},
                    {"from", o.buffer_file.filename().string()}};
    j["horizon_years"] = horizon;
    j["alpha"] = alpha;
    j["paths"] = o.buffer_paths;
    j["seed"] = mix(o.seed, 5);
    j["reversal_definition"] = "cumulative gross carbon lost over the horizon / stock at the start, capped at 1";
    j["model"] = ojson::object();
    for (const auto& s : sets)
        j["model"][s.name] = {{"buffer_share", s.r.buffer_share}, {"buffer_share_se", s.r.buffer_share_se},
                              {"mean_reversal_share", s.r.mean_reversal_share.value},
                              {"mean_reversal_share_se", s.r.mean_reversal_share.standard_error}};
    j["flat_buffers"] = flats;
    return j;
}

// ---- text and Markdown --------------------------------------------------------------------------

struct Writer {
    std::ostringstream text, md;
};

void write_reports(const ojson& j, const Tests& tests, Writer& w) {
    auto& t = w.text;
    auto& m = w.md;
    t << "tanhui validate  model " << j["model_version"].get<std::string>() << "  seed " << j["seed"].get<std::uint64_t>()
      << "\n";
    m << "# Validation report\n\nGenerated by `tanhui validate --out` (model " << j["model_version"].get<std::string>()
      << ", seed " << j["seed"].get<std::uint64_t>() << "). Do not edit: rerun the command. docs/validation.md explains "
      << "each test.\n\n";

    const auto& fire = j["fire"];
    t << "\n== Fire, out of sample: fit " << fire["fit_years"][0] << "-" << fire["fit_years"][1] << ", predict "
      << fire["test_years"].dump() << "\n";
    t << "   provinces " << fire["provinces"].size() << " (excluded " << fire["excluded"].size()
      << "), fire-weather correlation of the null " << fixed(fire["cross_region_correlation"].get<double>(), 3) << "\n";
    m << "## Fire, out of sample\n\nFit " << fire["fit_years"][0] << "-" << fire["fit_years"][1] << ", predict "
      << fire["test_years"].dump() << "; " << fire["provinces"].size() << " provinces (" << fire["excluded"].size()
      << " excluded), fire-weather correlation of the Monte Carlo null "
      << fixed(fire["cross_region_correlation"].get<double>(), 3) << ".\n\n";
    t << "   rule                 n   KS D  p(null)  p(iid)   50% cover  p      90% cover  p      log score | area n  KS p   50%    90%\n";
    m << "| rule | province-years | count PIT KS D | p (null) | p (iid) | 50 % coverage | p | 90 % coverage | p | "
         "mean log score | area n | area KS p | area 50 % | area 90 % |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
    for (const auto& r : fire["rules"]) {
        const auto& c = r["count"];
        ojson a = r["area"];
        if (!a.contains("ks"))  // no area forecast (stationary): blanks
            a = {{"province_years", a["province_years"]}, {"ks", {{"p_value", nullptr}}},
                 {"coverage_50", {{"observed", nullptr}}}, {"coverage_90", {{"observed", nullptr}}}};
        const auto g = [](const ojson& v) { return v.is_number() ? v.get<double>() : NAN; };
        t << "   " << std::left << std::setw(20) << r["rule"].get<std::string>() << std::right << std::setw(3)
          << r["province_years"].get<std::size_t>() << "  " << fixed(g(c["ks"]["statistic"]), 3) << "  "
          << std::setw(7) << pval(g(c["ks"]["null_p_value"])) << "  " << std::setw(7) << pval(g(c["ks"]["iid_p_value"]))
          << "  " << std::setw(8) << pct(g(c["coverage_50"]["observed"])) << "  " << std::setw(6)
          << pval(g(c["coverage_50"]["null_p_value"])) << " " << std::setw(8) << pct(g(c["coverage_90"]["observed"]))
          << "  " << std::setw(6) << pval(g(c["coverage_90"]["null_p_value"])) << " " << std::setw(8)
          << fixed(g(c["mean_log_score"]), 2) << "  | " << std::setw(3) << a["province_years"].get<std::size_t>() << "  "
          << std::setw(6) << pval(g(a["ks"]["p_value"])) << " " << std::setw(7) << pct(g(a["coverage_50"]["observed"]))
          << " " << std::setw(7) << pct(g(a["coverage_90"]["observed"])) << "\n";
        m << "| " << r["rule"].get<std::string>() << " | " << r["province_years"].get<std::size_t>() << " | "
          << fixed(g(c["ks"]["statistic"]), 3) << " | " << pval(g(c["ks"]["null_p_value"])) << " | "
          << pval(g(c["ks"]["iid_p_value"])) << " | " << pct(g(c["coverage_50"]["observed"])) << " | "
          << pval(g(c["coverage_50"]["null_p_value"])) << " | " << pct(g(c["coverage_90"]["observed"])) << " | "
          << pval(g(c["coverage_90"]["null_p_value"])) << " | " << fixed(g(c["mean_log_score"]), 2) << " | "
          << a["province_years"].get<std::size_t>() << " | " << pval(g(a["ks"]["p_value"])) << " | "
          << pct(g(a["coverage_50"]["observed"])) << " | " << pct(g(a["coverage_90"]["observed"])) << " |\n";
    }
    // Fujian's three years under each rule.
    m << "\nFujian (35):\n\n| rule | year | fires | expected | 90 % interval | PIT | damaged ha | predicted median | area PIT |\n"
         "|---|---|---|---|---|---|---|---|---|\n";
    t << "   Fujian (35):\n";
    for (const auto& r : fire["rules"])
        for (const auto& f : r["forecasts"])
            if (f["region"] == "35") {
                const auto g = [](const ojson& v) { return v.is_number() ? v.get<double>() : NAN; };
                t << "     " << std::left << std::setw(20) << r["rule"].get<std::string>() << std::right << f["year"]
                  << "  fires " << std::setw(5) << g(f["observed_fires"]) << "  expected " << std::setw(7)
                  << fixed(g(f["expected_fires"]), 1) << "  90% [" << g(f["interval_90"][0]) << ", " << g(f["interval_90"][1])
                  << "]  PIT " << fixed(g(f["pit_count"]), 3) << "  damaged " << fixed(g(f["observed_damaged_ha"]), 0)
                  << " ha (median " << fixed(g(f["median_damaged_ha"]), 0) << ", PIT " << fixed(g(f["pit_area"]), 3) << ")\n";
                m << "| " << r["rule"].get<std::string>() << " | " << f["year"] << " | " << g(f["observed_fires"]) << " | "
                  << fixed(g(f["expected_fires"]), 1) << " | [" << g(f["interval_90"][0]) << ", " << g(f["interval_90"][1])
                  << "] | " << fixed(g(f["pit_count"]), 3) << " | " << fixed(g(f["observed_damaged_ha"]), 0) << " | "
                  << fixed(g(f["median_damaged_ha"]), 0) << " | " << fixed(g(f["pit_area"]), 3) << " |\n";
            }
    if (!fire["excluded"].empty()) {
        t << "   excluded: ";
        m << "\nExcluded: ";
        for (std::size_t i = 0; i < fire["excluded"].size(); ++i) {
            t << (i ? "; " : "") << fire["excluded"][i].get<std::string>();
            m << (i ? "; " : "") << fire["excluded"][i].get<std::string>();
        }
        t << "\n";
        m << ".\n";
    }

    const auto& price = j["price"];
    t << "\n== Carbon price, out of sample: rolling window " << price["window"] << " traded days, refit every "
      << price["refit_every"] << "\n";
    t << "   market  method      h  level   n     exceed  expected  Kupiec LR  p       Christoffersen LR  p\n";
    m << "\n## Carbon price, out of sample\n\nRolling window of " << price["window"] << " traded observations, refit every "
      << price["refit_every"] << "; horizon in traded observations (20: non-overlapping).\n\n"
      << "| market | method | horizon | level | n | exceedances | expected | Kupiec LR | p | Christoffersen LR | p |\n"
         "|---|---|---|---|---|---|---|---|---|---|---|\n";
    for (const auto& mk : price["markets"]) {
        if (!mk["included"].get<bool>()) {
            t << "   " << mk["market"].get<std::string>() << ": not tested, " << mk["reason"].get<std::string>() << "\n";
            m << "| " << mk["market"].get<std::string>() << " | not tested: " << mk["reason"].get<std::string>()
              << " |||||||||\n";
            continue;
        }
        for (const auto& r : mk["tests"]) {
            const auto g = [](const ojson& v) { return v.is_number() ? v.get<double>() : NAN; };
            const std::string name = mk["market"].get<std::string>() + (mk.contains("data_issue") ? "*" : "");
            t << "   " << std::left << std::setw(7) << name << " " << std::setw(11) << r["method"].get<std::string>()
              << std::right << std::setw(2) << r["horizon"] << "  " << fixed(100 * g(r["level"]), 0) << " %  " << std::setw(5)
              << r["trials"] << "  " << std::setw(5) << r["exceedances"] << "  " << std::setw(8) << fixed(g(r["expected"]), 1)
              << "  " << std::setw(9) << fixed(g(r["kupiec_lr"]), 2) << "  " << std::setw(7) << pval(g(r["kupiec_p_value"]))
              << " " << std::setw(9) << fixed(g(r["christoffersen_lr"]), 2) << "          " << pval(g(r["christoffersen_p_value"]))
              << "\n";
            m << "| " << name << " | " << r["method"].get<std::string>() << " | " << r["horizon"] << " | "
              << fixed(100 * g(r["level"]), 0) << " % | " << r["trials"] << " | " << r["exceedances"] << " | "
              << fixed(g(r["expected"]), 1) << " | " << fixed(g(r["kupiec_lr"]), 2) << " | " << pval(g(r["kupiec_p_value"]))
              << " | " << fixed(g(r["christoffersen_lr"]), 2) << " | " << pval(g(r["christoffersen_p_value"])) << " |\n";
        }
    }
    t << "   (* known data issue: reported, not gating)\n";
    m << "\n\\* known data issue (docs/calibration.md): reported, not gating.\n";

    const auto& bc = j["burning_cost"];
    const auto g = [](const ojson& v) { return v.is_number() ? v.get<double>() : NAN; };
    t << "\n== Index product, in sample: " << bc["policy_id"].get<std::string>() << " replayed on " << bc["years"][0] << "-"
      << bc["years"][1] << " (trend-adjusted to " << bc["holdings"][0]["adjusted_to_year"] << ")\n";
    t << "   fire loss tCO2e/yr   replay " << fixed(g(bc["replay"]["fire_loss_tco2e"]["mean"]), 2) << " (SE "
      << fixed(g(bc["replay"]["fire_loss_tco2e"]["se"]), 2) << ")   model " << fixed(g(bc["model"]["fire_loss_tco2e"]["mean"]), 2)
      << " (SE " << fixed(g(bc["model"]["fire_loss_tco2e"]["se"]), 2) << ")   gap " << fixed(g(bc["gap_in_se"]["fire_loss"]), 2)
      << " SE\n";
    t << "   policy payout CNY/yr burning cost " << fixed(g(bc["replay"]["policy_payout_cny"]["mean"]), 0) << " (SE "
      << fixed(g(bc["replay"]["policy_payout_cny"]["se"]), 0) << ")   model fire " << fixed(g(bc["model"]["policy_payout_cny"]["mean"]), 0)
      << " (SE " << fixed(g(bc["model"]["policy_payout_cny"]["se"]), 0) << ")   gap " << fixed(g(bc["gap_in_se"]["policy_payout"]), 2)
      << " SE;  model fire+pest " << fixed(g(bc["model"]["fire_and_pest"]["policy_payout_cny"]["mean"]), 0) << "\n";
    m << "\n## Index product, in sample\n\n" << bc["policy_id"].get<std::string>() << " ("
      << bc["policy_file"].get<std::string>() << ") replayed on " << bc["years"][0] << "-" << bc["years"][1]
      << ", trend-adjusted to " << bc["holdings"][0]["adjusted_to_year"] << "; model: " << bc["model"]["simulated_years"]
      << " simulated years.\n\n| quantity | replay (SE) | model, fire (SE) | gap (SE) | model, fire + pest |\n|---|---|---|---|---|\n"
      << "| fire loss, tCO2e a year | " << fixed(g(bc["replay"]["fire_loss_tco2e"]["mean"]), 2) << " ("
      << fixed(g(bc["replay"]["fire_loss_tco2e"]["se"]), 2) << ") | " << fixed(g(bc["model"]["fire_loss_tco2e"]["mean"]), 2)
      << " (" << fixed(g(bc["model"]["fire_loss_tco2e"]["se"]), 2) << ") | " << fixed(g(bc["gap_in_se"]["fire_loss"]), 2)
      << " | " << fixed(g(bc["model"]["fire_and_pest"]["loss_tco2e"]["mean"]), 2) << " |\n"
      << "| policy payout, CNY a year | " << fixed(g(bc["replay"]["policy_payout_cny"]["mean"]), 0) << " ("
      << fixed(g(bc["replay"]["policy_payout_cny"]["se"]), 0) << ") | " << fixed(g(bc["model"]["policy_payout_cny"]["mean"]), 0)
      << " (" << fixed(g(bc["model"]["policy_payout_cny"]["se"]), 0) << ") | " << fixed(g(bc["gap_in_se"]["policy_payout"]), 2)
      << " | " << fixed(g(bc["model"]["fire_and_pest"]["policy_payout_cny"]["mean"]), 0) << " |\n";

    const auto& bf = j["buffer"];
    t << "\n== Reversal buffer: " << bf["project"]["id"].get<std::string>() << " (Fujian chinese_fir, "
      << bf["project"]["area_ha"] << " ha, age " << bf["project"]["age_years"] << "), " << bf["horizon_years"]
      << " years, alpha " << bf["alpha"] << "\n";
    m << "\n## Reversal buffer\n\n" << bf["project"]["id"].get<std::string>() << " (Fujian chinese_fir, "
      << bf["project"]["area_ha"] << " ha, age " << bf["project"]["age_years"] << "), " << bf["horizon_years"]
      << " years, alpha " << bf["alpha"] << ", " << bf["paths"] << " paths.\n\n"
      << "| perils | model buffer (SE) | mean reversal |\n|---|---|---|\n";
    for (const auto& [name, v] : bf["model"].items()) {
        t << "   model " << std::left << std::setw(14) << name << std::right << " buffer " << pct(g(v["buffer_share"]), 2)
          << " (SE " << pct(g(v["buffer_share_se"]), 2) << ")  mean reversal " << pct(g(v["mean_reversal_share"]), 2) << "\n";
        m << "| " << name << " | " << pct(g(v["buffer_share"]), 2) << " (" << pct(g(v["buffer_share_se"]), 2) << ") | "
          << pct(g(v["mean_reversal_share"]), 2) << " |\n";
    }
    m << "\n| flat buffer | share | model perils | P(exhausted in " << bf["horizon_years"] << " years) |\n|---|---|---|---|\n";
    for (const auto& f : bf["flat_buffers"]) {
        t << "   " << std::left << std::setw(46) << f["label"].get<std::string>() << std::right << std::setw(7)
          << pct(g(f["buffer_share"]), 0) << "  P(exhausted) " << pct(g(f["probability_exhausted"]), 2) << " (SE "
          << pct(g(f["probability_exhausted_se"]), 2) << ")\n";
        m << "| " << f["label"].get<std::string>() << " | " << pct(g(f["buffer_share"]), 0) << " | "
          << f["model_perils"].get<std::string>() << " | " << pct(g(f["probability_exhausted"]), 2) << " ("
          << pct(g(f["probability_exhausted_se"]), 2) << ") |\n";
    }

    std::size_t gating = 0, failed = 0, accepted = 0;
    for (const auto& x : tests.all) {
        gating += x.gating ? 1 : 0;
        failed += x.gating && !x.passed ? 1 : 0;
        accepted += x.accepted.empty() ? 0 : 1;
    }
    t << "\n== Gate: " << gating << " gating tests at level " << tests.level << "; " << failed << " failed ("
      << accepted << " of them accepted findings); report-only rejections are marked 'note'\n";
    m << "\n## Gate\n\nEach gating test passes when its p-value is at least " << tests.level << ". " << gating
      << " gating tests, " << failed << " failed";
    if (accepted) m << " (" << accepted << " of them accepted findings of docs/validation/findings.csv)";
    m << ". Report-only tests that reject at the level are marked *reject*.\n\n"
         "| test | gating | statistic | p | result |\n|---|---|---|---|---|\n";
    for (const auto& x : tests.all) {
        const std::string result = x.passed ? "pass" : !x.gating ? "reject" : x.accepted.empty() ? "FAIL" : "FAIL (accepted)";
        if (x.gating || !x.passed)
            t << "   " << std::left << std::setw(16) << (x.gating ? result : std::string("note: reject")) << std::setw(58)
              << x.id << std::right << " stat " << std::setw(8) << fixed(x.statistic, 3) << "  p " << pval(x.p_value) << "\n";
        m << "| " << x.id << " | " << (x.gating ? "yes" : "report") << " | " << fixed(x.statistic, 3) << " | "
          << pval(x.p_value) << " | " << (x.gating && !x.passed ? "**" + result + "**" : result) << " |\n";
    }
}

}  // namespace

std::filesystem::path source_dir() { return TANHUI_SOURCE_DIR; }

ValidationReport run_validation(data::Store& store, const ValidationOptions& o) {
    const ModelVersion version = ensure_current_model(store);
    const risk::Model model = build_model(store, version);
    Tests tests;
    tests.level = o.level;
    ValidationReport out;

    // Fire: every province's history.
    std::vector<risk::ProvinceFireHistory> provinces;
    for (const auto& r : store.regions("province")) {
        auto rows = store.fire_history(r.code);
        if (!rows.empty()) provinces.push_back({r.code, std::move(rows)});
    }
    risk::FireBacktestOptions fo;
    fo.seed = mix(o.seed, 1);
    fo.null_replications = o.null_replications;
    fo.threads = o.threads;
    // The provinces the production model covers (a fire calibration in the model version).
    for (const auto& c : version.calibrations)
        if (c.family == "fire") fo.regions.push_back(c.scope);
    const auto clock = [] { return std::chrono::steady_clock::now(); };
    const auto since = [](std::chrono::steady_clock::time_point t) {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
    };
    ojson timings;
    auto t0 = clock();
    const auto fire = risk::backtest_fire(provinces, fo);
    timings["fire"] = since(t0);
    t0 = clock();
    fire_tests(fire, tests);
    out.csv.push_back({"fire_forecasts.csv", fire_csv(fire)});

    // Price: the markets on threads (each backtest is independent and deterministic).
    std::vector<std::string> names;
    for (const auto& m : store.market_ranges()) names.push_back(m.market);
    std::vector<std::vector<PricePoint>> points;
    for (const auto& n : names) points.push_back(store.prices(n));
    const risk::PriceBacktestOptions po;
    std::vector<risk::MarketBacktest> markets(names.size());
    risk::parallel_for(names.size(), o.threads,
                       [&](std::size_t i) { markets[i] = risk::backtest_price(points[i], names[i], po); });
    timings["price"] = since(t0);
    price_tests(markets, tests);
    out.csv.push_back({"price_tests.csv", price_tests_csv(markets)});
    for (const auto& m : markets)
        if (m.included && (m.market == "FJEA" || m.market == "CEA"))
            out.csv.push_back({"price_var_" + m.market + ".csv", price_series_csv(m, po)});

    ojson j;
    j["model_version"] = version.version;
    j["seed"] = o.seed;
    j["level"] = o.level;
    j["fire"] = fire_json(fire);
    j["price"] = price_json(markets, po);
    t0 = clock();
    j["burning_cost"] = burning_cost(store, version, model, o, tests, out.csv);
    timings["burning_cost"] = since(t0);
    t0 = clock();
    j["buffer"] = buffer(store, model, o, out.csv);
    timings["buffer"] = since(t0);
    j["timings_seconds"] = timings;

    for (auto& x : tests.all)
        if (x.gating && !x.passed)
            if (auto it = o.accepted_findings.find(x.id); it != o.accepted_findings.end()) x.accepted = it->second;
    for (const auto& [id, reason] : o.accepted_findings) {
        const auto it = std::find_if(tests.all.begin(), tests.all.end(), [&](const Test& x) { return x.id == id; });
        if (it == tests.all.end() || it->passed) out.resolved_findings.push_back(id);
    }
    out.passed = true;
    ojson tj = ojson::array();
    std::ostringstream tc;
    tc << "id,section,gating,statistic,p_value,passed\n";
    for (const auto& x : tests.all) {
        if (x.gating && !x.passed && x.accepted.empty()) {
            out.passed = false;
            out.new_failures.push_back(x.id);
        }
        tj.push_back({{"id", x.id}, {"section", x.section}, {"what", x.what}, {"statistic", num(x.statistic)},
                      {"p_value", num(x.p_value)}, {"gating", x.gating}, {"passed", x.passed}});
        if (!x.accepted.empty()) tj.back()["accepted_finding"] = x.accepted;
        tc << x.id << ',' << x.section << ',' << (x.gating ? 1 : 0) << ',' << csv(x.statistic) << ',' << csv(x.p_value) << ','
           << (x.passed ? 1 : 0) << '\n';
    }
    out.csv.push_back({"tests.csv", tc.str()});
    j["tests"] = tj;
    j["passed"] = out.passed;
    j["new_failures"] = out.new_failures;
    j["accepted_findings_failing"] = ojson::array();
    for (const auto& x : tests.all)
        if (!x.accepted.empty()) j["accepted_findings_failing"].push_back(x.id);
    j["resolved_findings"] = out.resolved_findings;
    Writer w;
    write_reports(j, tests, w);
    out.json = std::move(j);
    out.text = w.text.str();
    out.markdown = w.md.str();
    return out;
}

}  // namespace tanhui::api
