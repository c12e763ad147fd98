#include "api/batch/split.hpp"

#include "api/batch/year.hpp"
#include "api/json/peril_split.hpp"

#include <algorithm>
#include <map>

namespace tanhui::api::batch {

SplitLayout split_layout(const Prepared& prep) {
    SplitLayout l;
    l.perils = prep.perils.size();
    l.counties = prep.holding_region;
    std::sort(l.counties.begin(), l.counties.end());
    l.counties.erase(std::unique(l.counties.begin(), l.counties.end()), l.counties.end());
    for (const auto& r : prep.holding_region)
        l.county_of.push_back(static_cast<std::uint32_t>(std::lower_bound(l.counties.begin(), l.counties.end(), r) - l.counties.begin()));
    std::size_t at = l.county_cny() + l.counties.size() + 1;
    for (const auto& m : prep.policies) {
        l.policy_at.push_back(at);
        at += 2 * (m.perils.size() + 1);
    }
    l.size = at;
    return l;
}

namespace {
// The carbon the policy's holdings lost to each of its perils over the term that ends this year
// (s.term: by peril, then holding) and its sums by peril (s.weights), each peril's in policy-year
// order as the product's quote adds them.
void term_weights(const PolicyModel& m, const PortfolioYear& year, SplitScratch& s) {
    const std::size_t n = m.perils.size(), holdings = m.holdings.size();
    s.term.assign(n * holdings, 0.0);
    m.plan.add_earlier_term_losses(year.seed(), year.year(), s.term);
    s.weights.assign(n, 0.0);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < holdings; ++j) {
            s.term[i * holdings + j] += year.loss_tco2e(m.perils[i], m.holdings[j]);
            s.weights[i] += s.term[i * holdings + j];
        }
}
}  // namespace

void add_split_year(const Prepared& prep, const SplitLayout& l, const PortfolioYear& year, std::span<const double> payouts,
                    std::span<double> sums, SplitScratch& s) {
    const std::size_t holdings = prep.book.holdings.size();
    s.weights.assign(l.perils, 0.0);
    for (std::size_t k = 0; k < l.perils; ++k)
        for (std::size_t h = 0; h < holdings; ++h) s.weights[k] += year.loss_tco2e(k, h);
    risk::add_shared(sums.subspan(l.book_tco2e(), l.perils + 1), s.weights, year.total_tco2e());
    for (std::size_t h = 0; h < holdings; ++h) sums[l.county_tco2e() + l.county_of[h]] += year.holding_total_tco2e(h);
    for (std::size_t p = 0; p < prep.policies.size(); ++p) {
        const PolicyModel& m = prep.policies[p];
        const std::size_t n = m.perils.size();
        const double pay = payouts[p];
        s.weights.assign(n, 0.0);
        for (std::size_t i = 0; i < n; ++i)
            for (const std::uint32_t h : m.holdings) s.weights[i] += year.loss_tco2e(m.perils[i], h);
        const std::size_t at = l.policy_at[p];
        risk::add_shared(sums.subspan(at, n + 1), s.weights, year.pool_loss_tco2e(m));
        // A term's payout is shared by the losses of its whole term, the year's of the others.
        const bool term = pay != 0 && m.plan.add_earlier_term_losses;
        if (term) term_weights(m, year, s);
        risk::add_shared(sums.subspan(at + n + 1, n + 1), s.weights, pay);
        if (pay == 0) continue;
        // The book's payouts by peril and by county: this policy's, shared by its perils' and its holdings' losses.
        s.shares.assign(n + 1, 0.0);
        risk::add_shared(s.shares, s.weights, pay);
        for (std::size_t i = 0; i < n; ++i) sums[l.book_cny() + m.perils[i]] += s.shares[i];
        sums[l.book_cny() + l.perils] += s.shares[n];
        s.weights.assign(m.holdings.size(), 0.0);
        if (term)
            for (std::size_t j = 0; j < m.holdings.size(); ++j)
                for (std::size_t i = 0; i < n; ++i) s.weights[j] += s.term[i * m.holdings.size() + j];
        else
            for (std::size_t j = 0; j < m.holdings.size(); ++j)
                for (const std::uint32_t k : m.perils) s.weights[j] += year.loss_tco2e(k, m.holdings[j]);
        s.shares.assign(m.holdings.size() + 1, 0.0);
        risk::add_shared(s.shares, s.weights, pay);
        for (std::size_t j = 0; j < m.holdings.size(); ++j) sums[l.county_cny() + l.county_of[m.holdings[j]]] += s.shares[j];
        sums[l.county_cny() + l.counties.size()] += s.shares.back();
    }
}

