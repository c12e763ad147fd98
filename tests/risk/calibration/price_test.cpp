// Price calibration against closed forms (GBM), the AR(1) regression (OU) and recovery of known
// parameters from simulated daily paths with gaps (GBM, OU, Merton).
#include "risk/calibration/price.hpp"

#include "risk/calibration/mle.hpp"
#include "risk/random/special.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace tanhui::risk {
namespace {

// Business days: steps of 1 day, 3 over each weekend, and a few longer holidays.
std::vector<double> business_day_times(int n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int> holiday(0, 59);
    std::vector<double> t{0};
    int day = 0;
    for (int i = 1; i < n; ++i) {
        int step = (i % 5 == 0) ? 3 : 1;
        if (holiday(rng) == 0) step += 7;  // e.g. Spring Festival, Golden Week
        day += step;
        t.push_back(day / 365.0);
    }
    return t;
}

LogPriceSeries simulate_gbm(const std::vector<double>& t, double drift, double vol, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> z(0, 1);
    LogPriceSeries s;
    s.t_years = t;
    s.log_price = {std::log(20.0)};
    for (std::size_t i = 1; i < t.size(); ++i) {
        const double h = t[i] - t[i - 1];
        s.log_price.push_back(s.log_price.back() + (drift - vol * vol / 2) * h + vol * std::sqrt(h) * z(rng));
    }
    return s;
}

TEST(CalibratePrice, GbmEqualStepsIsSampleVarianceOverStep) {
    const double h = 1.0 / 365;
    std::vector<double> t;
    for (int i = 0; i < 500; ++i) t.push_back(i * h);
    const LogPriceSeries s = simulate_gbm(t, 0.05, 0.35, 3);
    const double n = 499;
    double mean = 0;
    for (std::size_t i = 1; i < t.size(); ++i) mean += s.log_price[i] - s.log_price[i - 1];
    mean /= n;
    double var = 0;
    for (std::size_t i = 1; i < t.size(); ++i) {
        const double d = s.log_price[i] - s.log_price[i - 1] - mean;
        var += d * d;
    }
    var /= n;  // MLE divisor
    const PriceFit f = fit_gbm(s, "TEST");
    EXPECT_NEAR(f.model.volatility, std::sqrt(var / h), 1e-12);
    EXPECT_NEAR(f.model.drift, mean / h + var / h / 2, 1e-10);
    EXPECT_NEAR(standard_error(f.report, "volatility"), f.model.volatility / std::sqrt(2 * n), 1e-14);
    EXPECT_EQ(f.report.rows, 499u);
}

TEST(CalibratePrice, GbmClosedFormIsTheNumericalMaximum) {
    // With gaps the closed form must still maximise the exact likelihood: compare with the
    // generic QuantLib Simplex maximiser and its numerical-Hessian standard errors.
    const auto t = business_day_times(800, 1);
    const LogPriceSeries s = simulate_gbm(t, 0.1, 0.4, 2);
    const PriceFit f = fit_gbm(s, "TEST");
    const LogLikelihood ll = [&](std::span<const double> th) {
        double sum = 0;
        for (std::size_t i = 1; i < t.size(); ++i) {
            const double h = t[i] - t[i - 1];
            sum += normal_log_pdf(s.log_price[i] - s.log_price[i - 1], (th[0] - th[1] * th[1] / 2) * h,
                                  th[1] * std::sqrt(h));
        }
        return sum;
    };
    const MleParameter p[] = {{"drift", 0.0, Support::real, 0.5}, {"volatility", 0.2, Support::positive, 0.5}};
    const MleResult r = maximise_log_likelihood(p, ll);
    EXPECT_NEAR(r.estimates[0], f.model.drift, 1e-5);
    EXPECT_NEAR(r.estimates[1], f.model.volatility, 1e-6);
    EXPECT_NEAR(r.log_likelihood, f.report.log_likelihood, 1e-8);
    EXPECT_NEAR(r.standard_errors[0], f.report.standard_errors[0], 1e-3 * f.report.standard_errors[0]);
    EXPECT_NEAR(r.standard_errors[1], f.report.standard_errors[1], 1e-3 * f.report.standard_errors[1]);
}

TEST(CalibratePrice, GbmRecoversParametersWithGaps) {
    const double drift = 0.08, vol = 0.45;
    const auto t = business_day_times(3000, 11);
    const PriceFit f = fit_gbm(simulate_gbm(t, drift, vol, 12), "TEST");
    EXPECT_NEAR(f.model.drift, drift, 4 * standard_error(f.report, "drift"));
    EXPECT_NEAR(f.model.volatility, vol, 4 * standard_error(f.report, "volatility"));
    EXPECT_GT(f.report.goodness_of_fit.at(0).p_value, 0.01);  // KS on standardised returns
    // Treating gaps as one-day steps would inflate the volatility: the weekend steps carry 3 days.
    EXPECT_NEAR(f.model.volatility, vol, 0.05 * vol);
}

TEST(CalibratePrice, TradedFilterUsesCalendarGaps) {
    const std::vector<PricePoint> points = {
        {"2024-01-05", 10.0, 100.0, true},  {"2024-01-08", 10.5, {}, true},  {"2024-01-09", 10.5, {}, false},
        {"2024-01-10", 10.5, {}, false},    {"2024-01-11", 11.0, 50.0, true}, {"2024-01-12", 10.8, 10.0, true}};
    const LogPriceSeries s = traded_log_prices(points);
    ASSERT_EQ(s.t_years.size(), 4u);
    EXPECT_NEAR(s.t_years[1], 3 / 365.0, 1e-15);
    EXPECT_NEAR(s.t_years[2], 6 / 365.0, 1e-15);  // 01-08 -> 01-11: one step of 3 days, no zero returns
    EXPECT_EQ(s.untraded_dropped, 2u);
    EXPECT_EQ(s.first_date, "2024-01-05");
    EXPECT_EQ(s.last_date, "2024-01-12");
    const PriceFit f = fit_price(points, "FJEA", PriceProcess::gbm, false);
    EXPECT_EQ(f.model.market, "FJEA");
    EXPECT_EQ(f.model.process, PriceProcess::gbm);
    EXPECT_EQ(f.model.spot, 10.8);
    EXPECT_EQ(f.model.spot_date, "2024-01-12");
    EXPECT_EQ(price_model(f).volatility, f.model.volatility);
    EXPECT_EQ(f.report.rows, 3u);
    EXPECT_EQ(f.report.data_from, "2024-01-05");

    std::vector<PricePoint> bad = points;
    bad[4].date = "2024-01-07";
    EXPECT_THROW(traded_log_prices(bad), InvalidInput);
    bad = points;
    bad[0].close = 0;
    EXPECT_THROW(traded_log_prices(bad), InvalidInput);
    bad = points;
    bad[0].date = "2023-02-29";
    EXPECT_THROW(traded_log_prices(bad), InvalidInput);
}

TEST(CalibratePrice, DaysBetweenActual) {
    EXPECT_EQ(days_between("1970-01-01", "2000-01-01"), 10957);
    EXPECT_EQ(days_between("2020-02-28", "2020-03-01"), 2);
    EXPECT_EQ(days_between("2019-02-28", "2019-03-01"), 1);
    EXPECT_EQ(days_between("2016-12-22", "2025-12-26"), 3291);
}

LogPriceSeries simulate_ou(const std::vector<double>& t, double k, double theta, double vol, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> z(0, 1);
    LogPriceSeries s;
    s.t_years = t;
    s.log_price = {theta + 0.3};
    for (std::size_t i = 1; i < t.size(); ++i) {
        const double h = t[i] - t[i - 1], d = std::exp(-k * h);
        const double sd = vol * std::sqrt((1 - d * d) / (2 * k));
        s.log_price.push_back(theta + (s.log_price.back() - theta) * d + sd * z(rng));
    }
    return s;
}

TEST(CalibratePrice, OuEqualStepsMatchesAr1Regression) {
    // Exact OU likelihood conditional on x_0 with equal steps h is the Gaussian AR(1)
    // x_{i+1} = a + b x_i + e: k = -ln(b) / h, theta = a / (1 - b),
    // vol^2 = s_e^2 2k / (1 - b^2), s_e^2 = RSS / n (the MLE divisor).
    const double h = 1.0 / 252;
    std::vector<double> t;
    for (int i = 0; i < 1500; ++i) t.push_back(i * h);
    const LogPriceSeries s = simulate_ou(t, 4.0, std::log(25.0), 0.6, 5);
    const std::size_t n = t.size() - 1;
    double mx = 0, my = 0;
    for (std::size_t i = 0; i < n; ++i) {
        mx += s.log_price[i];
        my += s.log_price[i + 1];
    }
    mx /= static_cast<double>(n);
    my /= static_cast<double>(n);
    double sxy = 0, sxx = 0;
    for (std::size_t i = 0; i < n; ++i) {
        sxy += (s.log_price[i] - mx) * (s.log_price[i + 1] - my);
        sxx += (s.log_price[i] - mx) * (s.log_price[i] - mx);
    }
    const double b = sxy / sxx, a = my - b * mx;
    double rss = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double e = s.log_price[i + 1] - a - b * s.log_price[i];
        rss += e * e;
    }
    const double k = -std::log(b) / h, theta = a / (1 - b);
    const double vol = std::sqrt(rss / static_cast<double>(n) * 2 * k / (1 - b * b));
    const PriceFit f = fit_ou(s, "TEST");
    EXPECT_NEAR(f.model.mean_reversion, k, 1e-5 * k);
    EXPECT_NEAR(f.model.long_run_log_price, theta, 1e-6);
    EXPECT_NEAR(f.model.volatility, vol, 1e-6 * vol);
    EXPECT_EQ(f.model.process, PriceProcess::ou);
}

