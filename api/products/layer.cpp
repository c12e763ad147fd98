#include "api/products/layer.hpp"

#include "api/json/fields.hpp"
#include "api/json/loss_table.hpp"
#include "api/json/peril_split.hpp"
#include "api/json/quote_request.hpp"
#include "api/service/quote_service.hpp"
#include "risk/perils/registry.hpp"
#include "risk/simulation/event_losses.hpp"
#include "risk/simulation/reversal.hpp"
#include "risk/simulation/simulate.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace tanhui::api {

namespace {

// "layer": {basis, attachment_cny, limit_cny, reinstatements?, aggregate_limit_cny?, premium_cny?}.
void decode_terms(ObjectReader& r, LayerRequest& q, std::vector<FieldProblem>& problems) {
    const auto* l = r.get("layer");
    if (!l) {
        r.problem("layer", "is required: {basis, attachment_cny, limit_cny, reinstatements?, premium_cny?}");
        return;
    }
    ObjectReader lr(*l, "/layer", problems);
    if (auto b = lr.one_of("basis", true, {"occurrence", "aggregate"})) q.basis = *pricing::parse_layer_basis(*b);
    if (auto v = lr.number("attachment_cny", true, range::non_negative)) q.layer.attachment_cny = *v;
    if (auto v = lr.number("limit_cny", true, range::positive)) q.layer.limit_cny = *v;
    if (auto v = lr.integer("reinstatements", false, 0, 1000)) q.layer.reinstatements = static_cast<int>(*v);
    q.layer.aggregate_limit_cny = lr.number("aggregate_limit_cny", false, range::positive);
    q.layer.premium_cny = lr.number("premium_cny", false, range::non_negative);
    if (q.basis == pricing::LayerBasis::aggregate) {
        if (q.layer.reinstatements) lr.problem("reinstatements", "applies to \"occurrence\" layers only");
        if (q.layer.aggregate_limit_cny) lr.problem("aggregate_limit_cny", "applies to \"occurrence\" layers only");
    }
    lr.finish();
}

// holdings, perils?, price_cny_per_tco2e, simulation?: {years, seed, threads}.
void decode_portfolio(ObjectReader& r, const ProductLimits& limits, LayerRequest& q, std::vector<FieldProblem>& problems) {
    q.holdings = decode_holdings(r, "holdings", limits.max_holdings, problems);
    q.perils = decode_perils(r, problems, risk::default_perils());
    if (auto v = r.number("price_cny_per_tco2e", true, range::positive)) q.price_cny_per_tco2e = *v;
    if (const auto* s = r.get("simulation")) {
        ObjectReader sr(*s, "/simulation", problems);
        if (auto y = sr.integer("years", false, 2, limits.max_years)) q.years = static_cast<std::uint32_t>(*y);
        if (auto seed = decode_seed(sr)) q.seed = *seed;
        if (auto t = sr.integer("threads", false, 0, 256)) q.threads = static_cast<unsigned>(*t);
        sr.finish();
    }
    if (static_cast<long long>(q.years) > limits.max_years)
        r.problem("simulation", "the default of " + std::to_string(q.years) + " years exceeds the limit of " +
                                    std::to_string(limits.max_years) + "; give simulation.years");
}

// The subject losses: each year's total, and each year's events when the basis is per occurrence.
// A simulated subject also keeps each year's carbon lost by peril (rows of perils.size()).
struct Subject {
    std::vector<double> annual;
    std::vector<std::vector<double>> events;
    std::vector<double> peril_tco2e;
};

Subject table_subject(const LayerRequest& q, nlohmann::ordered_json& out) {
    risk::YearTable t = risk::year_table(*q.loss_table, q.basis == pricing::LayerBasis::occurrence);
    out["source"] = "loss_table";
    out["years"] = q.loss_table->years;
    return {std::move(t.annual), std::move(t.events), {}};
}

Subject simulated_subject(const LayerRequest& q, const risk::Model& model, const std::string& model_version,
                          unsigned default_threads, risk::CancelFlag cancel, nlohmann::ordered_json& out) {
    risk::BookOptions options;
    options.perils = q.perils;
    const risk::Book book = risk::prepare_book(model, q.holdings, options);
    const unsigned threads = q.threads ? q.threads : default_threads;
    // Events at or below the attachment recover nothing: only the others are kept.
    const double keep_above = q.basis == pricing::LayerBasis::occurrence ? q.layer.attachment_cny
                                                                         : std::numeric_limits<double>::infinity();
    risk::SimulatedEvents s = risk::simulate_event_losses(book, q.years, q.seed, threads, q.price_cny_per_tco2e, keep_above, cancel);
    risk::Simulation sim;  // the same years as simulate_event_losses, for the losses by peril
    sim.years = q.years;
    sim.seed = q.seed;
    sim.threads = threads;
    sim.cancel = cancel;
    std::vector<double> by_peril = risk::simulate_year_losses(book, sim, true, false).peril_tco2e;
    out["source"] = "simulation";
    out["years"] = q.years;
    out["seed"] = q.seed;
    out["model_version"] = model_version;
    out["perils"] = q.perils;
    out["price_cny_per_tco2e"] = q.price_cny_per_tco2e;
    out["carbon_stock_tco2e"] = risk::carbon_stock_tco2e(book);
    return {std::move(s.annual_cny), std::move(s.events_cny), std::move(by_peril)};
}

void encode_result(const LayerRequest& q, const Subject& subject, const pricing::LayerResult& r,
                   nlohmann::ordered_json& out) {
    double subject_sum = 0;  // not risk::average_annual_loss, which refuses a total that overflowed
    for (const double x : subject.annual) subject_sum += x;
    const double expected_subject = subject_sum / static_cast<double>(subject.annual.size());
    out["expected_subject_loss_cny"] = expected_subject;
    out["expected_layer_loss_cny"] = r.expected_layer_loss_cny;
    out["expected_layer_loss_se_cny"] = r.expected_layer_loss_se_cny;
    out["layer_loss_std_dev_cny"] = r.std_dev_cny;
    out["probability_of_attaching"] = r.probability_of_attaching;
    out["probability_of_exhausting"] = r.probability_of_exhausting;
    out["rate_on_line"] = r.rate_on_line;
    if (r.rate_on_line_at_premium) out["rate_on_line_at_premium"] = *r.rate_on_line_at_premium;
    if (q.layer.premium_cny && *q.layer.premium_cny > 0)
        out["expected_loss_ratio_at_premium"] = r.expected_layer_loss_cny / *q.layer.premium_cny;
    out["annual_cap_cny"] = finite_or_null(r.annual_cap_cny);
    if (q.layer.reinstatements) out["expected_reinstatements_used"] = r.expected_reinstatements_used;
    if (subject.peril_tco2e.empty() || !std::isfinite(expected_subject)) return;
    // Where they come from (issue 16 item 6): each year's subject and layer loss shared by the
    // carbon each peril lost that year; the values add up to the totals above exactly.
    out["expected_subject_loss_by_peril_cny"] = split_by_peril(q.perils, subject.peril_tco2e, subject.annual, expected_subject);
    out["expected_layer_loss_by_peril_cny"] =
        split_by_peril(q.perils, subject.peril_tco2e, r.layer_loss_cny, r.expected_layer_loss_cny);
}

// Library fields of the layer terms live under /layer in the request.
std::string layer_pointer(const std::string& pointer) {
    for (const char* f : {"/attachment_cny", "/limit_cny", "/reinstatements", "/aggregate_limit_cny", "/premium_cny"})
        if (pointer == f) return "/layer" + pointer;
    return pointer;
}

}  // namespace

