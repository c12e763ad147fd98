// Model-validation statistics and backtests (risk/backtest/statistics.hpp, risk/backtest/fire.hpp,
// risk/backtest/price.hpp; docs/validation.md).
#include "risk/backtest/fire.hpp"
#include "risk/backtest/price.hpp"
#include "risk/random/draws.hpp"
#include "risk/calibration/gof.hpp"
#include "risk/random/special.hpp"
#include "risk/backtest/statistics.hpp"

#include <gtest/gtest.h>

#include <boost/math/special_functions/gamma.hpp>

#include <cmath>
#include <string>
#include <vector>

using namespace tanhui;
using namespace tanhui::risk;

namespace {

std::vector<std::uint8_t> hits(std::initializer_list<int> v) {
    std::vector<std::uint8_t> out;
    for (const int x : v) out.push_back(static_cast<std::uint8_t>(x));
    return out;
}

double uniform(std::uint64_t seed, std::uint32_t i, std::uint16_t block = 0, int word = 0) {
    const Words w = draw_words(seed, 9, i, 0, 0, block);
    return uniform52(w[static_cast<std::size_t>(2 * word)], w[static_cast<std::size_t>(2 * word + 1)]);
}

// Negative binomial (mean m, size k) by Poisson-gamma with addressed numbers.
double nb_draw(std::uint64_t seed, std::uint32_t i, double m, double k) {
    const double g = boost::math::gamma_p_inv(k, uniform(seed, i, 0, 0)) / k;
    const double mean = m * g;
    const auto block = [&](int b) { return draw_words(seed, 9, i, 0, 0, static_cast<std::uint16_t>(1 + b)); };
    if (mean <= poisson_inversion_max_mean) return static_cast<double>(poisson_inversion(uniform(seed, i, 0, 1), mean));
    return static_cast<double>(poisson_ptrs(mean, block));
}

}  // namespace

// Hand-worked sequences; values from tests/reference/var_backtest.R (textbook formulas in R).
// Sequence 1: 0,0,1,0,0,0,1,1,0,0: 3 exceedances in 10. Kupiec at p = 0.1:
// -2 [7 ln 0.9 + 3 ln 0.1 - 7 ln 0.7 - 3 ln 0.3] = 3.07327173608.
// Transitions n00 = 4, n01 = 2, n10 = 2, n11 = 1: pi01 = pi11 = pi = 1/3, so LR_ind = 0.
TEST(VarBacktest, KupiecAndChristoffersenOnHandWorkedSequences) {
    const auto s1 = hits({0, 0, 1, 0, 0, 0, 1, 1, 0, 0});
    EXPECT_NEAR(kupiec_pof(s1, 0.01).statistic, 15.5544397768, 1e-9);
    EXPECT_NEAR(kupiec_pof(s1, 0.05).statistic, 6.47521372165, 1e-9);
    EXPECT_NEAR(kupiec_pof(s1, 0.10).statistic, 3.07327173608, 1e-9);
    EXPECT_NEAR(kupiec_pof(s1, 0.10).p_value, 0.0795891448997, 1e-9);
    EXPECT_EQ(kupiec_pof(s1, 0.1).exceedances, 3u);
    const auto c1 = christoffersen_independence(s1);
    EXPECT_EQ(c1.n00, 4u);
    EXPECT_EQ(c1.n01, 2u);
    EXPECT_EQ(c1.n10, 2u);
    EXPECT_EQ(c1.n11, 1u);
    EXPECT_NEAR(c1.statistic, 0.0, 1e-12);
    // Sequence 2: the same three exceedances clustered. n00 = 5, n01 = 1, n10 = 1, n11 = 2:
    // -2 [6 ln(2/3) + 3 ln(1/3) - 5 ln(5/6) - ln(1/6) - ln(1/3) - 2 ln(2/3)] = 2.23143551314.
    const auto c2 = christoffersen_independence(hits({0, 0, 0, 1, 1, 1, 0, 0, 0, 0}));
    EXPECT_NEAR(c2.pi01, 1.0 / 6, 1e-15);
    EXPECT_NEAR(c2.pi11, 2.0 / 3, 1e-15);
    EXPECT_NEAR(c2.statistic, 2.23143551314, 1e-9);
    EXPECT_NEAR(c2.p_value, 0.135228157687, 1e-9);
    // Sequence 3: 100 days, exceedances on days 41, 72 and 73.
    std::vector<std::uint8_t> s3(100, 0);
    s3[40] = s3[71] = s3[72] = 1;
    EXPECT_NEAR(kupiec_pof(s3, 0.01).statistic, 2.63235263555, 1e-9);
    EXPECT_NEAR(kupiec_pof(s3, 0.10).p_value, 0.00686858554489, 1e-9);
    EXPECT_NEAR(christoffersen_independence(s3).statistic, 3.62527385022, 1e-9);
    EXPECT_NEAR(christoffersen_independence(s3).p_value, 0.0569082056898, 1e-9);
    // No exceedance: nothing to cluster.
    EXPECT_EQ(christoffersen_independence(std::vector<std::uint8_t>(50, 0)).statistic, 0.0);
}