TEST(CalibratePrice, OuRecoversParametersWithGaps) {
    const double k = 3.0, theta = std::log(20.0), vol = 0.5;
    const LogPriceSeries s = simulate_ou(business_day_times(3000, 21), k, theta, vol, 22);
    const PriceFit f = fit_ou(s, "TEST");
    EXPECT_NEAR(f.model.mean_reversion, k, 4 * standard_error(f.report, "mean_reversion"));
    EXPECT_NEAR(f.model.long_run_log_price, theta, 4 * standard_error(f.report, "long_run_log_price"));
    EXPECT_NEAR(f.model.volatility, vol, 4 * standard_error(f.report, "volatility"));
    EXPECT_GT(f.report.goodness_of_fit.at(0).p_value, 0.01);
}

TEST(CalibratePrice, OuOnARandomWalkStaysInsideItsSearchBox) {
    // A driftless random walk has no mean reversion: the search must stop (k >= 1e-3 per year,
    // theta within e^3 of the observed range) instead of following k -> 0, theta -> infinity.
    const LogPriceSeries s = simulate_gbm(business_day_times(1500, 51), 0.5 * 0.3 * 0.3, 0.3, 52);
    const PriceFit f = fit_ou(s, "TEST");
    const auto [lo, hi] = std::minmax_element(s.log_price.begin(), s.log_price.end());
    EXPECT_GE(f.model.mean_reversion, 1e-3);
    EXPECT_GE(f.model.long_run_log_price, *lo - 3);
    EXPECT_LE(f.model.long_run_log_price, *hi + 3);
    EXPECT_NEAR(f.model.volatility, 0.3, 4 * standard_error(f.report, "volatility"));
    EXPECT_TRUE(std::isfinite(f.report.log_likelihood));
}

