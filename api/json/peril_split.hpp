// Where a total comes from, as JSON (issue 16 item 6): the shares of risk/metrics/peril_split.hpp
// as an object keyed by peril, in key order, so that its values added in that order give the
// total exactly. Quotes, layers, buffers and batch results encode their splits with it.
#pragma once

#include "risk/metrics/peril_split.hpp"

#include <nlohmann/json.hpp>

#include <span>
#include <string>
#include <vector>

namespace tanhui::api {

// The key of the part paid in years when no covered peril lost anything (revenue and sink covers).
inline constexpr const char* other_key = "other";

// Each year's amounts[i] shared among the perils by that year's row of peril_loss (perils.size()
// values per year, in the order of `perils`), averaged over the years and made exact against
// `total` (the mean of the same amounts as the answer reports it). With `other`, an amount of a
// year without loss goes under "other"; without, there must be none (std::logic_error).
nlohmann::ordered_json split_by_peril(const std::vector<std::string>& perils, std::span<const double> peril_loss,
                                      std::span<const double> amounts, double total, bool other = false);

// An accumulated split as JSON.
nlohmann::ordered_json split_json(const std::vector<std::string>& perils, const risk::PerilShares& shares, double total,
                                  bool other = false);

}  // namespace tanhui::api
