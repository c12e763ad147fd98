#include "risk/random/year_cache.hpp"

#include "risk/perils/freeze.hpp"
#include "risk/perils/landslide.hpp"
#include "risk/simulation/simulate.hpp"
#include "risk/simulation/sink.hpp"
#include "tests/risk/made_up_book.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <thread>
#include <vector>

namespace tanhui::risk {
namespace {

// The process cache's budget for the length of a test, restored after it.
class BudgetScope {
public:
    explicit BudgetScope(std::size_t bytes) : saved_(year_draw_cache().budget_bytes()) {
        year_draw_cache().set_budget_bytes(bytes);
    }
    ~BudgetScope() { year_draw_cache().set_budget_bytes(saved_); }

private:
    std::size_t saved_;
};

TEST(YearDrawCache, InternGivesOneNumberPerExactParameters) {
    YearDrawCache cache;
    const auto a = cache.intern(YearRowParameters("k").add(0.25).add(std::uint64_t{35}));
    const auto b = cache.intern(YearRowParameters("k").add(0.25).add(std::uint64_t{35}));
    const auto c = cache.intern(YearRowParameters("k").add(std::nextafter(0.25, 1.0)).add(std::uint64_t{35}));
    const auto d = cache.intern(YearRowParameters("j").add(0.25).add(std::uint64_t{35}));
    EXPECT_EQ(a, b);
    EXPECT_NE(a, c);
    EXPECT_NE(a, d);
    EXPECT_NE(c, d);
    EXPECT_NE(a, 0u);
}

TEST(YearDrawCache, FillsOnceAndKeepsTheRow) {
    YearDrawCache cache;
    int fills = 0;
    const auto fill = [&](std::vector<double>& row) {
        ++fills;
        for (std::size_t k = 0; k < row.size(); ++k) row[k] = static_cast<double>(k) + 0.5;
    };
    const YearRowKey key{7, 1, 256, 10, 0};
    const YearRow first = cache.get(key, fill);
    const YearRow again = cache.get(key, fill);
    EXPECT_EQ(fills, 1);
    EXPECT_EQ(first.get(), again.get());
    ASSERT_EQ(again->size(), 10u);
    EXPECT_EQ((*again)[9], 9.5);
    for (const YearRowKey other : {YearRowKey{8, 1, 256, 10, 0}, YearRowKey{7, 2, 256, 10, 0},
                                   YearRowKey{7, 1, 512, 10, 0}, YearRowKey{7, 1, 256, 9, 0}, YearRowKey{7, 1, 256, 10, 3}})
        cache.get(other, fill);
    EXPECT_EQ(fills, 6);
    const auto s = cache.stats();
    EXPECT_EQ(s.hits, 1u);
    EXPECT_EQ(s.misses, 6u);
    EXPECT_EQ(s.rows, 6u);
}

TEST(YearDrawCache, StaysWithinItsBudgetAndOffFillsEveryTime) {
    YearDrawCache cache;
    cache.set_budget_bytes(YearDrawCache::shards * 4096);  // a few 256-year rows a shard
    const auto fill = [](std::vector<double>& row) { row.assign(row.size(), 1.0); };
    for (std::uint32_t y = 0; y < 2000; ++y) cache.get({1, 1, y, 256, 0}, fill);
    const auto s = cache.stats();
    EXPECT_LE(s.bytes, cache.budget_bytes());
    EXPECT_GT(s.evictions, 1000u);
    EXPECT_GT(s.rows, 0u);
    // The most recent row is still there.
    int fills = 0;
    cache.get({1, 1, 1999, 256, 0}, [&](std::vector<double>& row) {
        ++fills;
        fill(row);
    });
    EXPECT_EQ(fills, 0);
    cache.set_budget_bytes(0);
    EXPECT_EQ(cache.stats().rows, 0u);
    for (int i = 0; i < 3; ++i) cache.get({1, 1, 1999, 256, 0}, [&](std::vector<double>& row) {
        ++fills;
        fill(row);
    });
    EXPECT_EQ(fills, 3);
}

// The shard tables shift rows back as they evict (risk/random/year_cache.cpp): under churn every
// row found must still be the row of its key, a row read often outlives idle ones, and the
// counts add up.
TEST(YearDrawCache, EvictionKeepsEveryRowWithItsKey) {
    YearDrawCache cache;
    cache.set_budget_bytes(YearDrawCache::shards * 64 * 1024);  // about 30 rows of 256 years a shard
    int fills = 0;
    const auto fill_for = [&](std::uint32_t y) {
        return [&fills, y](std::vector<double>& row) {
            ++fills;
            row.assign(row.size(), static_cast<double>(y));
        };
    };
    const YearRowKey hot{7, 3, 123456, 256, 0};
    cache.get(hot, fill_for(123456));
    for (std::uint32_t y = 0; y < 20000; ++y) {
        const YearRow row = cache.get({7, 3, y, 256, 0}, fill_for(y));
        ASSERT_EQ((*row)[0], static_cast<double>(y));
        ASSERT_EQ((*row)[255], static_cast<double>(y));
        if (y % 8 == 0) {
            EXPECT_EQ((*cache.get(hot, fill_for(123456)))[0], 123456.0);
        }
        if (y % 97 == 0) {  // an earlier row: found or filled again, never another key's
            const std::uint32_t back = y / 2;
            ASSERT_EQ((*cache.get({7, 3, back, 256, 0}, fill_for(back)))[0], static_cast<double>(back));
        }
    }
    const auto s = cache.stats();
    EXPECT_LE(s.bytes, cache.budget_bytes());
    EXPECT_GT(s.evictions, 15000u);
    EXPECT_EQ(s.hits + s.misses, 20000u + 1u + 2500u + 207u);
    EXPECT_EQ(static_cast<std::uint64_t>(fills), s.misses);
    // The hot row was read every 8 rows: its second chances kept it (at most a few refills).
    const std::uint64_t misses_before = cache.stats().misses;
    cache.get(hot, fill_for(123456));
    EXPECT_EQ(cache.stats().misses, misses_before);
}

TEST(YearDrawCache, ThreadsAskingForTheSameRowsGetEqualRows) {
    YearDrawCache cache;
    cache.set_budget_bytes(YearDrawCache::shards * 64 * 1024);  // evicts while the threads run
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 20000; ++i) {
                const auto y = static_cast<std::uint32_t>(i % 300);
                const YearRow row = cache.get({3, 9, y, 64, 0}, [&](std::vector<double>& r) { r.assign(r.size(), y); });
                if (row->size() != 64 || (*row)[63] != y) ++wrong;
            }
        });
    for (auto& t : threads) t.join();
    EXPECT_EQ(wrong.load(), 0);
    EXPECT_LE(cache.stats().bytes, cache.budget_bytes());
}

