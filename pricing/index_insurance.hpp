// Carbon-sink index insurance (林业碳汇指数保险, the Longyan Xinluo form): payout per policy year
// from the index of the insured pool. DESIGN "Products". Plain values in and out.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tanhui::pricing {

// `per_tonne`: payout = min(limit, max(0, L - deductible) x price), L = carbon lost by the pool in
// the policy year (tCO2e). The sum insured is the pool's carbon stock x the agreed price.
struct PerTonneCover {
    double price_cny_per_tco2e = 0;
    double deductible_tco2e = 0;
    double limit_cny = std::numeric_limits<double>::infinity();  // absent in JSON: no limit
};

// `linear`: payout = sum insured x clamp((I - trigger) / (exit - trigger), 0, 1), I = the pool's
// loss ratio (carbon lost in the year / carbon stock, both tCO2e). 0 <= trigger < exit <= 1.
struct LinearCover {
    double sum_insured_cny = 0;
    double trigger = 0;
    double exit = 1;
};

// Throw InvalidInput naming the field ("price_cny_per_tco2e", "trigger", ...) with its value.
void validate(const PerTonneCover& cover);
void validate(const LinearCover& cover);

// One policy year. loss_tco2e >= 0; loss_ratio in [0, 1]. The cover is assumed valid: the
// per-year functions are the inner loop of a simulation, so validate() it once beforehand.
double payout_cny(const PerTonneCover& cover, double loss_tco2e);
double payout_cny(const LinearCover& cover, double loss_ratio);

// I = loss / stock, both tCO2e; throws unless stock > 0 and 0 <= loss (loss above the stock is
// capped: the pool cannot lose more than it holds).
double loss_ratio(double loss_tco2e, double carbon_stock_tco2e);

// The sum insured of DESIGN "Products": per_tonne = carbon stock x agreed price; linear = as agreed.
double sum_insured_cny(const PerTonneCover& cover, double carbon_stock_tco2e);
double sum_insured_cny(const LinearCover& cover);

// The most the policy can pay in a year: min(limit, max(0, stock - deductible) x price) for
// per_tonne, the sum insured for linear.
double max_payout_cny(const PerTonneCover& cover, double carbon_stock_tco2e);

// Payout per simulated (or historical) year, in year order. Validates the cover and each loss
// (field "loss_tco2e[i]").
std::vector<double> payouts_cny(const PerTonneCover& cover, std::span<const double> loss_tco2e);
std::vector<double> payouts_cny(const LinearCover& cover, std::span<const double> loss_tco2e,
                                double carbon_stock_tco2e);

enum class IndexForm : std::uint8_t { per_tonne, linear };
std::optional<IndexForm> parse_index_form(std::string_view name);
std::string_view to_string(IndexForm form);

// What the index measures (issue 17, Longyan's 固碳量损失): stock_loss = the carbon the covered
// perils destroyed in the year; sink_loss = that plus the year's sequestration forgone on the lost
// area (risk/simulation/sink.hpp), so sink_loss >= stock_loss in every year.
enum class IndexBasis : std::uint8_t { stock_loss, sink_loss };
std::optional<IndexBasis> parse_index_basis(std::string_view name);
std::string_view to_string(IndexBasis basis);

// The cover of an index policy as agreed (the request's "cover" of index_insurance).
struct IndexInsuranceTerms {
    std::vector<std::string> perils;  // covered perils (risk/perils registry names)
    IndexForm form = IndexForm::per_tonne;
    double price_cny_per_tco2e = 0;
    double deductible_tco2e = 0;
    std::optional<double> limit_cny;        // per_tonne; absent: the sum insured
    std::optional<double> sum_insured_cny;  // per_tonne: absent = stock x price; linear: required
    double trigger = 0;
    double exit = 1;
    IndexBasis index = IndexBasis::stock_loss;
    double franchise_tco2e = 0;  // nothing below it, the whole payout from it (beside the deductible)
};

// The terms on an insured pool holding carbon_stock_tco2e: sum insured and limit filled in and
// validated. Throws InvalidInput ("holdings") when the pool holds no carbon, or a cover field.
struct IndexPolicy {
    IndexForm form = IndexForm::per_tonne;
    PerTonneCover per_tonne;
    LinearCover linear;
    double carbon_stock_tco2e = 0;
    double sum_insured_cny = 0;
    double franchise_tco2e = 0;
};
IndexPolicy index_policy(const IndexInsuranceTerms& terms, double carbon_stock_tco2e);

// One policy year on the pool's index (tCO2e: carbon lost, or lost plus forgone): per_tonne on the loss, linear on the loss
// ratio min(1, loss / stock). As payout_cny above, unchecked: the inner loop of a simulation.
inline double payout_cny(const IndexPolicy& policy, double pool_loss_tco2e) {
    if (pool_loss_tco2e < policy.franchise_tco2e) return 0.0;  // a franchise: below it nothing
    if (policy.form == IndexForm::linear)
        return payout_cny(policy.linear, std::min(1.0, pool_loss_tco2e / policy.carbon_stock_tco2e));
    return payout_cny(policy.per_tonne, pool_loss_tco2e);
}
// payout_cny of every year: out[i] = payout_cny(policy, index_tco2e[i]), the form chosen once and
// the cover's arithmetic inlined (the same bits). Sizes must match (std::logic_error).
void payouts_cny(const IndexPolicy& policy, std::span<const double> index_tco2e, std::span<double> out);

}  // namespace tanhui::pricing
