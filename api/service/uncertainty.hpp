// Parameter uncertainty of a quote (issue 16 item 7; docs/pricing.md "Uncertainty band"): the pure
// premium recomputed under the low and the high value of each labelled assumption that the
// quote's perils read (one at a time) and under all low / all high, beside the point estimate.
// Each is the model version re-assembled through an AssumptionOverlay (risk's assembly reads the
// assumptions through History, so a new peril's assumptions join with no code of their own),
// priced with the same request and seed: common random numbers, so the differences are the
// assumptions', not Monte Carlo noise.
#pragma once

#include "api/json/quote_request.hpp"
#include "api/products/quote_engine.hpp"
#include "data/store/store.hpp"

#include <nlohmann/json.hpp>

namespace tanhui::api {

// The "uncertainty" member of the answer of `request` priced at `point_cny` under `context`.
nlohmann::json uncertainty_band(data::Store& store, const QuoteRequest& request, const QuoteContext& context,
                                double point_cny);

// compute_answer, plus "uncertainty" when the request asks for it.
SortedJsonWriter compute_answer_with_band(data::Store& store, const QuoteRequest& request, const QuoteContext& context);

}  // namespace tanhui::api
