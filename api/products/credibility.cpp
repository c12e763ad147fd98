#include "api/products/credibility.hpp"

#include "api/json/fields.hpp"

#include <set>
#include <string>

namespace tanhui::api {

Decoded<CredibilityRequest> decode_credibility(const nlohmann::json& body) {
    Decoded<CredibilityRequest> out;
    auto& problems = out.problems;
    ObjectReader r(body, "", problems);
    if (!r.ok()) return out;
    CredibilityRequest request;
    const nlohmann::json* groups = r.get("groups");
    if (!groups) {
        r.problem("groups", "is required (an array of at least 2 {id, ratios, weights})");
    } else if (!groups->is_array() || groups->size() < 2 || groups->size() > 100'000) {
        r.problem("groups", "must be an array of 2 to 100000 groups {id, ratios, weights}");
    } else {
        std::set<std::string> ids;
        bool any_two_periods = false;
        for (std::size_t i = 0; i < groups->size(); ++i) {
            ObjectReader g((*groups)[i], "/groups/" + std::to_string(i), problems);
            pricing::CredibilityGroup group;
            const auto id = g.string("id", true);
            auto ratios = number_array(g, "ratios", true, range::any_finite, 1, 100'000, problems);
            auto weights = number_array(g, "weights", true, range::positive, 1, 100'000, problems);
            if (ratios && weights && ratios->size() != weights->size())
                g.problem("weights", "must hold one weight per ratio (" + std::to_string(ratios->size()) + "), got " +
                                         std::to_string(weights->size()));
            if (id && !ids.insert(*id).second) g.problem("id", "duplicate group id \"" + *id + "\"");
            g.finish();
            if (id) group.id = *id;
            if (ratios) {
                any_two_periods = any_two_periods || ratios->size() >= 2;
                group.ratios = std::move(*ratios);
            }
            if (weights) group.weights = std::move(*weights);
            request.groups.push_back(std::move(group));
        }
        if (problems.empty() && !any_two_periods)
            r.problem("groups", "at least one group needs 2 or more periods to estimate the within variance");
    }
    r.finish();
    if (problems.empty()) out.value = std::move(request);
    return out;
}

nlohmann::ordered_json credibility_json(const pricing::CredibilityResult& result) {
    nlohmann::ordered_json out;
    out["collective_premium"] = result.collective_premium;
    out["within_variance"] = result.within_variance;
    out["between_variance"] = result.between_variance;
    out["groups"] = nlohmann::ordered_json::array();
    for (const auto& g : result.groups)
        out["groups"].push_back({{"id", g.id}, {"credibility_factor", g.credibility_factor}, {"premium", g.premium}});
    if (!result.warnings.empty()) out["warnings"] = result.warnings;
    return out;
}

ProductOutcome credibility(const nlohmann::json& body) {
    return run_endpoint(body, "credibility request", decode_credibility,
                       [](const CredibilityRequest& q, ProductOutcome&) {
                           return credibility_json(pricing::buhlmann_straub(q.groups));
                       });
}

ProductOutcome handle_credibility(const nlohmann::json& body, const EndpointContext&) { return credibility(body); }

}  // namespace tanhui::api