// Kupiec's 95 % non-rejection regions of the exceedance count, as printed in P. Jorion, Value at
// Risk, 3rd ed. (2007), Table 6-3 (after Kupiec 1995): "a < N < b". Rows copied from the table;
// R reproduces them (tests/reference/var_backtest.out, "region").
TEST(VarBacktest, KupiecNonRejectionRegionsMatchThePublishedTable) {
    struct Row { double p; std::size_t n; std::size_t above, below; };
    constexpr Row table[] = {{0.01, 510, 1, 11},   {0.01, 1000, 4, 17},  {0.025, 255, 2, 12}, {0.025, 510, 6, 21},
                             {0.025, 1000, 15, 36}, {0.05, 255, 6, 21},  {0.05, 510, 16, 36}, {0.05, 1000, 37, 65},
                             {0.10, 255, 16, 36},   {0.10, 510, 38, 65}, {0.10, 1000, 81, 120}};
    for (const Row& r : table) {
        SCOPED_TRACE(::testing::Message() << "p " << r.p << " T " << r.n);
        const auto accepted = [&](std::size_t x) {
            std::vector<std::uint8_t> h(r.n, 0);
            for (std::size_t i = 0; i < x; ++i) h[i * (r.n / std::max<std::size_t>(x, 1))] = 1;
            return kupiec_pof(h, r.p).p_value >= 0.05;
        };
        EXPECT_FALSE(accepted(r.above));
        EXPECT_TRUE(accepted(r.above + 1));
        EXPECT_TRUE(accepted(r.below - 1));
        EXPECT_FALSE(accepted(r.below));
    }
    // The 255-day, 1 % row prints only "N < 7".
    std::vector<std::uint8_t> h(255, 0);
    for (int i = 0; i < 6; ++i) h[static_cast<std::size_t>(i * 40)] = 1;
    EXPECT_GE(kupiec_pof(h, 0.01).p_value, 0.05);
    h[250] = 1;
    EXPECT_LT(kupiec_pof(h, 0.01).p_value, 0.05);
}

// R's binom.test (tests/reference/var_backtest.out).
TEST(Validation, BinomialTestMatchesR) {
    EXPECT_NEAR(binomial_two_sided_p_value(7, 20, 0.5), 0.263175964355, 1e-10);
    EXPECT_NEAR(binomial_two_sided_p_value(3, 50, 0.1), 0.48006706415, 1e-10);
    EXPECT_NEAR(binomial_two_sided_p_value(60, 93, 0.5), 0.00669501813422, 1e-10);
    EXPECT_NEAR(binomial_two_sided_p_value(90, 93, 0.9), 0.0238435396844, 1e-10);
    EXPECT_NEAR(binomial_two_sided_p_value(75, 93, 0.9), 0.00528172099082, 1e-10);
}

TEST(Validation, EmpiricalQuantileIsTheDesignVaRRule) {
    std::vector<double> x;
    for (int i = 100; i >= 1; --i) x.push_back(i);
    EXPECT_EQ(empirical_quantile(x, 0.99), 99.0);
    EXPECT_EQ(empirical_quantile(x, 0.05), 5.0);
    EXPECT_EQ(empirical_quantile(x, 0.001), 1.0);
}