Decoded<LayerRequest> decode_layer(const nlohmann::json& body, const ProductLimits& limits) {
    Decoded<LayerRequest> out;
    auto& problems = out.problems;
    ObjectReader r(body, "", problems);
    if (!r.ok()) return out;
    LayerRequest q;
    decode_terms(r, q, problems);
    const bool table = r.has("loss_table");
    const bool portfolio = r.has("holdings");
    if (table == portfolio)
        r.problem(table ? "holdings" : "loss_table",
                  table ? "give either loss_table or holdings, not both"
                        : "is required: give an explicit loss_table {years, losses} or a portfolio (holdings)");
    if (table) {
        ObjectReader tr(*r.get("loss_table"), "/loss_table", problems);
        q.loss_table = decode_loss_table(tr, {limits.max_years, limits.max_rows}, problems);
        tr.finish();
        for (const char* key : {"perils", "price_cny_per_tco2e", "simulation"})
            if (r.has(key)) r.problem(key, "applies to a simulated portfolio (holdings) only");
    }
    if (portfolio) decode_portfolio(r, limits, q, problems);
    r.finish();
    if (problems.empty()) out.value = std::move(q);
    return out;
}

nlohmann::ordered_json compute_layer(const LayerRequest& q, const risk::Model* model, const std::string& model_version,
                                     unsigned default_threads, risk::CancelFlag cancel) {
    nlohmann::ordered_json out;
    out["basis"] = pricing::to_string(q.basis);
    out["attachment_cny"] = q.layer.attachment_cny;
    out["limit_cny"] = q.layer.limit_cny;
    if (q.layer.reinstatements) out["reinstatements"] = *q.layer.reinstatements;
    if (q.layer.aggregate_limit_cny) out["aggregate_limit_cny"] = *q.layer.aggregate_limit_cny;
    if (q.layer.premium_cny) out["premium_cny"] = *q.layer.premium_cny;
    out["currency"] = "CNY";
    if (!q.loss_table && !model) throw std::logic_error("compute_layer: a portfolio needs a model");
    const Subject subject = q.loss_table ? table_subject(q, out)
                                         : simulated_subject(q, *model, model_version, default_threads, cancel, out);
    const pricing::LayerResult r = q.basis == pricing::LayerBasis::occurrence
                                       ? pricing::per_occurrence_layer(subject.events, q.layer)
                                       : pricing::aggregate_layer(subject.annual, q.layer);
    encode_result(q, subject, r, out);
    return out;
}

ProductOutcome handle_layer(const nlohmann::json& body, const EndpointContext& context) {
    return run_endpoint(
        body, "layer request", [&](const nlohmann::json& b) { return decode_layer(b, context.limits); },
        [&](const LayerRequest& q, ProductOutcome& outcome) {
            if (q.loss_table) return compute_layer(q, nullptr, "", context.limits.threads);
            const auto model = context.models.current(context.store());
            outcome.simulated_years = q.years;
            return compute_layer(q, model.model.get(), model.version, context.limits.threads, context.cancel);
        },
        layer_pointer);
}

}  // namespace tanhui::api
