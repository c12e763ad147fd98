#include "api/validation/burning_cost.hpp"

#include "api/json/quote_request.hpp"
#include "api/products/burning_cost.hpp"
#include "api/service/calibration.hpp"
#include "pricing/burning_cost.hpp"
#include "pricing/index_insurance.hpp"
#include "risk/backtest/statistics.hpp"
#include "risk/metrics/metrics.hpp"
#include "risk/model/growth.hpp"
#include "risk/perils/fire.hpp"
#include "risk/perils/pest.hpp"
#include "risk/simulation/simulate.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace tanhui::api::validation {

namespace {

// Mean, its standard error and the standard deviation (N - 1) of a sample.
struct MeanSe {
    double mean = 0, se = 0, sd = 0;
};
MeanSe mean_se(std::span<const double> x) {
    const risk::Estimate m = risk::average_annual_loss_with_error(x);
    return {m.value, m.standard_error, risk::sample_std(x)};
}

risk::Estimate estimate(const MeanSe& m) { return {m.mean, m.se}; }

// Each holding replayed twice: as the burning-cost product does (no flammability) and with the
// forest type's flammability, as the model applies it.
struct PoolReplay {
    std::vector<pricing::FireReplay> product, policy;
    ojson holdings = ojson::array();
    double stock_tco2e = 0;
};

PoolReplay replay_pool(data::Store& store, const ModelVersion& version, const risk::Model& model,
                       const QuoteRequest& q, int policy_year) {
    PoolReplay pool;
    for (std::size_t h = 0; h < q.holdings.size(); ++h) {
        const Holding& holding = q.holdings[h];
        const std::string code = normalise_region_code(holding.region);
        const Calibration* fire = fire_calibration(version, code);
        const risk::FireModels* fire_models = risk::fire_models(model);
        if (!fire || !fire_models || !fire_models->count(fire->scope))
            throw std::runtime_error("model " + version.version + " has no fire calibration for region " + code);
        const FireTrend trend = fire_trend_from_report(fire->report);
        const auto history = store.fire_history(fire->scope, trend.first_year, trend.last_year);
        const double forest = fire->report.value("forest_area_ha", 0.0);
        if (!(forest > 0)) throw std::runtime_error("fire calibration " + fire->id + " reports no forest area");
        const auto carbon = risk::holding_carbon(holding, model.growth, {}, "/holdings/" + std::to_string(h));
        const auto& fm = fire_models->at(fire->scope);
        pricing::FireReplayTerms terms;
        terms.trend_per_year = trend.counts_trend_per_year + trend.burned_area_trend_per_year;
        terms.adjusted_to_year = std::min(policy_year, trend.last_year);
        terms.province_forest_area_ha = forest;
        terms.area_ha = holding.area_ha;
        terms.stock_tco2e_per_ha = carbon.stock_tco2e_per_ha;
        terms.loss_fraction = fm.loss_fraction[risk::index(holding.forest_type)];
        pool.stock_tco2e += carbon.stock_tco2e;
        if (!pool.product.empty() && history.size() != pool.product.front().years.size())
            throw std::runtime_error("the policy's holdings lie in provinces with different fire years");
        std::vector<pricing::DamagedYear> damaged;
        for (const auto& y : history) damaged.push_back({y.year, y.forest_damaged_ha});
        pool.product.push_back(pricing::replay_fire_years(damaged, terms));
        terms.flammability = fm.flammability[risk::index(holding.forest_type)];
        pool.policy.push_back(pricing::replay_fire_years(damaged, terms));
        pool.holdings.push_back({{"id", holding.id}, {"region", holding.region}, {"province", fire->scope},
                                 {"forest_type", std::string(to_string(holding.forest_type))},
                                 {"area_ha", holding.area_ha}, {"stock_tco2e_per_ha", carbon.stock_tco2e_per_ha},
                                 {"loss_fraction", terms.loss_fraction}, {"flammability", terms.flammability},
                                 {"share_of_province_forest", pool.product.back().share_of_province_forest},
                                 {"fire_calibration", fire->id}, {"trend_per_year", terms.trend_per_year},
                                 {"adjusted_to_year", terms.adjusted_to_year}});
    }
    return pool;
}

// The model's annual fire (or fire and pest) loss of the pool at the policy year.
std::vector<double> model_losses(const risk::Model& model, const QuoteRequest& q, const risk::Simulation& sim,
                                 std::vector<std::string> perils) {
    risk::BookOptions bo;
    bo.perils = std::move(perils);
    const risk::Book book = risk::prepare_book(model, q.holdings, bo);
    return risk::simulate_year_losses(book, sim, false, false).total_tco2e;
}

std::string replay_csv(const pricing::FireReplay& first, std::span<const double> loss, std::span<const double> loss_product,
                       std::span<const double> pay_policy, std::span<const double> pay_product) {
    std::ostringstream c;
    c << "year,forest_damaged_ha,trend_factor,pool_loss_tco2e,pool_loss_product_tco2e,payout_cny,payout_product_cny\n";
    for (std::size_t i = 0; i < first.years.size(); ++i)
        c << first.years[i].year << ',' << csv(first.years[i].forest_damaged_ha) << ',' << csv(first.years[i].trend_factor)
          << ',' << csv(loss[i]) << ',' << csv(loss_product[i]) << ',' << csv(pay_policy[i]) << ',' << csv(pay_product[i])
          << '\n';
    return c.str();
}

ojson ms(const MeanSe& x) { return ojson{{"mean", num(x.mean)}, {"se", num(x.se)}, {"sd", num(x.sd)}}; }

}  // namespace

