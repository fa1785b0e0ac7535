// Jaccard overlap of the domains' top-k sets (paper-spec B9).
#include "core/analysis/overlap.h"
#include "core/analysis/ranking.h"
#include "test_support.h"

#include <gtest/gtest.h>

#include <cmath>

namespace ca {
namespace {

TEST(Jaccard, IndexOfTwoLists) {
    const int32_t a[] = {1, 2, 3, 4}, b[] = {3, 4, 5, 6};
    EXPECT_DOUBLE_EQ(jaccardIndex(a, 4, b, 4), 2.0 / 6.0);
    EXPECT_DOUBLE_EQ(jaccardIndex(a, 4, a, 4), 1.0);
    EXPECT_DOUBLE_EQ(jaccardIndex(a, 0, b, 0), 1.0);
}

TEST(Jaccard, ReproducesOlmoeMinimumAsAMeanOverThirtySixPairs) {
    // Table 4, OLMoE minimum 0.7963 = (3 * 1 + 33 * 7/9) / 36: nine k = 8 sets sharing a
    // core of 7 experts; the eighth expert is shared by three pairs of domains.
    const int extra[9] = {10, 10, 11, 11, 12, 12, 13, 14, 15};
    std::vector<std::vector<int>> orders;
    for (int d = 0; d < 9; ++d) orders.push_back({0, 1, 2, 3, 4, 5, 6, extra[d]});
    const JaccardResult j = computeJaccard(computeRanks(test::eciFromOrders(orders, 64), 8));
    EXPECT_NEAR(j.layer_means[0], (3 * 1.0 + 33 * 7.0 / 9.0) / 36.0, 1e-15);
    EXPECT_EQ(std::round(j.layer_means[0] * 10000) / 10000, 0.7963);
    EXPECT_DOUBLE_EQ(j.at(0, 0, 1), 1.0);
    EXPECT_DOUBLE_EQ(j.at(0, 0, 2), 7.0 / 9.0);
    EXPECT_DOUBLE_EQ(j.at(0, 4, 4), 1.0);
}

TEST(Jaccard, MatchesNaiveSetsOnRandomTablesAndSummarisesAcrossLayers) {
    const EciTable t = test::randomEci(5, 6, 20, 21);
    const int k = 5;
    const JaccardResult j = computeJaccard(computeRanks(t, k));
    double mx = -1, mn = 2, sum = 0;
    int mxl = -1, mnl = -1;
    for (int l = 0; l < 5; ++l) {
        double s = 0;
        int pairs = 0;
        for (int a = 0; a < 6; ++a)
            for (int b = 0; b < 6; ++b) {
                const double v = test::naiveJaccard(test::naiveTopSet(t, l, a, k),
                                                    test::naiveTopSet(t, l, b, k));
                EXPECT_DOUBLE_EQ(j.at(l, a, b), v);
                if (a < b) {
                    s += v;
                    ++pairs;
                }
            }
        EXPECT_EQ(pairs, 15);
        EXPECT_NEAR(j.layer_means[static_cast<size_t>(l)], s / pairs, 1e-15);
        if (s / pairs > mx) mx = s / pairs, mxl = l;
        if (s / pairs < mn) mn = s / pairs, mnl = l;
        sum += s / pairs;
    }
    EXPECT_NEAR(j.max, mx, 1e-15);
    EXPECT_NEAR(j.min, mn, 1e-15);
    EXPECT_EQ(j.max_layer, mxl);
    EXPECT_EQ(j.min_layer, mnl);
    EXPECT_NEAR(j.overall, sum / 5, 1e-15);
}

TEST(Jaccard, InactiveDomainsAndSingleDomainsGiveNaN) {
    EciTable t = test::eciFromOrders({{0, 1}, {1, 2}, {5, 6}}, 8);
    t.domain_counts[2] = 0;
    const JaccardResult j = computeJaccard(computeRanks(t, 2));
    EXPECT_DOUBLE_EQ(j.layer_means[0], 1.0 / 3.0);  // only the pair (0, 1)
    EXPECT_TRUE(std::isnan(j.at(0, 0, 2)));
    EciTable one = test::eciFromOrders({{0, 1}}, 8);
    EXPECT_TRUE(std::isnan(computeJaccard(computeRanks(one, 2)).overall));
}

}  // namespace
}  // namespace ca