namespace {
risk::PerilShares shares_at(std::span<const double> sums, std::size_t at, std::size_t n, double years) {
    risk::PerilShares s;
    s.by_peril.assign(sums.begin() + static_cast<std::ptrdiff_t>(at), sums.begin() + static_cast<std::ptrdiff_t>(at + n));
    s.unattributed = sums[at + n];
    s.years = years;
    return s;
}

// Counties summed into their provinces (the first two digits), in county order.
risk::PerilShares provinces_of(const SplitLayout& l, const risk::PerilShares& counties, std::vector<std::string>& names) {
    std::map<std::string, double> by;
    for (std::size_t c = 0; c < l.counties.size(); ++c) by[l.counties[c].substr(0, 2)] += counties.by_peril[c];
    risk::PerilShares s;
    for (const auto& [name, v] : by) {
        names.push_back(name);
        s.by_peril.push_back(v);
    }
    s.unattributed = counties.unattributed;
    s.years = counties.years;
    return s;
}
}  // namespace

nlohmann::ordered_json policy_split_json(const Prepared& prep, const SplitLayout& l, std::span<const double> sums,
                                         std::size_t policy, double years, double terms, double expected_loss_tco2e,
                                         double pure_premium_cny) {
    const PolicyModel& m = prep.policies[policy];
    const std::size_t n = m.perils.size();
    std::vector<std::string> names;
    for (const std::uint32_t k : m.perils) names.push_back(prep.perils[k]);
    const std::size_t at = l.policy_at[policy];
    nlohmann::ordered_json j;
    j["expected_loss_by_peril_tco2e"] = split_json(names, shares_at(sums, at, n, years), expected_loss_tco2e);
    j["pure_premium_by_peril_cny"] = split_json(names, shares_at(sums, at + n + 1, n, terms), pure_premium_cny, true);
    return j;
}

nlohmann::ordered_json book_split_json(const Prepared& prep, const SplitLayout& l, std::span<const double> sums, double years,
                                       double aal_tco2e, double aal_cny) {
    nlohmann::ordered_json j;
    j["by_peril"] = {{"tco2e", split_json(prep.perils, shares_at(sums, l.book_tco2e(), l.perils, years), aal_tco2e, true)},
                     {"cny", split_json(prep.perils, shares_at(sums, l.book_cny(), l.perils, years), aal_cny, true)}};
    const risk::PerilShares county_tco2e = shares_at(sums, l.county_tco2e(), l.counties.size(), years);
    const risk::PerilShares county_cny = shares_at(sums, l.county_cny(), l.counties.size(), years);
    std::vector<std::string> provinces, provinces_cny;
    const risk::PerilShares province_tco2e = provinces_of(l, county_tco2e, provinces);
    const risk::PerilShares province_cny = provinces_of(l, county_cny, provinces_cny);
    j["by_region"] = {{"county", {{"tco2e", split_json(l.counties, county_tco2e, aal_tco2e, true)},
                                  {"cny", split_json(l.counties, county_cny, aal_cny, true)}}},
                      {"province", {{"tco2e", split_json(provinces, province_tco2e, aal_tco2e, true)},
                                    {"cny", split_json(provinces, province_cny, aal_cny, true)}}}};
    return j;
}

}  // namespace tanhui::api::batch
