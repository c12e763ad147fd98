#include "api/products/metrics.hpp"

#include "api/json/fields.hpp"
#include "api/json/loss_table.hpp"
#include "api/json/metrics.hpp"
#include "risk/metrics/metrics.hpp"

namespace tanhui::api {

Decoded<MetricsRequest> decode_metrics(const nlohmann::json& body, const ProductLimits& limits) {
    Decoded<MetricsRequest> out;
    auto& problems = out.problems;
    ObjectReader r(body, "", problems);
    if (!r.ok()) return out;
    MetricsRequest request;
    auto table = decode_loss_table(r, {limits.max_years, limits.max_rows}, problems);
    const auto levels = distinct_numbers(r, "levels", range::open_unit, problems);
    const auto periods = distinct_numbers(r, "return_periods", {1, 1e12}, problems);
    r.finish();
    if (!problems.empty() || !table) return out;
    request.table = std::move(*table);
    request.levels = levels ? *levels : std::vector<double>(risk::default_levels.begin(), risk::default_levels.end());
    request.return_periods =
        periods ? *periods : std::vector<double>(risk::default_return_periods.begin(), risk::default_return_periods.end());
    out.value = std::move(request);
    return out;
}

nlohmann::ordered_json metrics_json(const MetricsRequest& request) {
    const risk::YearTable t = risk::year_table(request.table);
    risk::MetricOptions options;
    options.levels = request.levels;
    options.return_periods = request.return_periods;
    return metrics_json(risk::compute_metrics(t.annual, t.max_event, options), MetricsFields::endpoint);
}

ProductOutcome metrics(const nlohmann::json& body, const ProductLimits& limits) {
    return run_endpoint(
        body, "metrics request", [&](const nlohmann::json& b) { return decode_metrics(b, limits); },
        [](const MetricsRequest& q, ProductOutcome&) { return metrics_json(q); });
}

ProductOutcome handle_metrics(const nlohmann::json& body, const EndpointContext& context) {
    return metrics(body, context.limits);
}

}  // namespace tanhui::api
