#include "risk/metrics/metrics.hpp"
#include "risk/random/draws.hpp"

#include "data/types.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace tanhui::risk {
namespace {

// Ten years worked by hand. Sorted, the annual losses are 0, 1, ..., 9 and the yearly largest
// events 0, 1, 2, 2, 3, 4, 4, 6, 7, 9.
const std::vector<double> annual{3, 9, 0, 5, 7, 1, 8, 2, 6, 4};
const std::vector<double> max_event{2, 9, 0, 3, 7, 1, 4, 2, 6, 4};

TEST(Metrics, HandWorkedTableOfTenYears) {
    EXPECT_DOUBLE_EQ(average_annual_loss(annual), 4.5);
    EXPECT_NEAR(sample_std(annual), std::sqrt(82.5 / 9), 1e-15);  // sum (x - 4.5)^2 = 82.5

    // VaR_a = ceil(10 a)-th smallest.
    EXPECT_EQ(value_at_risk(annual, 0.9), 8);   // 9th smallest
    EXPECT_EQ(value_at_risk(annual, 0.95), 9);  // ceil(9.5) = 10th
    EXPECT_EQ(value_at_risk(annual, 0.75), 7);  // ceil(7.5) = 8th
    EXPECT_EQ(value_at_risk(annual, 0.0), 0);

    // TVaR_a = mean of the 10 (1 - a) largest, a fractional share of the next.
    EXPECT_DOUBLE_EQ(tail_value_at_risk(annual, 0.9), 9);                    // m = 1
    EXPECT_DOUBLE_EQ(tail_value_at_risk(annual, 0.8), 8.5);                  // (9 + 8) / 2
    EXPECT_DOUBLE_EQ(tail_value_at_risk(annual, 0.75), (9 + 8 + 0.5 * 7) / 2.5);  // 8.2
    EXPECT_DOUBLE_EQ(tail_value_at_risk(annual, 0.85), (9 + 0.5 * 8) / 1.5);
    EXPECT_DOUBLE_EQ(tail_value_at_risk(annual, 0.95), 9);                   // m = 0.5: the largest
    EXPECT_DOUBLE_EQ(tail_value_at_risk(annual, 0.0), 4.5);

    // AEP: the (10 / T)-th largest; between ranks, interpolated; beyond N, the largest.
    EXPECT_EQ(return_period_loss(annual, 2), 5);    // 5th largest
    EXPECT_EQ(return_period_loss(annual, 5), 8);    // 2nd largest
    EXPECT_EQ(return_period_loss(annual, 10), 9);   // largest
    EXPECT_EQ(return_period_loss(annual, 4), 7.5);  // rank 2.5: between 8 and 7
    EXPECT_EQ(return_period_loss(annual, 1), 0);    // 10th largest
    EXPECT_EQ(return_period_loss(annual, 20), 9);
}

TEST(Metrics, ComputeMetricsWithStandardErrorsAndOep) {
    MetricOptions o;
    o.levels = {0.75, 0.9};
    o.return_periods = {2, 4, 5, 10, 20};
    const Metrics m = compute_metrics(annual, max_event, o);
    EXPECT_EQ(m.years, 10u);
    EXPECT_DOUBLE_EQ(m.aal.value, 4.5);
    EXPECT_NEAR(m.aal.standard_error, std::sqrt(82.5 / 9) / std::sqrt(10.0), 1e-15);

    // 0.75: VaR 7; TVaR 8.2 over tail values 9, 8, 0.5 x 7: weighted tail variance
    // (0.8^2 + 0.2^2 + 0.5 x 1.2^2) / 2.5 = 0.56, SE^2 = (0.56 + 0.75 x 1.2^2) / 2.5 = 0.656.
    ASSERT_EQ(m.levels.size(), 2u);
    EXPECT_EQ(m.levels[0].var.value, 7);
    EXPECT_DOUBLE_EQ(m.levels[0].tvar.value, 8.2);
    EXPECT_NEAR(m.levels[0].tvar.standard_error, std::sqrt(0.656), 1e-12);
    // 0.9: rank 9, binomial sd sqrt(10 x 0.9 x 0.1) = 0.95 -> ranks 8 and 10: (9 - 7) / 2.
    EXPECT_EQ(m.levels[1].var.value, 8);
    EXPECT_EQ(m.levels[1].var.standard_error, 1);

    ASSERT_TRUE(m.has_oep);
    ASSERT_EQ(m.return_periods.size(), 5u);
    const auto& t4 = m.return_periods[1];
    EXPECT_EQ(t4.aep.value, 7.5);
    EXPECT_EQ(t4.oep.value, 6.5);  // events sorted 9, 7, 6, ...: rank 2.5
    EXPECT_DOUBLE_EQ(t4.aep_tvar.value, 8.2);
    EXPECT_DOUBLE_EQ(t4.oep_tvar.value, (9 + 7 + 0.5 * 6) / 2.5);
    const auto& t5 = m.return_periods[2];
    EXPECT_EQ(t5.aep.value, 8);
    EXPECT_EQ(t5.oep.value, 7);
    EXPECT_DOUBLE_EQ(t5.aep_tvar.value, 8.5);
    EXPECT_DOUBLE_EQ(t5.oep_tvar.value, 8);
    EXPECT_EQ(m.return_periods[0].oep.value, 4);  // T = 2: 5th largest event
    EXPECT_FALSE(m.return_periods[3].beyond_simulation);
    EXPECT_TRUE(m.return_periods[4].beyond_simulation);
}

// DESIGN: N (1 - a) is rounded to 1e-9 first; 10,000 x (1 - 0.99) = 100.00000000000009.
TEST(Metrics, RoundsTheTailCountBeforeUsingIt) {
    std::vector<double> x;
    for (int i = 1; i <= 10'000; ++i) x.push_back(i);
    EXPECT_EQ(value_at_risk(x, 0.99), 9'900);
    EXPECT_DOUBLE_EQ(tail_value_at_risk(x, 0.99), 9'950.5);  // mean of 9,901 .. 10,000
    EXPECT_EQ(return_period_loss(x, 100), 9'901);           // 100th largest
    const TailYears t = tail_years(x, 0.99);
    EXPECT_EQ(t.index.size(), 100u);
    EXPECT_DOUBLE_EQ(t.tail_mass, 100);
}

TEST(Metrics, InvariantsOnAHeavyTailedTable) {
    // Compound annual losses from addressed draws: a few events a year, lognormal sizes.
    std::vector<double> a, e;
    for (std::uint32_t y = 0; y < 20'000; ++y) {
        const Words w = draw_words(1, 9, y, 0, 0, 0);
        const auto n = poisson_inversion(uniform32(w[0]), 1.5);
        double total = 0, largest = 0;
        for (std::uint64_t j = 0; j < n; ++j) {
            const Words v = draw_words(1, 9, y, 1, 0, static_cast<std::uint16_t>(j));
            const double loss = std::exp(1 + 1.5 * normal_from_words(v[0], v[1]));
            total += loss;
            largest = std::max(largest, loss);
        }
        a.push_back(total);
        e.push_back(largest);
    }
    const Metrics m = compute_metrics(a, e);
    for (const auto& l : m.levels) {
        EXPECT_GE(l.tvar.value, l.var.value) << l.level;
        EXPECT_GT(l.tvar.standard_error, 0) << l.level;
    }
    for (std::size_t i = 0; i < m.return_periods.size(); ++i) {
        const auto& r = m.return_periods[i];
        EXPECT_GE(r.aep.value, r.oep.value) << r.return_period;
        EXPECT_GE(r.aep_tvar.value, r.aep.value) << r.return_period;
        EXPECT_GE(r.oep_tvar.value, r.oep.value) << r.return_period;
        if (i > 0) {
            EXPECT_GE(r.aep.value, m.return_periods[i - 1].aep.value);
        }
    }
}

TEST(Metrics, EulerContributionsSumToTvarWithFractionalYear) {
    // Two holdings over the ten years: holding 0 carries 1/3 of each year, holding 1 the rest.
    std::vector<double> rows;
    const TailYears t = tail_years(annual, 0.75);  // years of 9, 8 and half of 7
    ASSERT_EQ(t.index.size(), 3u);
    EXPECT_EQ(t.index[0], 1u);
    EXPECT_EQ(t.index[1], 6u);
    EXPECT_EQ(t.index[2], 4u);
    EXPECT_EQ(t.weight[2], 0.5);
    for (std::size_t y : t.index) {
        rows.push_back(annual[y] / 3);
        rows.push_back(annual[y] - annual[y] / 3);
    }
    const std::vector<double> c = euler_contributions(t, rows, 2);
    EXPECT_NEAR(c[0] + c[1], 8.2, 1e-14);
    EXPECT_NEAR(c[0], 8.2 / 3, 1e-14);
}

TEST(Metrics, OrdEptAndAltRows) {
    MetricOptions o;
    o.levels = {};
    o.return_periods = {10, 2, 5};
    const Metrics m = compute_metrics(annual, max_event, o);
    const std::vector<EptRow> rows = ept_rows(m, 3);
    ASSERT_EQ(rows.size(), 12u);
    const int types[] = {1, 2, 3, 4};
    const double periods[] = {10, 5, 2};
    for (int k = 0; k < 4; ++k) {
        for (int j = 0; j < 3; ++j) {
            const EptRow& r = rows[k * 3 + j];
            EXPECT_EQ(r.summary_id, 3);
            EXPECT_EQ(r.ep_calc, 2);
            EXPECT_EQ(r.ep_type, types[k]);
            EXPECT_EQ(r.return_period, periods[j]);
        }
    }
    EXPECT_EQ(rows[0].loss, 9);   // OEP 10
    EXPECT_EQ(rows[7].loss, 8);   // AEP 5
    EXPECT_EQ(rows[11].loss, (9 + 8 + 7 + 6 + 5) / 5.0);  // AEP TVaR 2
    const AltRow alt = alt_row(m, 3);
    EXPECT_EQ(alt.sample_type, 2);
    EXPECT_DOUBLE_EQ(alt.mean_loss, 4.5);
    const AlctRow alct = alct_row(m, 3);
    EXPECT_EQ(alct.sample_size, 10u);
    EXPECT_NEAR(alct.upper_ci - alct.lower_ci, 2 * 1.959963984540054 * m.aal.standard_error, 1e-12);
    // Without event losses: AEP rows only.
    EXPECT_EQ(ept_rows(compute_metrics(annual, {}, o)).size(), 6u);
}

TEST(Metrics, BadInputNamesTheField) {
    const std::vector<double> nan{1, std::nan(""), 2};
    EXPECT_THROW(compute_metrics(nan), InvalidInput);
    EXPECT_THROW(compute_metrics({}), InvalidInput);
    MetricOptions o;
    o.levels = {1.0};
    EXPECT_THROW(compute_metrics(annual, {}, o), InvalidInput);
    o.levels = {};
    o.return_periods = {0.5};
    EXPECT_THROW(compute_metrics(annual, {}, o), InvalidInput);
    EXPECT_THROW(compute_metrics(annual, std::vector<double>{1, 2}), InvalidInput);
}

}  // namespace
}  // namespace tanhui::risk
