#include "pricing/layers.hpp"

#include "pricing/checks.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tanhui::pricing {
namespace {

void validate_layer(const Layer& layer) {
    checks::non_negative(layer.attachment_cny, "attachment_cny");
    checks::positive(layer.limit_cny, "limit_cny");
    if (layer.reinstatements && *layer.reinstatements < 0)
        checks::fail("reinstatements", "must be >= 0, got " + std::to_string(*layer.reinstatements));
    if (layer.aggregate_limit_cny) checks::positive(*layer.aggregate_limit_cny, "aggregate_limit_cny");
    if (layer.premium_cny) checks::non_negative(*layer.premium_cny, "premium_cny");
}

void check_loss(double x, const std::string& field) {
    if (!(x >= 0) || !std::isfinite(x)) checks::fail(field, "must be a finite number >= 0, got " + checks::number(x));
}

double layer_of(const Layer& layer, double loss) {
    return std::min(layer.limit_cny, std::max(0.0, loss - layer.attachment_cny));
}

// Moments and ratios of the per-year layer losses, once exhaustion is counted.
LayerResult summarise(std::vector<double> layer_loss, std::size_t exhausted, const Layer& layer, double cap) {
    LayerResult r;
    r.years = layer_loss.size();
    if (r.years < 2) checks::fail("years", "must be at least 2, got " + std::to_string(r.years));
    const auto n = static_cast<double>(r.years);
    double sum = 0;
    std::size_t attached = 0;
    for (const double x : layer_loss) {
        sum += x;
        attached += x > 0 ? 1 : 0;
    }
    r.expected_layer_loss_cny = sum / n;
    double squares = 0;
    for (const double x : layer_loss) squares += (x - r.expected_layer_loss_cny) * (x - r.expected_layer_loss_cny);
    r.std_dev_cny = std::sqrt(squares / (n - 1));
    r.expected_layer_loss_se_cny = r.std_dev_cny / std::sqrt(n);
    r.probability_of_attaching = static_cast<double>(attached) / n;
    r.probability_of_exhausting = static_cast<double>(exhausted) / n;
    r.rate_on_line = r.expected_layer_loss_cny / layer.limit_cny;
    if (layer.premium_cny) r.rate_on_line_at_premium = *layer.premium_cny / layer.limit_cny;
    r.annual_cap_cny = cap;
    if (layer.reinstatements) {
        const double reinstatable = *layer.reinstatements * layer.limit_cny;
        double used = 0;
        for (const double x : layer_loss) used += std::min(x, reinstatable);
        r.expected_reinstatements_used = used / n / layer.limit_cny;
    }
    r.layer_loss_cny = std::move(layer_loss);
    return r;
}

double annual_cap(const Layer& layer) {
    double cap = std::numeric_limits<double>::infinity();
    if (layer.reinstatements) cap = std::min(cap, layer.limit_cny * (1.0 + *layer.reinstatements));
    if (layer.aggregate_limit_cny) cap = std::min(cap, *layer.aggregate_limit_cny);
    return cap;
}

}  // namespace

std::optional<LayerBasis> parse_layer_basis(std::string_view name) {
    for (const LayerBasis b : {LayerBasis::occurrence, LayerBasis::aggregate})
        if (to_string(b) == name) return b;
    return std::nullopt;
}

std::string_view to_string(LayerBasis basis) {
    switch (basis) {
    case LayerBasis::occurrence: return "occurrence";
    case LayerBasis::aggregate: return "aggregate";
    }
    return "?";
}

LayerResult aggregate_layer(std::span<const double> annual_losses_cny, const Layer& layer) {
    validate_layer(layer);
    if (layer.reinstatements) checks::fail("reinstatements", "apply to per-occurrence layers only");
    if (layer.aggregate_limit_cny) checks::fail("aggregate_limit_cny", "applies to per-occurrence layers only");
    std::vector<double> out(annual_losses_cny.size());
    std::size_t exhausted = 0;
    for (std::size_t i = 0; i < annual_losses_cny.size(); ++i) {
        check_loss(annual_losses_cny[i], checks::indexed("annual_losses_cny", i));
        out[i] = layer_of(layer, annual_losses_cny[i]);
        exhausted += annual_losses_cny[i] >= layer.attachment_cny + layer.limit_cny ? 1 : 0;
    }
    return summarise(std::move(out), exhausted, layer, layer.limit_cny);
}

LayerResult per_occurrence_layer(std::span<const std::vector<double>> event_losses_by_year, const Layer& layer) {
    validate_layer(layer);
    const double cap = annual_cap(layer);
    const bool capped = std::isfinite(cap);
    std::vector<double> out(event_losses_by_year.size());
    std::size_t exhausted = 0;
    for (std::size_t y = 0; y < event_losses_by_year.size(); ++y) {
        double recoveries = 0;
        bool top_reached = false;
        const auto& events = event_losses_by_year[y];
        for (std::size_t e = 0; e < events.size(); ++e) {
            check_loss(events[e], "event_losses_cny[" + std::to_string(y) + "][" + std::to_string(e) + "]");
            recoveries += layer_of(layer, events[e]);
            top_reached = top_reached || events[e] >= layer.attachment_cny + layer.limit_cny;
        }
        out[y] = std::min(cap, recoveries);
        exhausted += (capped ? recoveries >= cap : top_reached) ? 1 : 0;
    }
    return summarise(std::move(out), exhausted, layer, cap);
}

LayerResult per_occurrence_layer(std::size_t years, std::span<const EventLoss> events, const Layer& layer) {
    std::vector<std::vector<double>> by_year(years);
    for (std::size_t i = 0; i < events.size(); ++i) {
        if (!(events[i].year >= 1 && events[i].year <= years))
            checks::fail(checks::indexed("losses", i) + ".year",
                         "must lie in 1.." + std::to_string(years) + ", got " + std::to_string(events[i].year));
        check_loss(events[i].loss_cny, checks::indexed("losses", i) + ".loss");
        by_year[events[i].year - 1].push_back(events[i].loss_cny);
    }
    return per_occurrence_layer(by_year, layer);
}

}  // namespace tanhui::pricing
