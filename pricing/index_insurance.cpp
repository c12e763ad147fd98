#include "pricing/index_insurance.hpp"

#include "pricing/checks.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace tanhui::pricing {

void validate(const PerTonneCover& cover) {
    checks::non_negative(cover.price_cny_per_tco2e, "price_cny_per_tco2e");
    checks::non_negative(cover.deductible_tco2e, "deductible_tco2e");
    // +inf is "no limit"; NaN and negatives are errors.
    checks::at_least(cover.limit_cny, 0, "limit_cny");
}

void validate(const LinearCover& cover) {
    checks::non_negative(cover.sum_insured_cny, "sum_insured_cny");
    checks::share(cover.trigger, "trigger");
    checks::share(cover.exit, "exit");
    if (!(cover.exit > cover.trigger))
        checks::fail("exit", "must be > trigger (" + checks::number(cover.trigger) + "), got " +
                                 checks::number(cover.exit));
}

double payout_cny(const PerTonneCover& cover, double loss_tco2e) {
    const double excess_tco2e = std::max(0.0, loss_tco2e - cover.deductible_tco2e);
    return std::min(cover.limit_cny, excess_tco2e * cover.price_cny_per_tco2e);
}

double payout_cny(const LinearCover& cover, double loss_ratio) {
    const double t = (loss_ratio - cover.trigger) / (cover.exit - cover.trigger);
    return cover.sum_insured_cny * std::clamp(t, 0.0, 1.0);
}

double loss_ratio(double loss_tco2e, double carbon_stock_tco2e) {
    checks::positive(carbon_stock_tco2e, "carbon_stock_tco2e");
    checks::non_negative(loss_tco2e, "loss_tco2e");
    return std::min(1.0, loss_tco2e / carbon_stock_tco2e);
}

double sum_insured_cny(const PerTonneCover& cover, double carbon_stock_tco2e) {
    validate(cover);
    checks::non_negative(carbon_stock_tco2e, "carbon_stock_tco2e");
    return carbon_stock_tco2e * cover.price_cny_per_tco2e;
}

double sum_insured_cny(const LinearCover& cover) {
    validate(cover);
    return cover.sum_insured_cny;
}

double max_payout_cny(const PerTonneCover& cover, double carbon_stock_tco2e) {
    validate(cover);
    checks::non_negative(carbon_stock_tco2e, "carbon_stock_tco2e");
    return payout_cny(cover, carbon_stock_tco2e);
}

namespace {

// Every loss a number >= 0 and finite, else the first bad one named. One branch-free pass (it
// runs over every simulated year); the field name is built only on failure.
void check_losses(std::span<const double> loss_tco2e) {
    bool bad = false;
    for (const double x : loss_tco2e) bad |= !(x >= 0 && x <= std::numeric_limits<double>::max());
    if (!bad) return;
    for (std::size_t i = 0; i < loss_tco2e.size(); ++i)
        if (!(loss_tco2e[i] >= 0) || std::isinf(loss_tco2e[i])) checks::non_negative(loss_tco2e[i], checks::indexed("loss_tco2e", i));
}

}  // namespace

std::vector<double> payouts_cny(const PerTonneCover& cover, std::span<const double> loss_tco2e) {
    validate(cover);
    check_losses(loss_tco2e);
    std::vector<double> out(loss_tco2e.size());
    for (std::size_t i = 0; i < loss_tco2e.size(); ++i) out[i] = payout_cny(cover, loss_tco2e[i]);
    return out;
}

std::vector<double> payouts_cny(const LinearCover& cover, std::span<const double> loss_tco2e,
                                double carbon_stock_tco2e) {
    validate(cover);
    checks::positive(carbon_stock_tco2e, "carbon_stock_tco2e");
    check_losses(loss_tco2e);
    std::vector<double> out(loss_tco2e.size());
    for (std::size_t i = 0; i < loss_tco2e.size(); ++i) out[i] = payout_cny(cover, std::min(1.0, loss_tco2e[i] / carbon_stock_tco2e));
    return out;
}

void payouts_cny(const IndexPolicy& policy, std::span<const double> index_tco2e, std::span<double> out) {
    if (index_tco2e.size() != out.size()) throw std::logic_error("payouts_cny: one payout per year");
    const double franchise = policy.franchise_tco2e;
    const std::size_t n = out.size();
    if (policy.form == IndexForm::linear) {
        const LinearCover& c = policy.linear;
        const double stock = policy.carbon_stock_tco2e;
        for (std::size_t i = 0; i < n; ++i) {
            const double x = index_tco2e[i];
            const double paid = payout_cny(c, std::min(1.0, x / stock));
            out[i] = x < franchise ? 0.0 : paid;
        }
        return;
    }
    const PerTonneCover& c = policy.per_tonne;
    for (std::size_t i = 0; i < n; ++i) {
        const double x = index_tco2e[i];
        const double paid = payout_cny(c, x);
        out[i] = x < franchise ? 0.0 : paid;
    }
}

std::optional<IndexForm> parse_index_form(std::string_view name) {
    if (name == "per_tonne") return IndexForm::per_tonne;
    if (name == "linear") return IndexForm::linear;
    return std::nullopt;
}

std::string_view to_string(IndexForm form) { return form == IndexForm::linear ? "linear" : "per_tonne"; }

std::optional<IndexBasis> parse_index_basis(std::string_view name) {
    if (name == "stock_loss") return IndexBasis::stock_loss;
    if (name == "sink_loss") return IndexBasis::sink_loss;
    return std::nullopt;
}

std::string_view to_string(IndexBasis basis) { return basis == IndexBasis::sink_loss ? "sink_loss" : "stock_loss"; }

IndexPolicy index_policy(const IndexInsuranceTerms& terms, double carbon_stock_tco2e) {
    if (!(carbon_stock_tco2e > 0)) checks::fail("holdings", "the insured pool holds no carbon (stock 0 tCO2e)");
    checks::non_negative(terms.franchise_tco2e, "franchise_tco2e");
    IndexPolicy p;
    p.franchise_tco2e = terms.franchise_tco2e;
    p.form = terms.form;
    p.carbon_stock_tco2e = carbon_stock_tco2e;
    if (terms.form == IndexForm::per_tonne) {
        p.per_tonne.price_cny_per_tco2e = terms.price_cny_per_tco2e;
        p.per_tonne.deductible_tco2e = terms.deductible_tco2e;
        const double from_stock = sum_insured_cny(p.per_tonne, carbon_stock_tco2e);
        p.sum_insured_cny = terms.sum_insured_cny.value_or(from_stock);
        p.per_tonne.limit_cny = terms.limit_cny.value_or(p.sum_insured_cny);
        validate(p.per_tonne);
        return p;
    }
    if (!terms.sum_insured_cny) checks::fail("sum_insured_cny", "is required for the linear form");
    p.linear.sum_insured_cny = *terms.sum_insured_cny;
    p.linear.trigger = terms.trigger;
    p.linear.exit = terms.exit;
    p.sum_insured_cny = p.linear.sum_insured_cny;
    validate(p.linear);
    return p;
}

}  // namespace tanhui::pricing