// (10 - 6) / sqrt(3^2 + 4^2) = 0.8; the two-sided normal p of 1.959963984540054 is 5 %.
TEST(Validation, GapInStandardErrorsAndItsNormalPValue) {
    EXPECT_DOUBLE_EQ(gap_in_standard_errors({10, 3}, {6, 4}), 0.8);
    EXPECT_DOUBLE_EQ(gap_in_standard_errors({6, 4}, {10, 3}), -0.8);
    EXPECT_NEAR(two_sided_normal_p_value(1.959963984540054), 0.05, 1e-12);
    EXPECT_NEAR(two_sided_normal_p_value(-1.959963984540054), 0.05, 1e-12);
    EXPECT_EQ(two_sided_normal_p_value(0), 1.0);
    EXPECT_EQ(two_sided_normal_p_value(INFINITY), 0.0);
    EXPECT_EQ(two_sided_normal_p_value(NAN), 0.0);
}

// The randomised PIT of draws from the forecast distribution itself is U(0, 1) (Czado, Gneiting
// & Held 2009): KS does not reject, and each central interval holds its share.
TEST(Validation, RandomisedPitOfTheTrueDistributionIsUniform) {
    const double m = 40, k = 3.5;
    std::vector<double> u, wrong;
    for (std::uint32_t i = 0; i < 4000; ++i) {
        const double y = nb_draw(11, i, m, k);
        const double v = pit_uniform(12, i, 0);
        u.push_back(randomized_pit(y > 0 ? negative_binomial_cdf(y - 1, m, k) : 0.0, negative_binomial_cdf(y, m, k), v));
        // The same draws judged by a model with the rate halved.
        wrong.push_back(
            randomized_pit(y > 0 ? negative_binomial_cdf(y - 1, m / 2, k) : 0.0, negative_binomial_cdf(y, m / 2, k), v));
    }
    EXPECT_GT(kolmogorov_smirnov(u, false).p_value, 0.01);
    EXPECT_GT(anderson_darling(u, false).p_value, 0.01);
    EXPECT_NEAR(interval_coverage(u, 0.9).observed, 0.9, 3 * std::sqrt(0.09 / 4000));
    EXPECT_NEAR(interval_coverage(u, 0.5).observed, 0.5, 3 * std::sqrt(0.25 / 4000));
    EXPECT_LT(kolmogorov_smirnov(wrong, false).p_value, 1e-6);
    // Poisson, small mean: the discreteness is what the randomisation removes.
    std::vector<double> p;
    for (std::uint32_t i = 0; i < 4000; ++i) {
        const double y = static_cast<double>(poisson_inversion(uniform(13, i), 1.3));
        p.push_back(randomized_pit(y > 0 ? poisson_cdf(y - 1, 1.3) : 0.0, poisson_cdf(y, 1.3), pit_uniform(14, i, 0)));
    }
    EXPECT_GT(kolmogorov_smirnov(p, false).p_value, 0.01);
}

TEST(Validation, CountQuantileIsTheSmallestCountReachingTheLevel) {
    for (const double q : {0.05, 0.25, 0.5, 0.75, 0.95}) {
        const double y = count_quantile(q, 35.8, 3.5);
        EXPECT_GE(negative_binomial_cdf(y, 35.8, 3.5), q);
        if (y > 0) {
            EXPECT_LT(negative_binomial_cdf(y - 1, 35.8, 3.5), q);
        }
    }
    EXPECT_EQ(count_quantile(0.5, 1e-9, INFINITY), 0.0);
}

