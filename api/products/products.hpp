// The products beyond the quote: credibility, metrics of a loss table, reinsurance layers, damage
// valuation, reversal buffers and burning cost (DESIGN "Products", "Premiums", "Risk metrics" and
// the JSON contract). For each: a strict decoder (unknown fields rejected, every bad field named by
// its JSON pointer), a computation from decoded values to the response JSON, and one
// handle_X(store, models, body) that the HTTP routes and the CLI share: a response, or a Problem
// (400 for decode problems, 422 for an InvalidInput the libraries raise). docs/products.md.
#pragma once

#include "api/json/reader.hpp"
#include "api/json/problem.hpp"
#include "data/types.hpp"
#include "pricing/credibility.hpp"
#include "pricing/layers.hpp"
#include "risk/model/model.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tanhui::data {
class Store;
}

namespace tanhui::risk {
struct Book;
}

namespace tanhui::api {

class ModelCache;
class Router;
class ServiceContext;

// A product's answer: the response document or the problem to send.
struct ProductOutcome {
    std::optional<nlohmann::ordered_json> response;
    std::optional<Problem> problem;
    std::uint64_t simulated_years = 0;  // for the service's counters
};

struct ProductLimits {
    long long max_years = 1'000'000;               // loss-table years, layer simulation years
    long long max_simulated_years = 10'000'000;    // buffer: paths x horizon (one double each in memory)
    std::size_t max_holdings = 100'000;
    std::size_t max_rows = 5'000'000;              // rows of a loss table
    unsigned threads = 0;                          // simulation threads unless the request says; 0 = all cores
};

// ---- credibility (POST /v1/experience/credibility, `tanhui credibility`) ---------------------

struct CredibilityRequest {
    std::vector<pricing::CredibilityGroup> groups;
};
Decoded<CredibilityRequest> decode_credibility(const nlohmann::json& body);
// {collective_premium, within_variance, between_variance, groups: [{id, credibility_factor,
// premium}], warnings?}: DESIGN's shape exactly; `warnings` only when there is one.
nlohmann::ordered_json credibility_json(const pricing::CredibilityResult& result);
ProductOutcome credibility(const nlohmann::json& body);

// ---- metrics of a loss table (POST /v1/risk/metrics, `tanhui metrics`) ------------------------

struct LossRow {
    std::uint64_t year = 0;   // 1..years
    std::uint64_t event = 0;  // event id within the year
    double loss = 0;          // >= 0, the caller's unit
};
struct LossTable {
    std::uint64_t years = 0;
    std::vector<LossRow> rows;
};
// Per year (index year - 1): the annual loss (sum over the year's rows) and its events' losses,
// rows with the same (year, event) summed into one event, events in order of first appearance.
struct YearTable {
    std::vector<double> annual;
    std::vector<double> max_event;              // the year's largest event (0 without events)
    std::vector<std::vector<double>> events;    // only when asked for
};
YearTable year_table(const LossTable& table, bool with_events = false);

struct MetricsRequest {
    LossTable table;
    std::vector<double> levels;          // default risk::default_levels
    std::vector<double> return_periods;  // default risk::default_return_periods
};
Decoded<MetricsRequest> decode_metrics(const nlohmann::json& body, const ProductLimits& limits = {});
// {years, aal, aal_se, std, std_se, var, var_se, tvar, tvar_se, aep, aep_se, oep, oep_se
// [, beyond_simulation]}; level and return-period keys as the shortest fixed decimal ("0.99", "100").
nlohmann::ordered_json metrics_json(const MetricsRequest& request);
ProductOutcome metrics(const nlohmann::json& body, const ProductLimits& limits = {});

// A CSV loss table with the header year,event,loss (in any column order; blank lines skipped)
// into the JSON document decode_metrics reads: {"years": years, "losses": [...]}. Problems name
// the CSV line: pointer "/losses/<row>/<column>" and a message starting "line N: ".
Decoded<nlohmann::json> loss_csv_to_json(std::string_view text, std::uint64_t years, const ProductLimits& limits = {});

// Number keys of the response objects: the shortest fixed decimal that reads back the same
// double ("0.99", "0.995", "100", "1000000").
std::string number_key(double x);

// ---- reinsurance layer (POST /v1/reinsurance/layer, `tanhui layer`) --------------------------

struct LayerRequest {
    std::string basis;  // occurrence | aggregate
    pricing::Layer layer;
    // Either an explicit loss table in CNY ...
    std::optional<LossTable> loss_table;
    // ... or a portfolio simulated on the current model; loss in CNY = tCO2e x price.
    std::vector<Holding> holdings;
    std::vector<std::string> perils{"fire", "pest"};
    double price_cny_per_tco2e = 0;
    std::uint32_t years = 100'000;
    std::uint64_t seed = 1;
    unsigned threads = 0;
};
Decoded<LayerRequest> decode_layer(const nlohmann::json& body, const ProductLimits& limits = {});
// `model` may be null for an explicit table. Throws InvalidInput.
nlohmann::ordered_json compute_layer(const LayerRequest& request, const risk::Model* model,
                                     const std::string& model_version, unsigned default_threads = 0);

// Per simulated year (in year order) the CNY loss of each event above `keep_above_cny` (events
// at or below it recover nothing from a layer attaching there), and each year's total.
struct SimulatedEvents {
    std::vector<std::vector<double>> events_cny;
    std::vector<double> annual_cny;
};
SimulatedEvents simulate_event_losses(const risk::Book& book, std::uint32_t years, std::uint64_t seed,
                                      unsigned threads, double price_cny_per_tco2e, double keep_above_cny);

// ---- damage valuation (POST /v1/valuations/damage, `tanhui damage`) --------------------------

struct DamageRequest {
    std::string case_id;  // optional, echoed
    std::string region;
    ForestType forest_type = ForestType::chinese_fir;
    double age_years = 0;
    double damaged_area_ha = 0;
    double stock_loss_fraction = 1;
    std::string damage_date;
    std::string market;
    std::optional<double> carbon_stock_tco2e_per_ha;  // measured density: scales the curve through it
    std::optional<ForestType> regrowth_forest_type;   // replanted species; default the same
    double regrowth_delay_years = 0;
    double max_recovery_years = 100;
    double price_horizon_years = 1;                   // from the market's last observed close
    std::vector<double> price_levels{0.05, 0.95};
    std::uint32_t paths = 100'000;                    // Monte Carlo, jump models only
    std::uint64_t seed = 1;
};
Decoded<DamageRequest> decode_damage(const nlohmann::json& body);

// The price of a market `horizon` years after its spot date: median and quantiles. Closed form
// for GBM and OU without jumps (the log price is normal); Monte Carlo on risk::PricePath (one
// fixing at the horizon) with jumps, the SE of the median from the order statistics.
struct PriceAtHorizon {
    std::string method;  // closed_form | monte_carlo
    double median = 0;
    double median_se = 0;
    std::vector<double> levels;
    std::vector<double> quantiles;  // one per level
    std::uint32_t paths = 0;        // monte_carlo only
};
PriceAtHorizon price_at_horizon(const risk::PriceModel& model, double horizon_years, std::span<const double> levels,
                                std::uint32_t paths, std::uint64_t seed);

// `currency` of the market must be CNY (checked by the handler).
nlohmann::ordered_json compute_damage(const DamageRequest& request, const risk::Model& model,
                                      const std::string& model_version);

// ---- reversal buffer (POST /v1/risk/buffer, `tanhui buffer`) ---------------------------------

struct BufferRequest {
    std::string project_id;  // optional, echoed
    std::vector<Holding> holdings;
    std::vector<std::string> perils{"fire", "pest"};
    std::uint32_t horizon_years = 40;
    double alpha = 0.99;
    std::optional<double> buffer_share;
    std::uint32_t paths = 10'000;
    std::uint64_t seed = 1;
    unsigned threads = 0;
};
Decoded<BufferRequest> decode_buffer(const nlohmann::json& body, const ProductLimits& limits = {});

// Path p is the simulated years p x horizon .. p x horizon + horizon - 1 of the book (so paths are
// independent and each can be regenerated alone); its cumulative reversal share is
// min(1, sum of the book's carbon lost over those years / the book's carbon stock): gross losses,
// no credit for regrowth, the stock held at its starting value.
std::vector<double> cumulative_reversal_shares(const risk::Book& book, std::uint32_t horizon_years,
                                               std::uint32_t paths, std::uint64_t seed, unsigned threads);
nlohmann::ordered_json compute_buffer(const BufferRequest& request, const risk::Model& model,
                                      const std::string& model_version, unsigned default_threads = 0);

// ---- burning cost (POST /v1/experience/burning-cost, `tanhui burning-cost`) ------------------

struct BurningCostRequest {
    Holding holding;
    std::string form;  // per_tonne | linear
    double price_cny_per_tco2e = 0;
    double deductible_tco2e = 0;
    std::optional<double> limit_cny;
    std::optional<double> sum_insured_cny;
    double trigger = 0;
    double exit = 1;
    std::optional<int> policy_year;  // default: the year after the fire fit's last year
    std::optional<int> from_year, to_year;  // default: the fire fit's data range
};
Decoded<BurningCostRequest> decode_burning_cost(const nlohmann::json& body);

// The fire calibration's log-linear trends (per year) and data range, from its report:
// report.counts.parameters.trend_per_year.estimate (absent: the stationary fit was selected, 0)
// and report.burned_area.parameters.trend_per_year.estimate (per-fire damaged area).
struct FireTrend {
    double counts_trend_per_year = 0;
    double burned_area_trend_per_year = 0;
    int first_year = 0;
    int last_year = 0;  // the calibration holds the trend flat after this year
};
FireTrend fire_trend_from_report(const nlohmann::json& report);

// Everything the replay needs besides the request, as plain values.
struct BurningCostInputs {
    std::string province;
    std::string calibration_id;     // the fire calibration the trend comes from (reported)
    std::vector<FireYear> history;  // the province's fire years (forest_damaged_ha is replayed)
    double province_forest_area_ha = 0;
    FireTrend trend;
    double stock_tco2e_per_ha = 0;  // the holding's
    double loss_fraction = 0.6;     // carbon lost per burned ha / stock, the holding's forest type
};
// Year y's damaged area, trend-adjusted: D_y x exp((b_counts + b_area) x (Y - y)), Y = min(policy
// year, trend.last_year); the holding burns D_adj x area / province forest area (capped at its
// area) and loses that x stock density x loss fraction tCO2e; the cover turns it into a payout.
nlohmann::ordered_json compute_burning_cost(const BurningCostRequest& request, const BurningCostInputs& inputs,
                                            const std::string& model_version);

// ---- one entry per product: decode, compute on the store's current model, answer -------------

ProductOutcome handle_credibility(data::Store& store, ModelCache& models, const nlohmann::json& body,
                                  const ProductLimits& limits = {});
ProductOutcome handle_metrics(data::Store& store, ModelCache& models, const nlohmann::json& body,
                              const ProductLimits& limits = {});
ProductOutcome handle_layer(data::Store& store, ModelCache& models, const nlohmann::json& body,
                            const ProductLimits& limits = {});
ProductOutcome handle_damage(data::Store& store, ModelCache& models, const nlohmann::json& body,
                             const ProductLimits& limits = {});
ProductOutcome handle_buffer(data::Store& store, ModelCache& models, const nlohmann::json& body,
                             const ProductLimits& limits = {});
ProductOutcome handle_burning_cost(data::Store& store, ModelCache& models, const nlohmann::json& body,
                                   const ProductLimits& limits = {});

// POST /v1/experience/credibility, /v1/risk/metrics, /v1/reinsurance/layer, /v1/risk/buffer,
// /v1/experience/burning-cost (actuary) and /v1/valuations/damage (underwriter). The handlers
// keep `models` alive; pass the cache the quote and calibration routes use, so that a new
// calibration (ModelCache::forget_current) reaches these routes too. api/routes/products.cpp.
void register_product_routes(Router& router, ServiceContext& ctx, std::shared_ptr<ModelCache> models);

}  // namespace tanhui::api
