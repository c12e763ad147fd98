#include "api/json/references.hpp"

#include "api/json/quote_request.hpp"
#include "api/products/registry.hpp"

#include <map>

namespace tanhui::api {

std::optional<std::string> cny_market_problem(const std::string& market, const std::string& currency) {
    if (currency == "CNY") return std::nullopt;
    return "market " + market + " is quoted in " + currency + "; a CNY cover needs a CNY market (e.g. FJEA, CEA, CCER)";
}

std::vector<FieldProblem> check_references(const QuoteRequest& q, const ReferenceData& refs, const std::string& base) {
    std::vector<FieldProblem> problems;
    std::map<std::string, bool> known;  // each distinct region looked up once
    auto exists = [&](const std::string& region) {
        const auto [it, added] = known.try_emplace(region, false);
        if (added) it->second = refs.region_exists(region);
        return it->second;
    };
    if (refs.region_exists)
        for (std::size_t i = 0; i < q.holdings.size(); ++i)
            if (!exists(q.holdings[i].region))
                problems.push_back({base + "/holdings/" + std::to_string(i) + "/region",
                                    "unknown region \"" + q.holdings[i].region + "\" (not in the regions table; GET /v1/regions lists them)"});
    if (!refs.market_currency || !q.product) return problems;
    const auto market = q.product->facts(q.cover).market;
    if (!market) return problems;
    const auto currency = refs.market_currency(*market);
    if (!currency)
        problems.push_back({base + "/cover/market", "unknown market \"" + *market + "\"; GET /v1/markets lists the markets"});
    else if (auto problem = cny_market_problem(*market, *currency))
        problems.push_back({base + "/cover/market", *problem});
    return problems;
}

}  // namespace tanhui::api
