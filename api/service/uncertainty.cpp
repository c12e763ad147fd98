#include "api/service/uncertainty.hpp"

#include "api/products/registry.hpp"
#include "api/service/calibration.hpp"
#include "api/service/store_history.hpp"
#include "risk/calibration/assumption_overlay.hpp"
#include "risk/perils/registry.hpp"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

namespace tanhui::api {

namespace {

struct Banded {
    std::string key;
    double value = 0;
    risk::History::AssumptionRange range;
};

// Whether an assumption can move the request's premium by its key alone: one keyed by a forest
// type (`...chinese_fir`) or a province (`...35`, two digits) moves only books that hold that
// type or a holding in that province; any other key may move every book.
bool may_move(const std::string& key, const QuoteRequest& request) {
    const std::string last = key.substr(key.rfind('.') + 1);
    if (const auto type = parse_forest_type(last))
        return std::any_of(request.holdings.begin(), request.holdings.end(),
                           [&](const Holding& h) { return h.forest_type == *type; });
    if (last.size() == 2 && std::all_of(last.begin(), last.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::any_of(request.holdings.begin(), request.holdings.end(),
                           [&](const Holding& h) { return h.region.rfind(last, 0) == 0; });
    return true;
}

// The labelled assumptions with a band that the assembly of the request's perils reads, less
// those keyed by a forest type or province the request does not hold.
std::vector<Banded> banded_assumptions(const ModelVersion& version, const QuoteRequest& request, risk::History& history) {
    std::set<std::string> keys;
    for (const std::string& name : request.product->facts(request.cover).perils)
        if (const risk::PerilEntry* e = risk::find_peril(name)) {
            const auto read = assumptions_read(version, *e, history);
            keys.insert(read.begin(), read.end());
        }
    std::vector<Banded> out;
    for (const std::string& key : keys) {
        const auto value = history.assumption(key);
        const auto range = history.assumption_range(key);
        if (value && range && range->low != range->high && may_move(key, request)) out.push_back({key, *value, *range});
    }
    return out;
}

double pure_premium(data::Store& store, const ModelVersion& version, risk::AssumptionOverlay& history,
                    const QuoteRequest& request, const QuoteContext& context) {
    const risk::Model model = build_model(store, version, history);
    QuoteContext c = context;
    c.model = &model;
    return compute_answer(request, c).real_at("pure_premium_cny");
}

}  // namespace

nlohmann::json uncertainty_band(data::Store& store, const QuoteRequest& request, const QuoteContext& context,
                                double point_cny) {
    const auto version = model_version(store, context.model_version);
    if (!version) throw std::runtime_error("model version " + context.model_version + " is not in the store");
    StoreHistory store_history(store);
    risk::AssumptionOverlay history = pinned_assumptions(*version, store_history);
    const std::vector<Banded> banded = banded_assumptions(*version, request, history);

    nlohmann::json out;
    out["pure_premium_cny"] = point_cny;
    out["assumptions"] = nlohmann::json::array();
    double lowest = point_cny, highest = point_cny;
    const auto note = [&](double v) {
        lowest = std::min(lowest, v);
        highest = std::max(highest, v);
        return v;
    };
    for (const Banded& b : banded) {
        nlohmann::json row{{"key", b.key}, {"value", b.value}, {"low", b.range.low}, {"high", b.range.high}};
        for (const bool high : {false, true}) {
            risk::AssumptionOverlay perturbed(history);
            perturbed.set(b.key, high ? b.range.high : b.range.low);
            row[high ? "pure_premium_at_high_cny" : "pure_premium_at_low_cny"] =
                note(pure_premium(store, *version, perturbed, request, context));
        }
        out["assumptions"].push_back(std::move(row));
    }
    for (const bool high : {false, true}) {
        risk::AssumptionOverlay all(history);
        for (const Banded& b : banded) all.set(b.key, high ? b.range.high : b.range.low);
        out[high ? "all_high_pure_premium_cny" : "all_low_pure_premium_cny"] =
            banded.empty() ? point_cny : note(pure_premium(store, *version, all, request, context));
    }
    out["range_cny"] = {{"low", lowest}, {"high", highest}};
    out["seed"] = request.simulation.seed;
    out["years"] = request.simulation.years;
    return out;
}

SortedJsonWriter compute_answer_with_band(data::Store& store, const QuoteRequest& request, const QuoteContext& context) {
    SortedJsonWriter quote = compute_answer(request, context);
    if (request.uncertainty) quote.json("uncertainty", uncertainty_band(store, request, context, quote.real_at("pure_premium_cny")));
    return quote;
}

}  // namespace tanhui::api