TEST(CalibratePrice, MertonRecoversJumpParameters) {
    const double drift = 0.05, vol = 0.3, lambda = 12, jump_mean = -0.04, jump_std = 0.08;
    const auto t = business_day_times(3000, 31);
    std::mt19937_64 rng(32);
    std::normal_distribution<double> z(0, 1);
    LogPriceSeries s;
    s.t_years = t;
    s.log_price = {std::log(30.0)};
    for (std::size_t i = 1; i < t.size(); ++i) {
        const double h = t[i] - t[i - 1];
        std::poisson_distribution<int> jumps(lambda * h);
        double x = s.log_price.back() + (drift - vol * vol / 2) * h + vol * std::sqrt(h) * z(rng);
        for (int j = jumps(rng); j > 0; --j) x += jump_mean + jump_std * z(rng);
        s.log_price.push_back(x);
    }
    const PriceFit f = fit_merton(s, "TEST", PriceProcess::gbm);
    EXPECT_EQ(f.report.family, "gbm_merton");
    EXPECT_NEAR(f.model.drift, drift, 4 * standard_error(f.report, "drift"));
    EXPECT_NEAR(f.model.volatility, vol, 4 * standard_error(f.report, "volatility"));
    EXPECT_NEAR(f.model.jump_intensity, lambda, 4 * standard_error(f.report, "jump_intensity"));
    EXPECT_NEAR(f.model.jump_mean, jump_mean, 4 * standard_error(f.report, "jump_mean"));
    EXPECT_NEAR(f.model.jump_std, jump_std, 4 * standard_error(f.report, "jump_std"));
    EXPECT_GT(f.report.goodness_of_fit.at(0).p_value, 0.01);
    // The jump model beats the plain GBM by far on such data.
    EXPECT_LT(f.report.aic, fit_gbm(s, "TEST").report.aic - 20);
}

TEST(CalibratePrice, StickyPricesKeepTheMixtureLikelihoodBounded) {
    // A quarter of the steps unchanged (like CEA's closes): without the variance-ratio bound a
    // mixture component collapses onto the zero returns and the likelihood diverges.
    const auto t = business_day_times(400, 41);
    LogPriceSeries s = simulate_gbm(t, 0.0, 0.3, 42);
    for (std::size_t i = 4; i < s.log_price.size(); i += 4) {
        const double shift = s.log_price[i] - s.log_price[i - 1];
        for (std::size_t j = i; j < s.log_price.size(); ++j) s.log_price[j] -= shift;
    }
    const PriceFit f = fit_merton(s, "TEST", PriceProcess::gbm);
    EXPECT_TRUE(std::isfinite(f.report.log_likelihood));
    // Bounded by the collapse allowed at the ratio bound: far below the divergence (+inf).
    EXPECT_LT(f.report.log_likelihood, 3 * fit_gbm(s, "TEST").report.log_likelihood);
    bool noted = false;
    for (const auto& n : f.report.notes) noted = noted || n.find("unchanged close") != std::string::npos;
    EXPECT_TRUE(noted);
}

}  // namespace
}  // namespace tanhui::risk