ojson burning_cost_section(data::Store& store, const ModelVersion& version, const risk::Model& model,
                           const ValidationOptions& o, Tests& t, std::vector<CsvFile>& files) {
    std::ifstream in(o.policy_file);
    if (!in) throw std::runtime_error("cannot read the burning-cost policy " + o.policy_file.string());
    const auto decoded = decode_quote(nlohmann::json::parse(in));
    const auto* terms = decoded.value ? std::any_cast<pricing::IndexInsuranceTerms>(&decoded.value->cover) : nullptr;
    if (!terms || terms->form != pricing::IndexForm::per_tonne)
        throw std::runtime_error(o.policy_file.string() + " is not a valid per_tonne index_insurance quote request");
    const QuoteRequest& q = *decoded.value;
    const int policy_year = std::stoi(q.policy.start.substr(0, 4));
    const PoolReplay pool = replay_pool(store, version, model, q, policy_year);
    const std::vector<double> loss = pricing::replayed_losses_tco2e(pool.policy);
    const std::vector<double> loss_product = pricing::replayed_losses_tco2e(pool.product);

    pricing::PerTonneCover cover;
    cover.price_cny_per_tco2e = terms->price_cny_per_tco2e;
    cover.deductible_tco2e = terms->deductible_tco2e;
    cover.limit_cny = terms->limit_cny.value_or(pricing::sum_insured_cny(cover, pool.stock_tco2e));
    pricing::PerTonneCover first_tonne;  // no deductible, no limit: payout = price x loss
    first_tonne.price_cny_per_tco2e = cover.price_cny_per_tco2e;
    const auto pay_policy = pricing::payouts_cny(cover, loss);
    const auto pay_product = pricing::payouts_cny(cover, loss_product);
    const auto bc_product = mean_se(pay_product);
    const auto bc_policy = mean_se(pay_policy);
    const auto bc_first = mean_se(pricing::payouts_cny(first_tonne, loss));
    const auto replay_loss = mean_se(loss);

    // The model's expected values at the policy year (trend held at the last data year).
    risk::Simulation sim;
    sim.years = o.model_years;
    sim.seed = mix(o.seed, 4);
    sim.threads = o.threads;
    const std::string fire(risk::fire_peril_name), pest(risk::pest_peril_name);
    const auto fire_loss = model_losses(model, q, sim, {fire});
    const auto all_loss = model_losses(model, q, sim, {fire, pest});
    const auto model_loss = mean_se(fire_loss);
    const auto model_policy = mean_se(pricing::payouts_cny(cover, fire_loss));
    const auto model_first = mean_se(pricing::payouts_cny(first_tonne, fire_loss));
    const auto model_policy_all = mean_se(pricing::payouts_cny(cover, all_loss));
    const auto model_loss_all = mean_se(all_loss);

    const double z_loss = risk::gap_in_standard_errors(estimate(replay_loss), estimate(model_loss));
    const double z_policy = risk::gap_in_standard_errors(estimate(bc_policy), estimate(model_policy));
    t.add("burning_cost.expected_fire_loss_gap", "burning_cost",
          "replayed 2004-2021 mean fire loss of the pool vs the model's, in SEs (two-sided normal)", z_loss,
          risk::two_sided_normal_p_value(z_loss), true);
    t.add("burning_cost.policy_payout_gap", "burning_cost",
          "burning cost of the policy as written vs the model's expected fire payout, in SEs", z_policy,
          risk::two_sided_normal_p_value(z_policy), false);

    files.push_back({"burning_cost.csv", replay_csv(pool.policy.front(), loss, loss_product, pay_policy, pay_product)});
    std::ostringstream m;
    m << "quantity,replay_mean,replay_se,model_mean,model_se,model_fire_and_pest_mean,model_fire_and_pest_se\n"
      << "fire_loss_tco2e," << csv(replay_loss.mean) << ',' << csv(replay_loss.se) << ',' << csv(model_loss.mean) << ','
      << csv(model_loss.se) << ',' << csv(model_loss_all.mean) << ',' << csv(model_loss_all.se) << '\n'
      << "policy_payout_cny," << csv(bc_policy.mean) << ',' << csv(bc_policy.se) << ',' << csv(model_policy.mean) << ','
      << csv(model_policy.se) << ',' << csv(model_policy_all.mean) << ',' << csv(model_policy_all.se) << '\n';
    files.push_back({"burning_cost_summary.csv", m.str()});

    const auto& years = pool.policy.front().years;
    ojson j;
    j["policy_file"] = o.policy_file.filename().string();
    j["policy_id"] = q.policy.id;
    j["policy_year"] = policy_year;
    j["cover"] = {{"price_cny_per_tco2e", cover.price_cny_per_tco2e}, {"deductible_tco2e", cover.deductible_tco2e},
                  {"limit_cny", num(cover.limit_cny)}};
    j["holdings"] = pool.holdings;
    j["years"] = {years.front().year, years.back().year};
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

}  // namespace tanhui::api::validation