Holding holding(std::string region, double area_ha, ForestType type) {
    Holding h = made_up_holding(std::move(region), area_ha, type);
    h.sequestration_tco2e_per_ha_yr = 8;
    return h;
}

Model regional_model() {
    Model model;
    model.weather.year_factor_shape = {{"35", 6.0}, {"36", 9.0}};
    model.weather.cross_region_correlation = 0.6;
    FreezeModel f;
    f.provinces["35"] = {0.2, {1.5, 3}, {"33", "36", "44"}};
    f.provinces["36"] = {0.25, {0.5, 2}, {"33", "35"}};
    f.loss_fraction.fill(0.25);
    f.dependence = {0.2, 0.1, 0.8};
    set_freeze_model(model, f);
    LandslideModel l;
    l.provinces["35"] = {400, 0.6, 8e6};
    l.provinces["36"] = {200, 0.8, 6e6};
    l.area_per_event_ha = 2;
    l.stock_lost_fraction = 1;
    l.dependence = {0.3, 0.2, 0};
    set_landslide_model(model, l);
    return model;
}

// The cache keeps the bits: a book's year losses are the same with the cache off, cold and warm,
// on one thread or two, and a book that shares only some provinces reads the same rows.
TEST(YearDrawCache, QuotesAreTheSameBitsOffColdAndWarm) {
    const Model model = regional_model();
    const std::vector<Holding> holdings{holding("350802", 100, ForestType::masson_pine),
                                        holding("360100", 30, ForestType::broadleaf)};
    BookOptions o;
    o.perils = {"freeze", "landslide"};
    o.overrides.carbon.stock_tco2e_per_ha = 100;
    const Book book = prepare_book(model, holdings, o);
    Simulation sim;
    sim.years = 3000;
    sim.seed = 4242;
    sim.first_year = 17;
    sim.threads = 1;
    YearLosses off;
    {
        const BudgetScope scope(0);
        off = simulate_year_losses(book, sim, true);
    }
    year_draw_cache().clear();
    const YearLosses cold = simulate_year_losses(book, sim, true);
    sim.threads = 2;
    const YearLosses warm = simulate_year_losses(book, sim, true);
    EXPECT_EQ(cold.total_tco2e, off.total_tco2e);
    EXPECT_EQ(cold.peril_tco2e, off.peril_tco2e);
    EXPECT_EQ(warm.total_tco2e, off.total_tco2e);
    EXPECT_EQ(warm.max_event_tco2e, off.max_event_tco2e);
    EXPECT_GT(year_draw_cache().stats().hits, 0u);
    // Year by year (simulate_year: blocks of one year, their own rows) gives the same numbers.
    for (std::uint32_t y : {17u, 300u, 3016u}) EXPECT_EQ(simulate_year(book, sim.seed, y).total_tco2e, off.total_tco2e[y - 17]);
    // A book of the second holding alone reads the rows the two-holding book left.
    const Book alone = prepare_book(model, std::vector<Holding>{holdings[1]}, o);
    const YearLosses warm_alone = simulate_year_losses(alone, sim, true);
    YearLosses off_alone;
    {
        const BudgetScope scope(0);
        off_alone = simulate_year_losses(alone, sim, true);
    }
    EXPECT_EQ(warm_alone.total_tco2e, off_alone.total_tco2e);
}

