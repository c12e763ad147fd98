// The outputs of a batch (docs/batch.md "Outputs"): per-policy results, year loss tables, ORD
// tables, metrics with Euler contributions and layers, each file written atomically by rank 0
// from the tables it gathered.
#pragma once

#include "api/batch/batch.hpp"
#include "api/batch/chunk.hpp"
#include "pricing/layers.hpp"
#include "pricing/premium.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace tanhui::api::batch {

struct PolicyResult {
    pricing::PremiumQuote quote;
    pricing::Estimate expected_payout;  // mean of the policy's column of annual payouts, with its SE
    double expected_loss_tco2e = 0;
    double expected_loss_se_tco2e = 0;
    double tvar_contribution_cny = 0;
};

// The per-year tables rank 0 gathers.
struct Gathered {
    std::vector<double> total_tco2e, max_event_tco2e, max_event_exposure_tco2e, total_cny, max_payout_cny,
        max_payout_exposure_cny;
    std::vector<std::vector<double>> pool_sum_tco2e, pool_sum_sq_tco2e;  // by chunk, then policy
    std::vector<std::vector<pricing::EventLoss>> occurrences;           // by chunk
    std::vector<std::vector<double>> split;                             // by chunk (api/batch/split.hpp)
    std::vector<double> columns;                                        // the pass's payout columns
};

// A chunk's part of the gathered tables and of the pass's columns.
void apply(const ChunkResult& r, const Prepared& prep, Gathered& g, std::uint32_t years);

// What the files are written from.
struct RunOutputs {
    const Portfolio& portfolio;
    const Prepared& prep;
    const Layout& layout;
    const BatchOptions& options;
    const std::string& model_version;
    const std::string& portfolio_hash;
};

// The layers of --layer on a CNY portfolio: its year losses and its occurrences (each policy's
// annual payout; only those above the lowest occurrence attachment need be given), as
// layers.csv and layers.json hold them. `tanhui layer --run DIR` calls it on a finished run.
struct LayerTables {
    std::string csv;
    nlohmann::ordered_json json;
};
LayerTables layer_tables(std::uint32_t years, std::span<const double> annual_cny, std::span<const pricing::EventLoss> occurrences,
                         const std::vector<LayerSpec>& specs);

void write_outputs(const RunOutputs& run, const Gathered& g, const std::vector<PolicyResult>& results,
                   const std::vector<double>& euler_holdings);

}  // namespace tanhui::api::batch
