// Where a batch's losses and payouts come from (issue 16 item 6, docs/batch.md "Outputs"): each
// policy's carbon lost and payout by its perils, and the book's by peril and by region (the
// holdings' county codes, and provinces from them). Every simulated year adds its shares
// (risk/metrics/peril_split.hpp: a year's amount in proportion to each peril's, or each
// holding's, loss that year) to one flat vector of sums per chunk, which travels with the chunk
// (checkpoints, MPI); the outputs turn the run's sums into means that add up exactly.
#pragma once

#include "api/batch/prepare.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace tanhui::api::batch {

class PortfolioYear;

// Prepared::split (prepare() calls it).
SplitLayout split_layout(const Prepared& prep);

// Adds one simulated year (after year.run) to sums (layout.size values); payouts[p] is policy p's.
struct SplitScratch {
    std::vector<double> weights, shares, term;
};
void add_split_year(const Prepared& prep, const SplitLayout& layout, const PortfolioYear& year,
                    std::span<const double> payouts, std::span<double> sums, SplitScratch& scratch);

// The run's sums over `years` years as JSON objects whose values add up exactly to the given
// totals (the answer's figures as written); the payouts' over `terms` (the policy's whole terms:
// `years` for annual policies, BatchPolicyPlan::term_years).
nlohmann::ordered_json policy_split_json(const Prepared& prep, const SplitLayout& layout, std::span<const double> sums,
                                         std::size_t policy, double years, double terms, double expected_loss_tco2e,
                                         double pure_premium_cny);
// metrics.json's "by_peril" and "by_region" ({county, province}), each {tco2e, cny}: the AAL of
// the book's carbon lost and of its payouts.
nlohmann::ordered_json book_split_json(const Prepared& prep, const SplitLayout& layout, std::span<const double> sums,
                                       double years, double aal_tco2e, double aal_cny);

}  // namespace tanhui::api::batch