namespace {

// Simulated province-years: 30 provinces x 3 years, NB(m_p, k) with a shared year factor.
std::vector<FireForecast> simulated_history(double rate_factor) {
    std::vector<FireForecast> out;
    for (int year = 2019; year <= 2021; ++year)
        for (std::uint32_t p = 0; p < 30; ++p) {
            FireForecast f;
            f.region = std::to_string(11 + p);
            f.year = year;
            const double m = 20.0 + 15.0 * p;
            f.observed_fires = nb_draw(21, static_cast<std::uint32_t>(year) * 100 + p, m, 4.0);
            f.expected_fires = m * rate_factor;
            f.size = 4.0;
            f.has_area = true;
            const double z = normal_quantile(uniform(22, static_cast<std::uint32_t>(year) * 100 + p));
            f.area_log_mean = 1.0;
            f.area_log_sd = 0.4;
            f.observed_damaged_ha = f.observed_fires > 0 ? f.observed_fires * std::exp(1.0 + 0.4 * z) : 0;
            f.has_area = f.observed_fires > 0;
            f.area_log_mean_independent = 1.0;
            f.area_log_sd_independent = 0.4;
            out.push_back(f);
        }
    return out;
}

}  // namespace

// The backtest accepts the model that generated the history and rejects one with the fire rates
// halved (at the gate's 1 % level), on simulated history.
TEST(FireBacktest, RejectsAModelWithRatesHalved) {
    FireBacktestOptions o;
    o.null_replications = 400;
    const auto right = score_fire_forecasts("true", simulated_history(1.0), 0.0, o);
    EXPECT_GT(right.count_ks_null_p_value, 0.01);
    EXPECT_GT(right.count_90_null_p_value, 0.01);
    EXPECT_GT(right.area_ks.p_value, 0.01);
    const auto halved = score_fire_forecasts("halved", simulated_history(0.5), 0.0, o);
    EXPECT_LT(halved.count_ks_null_p_value, 0.01);
    EXPECT_LT(halved.count_90.binomial_p_value, 0.01);
    EXPECT_LT(halved.count_mean_log_score, right.count_mean_log_score);
}

namespace {

// Made-up provincial histories 2004-2021 (NB counts with a decline, lognormal mean areas).
std::vector<ProvinceFireHistory> synthetic_provinces() {
    std::vector<ProvinceFireHistory> out;
    for (std::uint32_t p = 0; p < 8; ++p) {
        ProvinceFireHistory h;
        h.region = std::to_string(31 + p);
        for (int y = 2004; y <= 2021; ++y) {
            FireYear f;
            f.region = h.region;
            f.year = y;
            const auto i = static_cast<std::uint32_t>(y) * 100 + p;
            f.fires = nb_draw(31, i, (60.0 + 20 * p) * std::exp(-0.08 * (y - 2004)), 5.0);
            f.forest_damaged_ha = f.fires * std::exp(1.5 + 0.5 * normal_quantile(uniform(32, i)));
            f.burned_area_ha = 2 * f.forest_damaged_ha;
            f.fires_general = f.fires_larger = f.fires_major = f.fires_extreme = NAN;
            h.years.push_back(f);
        }
        out.push_back(h);
    }
    return out;
}

}  // namespace

// No look-ahead: the fit for the test years uses no row of 2019 or later. Changing every row
// from 2019 on leaves each prediction (mean, size, area distribution) bit for bit the same.
TEST(FireBacktest, FitUsesNoRowOfTheTestYears) {
    FireBacktestOptions o;
    o.null_replications = 50;
    o.weather_regions = {"31", "32", "33"};
    auto provinces = synthetic_provinces();
    const auto before = backtest_fire(provinces, o);
    for (const auto& p : before.provinces) {
        EXPECT_EQ(p.last_year_used, 2018);
        EXPECT_EQ(p.rows, 15u);
    }
    for (auto& p : provinces)
        for (auto& y : p.years)
            if (y.year >= 2019) {
                y.fires = y.fires * 7 + 3;
                y.forest_damaged_ha *= 50;
            }
    const auto after = backtest_fire(provinces, o);
    EXPECT_EQ(before.cross_region_correlation, after.cross_region_correlation);
    ASSERT_EQ(before.rules.size(), after.rules.size());
    for (std::size_t r = 0; r < before.rules.size(); ++r) {
        ASSERT_EQ(before.rules[r].forecasts.size(), after.rules[r].forecasts.size());
        for (std::size_t i = 0; i < before.rules[r].forecasts.size(); ++i) {
            const auto& a = before.rules[r].forecasts[i];
            const auto& b = after.rules[r].forecasts[i];
            EXPECT_EQ(a.expected_fires, b.expected_fires);
            EXPECT_EQ(a.size, b.size);
            EXPECT_NE(a.observed_fires, b.observed_fires);
        }
    }
    // The production rule holds the trend at 2018: the three test years share one mean.
    const auto& prod = before.rules[0].forecasts;
    EXPECT_EQ(prod[0].expected_fires, prod[1].expected_fires);
    EXPECT_EQ(prod[1].expected_fires, prod[2].expected_fires);
    EXPECT_EQ(before.rules[0].rule, "production");
}

