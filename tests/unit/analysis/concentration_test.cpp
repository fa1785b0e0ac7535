// Gini (Eq. 14), Lorenz points and the experts holding 90 % of the mass (paper-spec B10).
#include "core/analysis/concentration.h"
#include "test_support.h"

#include <gtest/gtest.h>

#include <cmath>

namespace ca {
namespace {

double naiveGini(const std::vector<double>& c) {
    double num = 0, total = 0;
    for (double a : c)
        for (double b : c) num += std::fabs(a - b);
    for (double a : c) total += a;
    return num / (2.0 * static_cast<double>(c.size()) * total);
}

TEST(Gini, HandComputedValues) {
    EXPECT_DOUBLE_EQ(giniCoefficient({0, 0, 0, 1}), 0.75);
    EXPECT_DOUBLE_EQ(giniCoefficient({1, 1, 1, 1}), 0.0);
    EXPECT_DOUBLE_EQ(giniCoefficient({1, 2, 3, 4}), 0.25);
    EXPECT_TRUE(std::isnan(giniCoefficient({0, 0, 0})));
    EXPECT_TRUE(std::isnan(giniCoefficient({})));
    EXPECT_THROW(giniCoefficient({1, -1}), std::invalid_argument);
}

TEST(Gini, MatchesTheDoubleSumOnRandomVectors) {
    std::mt19937_64 rng(5);
    std::exponential_distribution<double> ex(1.0);
    for (int trial = 0; trial < 50; ++trial) {
        std::vector<double> c(static_cast<size_t>(2 + trial * 3));
        for (double& v : c) v = ex(rng);
        for (size_t i = 0; i < c.size(); i += 3) c[i] = 0.0;  // unused experts
        EXPECT_NEAR(giniCoefficient(c), naiveGini(c), 1e-12);
    }
}

TEST(Lorenz, PointsAndShareHolders) {
    const LayerConcentration c = concentrationOf({0, 3, 0, 1}, 0.9);
    EXPECT_EQ(c.lorenz_x, (std::vector<double>{0, 0.25, 0.5, 0.75, 1}));
    EXPECT_EQ(c.lorenz_y, (std::vector<double>{0, 0, 0, 0.25, 1}));
    EXPECT_EQ(c.active_experts, 2);
    // Largest first: 3 covers 75 % < 90 %; with 1 more (100 %): m = 2, m* = 1 + (3.6 - 3)/1.
    EXPECT_EQ(c.experts_for_share, 2);
    EXPECT_DOUBLE_EQ(c.fraction_for_share, 1.6 / 4);
    const LayerConcentration flat = concentrationOf({1, 1, 1, 1}, 0.9);
    EXPECT_EQ(flat.experts_for_share, 4);
    EXPECT_DOUBLE_EQ(flat.fraction_for_share, 3.6 / 4);
    const LayerConcentration one = concentrationOf({0, 0, 0, 1}, 0.9);
    EXPECT_EQ(one.experts_for_share, 1);
    EXPECT_DOUBLE_EQ(one.fraction_for_share, 0.9 / 4);
    const LayerConcentration zero = concentrationOf({0, 0}, 0.9);
    EXPECT_TRUE(std::isnan(zero.gini));
    EXPECT_TRUE(std::isnan(zero.fraction_for_share));
}

TEST(Lorenz, ShareHoldersMatchANaiveScan) {
    std::mt19937_64 rng(8);
    std::exponential_distribution<double> ex(0.5);
    for (int trial = 0; trial < 40; ++trial) {
        std::vector<double> c(64);
        for (double& v : c) v = std::pow(ex(rng), 3);
        const LayerConcentration got = concentrationOf(c, 0.9);
        std::vector<double> desc = c;
        std::sort(desc.rbegin(), desc.rend());
        double total = 0;
        for (double v : c) total += v;
        double top = 0;
        int m = 0;
        while (top + desc[static_cast<size_t>(m)] < 0.9 * total)
            top += desc[static_cast<size_t>(m++)];
        EXPECT_EQ(got.experts_for_share, m + 1);
        EXPECT_NEAR(got.fraction_for_share,
                    (m + (0.9 * total - top) / desc[static_cast<size_t>(m)]) / 64, 1e-12);
        // The Lorenz curve is the ascending cumulative share.
        std::vector<double> asc = c;
        std::sort(asc.begin(), asc.end());
        double cum = 0;
        for (size_t i = 0; i < asc.size(); ++i) {
            cum += asc[i];
            EXPECT_NEAR(got.lorenz_y[i + 1], cum / total, 1e-12);
        }
    }
}

TEST(Concentration, UsesTheDomainAveragedEciPerLayer) {
    const EciTable t = test::randomEci(4, 3, 10, 17);
    const ConcentrationResult r = computeConcentration(t);
    double mean = 0, mx = -1, mn = 2;
    for (int l = 0; l < 4; ++l) {
        std::vector<double> avg(10, 0.0);
        for (int d = 0; d < 3; ++d)
            for (int e = 0; e < 10; ++e) avg[static_cast<size_t>(e)] += t.at(l, d, e) / 3;
        const double g = naiveGini(avg);
        EXPECT_NEAR(r.layers[static_cast<size_t>(l)].gini, g, 1e-12);
        mean += g / 4;
        mx = std::max(mx, g);
        mn = std::min(mn, g);
    }
    EXPECT_NEAR(r.gini_mean, mean, 1e-12);
    EXPECT_NEAR(r.gini_max, mx, 1e-12);
    EXPECT_NEAR(r.gini_min, mn, 1e-12);
}

}  // namespace
}  // namespace ca
