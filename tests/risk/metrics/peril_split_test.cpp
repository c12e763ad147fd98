#include "risk/metrics/peril_split.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace tanhui::risk {
namespace {

double left_to_right(const std::vector<double>& parts) {
    double s = 0;
    for (const double x : parts) s += x;
    return s;
}

// Three years of two perils, worked by hand:
//   year 1: fire 30, freeze 10 (sum 40), payout 100 -> fire 75, freeze 25
//   year 2: fire 0,  freeze 0,           payout 0   -> nothing
//   year 3: fire 5,  freeze 15 (sum 20), payout 40  -> fire 10, freeze 30
// Means over 3 years: fire 85/3, freeze 55/3; the pure premium 140/3.
TEST(PerilSplit, ProportionalShareOfAHandMadeYearTable) {
    PerilShares acc = peril_shares(2);
    add_year(acc, std::vector<double>{30, 10}, 100);
    add_year(acc, std::vector<double>{0, 0}, 0);
    add_year(acc, std::vector<double>{5, 15}, 40);
    EXPECT_DOUBLE_EQ(acc.by_peril[0], 85);
    EXPECT_DOUBLE_EQ(acc.by_peril[1], 55);
    EXPECT_EQ(acc.unattributed, 0);
    EXPECT_EQ(acc.years, 3);
    const std::vector<std::string> names{"freeze", "fire"};  // book order; the answer sorts them
    const auto split = split_means(names, PerilShares{{55, 85}, 0, 3}, 140.0 / 3);
    ASSERT_EQ(split.size(), 2u);
    EXPECT_EQ(split[0].first, "fire");
    EXPECT_NEAR(split[0].second, 85.0 / 3, 1e-12);
    EXPECT_EQ(split[1].first, "freeze");
    EXPECT_NEAR(split[1].second, 55.0 / 3, 1e-12);
    EXPECT_EQ(split[0].second + split[1].second, 140.0 / 3);
}

TEST(PerilSplit, APerilThatLostNothingGetsZeroAndAYearWithoutLossIsUnattributed) {
    PerilShares acc = peril_shares(3);
    add_year(acc, std::vector<double>{2, 0, 6}, 8);
    add_year(acc, std::vector<double>{0, 0, 0}, 5);  // paid on no peril (a price fall)
    EXPECT_EQ(acc.by_peril, (std::vector<double>{2, 0, 6}));
    EXPECT_EQ(acc.unattributed, 5);
    const std::vector<std::string> names{"fire", "landslide", "freeze"};
    EXPECT_THROW(split_means(names, acc, 13.0 / 2), std::logic_error);
    const auto split = split_means(names, acc, 13.0 / 2, "other");
    ASSERT_EQ(split.size(), 4u);
    EXPECT_EQ(split[0], (NamedPart{"fire", 1}));
    EXPECT_EQ(split[1], (NamedPart{"freeze", 3}));
    EXPECT_EQ(split[2], (NamedPart{"landslide", 0}));
    EXPECT_EQ(split[3], (NamedPart{"other", 2.5}));
}

TEST(PerilSplit, OtherAppearsOnlyWhenSomethingWasPaidWithoutLoss) {
    PerilShares acc = peril_shares(1);
    add_year(acc, std::vector<double>{4}, 2);
    const std::vector<std::string> names{"fire"};
    const auto split = split_means(names, acc, 2, "other");
    ASSERT_EQ(split.size(), 1u);
    EXPECT_EQ(split[0], (NamedPart{"fire", 2}));
}

TEST(PerilSplit, AddSharedOnFlatSums) {
    std::vector<double> sums(3, 0.0);  // two holdings and the unattributed amount
    add_shared(sums, std::vector<double>{1, 3}, 8);
    add_shared(sums, std::vector<double>{0, 0}, 5);
    add_shared(sums, std::vector<double>{2, 0}, 0);
    EXPECT_EQ(sums, (std::vector<double>{2, 6, 5}));
}

TEST(PerilSplit, BlocksCombineToTheWholeRun) {
    PerilShares a = peril_shares(2), b = peril_shares(2), whole = peril_shares(2);
    add_year(a, std::vector<double>{1, 3}, 4);
    add_year(b, std::vector<double>{2, 2}, 10);
    add_year(whole, std::vector<double>{1, 3}, 4);
    add_year(whole, std::vector<double>{2, 2}, 10);
    combine(a, b);
    EXPECT_EQ(a.by_peril, whole.by_peril);
    EXPECT_EQ(a.years, 2);
}

TEST(PerilSplit, TotalZeroGivesZeroParts) {
    EXPECT_EQ(exact_parts(std::vector<double>{0, 0, 0}, 0), (std::vector<double>{0, 0, 0}));
    EXPECT_TRUE(exact_parts(std::vector<double>{}, 0).empty());
}

// The split sums to the total exactly, left to right, over many random tables: per-year
// payouts shared among 1..5 perils (some of which lose nothing), means against the mean payout.
TEST(PerilSplit, TheSplitSumsToTheTotalExactlyOverRandomTables) {
    std::mt19937_64 rng(20261206);
    std::uniform_real_distribution<double> u(0, 1);
    std::lognormal_distribution<double> size(0, 3);
    const std::vector<std::string> names{"fire", "freeze", "landslide", "pest", "typhoon"};
    for (int trial = 0; trial < 2000; ++trial) {
        const std::size_t perils = 1 + rng() % 5;
        const std::size_t years = 1 + rng() % 300;
        PerilShares acc = peril_shares(perils);
        double payout_sum = 0;
        for (std::size_t y = 0; y < years; ++y) {
            std::vector<double> loss(perils);
            for (auto& l : loss) l = u(rng) < 0.5 ? 0 : size(rng);
            double lost = 0;
            for (const double l : loss) lost += l;
            const double payout = lost > 0 ? std::min(1e7, 20 * lost) : 0;
            payout_sum += payout;
            add_year(acc, loss, payout);
        }
        const double total = payout_sum / static_cast<double>(years);
        const auto split = split_means(std::span(names.data(), perils), acc, total);
        std::vector<double> parts;
        for (const auto& [name, x] : split) {
            EXPECT_GE(x, 0) << name;
            parts.push_back(x);
        }
        ASSERT_EQ(left_to_right(parts), total) << "trial " << trial;
    }
}

// add_years is the loop of add_year, bit for bit: over runs that cross its 256-year blocks, with
// years of no loss that pay (unattributed), losses without payout, and perils that lost nothing.
TEST(PerilSplit, AddYearsIsTheLoopOfAddYearBitForBit) {
    std::mt19937_64 rng(20261207);
    std::uniform_real_distribution<double> u(0, 1);
    std::lognormal_distribution<double> size(0, 3);
    for (int trial = 0; trial < 200; ++trial) {
        const std::size_t perils = 1 + rng() % 11;  // 1 to 8 take the vector lanes, 9 to 11 the general loop
        const std::size_t years = 1 + rng() % 1000;
        std::vector<double> loss(years * perils), lost(years), paid(years);
        for (std::size_t y = 0; y < years; ++y) {
            for (std::size_t p = 0; p < perils; ++p) loss[y * perils + p] = u(rng) < 0.6 ? 0 : size(rng);
            for (std::size_t p = 0; p < perils; ++p) lost[y] += loss[y * perils + p];
            paid[y] = u(rng) < 0.3 ? 0 : size(rng);  // some no-loss years pay, some loss years do not
        }
        PerilShares one = peril_shares(perils), a = peril_shares(perils), b = peril_shares(perils);
        PerilShares ref_a = peril_shares(perils), ref_b = peril_shares(perils);
        for (std::size_t y = 0; y < years; ++y) {
            const std::span<const double> row(loss.data() + y * perils, perils);
            add_year(ref_a, row, lost[y]);
            add_year(ref_b, row, paid[y]);
        }
        add_years(one, loss, paid);
        add_years(a, lost, b, paid, loss);
        for (const auto& [got, want] : {std::pair{&a, &ref_a}, std::pair{&b, &ref_b}, std::pair{&one, &ref_b}}) {
            for (std::size_t p = 0; p < perils; ++p) ASSERT_EQ(got->by_peril[p], want->by_peril[p]) << "trial " << trial;
            ASSERT_EQ(got->unattributed, want->unattributed) << "trial " << trial;
            ASSERT_EQ(got->years, want->years);
        }
    }
    PerilShares acc = peril_shares(2);
    EXPECT_THROW(add_years(acc, std::vector<double>{1, 2, 3}, std::vector<double>{1, 2}), std::logic_error);
}

// A rounding tie: a + b lands half an ulp either side of the total for every a on its grid, so
// the largest part cannot take the residual; the smaller one, on a finer grid, does.
TEST(PerilSplit, ExactPartsThroughARoundingTie) {
    const std::vector<double> raw{90.82891332391138, 16.889458839619046};
    const double total = 107.71837216353042;
    ASSERT_NE(raw[0] + raw[1], total);
    const auto parts = exact_parts(raw, total);
    EXPECT_EQ(parts[0] + parts[1], total);
    EXPECT_EQ(parts[0], raw[0]);
    EXPECT_NEAR(parts[1], raw[1], 1e-13);
    // A part that is 0 stays 0.
    const auto with_zero = exact_parts(std::vector<double>{0, 90.82891332391138, 0, 16.889458839619046}, total);
    EXPECT_EQ(with_zero[0], 0);
    EXPECT_EQ(with_zero[2], 0);
    EXPECT_EQ(left_to_right(with_zero), total);
}

TEST(PerilSplit, ExactPartsOnAdversarialMagnitudes) {
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> e(-20, 20);
    for (int trial = 0; trial < 5000; ++trial) {
        std::vector<double> raw(1 + rng() % 6);
        for (auto& x : raw) x = rng() % 4 == 0 ? 0 : std::pow(10.0, e(rng));
        // A total within a relative 1e-12 of the sum, as averaging in another order gives.
        const double total = left_to_right(raw) * (1 + 1e-12 * (2 * (static_cast<double>(rng() % 1000) / 1000) - 1));
        const auto parts = exact_parts(raw, total);
        ASSERT_EQ(left_to_right(parts), total) << "trial " << trial;
    }
}

}  // namespace
}  // namespace tanhui::risk
