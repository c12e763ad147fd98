#include "api/batch/outputs.hpp"

#include "api/batch/ord_csv.hpp"
#include "api/batch/split.hpp"
#include "api/json/metrics.hpp"
#include "data/import/csv.hpp"

#include <algorithm>
#include <cmath>
#include <tuple>

namespace tanhui::api::batch {

namespace fs = std::filesystem;

namespace {

std::string key_of(double v) { return format_number(v); }

std::vector<OrdOccurrence> occurrences_of(std::span<const double> largest, std::span<const double> exposure) {
    std::vector<OrdOccurrence> rows;
    for (std::size_t y = 0; y < largest.size(); ++y)
        if (largest[y] > 0) rows.push_back({static_cast<std::uint32_t>(y + 1), largest[y], exposure[y]});
    return rows;
}

std::string joined(const std::vector<std::string>& v, char sep) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : std::string(1, sep)) + x;
    return s;
}

// A number, or an empty cell / null for a statistic the policy's quote does not have (NaN).
void append_cell(std::string& csv, double v) {
    csv += ',';
    if (!std::isnan(v)) append_number(csv, v);
}
nlohmann::ordered_json number_or_null(double v) { return std::isnan(v) ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(v); }

// A portfolio with price legs (price or revenue policies) has five more results.csv columns.
bool has_price_columns(const Prepared& prep) { return !prep.legs.empty(); }

// The return periods of a policy's quote beyond the simulated years (the largest payout is shown).
std::vector<std::string> beyond_simulation(const pricing::PremiumQuote& pq) {
    std::vector<std::string> keys;
    for (const auto& rp : pq.payout_at_return_period_cny)
        if (rp.beyond_simulation) keys.push_back(key_of(rp.return_period_years));
    return keys;
}

// The policy's Monte Carlo error exceeds the stated share of its pure premium (--mc-error-share).
bool mc_error_flag(const pricing::PremiumQuote& pq, double share) { return pq.pure_premium_se_cny > share * pq.pure_premium_cny; }

std::string results_header(const Prepared& prep) {
    std::string csv = "policy_id,product,form,perils,holdings,carbon_stock_tco2e,sum_insured_cny,expected_loss_tco2e,"
                      "expected_loss_se_tco2e,pure_premium_cny,pure_premium_se_cny,risk_load_cny,risk_load_se_cny,"
                      "gross_premium_cny,subsidy_cny,insured_pays_cny,rate_on_sum_insured,probability_of_payout,"
                      "probability_of_payout_se,payout_std_dev_cny";
    for (double t : prep.return_periods) csv += ",payout_rp_" + key_of(t) + "_cny";
    csv += ",tvar_contribution_cny";
    if (has_price_columns(prep)) csv += ",market,method,engine,expected_payout_cny,expected_payout_se_cny";
    csv += ",premium_principle,model_version,seed,years,beyond_simulation,mc_error_flag";
    return csv + '\n';
}

std::string result_row(const RunOutputs& run, std::size_t p, const PolicyResult& r) {
    const QuoteRequest& q = run.portfolio.policies[p].request;
    const PolicyModel& m = run.prep.policies[p];
    const auto& pq = r.quote;
    std::string csv = data::csv_escape(q.policy.id) + ',' + q.product_name() + ',' + m.plan.form + ',' +
                      joined(m.plan.perils, ';') + ',' + std::to_string(m.holdings.size());
    for (double v : {m.plan.carbon_stock_tco2e, pq.sum_insured_cny, r.expected_loss_tco2e, r.expected_loss_se_tco2e,
                     pq.pure_premium_cny, pq.pure_premium_se_cny, pq.risk_load_cny, pq.risk_load_se_cny, pq.gross_premium_cny,
                     pq.subsidy_cny, pq.insured_pays_cny, pq.rate_on_sum_insured, pq.probability_of_payout,
                     pq.probability_of_payout_se, pq.std_dev_cny})
        append_cell(csv, v);
    for (const auto& rp : pq.payout_at_return_period_cny) append_cell(csv, rp.payout_cny);
    append_cell(csv, r.tvar_contribution_cny);
    if (has_price_columns(run.prep)) {
        csv += ',' + m.plan.market + ',' + m.plan.method + ',' + m.plan.engine;
        append_cell(csv, r.expected_payout.value);
        append_cell(csv, r.expected_payout.standard_error);
    }
    csv += ',' + std::string(pricing::to_string(q.premium.principle)) + ',' + run.model_version + ',' +
           std::to_string(run.options.seed) + ',' + std::to_string(run.layout.years) + ',' + joined(beyond_simulation(pq), ';') +
           ',' + (mc_error_flag(pq, run.options.mc_error_share) ? '1' : '0');
    return csv + '\n';
}

