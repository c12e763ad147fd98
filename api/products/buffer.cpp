#include "api/products/buffer.hpp"

#include "api/json/fields.hpp"
#include "api/json/peril_split.hpp"
#include "api/json/quote_request.hpp"
#include "api/service/quote_service.hpp"
#include "pricing/buffer.hpp"
#include "risk/perils/registry.hpp"
#include "risk/simulation/reversal.hpp"
#include "risk/simulation/simulate.hpp"

namespace tanhui::api {

namespace {

// "holdings": [...] or "holding": {...}, exactly one of them.
void decode_project(ObjectReader& r, const ProductLimits& limits, BufferRequest& q, std::vector<FieldProblem>& problems) {
    const bool many = r.has("holdings"), one = r.has("holding");
    if (many == one)
        r.problem(one ? "holding" : "holdings", one ? "give holdings or holding, not both"
                                                    : "is required: the project's holdings (or one holding)");
    if (many) q.holdings = decode_holdings(r, "holdings", limits.max_holdings, problems);
    if (one) {
        auto h = decode_holding(*r.get("holding"), "/holding");
        problems.insert(problems.end(), h.problems.begin(), h.problems.end());
        if (h.value) q.holdings.push_back(std::move(*h.value));
    }
}

struct Credits {
    double tco2e = 0;
    bool given = false;
};

Credits credits_of(const std::vector<Holding>& holdings) {
    Credits c;
    for (const auto& h : holdings)
        if (h.credits_tco2e) {
            c.tco2e += *h.credits_tco2e;
            c.given = true;
        }
    return c;
}

}  // namespace

Decoded<BufferRequest> decode_buffer(const nlohmann::json& body, const ProductLimits& limits) {
    Decoded<BufferRequest> out;
    auto& problems = out.problems;
    ObjectReader r(body, "", problems);
    if (!r.ok()) return out;
    BufferRequest q;
    if (auto id = r.string("project_id", false)) q.project_id = *id;
    decode_project(r, limits, q, problems);
    q.perils = decode_perils(r, problems, risk::default_perils());
    if (auto h = r.integer("horizon_years", false, 1, 200)) q.horizon_years = static_cast<std::uint32_t>(*h);
    if (auto a = r.number("alpha", false, range::open_unit)) q.alpha = *a;
    q.buffer_share = r.number("buffer_share", false, range::unit_share);
    if (const auto* s = r.get("simulation")) {
        ObjectReader sr(*s, "/simulation", problems);
        if (auto n = sr.integer("paths", false, 2, 1'000'000)) q.paths = static_cast<std::uint32_t>(*n);
        if (auto seed = decode_seed(sr)) q.seed = *seed;
        if (auto t = sr.integer("threads", false, 0, 256)) q.threads = static_cast<unsigned>(*t);
        sr.finish();
    }
    const long long total = static_cast<long long>(q.paths) * q.horizon_years;
    if (problems.empty() && total > limits.max_simulated_years)
        problems.push_back({"/simulation/paths", "paths x horizon_years = " + std::to_string(total) +
                                                     " simulated years, more than the limit of " +
                                                     std::to_string(limits.max_simulated_years)});
    r.finish();
    if (problems.empty()) out.value = std::move(q);
    return out;
}

nlohmann::ordered_json compute_buffer(const BufferRequest& q, const risk::Model& model, const std::string& model_version,
                                      unsigned default_threads, risk::CancelFlag cancel) {
    risk::BookOptions options;
    options.perils = q.perils;
    const risk::Book book = risk::prepare_book(model, q.holdings, options);
    const double stock = risk::carbon_stock_tco2e(book);
    const auto shares =
        risk::cumulative_reversal_shares(book, q.horizon_years, q.paths, q.seed, q.threads ? q.threads : default_threads, cancel);
    pricing::BufferTerms terms;
    terms.horizon_years = q.horizon_years;
    terms.alpha = q.alpha;
    terms.buffer_share = q.buffer_share;
    const pricing::BufferResult r = pricing::reversal_buffer(shares, terms);
    const Credits credits = credits_of(q.holdings);

    nlohmann::ordered_json out;
    if (!q.project_id.empty()) out["project_id"] = q.project_id;
    out["holdings"] = q.holdings.size();
    out["perils"] = q.perils;
    out["horizon_years"] = q.horizon_years;
    out["alpha"] = q.alpha;
    out["paths"] = q.paths;
    out["seed"] = q.seed;
    out["simulated_years"] = std::uint64_t{q.paths} * q.horizon_years;
    out["model_version"] = model_version;
    out["carbon_stock_tco2e"] = stock;
    if (credits.given) out["credits_tco2e"] = credits.tco2e;
    out["reversal_definition"] =
        "cumulative gross carbon lost over the horizon / carbon stock at the start, capped at 1; no credit for regrowth";
    out["buffer_share"] = r.buffer_share.value;
    out["buffer_share_se"] = r.buffer_share.standard_error;
    out["buffer_tco2e"] = r.buffer_share.value * stock;
    if (credits.given) out["buffer_credits_tco2e"] = r.buffer_share.value * credits.tco2e;
    out["mean_reversal_share"] = r.mean_reversal_share.value;
    out["mean_reversal_share_se"] = r.mean_reversal_share.standard_error;
    out["probability_of_any_reversal"] = r.probability_of_any_reversal;
    // Where it comes from (issue 16 item 6): each path's reversal share shared by the carbon each
    // peril lost on it; the values add up to mean_reversal_share exactly.
    const std::vector<double> by_peril =
        risk::cumulative_loss_by_peril(book, q.horizon_years, q.paths, q.seed, q.threads ? q.threads : default_threads, cancel);
    out["mean_reversal_share_by_peril"] = split_by_peril(q.perils, by_peril, shares, r.mean_reversal_share.value);
    if (r.probability_exhausted) {
        out["tested_buffer_share"] = *q.buffer_share;
        out["probability_exhausted"] = r.probability_exhausted->value;
        out["probability_exhausted_se"] = r.probability_exhausted->standard_error;
    }
    return out;
}

ProductOutcome handle_buffer(const nlohmann::json& body, const EndpointContext& context) {
    const bool single = body.is_object() && body.contains("holding");
    return run_endpoint(
        body, "buffer request", [&](const nlohmann::json& b) { return decode_buffer(b, context.limits); },
        [&](const BufferRequest& q, ProductOutcome& outcome) {
            const auto model = context.models.current(context.store());
            outcome.simulated_years = std::uint64_t{q.paths} * q.horizon_years;
            return compute_buffer(q, *model.model, model.version, context.limits.threads, context.cancel);
        },
        [single](const std::string& pointer) {
            // One "holding" is book position 0: name it as the request did.
            if (single && pointer.rfind("/holdings/0", 0) == 0) return "/holding" + pointer.substr(11);
            return pointer;
        });
}

}  // namespace tanhui::api
