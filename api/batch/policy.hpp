// One policy of a batch as its product prepares it (ProductEntry::plan_batch, api/products/).
// The batch simulates the book of all the portfolio's holdings and its price legs once; every
// year it hands each policy its pool loss and its leg's fixings, and the product's own payout
// function (the one its quote uses) turns them into the policy's payout. docs/batch.md.
#pragma once

#include "pricing/premium.hpp"
#include "data/types.hpp"
#include "risk/model/model.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace tanhui::risk {
struct Book;
}

namespace tanhui::api {

// What one simulated year offers a policy.
struct PolicyYear {
    double pool_loss_tco2e = 0;       // carbon lost by its holdings to its covered perils
    std::span<const double> fixings;  // its price leg's prices at the fixings (empty: no leg)
    // Only for a plan with needs_holding_losses: the year and seed (the sink's draws, issue 17)
    // and the carbon lost by each of its holdings (its order) to its covered perils.
    std::uint32_t year = 0;
    std::uint64_t seed = 0;
    std::span<const double> holding_loss_tco2e;
};

struct BatchPolicySetup {
    const risk::Model& model;
    double pool_stock_tco2e = 0;  // carbon stock of its holdings as the book prepared them
    std::uint32_t years = 0;      // the batch's --years and --seed
    std::uint64_t seed = 0;
    const risk::Book* book = nullptr;               // the portfolio's book
    std::span<const std::uint32_t> holdings;        // the policy's positions in it (valid during plan_batch)
    std::span<const Holding> portfolio_holdings;    // as read, by position
    const risk::ModelOverrides* overrides = nullptr;  // the portfolio's "model" (never null in a batch)
};

// A price leg: a market's price model (after the portfolio's overrides) on a fixing schedule
// (years from the policy start). Policies with equal legs share one simulated path.
struct PriceLegSpec {
    risk::PriceModel model;
    std::vector<double> fixing_times_years;
};

using BatchQuoteFn = std::function<pricing::PremiumQuote(std::span<const double> column, std::span<const double> return_periods)>;

struct BatchPolicyPlan {
    double sum_insured_cny = 0;
    double carbon_stock_tco2e = 0;    // of the insured pool (0 without holdings)
    std::string form;                 // results' "form" ("" for a product without one)
    std::vector<std::string> perils;  // covered perils
    std::optional<PriceLegSpec> leg;
    std::function<double(const PolicyYear&)> payout_cny;
    bool needs_holding_losses = false;  // PolicyYear's year, seed and holding_loss_tco2e are filled
    // A term of several batch years (sink_insurance, issue 17): term p is years pT .. pT + T - 1 and
    // pays in its last year; `quote` prices the column's term payouts, the by-peril split divides
    // by the whole terms. 1: each batch year is a policy year.
    std::uint32_t term_years = 1;
    // A term of several years only: adds to by_peril_holding (the policy's covered perils in
    // registry order, then its holdings in its order: [i * holdings + j]) the carbon each holding
    // lost to each peril in the term's years before `last_year`, so that the term's payout is shared
    // by the whole term's losses, as the product's quote shares it (the batch holds one year).
    std::function<void(std::uint64_t seed, std::uint32_t last_year, std::span<double> by_peril_holding)>
        add_earlier_term_losses;
    // The policy's quote from its column of annual payouts (years in order) at the batch's
    // return periods; empty: pricing::quote_premium of the column, as the product's quote does.
    BatchQuoteFn quote;
    nlohmann::ordered_json details = nlohmann::ordered_json::object();  // product fields of results.json
    std::string market, method, engine;  // results.csv of a portfolio with price legs ("" when none)
};

}  // namespace tanhui::api
