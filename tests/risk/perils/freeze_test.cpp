#include "risk/perils/freeze.hpp"

#include "risk/calibration/freeze_model.hpp"
#include "risk/metrics/metrics.hpp"
#include "risk/perils/fire.hpp"
#include "risk/simulation/simulate.hpp"
#include "tests/risk/made_up_book.hpp"
#include "tests/risk/sample_moments.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

namespace tanhui::risk {
namespace {

Model freeze_test_model() {
    Model model;
    FreezeModel f;
    f.provinces["35"] = {0.2, {0.5, 3}, {"33", "36", "44"}};
    f.provinces["33"] = {0.3, {0.5, 2}, {"35", "36"}};
    f.provinces["36"] = {0.25, {0.5, 2}, {"33", "35"}};
    f.loss_fraction.fill(0.25);
    f.dependence = {0.2, 0.1, 0.8};
    set_freeze_model(model, f);
    return model;
}

// A fixed footprint every year on a known stock: loss = share x area x stock x loss fraction.
TEST(FreezePeril, FixedFootprintOnAKnownStockIsTheClosedForm) {
    const Model model;
    const std::vector<Holding> h{made_up_holding("35", 100, ForestType::chinese_fir), made_up_holding("3508", 40, ForestType::bamboo)};
    BookOptions o;
    o.perils = {"freeze"};
    set_freeze_override(o.overrides, {.event_probability = 1.0, .footprint_share = 0.3, .loss_fraction = 0.25});
    o.overrides.carbon.stock_tco2e_per_ha = 150;
    const Book book = prepare_book(model, h, o);
    simulate(book, {.years = 600, .seed = 3}, [&](const YearResult& y) {
        ASSERT_DOUBLE_EQ(y.loss_tco2e[0], 0.3 * 100 * 150 * 0.25);
        ASSERT_DOUBLE_EQ(y.loss_tco2e[1], 0.3 * 40 * 150 * 0.25);
    });
}

// Two holdings of one province see the same event and the same footprint share, whatever else
// is in the book; the event frequency is the province's p.
TEST(FreezePeril, HoldingsOfOneProvinceSeeTheSameEventInAnyBook) {
    const Model model = freeze_test_model();
    BookOptions o;
    o.perils = {"freeze"};
    o.overrides.carbon.stock_tco2e_per_ha = 100;
    const std::vector<Holding> two{made_up_holding("350802", 100, ForestType::chinese_fir), made_up_holding("350982", 50, ForestType::chinese_fir),
                                   made_up_holding("33", 10, ForestType::mixed)};
    const std::vector<Holding> alone{made_up_holding("350982", 50, ForestType::chinese_fir)};
    const Book a = prepare_book(model, two, o), b = prepare_book(model, alone, o);
    const std::uint32_t years = 40'000;
    std::vector<double> first(years), second(years), solo(years), zj(years);
    simulate(a, {.years = years, .seed = 9}, [&](const YearResult& y) {
        first[y.year] = y.loss_tco2e[0];
        second[y.year] = y.loss_tco2e[1];
        zj[y.year] = y.loss_tco2e[2];
    });
    simulate(b, {.years = years, .seed = 9}, [&](const YearResult& y) { solo[y.year] = y.loss_tco2e[0]; });
    double events = 0, both = 0;
    for (std::uint32_t k = 0; k < years; ++k) {
        ASSERT_DOUBLE_EQ(first[k] * 50, second[k] * 100);  // same share
        ASSERT_EQ(second[k], solo[k]);                      // the same bits alone
        events += first[k] > 0;
        both += first[k] > 0 && zj[k] > 0;
    }
    const double p = events / years;
    EXPECT_NEAR(p, 0.2, 4 * std::sqrt(0.2 * 0.8 / years));
    EXPECT_GT(both / years, 0.2 * 0.3 + 0.01);  // neighbours' events come together
}

// The calibrated footprint, simulated: the mean affected share a year is the anchored mean
// (4 x the 2008 term x / T) and a footprint above x comes once in T years, each within 4
// standard errors of 200,000 years (Fujian's p = 0.192, x = 0.10, T = 50).
TEST(FreezePeril, SimulatedMeanAndTailAreTheAnchoredOnes) {
    const double p = 2.5 / 13, x = 0.10, T = 50, q = 1 / (T * p);
    const BetaFit fit = beta_for_mean_and_survival(4 * x * q, x, q);
    Model model;
    FreezeModel f;
    f.provinces["35"] = {p, {fit.a, fit.b}, {}};
    f.loss_fraction.fill(1.0);
    set_freeze_model(model, f);
    BookOptions o;
    o.perils = {"freeze"};
    o.overrides.carbon.stock_tco2e_per_ha = 100;
    const std::vector<Holding> h{made_up_holding("350802", 10, ForestType::chinese_fir)};
    const Book book = prepare_book(model, h, o);
    const std::uint32_t years = 200'000;
    std::vector<double> share(years);
    // The visitor runs on several threads: each writes its own year, and the count is taken after.
    simulate(book, {.years = years, .seed = 16},
             [&](const YearResult& y) { share[y.year] = y.loss_tco2e[0] / (10 * 100); });
    double above = 0;
    for (const double s : share) above += s > x;
    const Moments m = moments(share);
    EXPECT_NEAR(m.mean, 4 * x / T, 4 * m.se_mean);
    EXPECT_NEAR(above / years, 1 / T, 4 * std::sqrt(1 / T * (1 - 1 / T) / years));
}

// The block path (small books) and the year path give the same losses and events.
TEST(FreezePeril, BlockPathEqualsYearPath) {
    const Model model = freeze_test_model();
    const std::vector<Holding> h{made_up_holding("35", 100, ForestType::masson_pine), made_up_holding("36", 30, ForestType::broadleaf)};
    const std::vector<PreparedHolding> ph = [&] {
        BookOptions o;
        o.perils = {};
        o.overrides.carbon.stock_tco2e_per_ha = 100;
        return prepare_book(model, h, o).holdings;
    }();
    const ModelOverrides none;
    const FreezePeril peril({model, none, ph, 1});
    const std::size_t n = 256;
    std::vector<double> z(n), g(n, 1.0), block_loss(n * 2, 0.0);
    for (std::size_t k = 0; k < n; ++k) z[k] = std::sin(double(k));
    std::vector<BlockEvent> block_events;
    ASSERT_TRUE(peril.add_block({5, 1000, n, 1, g.data(), z.data()}, {}, 2, block_loss, block_events));
    std::size_t e = 0;
    for (std::size_t k = 0; k < n; ++k) {
        std::vector<double> loss(2, 0.0), one{1.0};
        std::vector<Event> events;
        EventSink sink(&events);
        peril.add_year({5, static_cast<std::uint32_t>(1000 + k), z[k], one}, {}, loss, sink);
        EXPECT_EQ(loss[0], block_loss[k * 2]);
        EXPECT_EQ(loss[1], block_loss[k * 2 + 1]);
        for (const Event& ev : events) {
            ASSERT_LT(e, block_events.size());
            EXPECT_EQ(block_events[e].year_in_block, k);
            EXPECT_EQ(block_events[e].event.loss_tco2e, ev.loss_tco2e);
            ++e;
        }
    }
    EXPECT_EQ(e, block_events.size());
    // Without events (YearBlock::events false) the same losses, and no events.
    std::vector<double> losses_alone(n * 2, 0.0);
    std::vector<BlockEvent> quiet_events;
    YearBlock quiet{5, 1000, n, 1, g.data(), z.data()};
    quiet.events = false;
    ASSERT_TRUE(peril.add_block(quiet, {}, 2, losses_alone, quiet_events));
    EXPECT_EQ(std::memcmp(losses_alone.data(), block_loss.data(), block_loss.size() * sizeof(double)), 0);
    EXPECT_TRUE(quiet_events.empty());
    EXPECT_GT(block_events.size(), 0u);
}

// A peril absent from `perils` contributes nothing, and adding freeze moves no other peril's draws.
TEST(FreezePeril, AbsentPerilContributesZeroAndMovesNoOtherDraws) {
    const Model model = freeze_test_model();
    const std::vector<Holding> h{made_up_holding("35", 100, ForestType::chinese_fir)};
    BookOptions fire_only;
    fire_only.perils = {"fire"};
    set_fire_override(fire_only.overrides, {.frequency = PoissonFrequency{0.3},
                                            .burned_area_ha = BurnedAreaModel{.mu = 1, .sigma = 1},
                                            .loss_fraction = 0.5});
    fire_only.overrides.carbon.stock_tco2e_per_ha = 100;
    BookOptions with_freeze = fire_only;
    with_freeze.perils = {"fire", "freeze"};
    const YearLosses a = simulate_year_losses(prepare_book(model, h, fire_only), {.years = 5000, .seed = 4});
    std::vector<double> fire(5000), freeze(5000);
    simulate(prepare_book(model, h, with_freeze), {.years = 5000, .seed = 4}, [&](const YearResult& y) {
        fire[y.year] = y.peril_loss_tco2e[0];
        freeze[y.year] = y.peril_loss_tco2e[1];
    });
    for (std::size_t k = 0; k < 5000; ++k) ASSERT_EQ(a.total_tco2e[k], fire[k]);
    EXPECT_GT(*std::max_element(freeze.begin(), freeze.end()), 0.0);
}

// One event per province and event year (issue 16): two identical holdings of Fujian under a
// fixed footprint every year are one event of twice one holding's loss, whose exposure is their
// stock; a Jiangxi holding is an event of its own. OEP is then 2 x one holding's loss. The
// same on the block path (a small book), the year path (a book of more than 64 holdings) and
// simulate_year_losses.
TEST(FreezePeril, HoldingsOfOneProvinceAreOneEventOnTheBlockAndYearPaths) {
    const Model model;
    BookOptions o;
    o.perils = {"freeze"};
    set_freeze_override(o.overrides, {.event_probability = 1.0, .footprint_share = 0.3, .loss_fraction = 0.25});
    o.overrides.carbon.stock_tco2e_per_ha = 150;
    const double one = 0.3 * 100 * 150 * 0.25, stock = 100 * 150.0;
    const std::vector<Holding> h{made_up_holding("350802", 100, ForestType::chinese_fir), made_up_holding("36", 40, ForestType::bamboo),
                                 made_up_holding("3507", 100, ForestType::chinese_fir)};
    const Book book = prepare_book(model, h, o);
    std::vector<double> annual(300), largest(300);
    simulate(book, {.years = 300, .seed = 3, .record_events = true}, [&](const YearResult& y) {
        ASSERT_EQ(y.events.size(), 2u);
        EXPECT_EQ(y.events[0].holding, 0u);
        EXPECT_EQ(y.events[0].loss_tco2e, 2 * one);
        EXPECT_EQ(y.events[0].exposure_tco2e, 2 * stock);
        EXPECT_EQ(y.events[1].holding, 1u);
        EXPECT_DOUBLE_EQ(y.events[1].loss_tco2e, 0.3 * 40 * 150 * 0.25);
        EXPECT_EQ(y.events[1].exposure_tco2e, 40 * 150.0);
        EXPECT_EQ(y.max_event_tco2e, 2 * one);
        EXPECT_EQ(y.event_count, 2u);
        annual[y.year] = y.total_tco2e;
        largest[y.year] = y.max_event_tco2e;
    });
    const YearLosses losses = simulate_year_losses(book, {.years = 300, .seed = 3});
    EXPECT_EQ(losses.max_event_tco2e, largest);
    const Metrics m = compute_metrics(annual, largest);
    ASSERT_TRUE(m.has_oep);
    for (const auto& r : m.return_periods) EXPECT_EQ(r.oep.value, 2 * one) << r.return_period;

    // 70 holdings of Fujian: the year path (add_year), one event of 70 x the loss.
    const std::vector<Holding> many(70, made_up_holding("350802", 100, ForestType::chinese_fir));
    const Book big = prepare_book(model, many, o);
    double sum = 0, exposure = 0;
    for (int i = 0; i < 70; ++i) sum += one, exposure += stock;
    simulate(big, {.years = 20, .seed = 3, .record_events = true}, [&](const YearResult& y) {
        ASSERT_EQ(y.events.size(), 1u);
        EXPECT_EQ(y.events[0].loss_tco2e, sum);
        EXPECT_EQ(y.events[0].exposure_tco2e, exposure);
        EXPECT_EQ(y.max_event_tco2e, y.total_tco2e);
    });
}

TEST(FreezeOverride, DecodesAndNamesBadFields) {
    std::vector<FieldProblem> problems;
    ModelOverrides o;
    Value block;
    block["event_probability"] = 2.0;
    block["footprint_share"] = 0.2;
    block["affected_share"]["a"] = 1.0;
    block["affected_share"]["b"] = 2.0;
    block["colour"] = "blue";
    decode_freeze_override(block, "/model/freeze", o, problems);
    ASSERT_EQ(problems.size(), 3u);
}

TEST(FreezePeril, RegionWithoutModelIsAnInputError) {
    const Model model = freeze_test_model();
    BookOptions o;
    o.perils = {"freeze"};
    EXPECT_THROW(prepare_book(model, std::vector<Holding>{made_up_holding("11", 10, ForestType::mixed)}, o), InvalidInput);
}

}  // namespace
}  // namespace tanhui::risk