nlohmann::ordered_json result_json(const RunOutputs& run, std::size_t p, const PolicyResult& r, std::span<const double> split) {
    const QuoteRequest& q = run.portfolio.policies[p].request;
    const PolicyModel& m = run.prep.policies[p];
    const auto& pq = r.quote;
    nlohmann::ordered_json j;
    j["policy_id"] = q.policy.id;
    j["product"] = q.product_name();
    j["currency"] = "CNY";
    if (!m.plan.form.empty()) j["form"] = m.plan.form;
    j["perils"] = m.plan.perils;
    j["holdings"] = m.holdings.size();
    j["carbon_stock_tco2e"] = m.plan.carbon_stock_tco2e;
    j["sum_insured_cny"] = pq.sum_insured_cny;
    j["expected_loss_tco2e"] = r.expected_loss_tco2e;
    j["expected_loss_se_tco2e"] = r.expected_loss_se_tco2e;
    j["pure_premium_cny"] = pq.pure_premium_cny;
    j["pure_premium_se_cny"] = pq.pure_premium_se_cny;
    j["risk_load_cny"] = pq.risk_load_cny;
    j["risk_load_se_cny"] = pq.risk_load_se_cny;
    j["gross_premium_cny"] = pq.gross_premium_cny;
    j["subsidy_cny"] = pq.subsidy_cny;
    j["insured_pays_cny"] = pq.insured_pays_cny;
    j["rate_on_sum_insured"] = pq.rate_on_sum_insured;
    j["probability_of_payout"] = pq.probability_of_payout;
    j["probability_of_payout_se"] = pq.probability_of_payout_se;
    j["payout_std_dev_cny"] = number_or_null(pq.std_dev_cny);
    nlohmann::ordered_json rps = nlohmann::ordered_json::object();
    for (const auto& rp : pq.payout_at_return_period_cny) rps[key_of(rp.return_period_years)] = rp.payout_cny;
    j["payout_at_return_period_cny"] = rps;
    if (const auto beyond = beyond_simulation(pq); !beyond.empty()) j["beyond_simulation"] = beyond;
    j["mc_error_flag"] = mc_error_flag(pq, run.options.mc_error_share);
    j["tvar_contribution_cny"] = r.tvar_contribution_cny;
    j["premium_principle"] = std::string(pricing::to_string(q.premium.principle));
    j["premium_parameter"] = q.premium.parameter;
    j["model_version"] = run.model_version;
    j["seed"] = run.options.seed;
    j["years"] = run.layout.years;
    j["expected_payout_cny"] = r.expected_payout.value;
    j["expected_payout_se_cny"] = r.expected_payout.standard_error;
    for (const auto& [k, v] : m.plan.details.items()) j[k] = v;
    if (!m.plan.perils.empty()) {  // where they come from (issue 16 item 6)
        const double terms = std::floor(double(run.layout.years) / double(m.plan.term_years));
        const nlohmann::ordered_json parts = policy_split_json(run.prep, run.prep.split, split, p, run.layout.years, terms,
                                                               r.expected_loss_tco2e, pq.pure_premium_cny);
        for (const auto& [k, v] : parts.items()) j[k] = v;
    }
    return j;
}

// The chunks' split sums, added in chunk order.
std::vector<double> split_sums(const Gathered& g, std::size_t values) {
    std::vector<double> sums(values, 0.0);
    for (const auto& chunk : g.split)
        for (std::size_t i = 0; i < chunk.size() && i < values; ++i) sums[i] += chunk[i];
    return sums;
}

void write_results(const RunOutputs& run, const std::vector<PolicyResult>& results, std::span<const double> split) {
    std::string csv = results_header(run.prep);
    nlohmann::ordered_json json = nlohmann::ordered_json::array();
    for (std::size_t p = 0; p < results.size(); ++p) {
        csv += result_row(run, p, results[p]);
        json.push_back(result_json(run, p, results[p], split));
    }
    write_file_atomic(run.options.out / "results.csv", csv);
    write_file_atomic(run.options.out / "results.json", dump_json(json) + "\n");
}

