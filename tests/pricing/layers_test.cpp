// Excess-of-loss layers on hand-worked tables.
#include "pricing/layers.hpp"

#include "data/types.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace tanhui::pricing {
namespace {

// 10 xs 5 on ten annual totals: layer losses 0 0 0 3 10 10 10 7 0 1 (sum 41); the layer attaches
// in 6 years and is exhausted (S >= 15) in 3; squares about the mean 4.1 sum to 190.9.
TEST(AggregateLayer, HandWorkedTable) {
    const std::vector<double> totals = {0, 3, 5, 8, 15, 20, 40, 12, 0, 6};
    const auto r = aggregate_layer(totals, {.attachment_cny = 5, .limit_cny = 10, .premium_cny = 6});
    EXPECT_EQ(r.layer_loss_cny, (std::vector<double>{0, 0, 0, 3, 10, 10, 10, 7, 0, 1}));
    EXPECT_EQ(r.years, 10u);
    EXPECT_DOUBLE_EQ(r.expected_layer_loss_cny, 4.1);
    EXPECT_NEAR(r.std_dev_cny, std::sqrt(190.9 / 9), 1e-12);
    EXPECT_NEAR(r.expected_layer_loss_se_cny, std::sqrt(190.9 / 9 / 10), 1e-12);
    EXPECT_DOUBLE_EQ(r.probability_of_attaching, 0.6);
    EXPECT_DOUBLE_EQ(r.probability_of_exhausting, 0.3);
    EXPECT_DOUBLE_EQ(r.rate_on_line, 0.41);
    ASSERT_TRUE(r.rate_on_line_at_premium.has_value());
    EXPECT_DOUBLE_EQ(*r.rate_on_line_at_premium, 0.6);
    EXPECT_DOUBLE_EQ(r.annual_cap_cny, 10.0);
}

// 10 xs 5 per occurrence over six years of events:
//   {} -> 0; {3, 4} -> 0 (would attach in aggregate); {8} -> 3; {20, 7} -> 10 + 2;
//   {16, 16, 16} -> 30; {6} -> 1.
const std::vector<std::vector<double>> events = {{}, {3, 4}, {8}, {20, 7}, {16, 16, 16}, {6}};

TEST(PerOccurrenceLayer, HandWorkedTableWithoutCap) {
    const auto r = per_occurrence_layer(events, {.attachment_cny = 5, .limit_cny = 10});
    EXPECT_EQ(r.layer_loss_cny, (std::vector<double>{0, 0, 3, 12, 30, 1}));
    EXPECT_NEAR(r.expected_layer_loss_cny, 46.0 / 6, 1e-12);
    EXPECT_NEAR(r.probability_of_attaching, 4.0 / 6, 1e-15);
    EXPECT_NEAR(r.probability_of_exhausting, 2.0 / 6, 1e-15);  // an event >= 15 in years 4 and 5
    EXPECT_TRUE(std::isinf(r.annual_cap_cny));
    EXPECT_EQ(r.expected_reinstatements_used, 0.0);
}

// One reinstatement: the year pays at most 2 limits (20). Reinstated amounts min(x, 10):
// 0 0 3 10 10 1, i.e. 0.4 limits a year.
TEST(PerOccurrenceLayer, ReinstatementsCapTheYear) {
    const auto one = per_occurrence_layer(events, {.attachment_cny = 5, .limit_cny = 10, .reinstatements = 1});
    EXPECT_EQ(one.layer_loss_cny, (std::vector<double>{0, 0, 3, 12, 20, 1}));
    EXPECT_DOUBLE_EQ(one.expected_layer_loss_cny, 6.0);
    EXPECT_DOUBLE_EQ(one.annual_cap_cny, 20.0);
    EXPECT_NEAR(one.probability_of_exhausting, 1.0 / 6, 1e-15);  // only year 5 reaches 20
    EXPECT_NEAR(one.expected_reinstatements_used, 0.4, 1e-15);
    EXPECT_NEAR(one.rate_on_line, 0.6, 1e-15);

    const auto none = per_occurrence_layer(events, {.attachment_cny = 5, .limit_cny = 10, .reinstatements = 0});
    EXPECT_EQ(none.layer_loss_cny, (std::vector<double>{0, 0, 3, 10, 10, 1}));
    EXPECT_NEAR(none.probability_of_exhausting, 2.0 / 6, 1e-15);
    EXPECT_EQ(none.expected_reinstatements_used, 0.0);

    // With an annual aggregate limit too, the smaller cap (15) applies.
    const auto both = per_occurrence_layer(
        events, {.attachment_cny = 5, .limit_cny = 10, .reinstatements = 1, .aggregate_limit_cny = 15});
    EXPECT_EQ(both.layer_loss_cny, (std::vector<double>{0, 0, 3, 12, 15, 1}));
    EXPECT_DOUBLE_EQ(both.annual_cap_cny, 15.0);
    EXPECT_NEAR(both.probability_of_exhausting, 1.0 / 6, 1e-15);
}

TEST(PerOccurrenceLayer, YearLossRowsGiveTheSameLayer) {
    const std::vector<EventLoss> rows = {{2, 3}, {2, 4}, {3, 8}, {4, 20}, {4, 7}, {5, 16}, {5, 16}, {5, 16}, {6, 6}};
    const Layer layer{.attachment_cny = 5, .limit_cny = 10, .reinstatements = 1};
    const auto a = per_occurrence_layer(6, rows, layer);
    const auto b = per_occurrence_layer(events, layer);
    EXPECT_EQ(a.layer_loss_cny, b.layer_loss_cny);
    EXPECT_EQ(a.expected_layer_loss_cny, b.expected_layer_loss_cny);
    EXPECT_EQ(a.probability_of_exhausting, b.probability_of_exhausting);
}

// One event a year: per occurrence and annual aggregate are the same layer.
TEST(Layers, OneEventAYearAgrees) {
    const std::vector<double> totals = {0, 3, 5, 8, 15, 20, 40, 12, 0, 6};
    std::vector<std::vector<double>> single;
    for (const double x : totals) single.push_back(x > 0 ? std::vector<double>{x} : std::vector<double>{});
    const Layer layer{.attachment_cny = 5, .limit_cny = 10};
    const auto agg = aggregate_layer(totals, layer);
    const auto occ = per_occurrence_layer(single, layer);
    EXPECT_EQ(agg.layer_loss_cny, occ.layer_loss_cny);
    EXPECT_EQ(agg.probability_of_exhausting, occ.probability_of_exhausting);
}

std::string field_of(const auto& f) {
    try {
        f();
    } catch (const InvalidInput& e) {
        return e.field();
    }
    return "<no throw>";
}

TEST(Layers, ValidationNamesTheBadField) {
    const std::vector<double> totals = {1, 2, 3};
    EXPECT_EQ(field_of([&] { aggregate_layer(totals, {.attachment_cny = -1, .limit_cny = 1}); }), "attachment_cny");
    EXPECT_EQ(field_of([&] { aggregate_layer(totals, {.attachment_cny = 1, .limit_cny = 0}); }), "limit_cny");
    EXPECT_EQ(field_of([&] { aggregate_layer(totals, {.limit_cny = 1, .reinstatements = 1}); }), "reinstatements");
    EXPECT_EQ(field_of([&] { per_occurrence_layer(events, {.limit_cny = 1, .reinstatements = -1}); }), "reinstatements");
    EXPECT_EQ(field_of([&] { per_occurrence_layer(events, {.limit_cny = 1, .aggregate_limit_cny = 0}); }),
              "aggregate_limit_cny");
    EXPECT_EQ(field_of([&] { aggregate_layer(std::vector<double>{1, NAN}, {.limit_cny = 1}); }), "annual_losses_cny[1]");
    EXPECT_EQ(field_of([&] { per_occurrence_layer(3, std::vector<EventLoss>{{4, 1.0}}, {.limit_cny = 1}); }),
              "losses[0].year");
    EXPECT_EQ(field_of([&] { per_occurrence_layer(3, std::vector<EventLoss>{{1, -1.0}}, {.limit_cny = 1}); }),
              "losses[0].loss");
    EXPECT_EQ(field_of([&] { aggregate_layer(std::vector<double>{1}, {.limit_cny = 1}); }), "years");
}

}  // namespace
}  // namespace tanhui::pricing
