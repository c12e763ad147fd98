// The quote request of DESIGN's JSON contract (v1), decoded and validated. One schema for HTTP,
// `tanhui quote` and batch.
#pragma once

#include "api/json/reader.hpp"
#include "data/types.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace tanhui::api {

struct PolicyTerms {
    std::string id;
    std::string start;  // YYYY-MM-DD
    int term_months = 12;
};

struct IndexCoverRequest {
    std::vector<std::string> perils;  // fire, pest
    std::string form;                 // per_tonne | linear
    double price_cny_per_tco2e = 0;
    double deductible_tco2e = 0;
    std::optional<double> limit_cny;  // per_tonne: default = sum insured
    std::optional<double> sum_insured_cny;
    double trigger = 0;
    double exit = 1;
};

struct FixingsRequest {
    std::string kind = "monthly";     // monthly | quarterly | at_expiry | dates
    std::vector<std::string> dates;   // when kind == dates
};

struct PriceCoverRequest {
    std::string market;
    double quantity_tco2e = 0;
    double target_price_cny = 0;
    FixingsRequest fixings;
    std::string method = "risk_neutral";  // risk_neutral | actuarial
    std::string engine = "turnbull_wakeman";
};

struct RevenueCoverRequest {
    std::string market;
    double quantity_tco2e = 0;
    double guaranteed_revenue_cny = 0;
    std::vector<std::string> perils;
    FixingsRequest fixings;
};

struct PremiumTerms {
    std::string principle = "expected_value";  // expected_value | std_dev | wang | cost_of_capital
    double parameter = 0;
    double alpha = 0.995;  // cost_of_capital
    double expense_ratio = 0;
    double commission = 0;
    double profit_margin = 0;
    double subsidy_share = 0;
};

struct SimulationTerms {
    long long years = 100'000;
    unsigned long long seed = 20270101;
    int threads = 0;  // 0 = all cores
};

// Overrides of the calibrated model (DESIGN "Override semantics"): each part given replaces it.
struct ModelOverrides {
    struct Fire {
        double rate_per_year = 0;  // fires per year on each holding (Poisson)
        double mu = 0, sigma = 1;  // lognormal burned area per fire, ha
        double loss_fraction = 0.6;
    };
    struct Pest {
        double probability_per_year = 0;
        double a = 2, b = 8;
        double mortality = 0.5;
    };
    struct Price {
        std::string process = "gbm";  // gbm | ou
        std::optional<double> spot, drift, volatility, risk_free_rate, dividend_yield;
        std::optional<double> mean_reversion, long_run_price;
        std::optional<double> jump_intensity, jump_mean, jump_std;
    };
    std::optional<Fire> fire;
    std::optional<Pest> pest;
    std::optional<double> stock_tco2e_per_ha;
    std::optional<Price> price;
};

struct QuoteRequest {
    std::string product;  // index_insurance | price_insurance | revenue_insurance
    PolicyTerms policy;
    std::vector<Holding> holdings;
    std::optional<IndexCoverRequest> index_cover;
    std::optional<PriceCoverRequest> price_cover;
    std::optional<RevenueCoverRequest> revenue_cover;
    PremiumTerms premium;
    SimulationTerms simulation;
    ModelOverrides model;
    std::vector<double> return_periods{10, 100, 200};
};

struct DecodeLimits {
    long long max_years = 1'000'000;
    std::size_t max_holdings = 100'000;
};

// `base` prefixes every pointer (e.g. "/3" for the fourth request of an array).
Decoded<QuoteRequest> decode_quote(const nlohmann::json& body, const DecodeLimits& limits = {},
                                   const std::string& base = "");
Decoded<Holding> decode_holding(const nlohmann::json& j, const std::string& path);
// The "perils" array of an object: each "fire" or "pest", once. Absent: `when_absent`, or a
// problem when that is empty.
std::vector<std::string> decode_perils(ObjectReader& r, std::vector<FieldProblem>& problems,
                                       const std::optional<std::vector<std::string>>& when_absent = std::nullopt);

}  // namespace tanhui::api