// Year loss tables and ORD tables, in tCO2e (carbon lost) and CNY (payouts).
void write_tables(const fs::path& dir, const Gathered& g, const risk::Metrics& tco2e, const risk::Metrics& cny,
                  std::uint32_t years) {
    write_ylt(dir / "ylt_tco2e.csv", g.total_tco2e);
    write_ylt(dir / "ylt_cny.csv", g.total_cny);
    for (const auto& [unit, m, largest, exposure] :
         {std::tuple{std::string("tco2e"), &tco2e, &g.max_event_tco2e, &g.max_event_exposure_tco2e},
          std::tuple{std::string("cny"), &cny, &g.max_payout_cny, &g.max_payout_exposure_cny}}) {
        const auto rows = occurrences_of(*largest, *exposure);
        write_selt(dir / ("selt_" + unit + ".csv"), rows);
        write_splt(dir / ("splt_" + unit + ".csv"), rows, years);
        write_file_atomic(dir / ("alt_" + unit + ".csv"), alt_csv(risk::alt_row(*m)));
        write_file_atomic(dir / ("alct_" + unit + ".csv"), alct_csv(risk::alct_row(*m)));
        const auto ept = risk::ept_rows(*m);
        write_file_atomic(dir / ("ept_" + unit + ".csv"), ept_csv(ept));
    }
}

// The price legs of a portfolio with price or revenue policies (none: the key is left out).
nlohmann::ordered_json legs_json(const Prepared& prep) {
    nlohmann::ordered_json legs = nlohmann::ordered_json::array();
    for (std::size_t k = 0; k < prep.legs.size(); ++k) {
        std::size_t policies = 0;
        for (const auto& m : prep.policies) policies += m.leg == k;
        legs.push_back({{"leg", k}, {"market", prep.legs[k].model().market}, {"fixings", prep.legs[k].fixings()},
                        {"policies", policies}});
    }
    return legs;
}

nlohmann::ordered_json euler_json(const RunOutputs& run, const Gathered& g, const std::vector<PolicyResult>& results,
                                  const std::vector<double>& euler_holdings) {
    const double level = run.options.euler_level;
    nlohmann::ordered_json e;
    e["level"] = level;
    e["tvar_tco2e"] = risk::tail_value_at_risk(g.total_tco2e, level);
    e["tvar_cny"] = risk::tail_value_at_risk(g.total_cny, level);
    nlohmann::ordered_json hs = nlohmann::ordered_json::array();
    for (std::size_t h = 0; h < euler_holdings.size(); ++h)
        hs.push_back({{"id", run.portfolio.holdings[h].id}, {"tvar_contribution_tco2e", euler_holdings[h]}});
    e["holdings"] = hs;
    nlohmann::ordered_json ps = nlohmann::ordered_json::array();
    for (std::size_t p = 0; p < results.size(); ++p)
        ps.push_back({{"id", run.portfolio.policies[p].request.policy.id}, {"tvar_contribution_cny", results[p].tvar_contribution_cny}});
    e["policies"] = ps;
    return e;
}

void write_metrics(const RunOutputs& run, const Gathered& g, const risk::Metrics& tco2e, const risk::Metrics& cny,
                   const std::vector<PolicyResult>& results, const std::vector<double>& euler_holdings) {
    nlohmann::ordered_json j;
    j["model_version"] = run.model_version;
    j["seed"] = run.options.seed;
    j["years"] = run.layout.years;
    j["portfolio_sha256"] = run.portfolio_hash;
    j["policies"] = run.prep.policies.size();
    j["holdings"] = run.prep.book.holdings.size();
    j["perils"] = run.prep.perils;
    if (!run.prep.legs.empty()) j["price_legs"] = legs_json(run.prep);
    j["chunk_years"] = run.layout.chunk_years;
    j["tco2e"] = metrics_json(tco2e, MetricsFields::batch);
    j["cny"] = metrics_json(cny, MetricsFields::batch);
    j["euler"] = euler_json(run, g, results, euler_holdings);
    // The AALs by peril and by region (issue 16 item 6), adding up exactly to the AALs above.
    const nlohmann::ordered_json& aal_tco2e = j["tco2e"]["aal"];
    const nlohmann::ordered_json& aal_cny = j["cny"]["aal"];
    if (aal_tco2e.is_number() && aal_cny.is_number()) {
        const nlohmann::ordered_json parts = book_split_json(run.prep, run.prep.split, split_sums(g, run.prep.split.size),
                                                             run.layout.years, aal_tco2e.get<double>(), aal_cny.get<double>());
        for (const auto& [k, v] : parts.items()) j[k] = v;
    }
    write_file_atomic(run.options.out / "metrics.json", dump_json(j) + "\n");
}

// Reinsurance layers on the CNY portfolio.
void write_layers(const RunOutputs& run, const Gathered& g) {
    std::vector<pricing::EventLoss> occurrences;
    for (const auto& o : g.occurrences) occurrences.insert(occurrences.end(), o.begin(), o.end());
    const LayerTables t = layer_tables(run.layout.years, g.total_cny, occurrences, run.options.layers);
    write_file_atomic(run.options.out / "layers.csv", t.csv);
    write_file_atomic(run.options.out / "layers.json", dump_json(t.json) + "\n");
}

}  // namespace

