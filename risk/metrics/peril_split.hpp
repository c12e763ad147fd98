// Where a loss or a premium comes from (issue 16 item 6, DESIGN "Quote response"): each simulated
// year's amount (carbon lost, a payout) is shared among the perils in proportion to the carbon
// each lost that year, the shares are averaged over the years, and the averages are made to add
// up exactly to the reported total. Plain values in and out: products, layers, buffers and the
// batch runner all share these functions.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace tanhui::risk {

// Sums of shared amounts, one per peril (in the order of the losses given to add), and the
// amounts of years in which no peril lost anything (a revenue cover paying on the price alone,
// a sink cover on a poor growth year): those belong to no peril.
struct PerilShares {
    std::vector<double> by_peril;
    double unattributed = 0;
    double years = 0;  // how many years were added
};

PerilShares peril_shares(std::size_t perils);

// Adds one year: by_peril[p] += amount x loss[p] / sum(loss) (0 <= loss[p]); with no loss the
// whole amount goes to unattributed. amount = 0 adds nothing (but counts the year).
void add_year(PerilShares& acc, std::span<const double> peril_loss, double amount);

// add_year for every year of a run, in order (peril_loss: one row of acc's perils per year): the
// same bits as the loop of add_year, without a branch per peril (which perils lost is a coin no
// predictor learns) and with the year's ratios loss[p] / sum(loss) taken for a block of years at
// once.
void add_years(PerilShares& acc, std::span<const double> peril_loss, std::span<const double> amounts);
// Two amounts a year shared by the same peril losses (a quote's carbon lost and its payout): as
// add_years on each, the ratios taken once.
void add_years(PerilShares& acc_a, std::span<const double> amounts_a, PerilShares& acc_b, std::span<const double> amounts_b,
               std::span<const double> peril_loss);

// The same rule on plain sums, for accumulators laid out in one flat vector (a batch chunk):
// sums holds weights.size() + 1 values, the last one for an amount of a year without weight.
// Shares by any weights: perils' losses, or holdings' losses (the amounts of a region).
void add_shared(std::span<double> sums, std::span<const double> weights, double amount);

// Adds another accumulator of the same perils (a block of years) into acc, peril by peril.
void combine(PerilShares& acc, const PerilShares& part);

// Parts that add up exactly: `raw` (>= 0) in the order in which a reader will add them, left to
// right in double arithmetic, and the total they must reproduce. The largest part takes the
// residual (a few ulps), so that ((p0 + p1) + p2) + ... == total bit for bit, the others are
// unchanged; when a rounding tie makes that impossible (a + b can only land on either side of the
// total), the next largest part takes it instead. A part that is 0 stays 0. All parts 0 when
// total is 0. Throws std::logic_error if no single part can be adjusted so.
std::vector<double> exact_parts(std::span<const double> raw, double total);

// One named part of a total.
using NamedPart = std::pair<std::string, double>;

// The means of acc's shares (by_peril / years) under their peril names, sorted by name (the
// order of a JSON object's keys), made exact with exact_parts against total (the mean of the
// same amounts as reported, e.g. the pure premium). When acc has unattributed amounts (not 0)
// and unattributed_name is not empty, that part is one more entry under it (sorted with the
// others); with no name there must be none (std::logic_error).
std::vector<NamedPart> split_means(std::span<const std::string> perils, const PerilShares& acc, double total,
                                   const std::string& unattributed_name = {});

}  // namespace tanhui::risk
