#include "risk/metrics/metrics.hpp"
#include "risk/simulation/loss_blocks.hpp"
#include "risk/simulation/simulate.hpp"
#include "tests/risk/made_up_book.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace tanhui::risk {
namespace {

Book made_up_book(int n, bool price = false) {
    BookOptions o;
    if (price) o.price = PriceLeg{PriceModel{.market = "made-up", .spot = 15, .spot_date = "2026-01-01", .volatility = 0.3, .jump_intensity = 0.5, .jump_std = 0.1,
                                             .correlation_with_weather = 0.4},
                                  {0.25, 0.5, 0.75, 1.0}, 0};
    return prepare_book(made_up_model(), made_up_holdings(n), o);
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

TEST(Simulate, SameBitsForOneTwoAndEightThreads) {
    const Book book = made_up_book(200, true);
    std::vector<YearLosses> runs;
    std::vector<std::vector<double>> per_holding;
    std::vector<std::vector<double>> fixings;
    for (unsigned threads : {1u, 2u, 8u}) {
        const Simulation sim{.years = 3'000, .seed = 20270101, .threads = threads};
        runs.push_back(simulate_year_losses(book, sim));
        // Per-holding sums by block reduction, and the price at the last fixing by year.
        per_holding.push_back(simulate_reduce(
            book, sim, std::vector<double>(200, 0.0),
            [](std::vector<double>& acc, const YearResult& y) {
                for (std::size_t i = 0; i < acc.size(); ++i) acc[i] += y.loss_tco2e[i];
            },
            [](std::vector<double>& total, const std::vector<double>& part) {
                for (std::size_t i = 0; i < total.size(); ++i) total[i] += part[i];
            }));
        std::vector<double> f(3'000);
        simulate(book, sim, [&](const YearResult& y) { f[y.year] = y.price_fixings[3]; });
        fixings.push_back(f);
    }
    double total = 0;
    for (double x : runs[0].total_tco2e) total += x;
    ASSERT_GT(total, 0.0);  // the made-up book does lose carbon
    for (std::size_t r = 1; r < runs.size(); ++r) {
        EXPECT_TRUE(same_bits(runs[0].total_tco2e, runs[r].total_tco2e));
        EXPECT_TRUE(same_bits(runs[0].max_event_tco2e, runs[r].max_event_tco2e));
        EXPECT_TRUE(same_bits(per_holding[0], per_holding[r]));
        EXPECT_TRUE(same_bits(fixings[0], fixings[r]));
    }
}

TEST(Simulate, OneYearAloneEqualsThatYearInAFullRun) {
    const Book book = made_up_book(100, true);
    const Simulation sim{.years = 2'000, .seed = 5, .threads = 2, .record_events = true};
    const std::uint32_t picked[] = {0, 37, 1'999};
    std::vector<YearOutcome> inside(3);
    simulate(book, sim, [&](const YearResult& y) {
        for (int i = 0; i < 3; ++i)
            if (y.year == picked[i]) {
                inside[i].loss_tco2e.assign(y.loss_tco2e.begin(), y.loss_tco2e.end());
                inside[i].peril_loss_tco2e.assign(y.peril_loss_tco2e.begin(), y.peril_loss_tco2e.end());
                inside[i].total_tco2e = y.total_tco2e;
                inside[i].max_event_tco2e = y.max_event_tco2e;
                inside[i].events.assign(y.events.begin(), y.events.end());
                inside[i].price_fixings.assign(y.price_fixings.begin(), y.price_fixings.end());
            }
    });
    for (int i = 0; i < 3; ++i) {
        const YearOutcome alone = simulate_year(book, sim.seed, picked[i]);
        EXPECT_TRUE(same_bits(alone.loss_tco2e, inside[i].loss_tco2e)) << picked[i];
        EXPECT_TRUE(same_bits(alone.peril_loss_tco2e, inside[i].peril_loss_tco2e)) << picked[i];
        EXPECT_TRUE(same_bits(alone.price_fixings, inside[i].price_fixings)) << picked[i];
        EXPECT_EQ(alone.total_tco2e, inside[i].total_tco2e);
        EXPECT_EQ(alone.max_event_tco2e, inside[i].max_event_tco2e);
        ASSERT_EQ(alone.events.size(), inside[i].events.size());
        double sum = 0;
        for (const Event& e : alone.events) sum += e.loss_tco2e;
        EXPECT_NEAR(sum, alone.total_tco2e, 1e-9 * (1 + alone.total_tco2e));
    }
}

// A book of at most 64 holdings runs a block of 256 years at once (year-level draws SIMD across
// years, Peril::add_block, and year totals straight from the block); a bigger book runs year by
// year, SIMD across holdings. Holding i has the same draws in both (its draw index is its
// position), so the first holdings of a big book must lose exactly what a small book of them
// loses, event by event, and the small book's totals must be the sums of those losses.
TEST(Simulate, SmallBookBlockPathHasTheBitsOfTheYearByYearPath) {
    constexpr std::size_t small = 6;
    const Book big = made_up_book(100);
    const Book little = made_up_book(static_cast<int>(small));
    const Simulation sim{.years = 1'500, .seed = 31, .threads = 2, .record_events = true};
    std::vector<std::vector<double>> big_loss(sim.years), little_loss(sim.years);
    std::vector<std::vector<Event>> big_events(sim.years), little_events(sim.years);
    std::vector<double> little_total(sim.years), little_max(sim.years);
    simulate(big, sim, [&](const YearResult& y) {
        big_loss[y.year].assign(y.loss_tco2e.begin(), y.loss_tco2e.begin() + small);
        for (const Event& e : y.events)
            if (e.holding < small) big_events[y.year].push_back(e);
    });
    simulate(little, sim, [&](const YearResult& y) {
        little_loss[y.year].assign(y.loss_tco2e.begin(), y.loss_tco2e.end());
        little_events[y.year].assign(y.events.begin(), y.events.end());
        little_total[y.year] = y.total_tco2e;
        little_max[y.year] = y.max_event_tco2e;
    });
    const YearLosses totals = simulate_year_losses(little, {.years = sim.years, .seed = sim.seed, .threads = 1});
    std::size_t events = 0, fires = 0, outbreaks = 0;
    for (std::uint32_t y = 0; y < sim.years; ++y) {
        ASSERT_TRUE(same_bits(big_loss[y], little_loss[y])) << "year " << y;
        ASSERT_EQ(big_events[y].size(), little_events[y].size()) << "year " << y;
        double total = 0, largest = 0;
        for (double l : big_loss[y]) total += l;
        for (std::size_t e = 0; e < big_events[y].size(); ++e) {
            const Event& a = big_events[y][e];
            const Event& b = little_events[y][e];
            EXPECT_EQ(a.holding, b.holding);
            EXPECT_EQ(a.peril, b.peril);
            EXPECT_EQ(a.number, b.number);
            EXPECT_EQ(std::memcmp(&a.loss_tco2e, &b.loss_tco2e, sizeof(double)), 0);
            largest = std::max(largest, a.loss_tco2e);
            (a.peril == PerilId::fire ? fires : outbreaks) += 1;
        }
        events += big_events[y].size();
        EXPECT_EQ(std::memcmp(&total, &little_total[y], sizeof(double)), 0) << "year " << y;
        EXPECT_EQ(std::memcmp(&total, &totals.total_tco2e[y], sizeof(double)), 0) << "year " << y;
        EXPECT_EQ(largest, little_max[y]) << "year " << y;
        EXPECT_EQ(largest, totals.max_event_tco2e[y]) << "year " << y;
    }
    EXPECT_GT(fires, 50u);  // both perils are exercised, several fires a year included
    EXPECT_GT(outbreaks, 50u);
    EXPECT_GT(events, fires);
}

// simulate_loss_blocks gives each year's holding losses, total and weather normal with the bits
// of simulate's visitor: on the block path (a small book) and year by year (a big book, a split run).
TEST(Simulate, LossBlocksHaveTheBitsOfTheYearVisitor) {
    for (const int holdings : {3, 70}) {
        const Book book = made_up_book(holdings);
        const Simulation sim{.years = 1'000, .seed = 37, .first_year = 300, .threads = 2};
        const std::size_t n = static_cast<std::size_t>(holdings);
        std::vector<double> loss(sim.years * n), total(sim.years), z(sim.years);
        std::vector<double> block_loss(sim.years * n), block_total(sim.years), block_z(sim.years);
        simulate(book, sim, [&](const YearResult& y) {
            const std::size_t i = y.year - sim.first_year;
            std::copy(y.loss_tco2e.begin(), y.loss_tco2e.end(), loss.begin() + static_cast<std::ptrdiff_t>(i * n));
            total[i] = y.total_tco2e;
            z[i] = y.weather_normal;
        });
        std::vector<unsigned char> seen(sim.years, 0);
        simulate_loss_blocks(book, sim, [&](const LossBlock& b) {
            ASSERT_EQ((b.first_year - sim.first_year) % years_per_block, 0u);
            ASSERT_EQ(b.loss_tco2e.size(), b.years * n);
            for (std::size_t k = 0; k < b.years; ++k) {
                const std::size_t i = b.first_year - sim.first_year + k;
                std::copy(b.loss_tco2e.begin() + static_cast<std::ptrdiff_t>(k * n),
                          b.loss_tco2e.begin() + static_cast<std::ptrdiff_t>((k + 1) * n),
                          block_loss.begin() + static_cast<std::ptrdiff_t>(i * n));
                block_total[i] = b.total_tco2e[k];
                block_z[i] = b.weather_normal[k];
                seen[i] = 1;
            }
        });
        EXPECT_TRUE(std::all_of(seen.begin(), seen.end(), [](unsigned char c) { return c == 1; }));
        EXPECT_TRUE(same_bits(loss, block_loss)) << holdings << " holdings";
        EXPECT_TRUE(same_bits(total, block_total)) << holdings << " holdings";
        EXPECT_TRUE(same_bits(z, block_z)) << holdings << " holdings";
    }
}

TEST(Simulate, SplitRunEqualsWholeRun) {
    const Book book = made_up_book(50);
    const YearLosses whole = simulate_year_losses(book, {.years = 1'000, .seed = 6});
    const YearLosses a = simulate_year_losses(book, {.years = 300, .seed = 6});
    const YearLosses b = simulate_year_losses(book, {.years = 700, .seed = 6, .first_year = 300});
    std::vector<double> joined = a.total_tco2e;
    joined.insert(joined.end(), b.total_tco2e.begin(), b.total_tco2e.end());
    EXPECT_TRUE(same_bits(whole.total_tco2e, joined));
    EXPECT_FALSE(same_bits(whole.total_tco2e, simulate_year_losses(book, {.years = 1'000, .seed = 7}).total_tco2e));
}

// Without the largest events a run leaves max_event_tco2e empty and changes nothing else, on the
// block path (a small book) and year by year (a big one).
TEST(Simulate, LeavingOutTheLargestEventsChangesNoTotal) {
    for (const int holdings : {3, 100}) {
        SCOPED_TRACE(holdings);
        const Book book = made_up_book(holdings);
        const Simulation sim{.years = 1'000, .seed = 12, .threads = 2};
        const YearLosses with = simulate_year_losses(book, sim, true);
        const YearLosses without = simulate_year_losses(book, sim, true, false);
        EXPECT_EQ(with.max_event_tco2e.size(), sim.years);
        EXPECT_TRUE(without.max_event_tco2e.empty());
        EXPECT_TRUE(same_bits(with.total_tco2e, without.total_tco2e));
        EXPECT_TRUE(same_bits(with.peril_tco2e, without.peril_tco2e));
    }
}

// A one-holding book's totals and peril rows (straight from the block, in loops over the years)
// are the sums run() takes year by year, bit for bit, with or without the largest events.
TEST(Simulate, OneHoldingTotalsAreTheYearByYearSums) {
    const Book book = made_up_book(1);
    const Simulation sim{.years = 1'000, .seed = 14, .threads = 2};
    std::vector<double> total(sim.years), peril(std::size_t{sim.years} * book.perils.size());
    simulate(book, sim, [&](const YearResult& y) {
        total[y.year] = y.total_tco2e;
        std::copy(y.peril_loss_tco2e.begin(), y.peril_loss_tco2e.end(), peril.begin() + std::ptrdiff_t(y.year * book.perils.size()));
    });
    for (const bool largest : {true, false}) {
        const YearLosses block = simulate_year_losses(book, sim, true, largest);
        EXPECT_TRUE(same_bits(block.total_tco2e, total));
        EXPECT_TRUE(same_bits(block.peril_tco2e, peril));
    }
    double sum = 0;
    for (const double t : total) sum += t;
    EXPECT_GT(sum, 0);  // the book loses something
}

// The per-peril totals and the per-holding losses describe the same carbon.
TEST(Simulate, PerilTotalsAddUpToTheYearTotal) {
    const Book book = made_up_book(100);
    simulate(book, {.years = 500, .seed = 8, .threads = 1}, [&](const YearResult& y) {
        ASSERT_EQ(y.peril_loss_tco2e.size(), 2u);
        EXPECT_NEAR(y.peril_loss_tco2e[0] + y.peril_loss_tco2e[1], y.total_tco2e, 1e-9 * (1 + y.total_tco2e));
        EXPECT_LE(y.max_event_tco2e, y.total_tco2e * (1 + 1e-12));
    });
}

TEST(Simulate, EulerContributionsSumToPortfolioTvar) {
    const Book book = made_up_book(60);
    const Simulation sim{.years = 5'000, .seed = 9};
    const YearLosses y = simulate_year_losses(book, sim);
    for (double level : {0.99, 0.995, 0.9}) {
        const std::vector<double> c = euler_tvar_tco2e(book, sim, y.total_tco2e, level);
        ASSERT_EQ(c.size(), 60u);
        double sum = 0;
        for (double v : c) {
            EXPECT_GE(v, 0.0);
            sum += v;
        }
        const double tvar = tail_value_at_risk(y.total_tco2e, level);
        EXPECT_NEAR(sum, tvar, 1e-12 * tvar) << "level " << level;
    }
}

// The price leg is addressed by (seed, year) only: inside a book, whatever its holdings, a
// year's fixings are the stand-alone path's.
TEST(Simulate, PriceLegIsIndependentOfHoldings) {
    const PriceModel m{.market = "made-up", .spot = 10, .spot_date = "2026-01-01", .volatility = 0.3, .jump_intensity = 1, .jump_std = 0.1};
    const std::vector<double> times{0.25, 0.5, 0.75, 1.0};
    const std::vector<double> alone = PricePath(m, times).simulate(40, 17);
    for (int n : {1, 30}) {
        BookOptions o;
        o.price = PriceLeg{m, times, 0};
        const Book book = prepare_book(made_up_model(), made_up_holdings(n), o);
        EXPECT_TRUE(same_bits(simulate_year(book, 40, 17).price_fixings, alone));  // no correlation: Z_y does not enter
    }
}

TEST(Simulate, UnknownPerilIsAnInputError) {
    BookOptions o;
    o.perils = {"fire", "volcano"};
    try {
        prepare_book(made_up_model(), made_up_holdings(3), o);
        FAIL();
    } catch (const InvalidInput& e) {
        EXPECT_EQ(e.field(), "perils");
    }
}

}  // namespace
}  // namespace tanhui::risk
