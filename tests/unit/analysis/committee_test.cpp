// Stage III: ranks, presence threshold, exact (mu, sigma^2), Pareto set, coverage, ratio.
#include "core/analysis/committee.h"
#include "core/analysis/ranking.h"
#include "core/util/input_error.h"
#include "test_support.h"

#include <gtest/gtest.h>

#include <cmath>

namespace ca {
namespace {

// Nine domains; `rank_of_star[d]` places expert `star` at that 1-based position of domain
// d's list (k + 1 = somewhere below the list). The other list slots are filled so that no
// other expert is listed in more than one domain.
EciTable oneStarLayer(int star, const std::vector<int>& rank_of_star, int k, int E) {
    std::vector<std::vector<int>> orders;
    int next = 0;
    for (size_t d = 0; d < rank_of_star.size(); ++d) {
        std::vector<int> order;
        for (int pos = 1; pos <= k; ++pos) {
            if (pos == rank_of_star[d]) {
                order.push_back(star);
                continue;
            }
            if (next == star) ++next;
            order.push_back(next++ % E);
        }
        if (rank_of_star[d] > k) order.push_back(star);  // right after the list
        orders.push_back(order);
    }
    return test::eciFromOrders(orders, E);
}

TEST(Ranks, SortByEciDescendingWithLowerIdFirstOnTiesAndPenaliseBeyondK) {
    EciTable t = test::eciFromOrders({{0}}, 5);
    t.values = {0.2, 0.5, 0.2, 0.0, 0.5};
    const RankTable r = computeRanks(t, 3);
    EXPECT_EQ(std::vector<int32_t>(r.list(0, 0), r.list(0, 0) + 3),
              (std::vector<int32_t>{1, 4, 0}));
    EXPECT_EQ(r.rank(0, 0, 1), 1);
    EXPECT_EQ(r.rank(0, 0, 4), 2);
    EXPECT_EQ(r.rank(0, 0, 0), 3);
    EXPECT_EQ(r.rank(0, 0, 2), 4);  // k + 1
    EXPECT_EQ(r.rank(0, 0, 3), 4);
    EXPECT_THROW(computeRanks(t, 0), std::invalid_argument);
}

TEST(Ranks, MatchNaiveCountingOnTiedRandomData) {
    const EciTable t = test::randomEci(3, 4, 20, 11);
    for (int k : {1, 5, 20, 25}) {
        const RankTable r = computeRanks(t, k);
        for (int l = 0; l < 3; ++l)
            for (int d = 0; d < 4; ++d)
                for (int e = 0; e < 20; ++e)
                    EXPECT_EQ(r.rank(l, d, e), test::naiveRank(t, l, d, e, k));
    }
}

TEST(PresenceThreshold, IsTheExactCeilingOfGammaTimesDomains) {
    EXPECT_EQ(presenceThreshold(0.8, 9), 8);    // paper's MMLU setting
    EXPECT_EQ(presenceThreshold(0.8, 4), 4);    // C4
    EXPECT_EQ(presenceThreshold(0.8, 10), 8);   // 8.0 exactly, no float surprise
    EXPECT_EQ(presenceThreshold(0.28, 25), 7);  // Python's math.ceil(25 * 0.28) gives 8
    EXPECT_EQ(presenceThreshold(0.07, 100), 7);
    EXPECT_EQ(presenceThreshold(1.0, 9), 9);
    EXPECT_EQ(presenceThreshold(0.5, 3), 2);
    EXPECT_EQ(presenceThreshold(0.1, 1), 1);
    EXPECT_THROW(presenceThreshold(0.0, 9), InputError);
    EXPECT_THROW(presenceThreshold(1.5, 9), InputError);
    EXPECT_THROW(presenceThreshold(std::nan(""), 9), InputError);
}

TEST(PresenceThreshold, ReadsGammaAsItsShortestDecimal) {
    EXPECT_EQ(exactDecimal(0.8).num, 4);
    EXPECT_EQ(exactDecimal(0.8).den, 5);
    EXPECT_EQ(exactDecimal(0.28).num, 7);
    EXPECT_EQ(exactDecimal(0.28).den, 25);
    EXPECT_EQ(exactDecimal(1e-5).num, 1);
    EXPECT_EQ(exactDecimal(1e-5).den, 100000);
    EXPECT_EQ(exactDecimal(1.0).den, 1);
}

TEST(Committee, ReproducesOlmoeLayer12Statistics) {
    // Table 9, OLMoE L12 {33}: mu = 2.00, sigma^2 = 2.00 from ranks (1,1,1,1,1,1,4,4,4).
    const EciTable t = oneStarLayer(33, {1, 1, 1, 1, 1, 1, 4, 4, 4}, 8, 64);
    CommitteeSettings s;
    s.k = 8;
    const CommitteeResult c = computeCommittees(t, s);
    ASSERT_EQ(c.layers[0].members, std::vector<int>{33});
    EXPECT_EQ(c.presence_threshold, 8);
    EXPECT_DOUBLE_EQ(c.layers[0].avg_mu, 2.0);
    EXPECT_DOUBLE_EQ(c.layers[0].avg_sigma_sq, 2.0);
    EXPECT_EQ(c.layers[0].experts[33].rank_sum, 18);
    EXPECT_EQ(c.layers[0].experts[33].rank_sq_sum, 54);
}

TEST(Committee, ReproducesDeepSeekLayer5Statistics) {
    // Table 10, DeepSeek L5 {38}: mu = 1.22, sigma^2 = 0.17 from ranks (1,1,1,1,1,1,1,2,2).
    const EciTable t = oneStarLayer(38, {1, 1, 1, 1, 1, 1, 1, 2, 2}, 6, 64);
    CommitteeSettings s;
    s.k = 6;
    const CommitteeResult c = computeCommittees(t, s);
    ASSERT_EQ(c.layers[0].members, std::vector<int>{38});
    EXPECT_DOUBLE_EQ(c.layers[0].avg_mu, 11.0 / 9.0);
    EXPECT_DOUBLE_EQ(c.layers[0].avg_sigma_sq, 14.0 / 81.0);
    EXPECT_EQ(std::round(c.layers[0].avg_mu * 100) / 100, 1.22);
    EXPECT_EQ(std::round(c.layers[0].avg_sigma_sq * 100) / 100, 0.17);
}

TEST(Committee, AbsentDomainsCountAsKPlusOne) {
    // Present in 8 of 9 domains at rank 1, absent once: ranks (1 x 8, 9), k = 8.
    const EciTable t = oneStarLayer(5, {1, 1, 1, 1, 1, 1, 1, 1, 9}, 8, 80);
    CommitteeSettings s;
    s.k = 8;
    const CommitteeResult c = computeCommittees(t, s);
    const ExpertStats& st = c.layers[0].experts[5];
    EXPECT_EQ(st.presence, 8);
    EXPECT_DOUBLE_EQ(st.mu, 17.0 / 9.0);
    EXPECT_DOUBLE_EQ(st.sigma_sq, (9.0 * (8 + 81) - 17.0 * 17.0) / 81.0);
    EXPECT_EQ(c.layers[0].members, std::vector<int>{5});
}

TEST(Committee, HandComputedParetoCoverageAndRatio) {
    // Three domains, E = 6, k = 2, gamma = 0.6 -> threshold 2.
    //  d0: 0, 1 | d1: 1, 0 | d2: 2, 1    (values 6 - position)
    // expert 0: ranks (1, 2, 3) S = 6;  expert 1: (2, 1, 2) S = 5; expert 2: (3, 3, 1).
    // Candidates 0 (presence 2) and 1 (presence 3); 1 has smaller mu and variance -> {1}.
    EciTable t = test::eciFromOrders({{0, 1}, {1, 0}, {2, 1}}, 6);
    CommitteeSettings s;
    s.k = 2;
    s.presence_ratio = 0.6;
    const CommitteeResult c = computeCommittees(t, s);
    const LayerCommittee& lc = c.layers[0];
    EXPECT_EQ(c.presence_threshold, 2);
    EXPECT_EQ(lc.members, std::vector<int>{1});
    EXPECT_DOUBLE_EQ(lc.avg_mu, 5.0 / 3.0);
    EXPECT_DOUBLE_EQ(lc.avg_sigma_sq, 2.0 / 9.0);
    // Each domain's values are 6,5,4,3,2,1 -> total mean mass 21; expert 1 has 5,6,5.
    EXPECT_DOUBLE_EQ(lc.coverage, (16.0 / 3.0) / 21.0);
    // Authors' definition: list mass 11 per domain; expert 1 listed everywhere.
    EXPECT_DOUBLE_EQ(lc.coverage_topk_mass, (16.0 / 3.0) / 11.0);
    EXPECT_DOUBLE_EQ(lc.ratio, (lc.coverage / 1) / ((1 - lc.coverage) / 5));
}

TEST(Committee, KeepsIdenticalParetoPointsAndOrdersByMuThenId) {
    // Experts 4 and 2 both have ranks (1, 2) / (2, 1): identical (mu, sigma^2).
    EciTable t = test::eciFromOrders({{4, 2}, {2, 4}}, 8);
    CommitteeSettings s;
    s.k = 2;
    s.presence_ratio = 1.0;
    const CommitteeResult c = computeCommittees(t, s);
    EXPECT_EQ(c.layers[0].members, (std::vector<int>{2, 4}));
}

TEST(Committee, NoCandidateGivesAnEmptyCommitteeOrTheAuthorsFallback) {
    EciTable t = test::eciFromOrders({{0, 1}, {2, 3}, {4, 5}}, 8);
    CommitteeSettings s;
    s.k = 2;
    const CommitteeResult empty = computeCommittees(t, s);
    EXPECT_TRUE(empty.layers[0].no_candidate);
    EXPECT_FALSE(empty.layers[0].fallback_used);
    EXPECT_TRUE(empty.layers[0].members.empty());
    EXPECT_TRUE(std::isnan(empty.layers[0].avg_mu));
    EXPECT_EQ(empty.layers[0].coverage, 0.0);
    EXPECT_TRUE(std::isnan(empty.layers[0].ratio));
    s.no_candidate = NoCandidateRule::MaxPresence;
    const CommitteeResult fb = computeCommittees(t, s);
    EXPECT_TRUE(fb.layers[0].fallback_used);
    // All present once: 0, 2, 4 rank (1, 3, 3); 1, 3, 5 rank (2, 3, 3) - larger mu, smaller
    // variance, so they are Pareto-optimal too.
    EXPECT_EQ(fb.layers[0].members, (std::vector<int>{0, 2, 4, 1, 3, 5}));
}

TEST(Committee, InfluenceDensityRatioEdgeCases) {
    EXPECT_DOUBLE_EQ(influenceDensityRatio(0.5, 2, 64), 0.25 / (0.5 / 62));
    EXPECT_TRUE(std::isinf(influenceDensityRatio(1.0, 2, 64)));
    EXPECT_TRUE(std::isnan(influenceDensityRatio(0.5, 0, 64)));
    EXPECT_TRUE(std::isnan(influenceDensityRatio(1.0, 64, 64)));
}

TEST(Committee, InactiveDomainsAreLeftOut) {
    EciTable t = oneStarLayer(3, {1, 1, 1, 1, 1, 1, 1, 1, 1}, 4, 64);
    t.domain_counts[8] = 0;  // ninth domain has no observations
    CommitteeSettings s;
    s.k = 4;
    const CommitteeResult c = computeCommittees(t, s);
    EXPECT_EQ(c.num_domains, 8);
    EXPECT_EQ(c.presence_threshold, 7);  // ceil(0.8 * 8) = 7 (6.4 -> 7)
    EXPECT_EQ(c.layers[0].experts[3].presence, 8);
}

TEST(Pareto, MatchesBruteForceOnSmallIntegerGrids) {
    std::mt19937_64 rng(3);
    std::uniform_int_distribution<int> v(0, 4);
    for (int trial = 0; trial < 300; ++trial) {
        std::vector<int64_t> a, b;
        const int n = 1 + trial % 12;
        for (int i = 0; i < n; ++i) {
            a.push_back(v(rng));
            b.push_back(v(rng));
        }
        std::vector<size_t> expected;
        for (int i = 0; i < n; ++i) {
            bool dominated = false;
            for (int j = 0; j < n; ++j)
                dominated |= a[j] <= a[i] && b[j] <= b[i] && (a[j] < a[i] || b[j] < b[i]);
            if (!dominated) expected.push_back(static_cast<size_t>(i));
        }
        EXPECT_EQ(paretoMinimal(a, b), expected);
    }
}

TEST(Committee, MatchesTheNaiveReferenceOnRandomTables) {
    for (uint64_t seed = 1; seed <= 40; ++seed) {
        const int D = 3 + static_cast<int>(seed % 7), E = 12 + static_cast<int>(seed % 9);
        const EciTable t = test::randomEci(2, D, E, seed, 3 + static_cast<int>(seed % 4));
        for (int k : {2, 4}) {
            for (double gamma : {0.5, 0.8}) {
                CommitteeSettings s;
                s.k = k;
                s.presence_ratio = gamma;
                const CommitteeResult c = computeCommittees(t, s);
                const int threshold = static_cast<int>(std::ceil(gamma * D - 1e-12));
                for (int l = 0; l < 2; ++l) {
                    const test::NaiveCommittee n = test::naiveCommittee(t, l, k, threshold);
                    EXPECT_EQ(c.layers[static_cast<size_t>(l)].members, n.members) << seed;
                    if (!n.members.empty()) {
                        EXPECT_NEAR(c.layers[static_cast<size_t>(l)].coverage, n.coverage, 1e-12);
                    }
                    for (int e = 0; e < E; ++e)
                        EXPECT_EQ(c.layers[static_cast<size_t>(l)]
                                      .experts[static_cast<size_t>(e)]
                                      .presence,
                                  n.presence[static_cast<size_t>(e)]);
                }
            }
        }
    }
}

TEST(Committee, MuAndVarianceMatchTwoPassFormulas) {
    const EciTable t = test::randomEci(1, 9, 30, 99);
    CommitteeSettings s;
    s.k = 6;
    const CommitteeResult c = computeCommittees(t, s);
    for (int e = 0; e < 30; ++e) {
        std::vector<double> r;
        for (int d = 0; d < 9; ++d) r.push_back(test::naiveRank(t, 0, d, e, 6));
        double mu = 0;
        for (double x : r) mu += x / 9;
        double var = 0;
        for (double x : r) var += (x - mu) * (x - mu) / 9;
        EXPECT_NEAR(c.layers[0].experts[static_cast<size_t>(e)].mu, mu, 1e-12);
        EXPECT_NEAR(c.layers[0].experts[static_cast<size_t>(e)].sigma_sq, var, 1e-12);
    }
}

}  // namespace
}  // namespace ca