namespace {

// A made-up GBM price series on business days; every 7th day untraded (carried forward).
std::vector<PricePoint> synthetic_prices(std::size_t days, double vol) {
    std::vector<PricePoint> out;
    double x = std::log(30.0);
    int y = 2015, m = 1, d = 1;
    const int month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    for (std::size_t i = 0; i < days; ++i) {
        d += 1 + (i % 5 == 4 ? 2 : 0);
        while (d > month_days[m - 1]) {
            d -= month_days[m - 1];
            if (++m > 12) { m = 1; ++y; }
        }
        const auto two = [](int v) { return std::string(v < 10 ? "0" : "") + std::to_string(v); };
        const std::string date = std::to_string(y) + "-" + two(m) + "-" + two(d);
        const bool traded = i % 7 != 3;
        if (traded) x += vol * std::sqrt(1.0 / 365) * normal_quantile(uniform(41, static_cast<std::uint32_t>(i)));
        out.push_back({date, std::exp(x), std::nullopt, traded});
    }
    return out;
}

}  // namespace

// No look-ahead: every family's forecast made at an origin before a date is unchanged when all closes
// from that date on are replaced.
TEST(PriceBacktest, ForecastsUseNoLaterPrice) {
    PriceBacktestOptions o;
    o.window = 120;
    o.min_test_points = 60;
    const auto points = synthetic_prices(400, 0.4);
    const auto before = backtest_price(points, "TEST", o);
    ASSERT_TRUE(before.included);
    const std::string cut = before.forecasts[0][100].origin_date;
    auto changed = points;
    for (auto& p : changed)
        if (p.date > cut) p.close *= 3;
    const auto after = backtest_price(changed, "TEST", o);
    std::size_t compared = 0;
    for (std::size_t h = 0; h < before.forecasts.size(); ++h)
        for (std::size_t i = 0; i < before.forecasts[h].size(); ++i) {
            const auto& a = before.forecasts[h][i];
            if (a.origin_date > cut) continue;
            // Each family's forecast (the selection itself uses the whole backtest, by design).
            for (std::size_t f = 0; f < before.families.size(); ++f)
                EXPECT_EQ(before.families[f].forecasts[h].var[i], after.families[f].forecasts[h].var[i])
                    << a.origin_date << ' ' << before.families[f].family;
            EXPECT_EQ(a.historical_var, after.forecasts[h][i].historical_var) << a.origin_date;
            ++compared;
        }
    EXPECT_GT(compared, 100u);
}

// On a series that is GBM, the selected family's rolling VaR holds its level: the exceedance rate is
// within Kupiec's acceptance, and a market with too little history is reported, not tested.
TEST(PriceBacktest, CalibratedProcessPassesOnItsOwnData) {
    PriceBacktestOptions o;
    o.window = 250;
    o.families = default_eligible_families(false);  // the jump fits are slow and add nothing here
    const auto b = backtest_price(synthetic_prices(1600, 0.5), "TEST", o);
    ASSERT_TRUE(b.included);
    for (const auto& r : b.tests)
        if (r.method == "model" && r.horizon == 1) {
            SCOPED_TRACE(r.level);
            EXPECT_GT(r.kupiec.p_value, 0.01);
            EXPECT_GT(r.kupiec.trials, 1000u);
        }
    const auto small = backtest_price(synthetic_prices(300, 0.5), "TEST", o);
    EXPECT_FALSE(small.included);
    EXPECT_FALSE(small.reason.empty());
}
