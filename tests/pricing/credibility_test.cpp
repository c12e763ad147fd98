// Buhlmann-Straub credibility against R's actuar.
#include "pricing/credibility.hpp"

#include "data/types.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace tanhui::pricing {
namespace {

// Values from tests/reference/credibility_actuar.R (output in credibility_actuar.out): actuar
// 3.3-2 (Debian r-cran-actuar), cm(~state, hachemeister, ratios = ratio.1:ratio.12,
// weights = weight.1:weight.12), printed to 15 significant digits; tolerance 1e-12 relative.
// Data: Hachemeister (1975), bodily-injury claim severities of 5 US states over 12 quarters,
// weights the claim counts, as shipped with actuar.
std::vector<CredibilityGroup> hachemeister() {
    return {
        {"1",
         {1738, 1642, 1794, 2051, 2079, 2234, 2032, 2035, 2115, 2262, 2267, 2517},
         {7861, 9251, 8706, 8575, 7917, 8263, 9456, 8003, 7365, 7832, 7849, 9077}},
        {"2",
         {1364, 1408, 1597, 1444, 1342, 1675, 1470, 1448, 1464, 1831, 1612, 1471},
         {1622, 1742, 1523, 1515, 1622, 1602, 1964, 1515, 1527, 1748, 1654, 1861}},
        {"3",
         {1759, 1685, 1479, 1763, 1674, 2103, 1502, 1622, 1828, 2155, 2233, 2059},
         {1147, 1357, 1329, 1204, 998, 1077, 1277, 1218, 896, 1003, 1108, 1121}},
        {"4",
         {1223, 1146, 1010, 1257, 1426, 1532, 1953, 1123, 1343, 1243, 1762, 1306},
         {407, 396, 348, 341, 315, 328, 352, 331, 287, 384, 321, 342}},
        {"5",
         {1456, 1499, 1609, 1741, 1482, 1572, 1606, 1735, 1607, 1573, 1613, 1690},
         {2902, 3172, 3046, 3068, 2693, 2910, 3275, 2697, 2663, 3017, 3242, 3425}},
    };
}

void expect_rel(double got, double expected, double rel = 1e-12) {
    EXPECT_NEAR(got, expected, rel * std::abs(expected));
}

TEST(BuhlmannStraub, MatchesActuarOnHachemeister) {
    const auto r = buhlmann_straub(hachemeister());
    expect_rel(r.collective_premium, 1683.71343704728);
    expect_rel(r.between_variance, 89638.7262327551);
    expect_rel(r.within_variance, 139120025.925285);
    const double means[] = {2060.92139184264, 1511.22412666499, 1805.84273753185, 1352.97591522158, 1599.82860703406};
    const double weights[] = {100155, 19895, 13735, 4152, 36110};
    const double z[] = {0.984740401933337, 0.927635217974918, 0.898475355206511, 0.727909209400669, 0.958791149399359};
    const double premiums[] = {2055.16535006492, 1523.70627801246, 1793.44360368128, 1442.966549016, 1603.28540446174};
    ASSERT_EQ(r.groups.size(), 5u);
    for (std::size_t i = 0; i < 5; ++i) {
        SCOPED_TRACE(::testing::Message() << "state " << i + 1);
        EXPECT_EQ(r.groups[i].id, std::to_string(i + 1));
        expect_rel(r.groups[i].mean, means[i]);
        expect_rel(r.groups[i].weight, weights[i]);
        expect_rel(r.groups[i].credibility_factor, z[i]);
        expect_rel(r.groups[i].premium, premiums[i], 1e-11);  // actuar printed 1442.966549016 to 13 digits
    }
    EXPECT_TRUE(r.warnings.empty());
}

// The negative-between-variance fixture of the same script: actuar gives a = -0.670030769230769,
// s^2 = 3.152, every factor 0 and every premium the weighted mean 1.94285714285714.
TEST(BuhlmannStraub, NegativeBetweenVarianceGivesZeroCredibilityAndSaysSo) {
    const std::vector<CredibilityGroup> groups = {
        {"a", {1.0, 3.0, 2.0}, {1.0, 1.0, 2.0}},
        {"b", {0.0, 4.0, 2.0}, {2.0, 2.0, 1.0}},
        {"c", {2.5, 1.5, 2.2}, {1.0, 3.0, 1.0}},
    };
    const auto r = buhlmann_straub(groups);
    expect_rel(r.between_variance, -0.670030769230769);
    expect_rel(r.within_variance, 3.152);
    expect_rel(r.collective_premium, 1.94285714285714);
    for (const auto& g : r.groups) {
        EXPECT_EQ(g.credibility_factor, 0.0);
        expect_rel(g.premium, 1.94285714285714);
    }
    expect_rel(r.groups[2].mean, 1.84);
    ASSERT_EQ(r.warnings.size(), 1u);
    EXPECT_NE(r.warnings[0].find("not positive"), std::string::npos);
}

// No variation within groups: s^2 = 0, so every group is fully credible; a group with a single
// period is allowed when another has two.
TEST(BuhlmannStraub, NoWithinVarianceGivesFullCredibility) {
    const std::vector<CredibilityGroup> groups = {{"x", {1.0, 1.0}, {1.0, 3.0}}, {"y", {3.0}, {2.0}}};
    const auto r = buhlmann_straub(groups);
    EXPECT_EQ(r.within_variance, 0.0);
    // Xbar = (4 + 6)/6; a = (4 (1 - 5/3)^2 + 2 (3 - 5/3)^2) / (6 - 20/6) = (16/9 + 32/9) / (8/3) = 2.
    EXPECT_NEAR(r.between_variance, 2.0, 1e-12);
    EXPECT_DOUBLE_EQ(r.groups[0].credibility_factor, 1.0);
    EXPECT_DOUBLE_EQ(r.groups[1].premium, 3.0);
    EXPECT_DOUBLE_EQ(r.collective_premium, 2.0);  // credibility-weighted: (1 + 3) / 2
}

std::string field_of(const std::vector<CredibilityGroup>& groups) {
    try {
        buhlmann_straub(groups);
    } catch (const InvalidInput& e) {
        return e.field();
    }
    return "<no throw>";
}

TEST(BuhlmannStraub, ValidationNamesTheBadField) {
    EXPECT_EQ(field_of({{"a", {1, 2}, {1, 1}}}), "groups");
    EXPECT_EQ(field_of({{"a", {1, 2}, {1, 1}}, {"b", {1, 2}, {1}}}), "groups[1].weights");
    EXPECT_EQ(field_of({{"a", {1, 2}, {1, 1}}, {"b", {}, {}}}), "groups[1].ratios");
    EXPECT_EQ(field_of({{"a", {1, 2}, {1, 0}}, {"b", {1, 2}, {1, 1}}}), "groups[0].weights[1]");
    EXPECT_EQ(field_of({{"a", {1, 2}, {1, -3}}, {"b", {1, 2}, {1, 1}}}), "groups[0].weights[1]");
    EXPECT_EQ(field_of({{"a", {1, NAN}, {1, 1}}, {"b", {1, 2}, {1, 1}}}), "groups[0].ratios[1]");
    EXPECT_EQ(field_of({{"a", {1}, {1}}, {"b", {2}, {1}}}), "groups");  // no group with 2 periods
}

}  // namespace
}  // namespace tanhui::pricing
