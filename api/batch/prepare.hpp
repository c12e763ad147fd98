// A batch portfolio as the simulation sees it (docs/batch.md "What is simulated"): the book of
// the union of the policies' holdings with the union of their perils, the price legs (one per
// distinct market, fixing schedule and price model, in order of first appearance; leg k has
// market number k), and each policy's plan from its product (api/batch/policy.hpp).
#pragma once

#include "api/batch/policy.hpp"
#include "api/batch/portfolio.hpp"
#include "risk/model/model.hpp"
#include "risk/simulation/simulate.hpp"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace tanhui::api::batch {

inline constexpr std::uint32_t none = std::numeric_limits<std::uint32_t>::max();

struct PolicyModel {
    std::vector<std::uint32_t> holdings;  // positions in the book, in the policy's order
    std::vector<std::uint32_t> perils;    // positions in the book's perils
    bool all_perils = true;
    std::uint32_t leg = none;             // position in Prepared::legs
    BatchPolicyPlan plan;
    pricing::PremiumTerms premium;
};

// Where a batch's losses and payouts come from (api/batch/split.hpp): positions in the flat
// vector of sums a chunk carries. Each group holds its weights' sums and one more, the amount of
// a year without weight (a revenue or sink policy paying without loss: "other").
struct SplitLayout {
    std::size_t perils = 0;                // the book's
    std::vector<std::string> counties;     // distinct holding regions, sorted
    std::vector<std::uint32_t> county_of;  // by book holding: position in counties
    std::vector<std::size_t> policy_at;    // each policy's groups: loss by peril, payout by peril
    std::size_t size = 0;

    std::size_t book_tco2e() const { return 0; }                                   // by peril, perils + 1
    std::size_t book_cny() const { return perils + 1; }                            // by peril, perils + 1
    std::size_t county_tco2e() const { return 2 * (perils + 1); }                  // counties + 1
    std::size_t county_cny() const { return county_tco2e() + counties.size() + 1; }  // counties + 1
};

struct Prepared {
    risk::Book book;
    std::vector<std::string> perils;  // the book's, registry order
    std::vector<risk::PricePath> legs;
    std::vector<PolicyModel> policies;
    std::vector<double> holding_stock_tco2e;
    std::vector<double> return_periods;  // every policy's, ascending (beyond the years: flagged)
    std::vector<std::string> holding_region;  // by book holding: its region code as read
    SplitLayout split;
};

// Throws PortfolioError naming each policy (its line or pointer) that the model cannot price,
// before anything is simulated.
Prepared prepare(const Portfolio& portfolio, const risk::Model& model, std::uint32_t years, std::uint64_t seed);

}  // namespace tanhui::api::batch