LayerTables layer_tables(std::uint32_t years, std::span<const double> annual_cny, std::span<const pricing::EventLoss> occurrences,
                         const std::vector<LayerSpec>& specs) {
    LayerTables t;
    t.csv = "layer,type,attachment_cny,limit_cny,expected_layer_loss_cny,expected_layer_loss_se_cny,std_dev_cny,"
            "probability_of_attaching,probability_of_exhausting,rate_on_line,annual_cap_cny\n";
    t.json = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < specs.size(); ++i) {
        const LayerSpec& spec = specs[i];
        const pricing::LayerResult r = spec.occurrence ? pricing::per_occurrence_layer(years, occurrences, spec.layer)
                                                       : pricing::aggregate_layer(annual_cny, spec.layer);
        const std::string type = spec.occurrence ? "occurrence" : "aggregate";
        t.csv += std::to_string(i + 1) + ',' + type;
        for (double v : {spec.layer.attachment_cny, spec.layer.limit_cny, r.expected_layer_loss_cny, r.expected_layer_loss_se_cny,
                         r.std_dev_cny, r.probability_of_attaching, r.probability_of_exhausting, r.rate_on_line, r.annual_cap_cny}) {
            t.csv += ',';
            if (std::isfinite(v)) append_number(t.csv, v);  // an uncapped occurrence layer: empty cap
        }
        t.csv += '\n';
        t.json.push_back({{"layer", i + 1}, {"type", type}, {"attachment_cny", spec.layer.attachment_cny},
                          {"limit_cny", spec.layer.limit_cny}, {"expected_layer_loss_cny", r.expected_layer_loss_cny},
                          {"expected_layer_loss_se_cny", r.expected_layer_loss_se_cny}, {"std_dev_cny", r.std_dev_cny},
                          {"probability_of_attaching", r.probability_of_attaching},
                          {"probability_of_exhausting", r.probability_of_exhausting}, {"rate_on_line", r.rate_on_line},
                          {"annual_cap_cny", std::isfinite(r.annual_cap_cny) ? nlohmann::ordered_json(r.annual_cap_cny) : nullptr},
                          {"years", r.years}});
    }
    return t;
}

void apply(const ChunkResult& r, const Prepared& prep, Gathered& g, std::uint32_t years) {
    const std::size_t n = r.years;
    if (r.pass == 0) {
        std::copy(r.total_tco2e.begin(), r.total_tco2e.end(), g.total_tco2e.begin() + r.first_year);
        std::copy(r.max_event_tco2e.begin(), r.max_event_tco2e.end(), g.max_event_tco2e.begin() + r.first_year);
        std::copy(r.max_event_exposure_tco2e.begin(), r.max_event_exposure_tco2e.end(),
                  g.max_event_exposure_tco2e.begin() + r.first_year);
        std::copy(r.total_cny.begin(), r.total_cny.end(), g.total_cny.begin() + r.first_year);
        std::copy(r.max_payout_cny.begin(), r.max_payout_cny.end(), g.max_payout_cny.begin() + r.first_year);
        for (std::size_t i = 0; i < n; ++i) {
            const std::uint32_t p = r.max_payout_policy[i];
            g.max_payout_exposure_cny[r.first_year + i] = p == none ? 0.0 : prep.policies.at(p).plan.sum_insured_cny;
        }
        g.pool_sum_tco2e[r.chunk] = r.pool_sum_tco2e;
        g.pool_sum_sq_tco2e[r.chunk] = r.pool_sum_sq_tco2e;
        g.occurrences[r.chunk] = r.occurrences;
        g.split[r.chunk] = r.split;
    }
    for (std::size_t p = 0; p < std::size_t{r.group_end} - r.group_begin; ++p)
        std::copy(r.payouts.begin() + static_cast<std::ptrdiff_t>(p * n), r.payouts.begin() + static_cast<std::ptrdiff_t>((p + 1) * n),
                  g.columns.begin() + static_cast<std::ptrdiff_t>(p * years + r.first_year));
}

void write_outputs(const RunOutputs& run, const Gathered& g, const std::vector<PolicyResult>& results,
                   const std::vector<double>& euler_holdings) {
    write_results(run, results, split_sums(g, run.prep.split.size));
    const risk::Metrics tco2e = risk::compute_metrics(g.total_tco2e, g.max_event_tco2e);
    const risk::Metrics cny = risk::compute_metrics(g.total_cny, g.max_payout_cny);
    write_tables(run.options.out, g, tco2e, cny, run.layout.years);
    write_metrics(run, g, tco2e, cny, results, euler_holdings);
    if (!run.options.layers.empty()) write_layers(run, g);
}

}  // namespace tanhui::api::batch