// Reading ahead (a run of 250,000 years or more fetches the next block's row values while a
// block runs) is a hint: a warm long run of a one-holding book is the same bits as one without
// the cache, and ReadAhead scopes nest and restore the thread's setting.
TEST(YearDrawCache, ReadingAheadChangesNoBits) {
    EXPECT_FALSE(YearDrawCache::ReadAhead::current());
    {
        const YearDrawCache::ReadAhead outer(true);
        EXPECT_TRUE(YearDrawCache::ReadAhead::current());
        {
            const YearDrawCache::ReadAhead inner(false);
            EXPECT_FALSE(YearDrawCache::ReadAhead::current());
        }
        EXPECT_TRUE(YearDrawCache::ReadAhead::current());
    }
    EXPECT_FALSE(YearDrawCache::ReadAhead::current());

    const Model model = made_up_model();
    const std::vector<Holding> holdings{holding("350802", 100, ForestType::masson_pine)};
    BookOptions o;
    o.perils = {"fire", "pest"};
    const Book book = prepare_book(model, holdings, o);
    const Simulation sim{.years = 260'000, .seed = 91, .threads = 2};
    YearLosses off;
    {
        const BudgetScope scope(0);
        off = simulate_year_losses(book, sim, true);
    }
    const YearLosses cold = simulate_year_losses(book, sim, true);
    const auto before = year_draw_cache().stats().hits;
    const YearLosses warm = simulate_year_losses(book, sim, true);
    EXPECT_GT(year_draw_cache().stats().hits, before);
    EXPECT_EQ(cold.total_tco2e, off.total_tco2e);
    EXPECT_EQ(warm.total_tco2e, off.total_tco2e);
    EXPECT_EQ(warm.peril_tco2e, off.peril_tco2e);
}

TEST(YearDrawCache, SinkFactorsAreTheSameBitsOffColdAndWarm) {
    const Model model = regional_model();
    const std::vector<Holding> holdings{holding("350802", 100, ForestType::masson_pine),
                                        holding("360100", 30, ForestType::broadleaf)};
    BookOptions o;
    o.perils = {};
    o.overrides.carbon.stock_tco2e_per_ha = 100;
    const Book book = prepare_book(model, holdings, o);
    const SinkSampler sampler(book, SinkModel{});
    const std::size_t n = 256;
    std::vector<double> z(n), g(n * book.weather.slots()), off(n * 2), cold(n * 2), warm(n * 2), without_z(n * 2);
    book.weather.draw_block(77, 512, n, z.data(), g.data(), book.weather.slots());
    {
        const BudgetScope scope(0);
        sampler.factors(77, 512, n, off.data(), z.data());
    }
    year_draw_cache().clear();
    sampler.factors(77, 512, n, cold.data(), z.data());
    sampler.factors(77, 512, n, warm.data(), z.data());
    sampler.factors(77, 512, n, without_z.data());
    EXPECT_EQ(cold, off);
    EXPECT_EQ(warm, off);
    EXPECT_EQ(without_z, off);
}

}  // namespace
}  // namespace tanhui::risk
