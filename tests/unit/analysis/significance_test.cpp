// Permutation null and bootstrap intervals, with the documented portable randomness.
#include "core/analysis/significance.h"
#include "core/analysis/analysis_cancelled.h"
#include "core/analysis/overlap.h"
#include "core/analysis/ranking.h"
#include "core/analysis/rng.h"
#include "core/util/input_error.h"
#include "test_support.h"

#include <gtest/gtest.h>

#include <cmath>

namespace ca {
namespace {

TEST(Rng, Mt19937_64IsTheStandardSequence) {
    std::mt19937_64 rng;  // default seed 5489
    rng.discard(9999);
    EXPECT_EQ(rng(), 9981545732273789042ULL);  // value fixed by the C++ standard
}

TEST(Rng, UniformBelowRejectsTheBiasedLowRange) {
    std::mt19937_64 a(42), b(42);
    for (uint64_t n : {1ULL, 2ULL, 3ULL, 7ULL, 1000ULL, (1ULL << 63) + 5}) {
        for (int i = 0; i < 200; ++i) {
            const uint64_t limit = (~n + 1) % n;  // 2^64 mod n
            uint64_t x = b();
            while (x < limit) x = b();
            EXPECT_EQ(analysis::uniformBelow(a, n), x % n);
        }
    }
}

TEST(Rng, ShuffleIsFisherYatesFromTheEnd) {
    std::vector<int> v(10);
    std::iota(v.begin(), v.end(), 0);
    std::vector<int> w = v;
    std::mt19937_64 a(9), b(9);
    analysis::shuffleInPlace(v, a);
    for (size_t i = w.size() - 1; i > 0; --i) std::swap(w[i], w[analysis::uniformBelow(b, i + 1)]);
    EXPECT_EQ(v, w);
    std::sort(v.begin(), v.end());
    for (int i = 0; i < 10; ++i) EXPECT_EQ(v[static_cast<size_t>(i)], i);
    EXPECT_NE(analysis::deriveSeed(1, 1, 0), analysis::deriveSeed(1, 2, 0));
    EXPECT_NE(analysis::deriveSeed(1, 1, 0), analysis::deriveSeed(1, 1, 1));
    EXPECT_NE(analysis::deriveSeed(1, 1, 0), analysis::deriveSeed(2, 1, 0));
}

TEST(Percentile, LinearInterpolationBetweenOrderStatistics) {
    EXPECT_DOUBLE_EQ(percentileType7({4, 1, 3, 2}, 0.5), 2.5);
    EXPECT_DOUBLE_EQ(percentileType7({4, 1, 3, 2}, 0.25), 1.75);
    EXPECT_DOUBLE_EQ(percentileType7({4, 1, 3, 2}, 1.0), 4.0);
    EXPECT_DOUBLE_EQ(percentileType7({5, std::nan("")}, 0.3), 5.0);
    EXPECT_TRUE(std::isnan(percentileType7({}, 0.5)));
}

CommitteeSettings kAt(int k) {
    CommitteeSettings s;
    s.k = k;
    return s;
}

TEST(Significance, TwoSingleSampleDomainsHaveASymmetricNullWithPValueOne) {
    test::RandomObsSpec spec;
    spec.samples = 2;
    spec.domains = 2;
    const RoutingObservations obs = test::randomObservations(spec);
    SignificanceSettings ss;
    ss.permutations = 9;
    const SignificanceResult r = computeSignificance(obs, EciVariant::Paper, {}, kAt(4), ss);
    for (const auto& l : r.layers) {
        EXPECT_DOUBLE_EQ(l.coverage_p_greater, 1.0);
        EXPECT_DOUBLE_EQ(l.coverage_p_less, 1.0);
        EXPECT_DOUBLE_EQ(l.jaccard_p_greater, 1.0);
    }
}

TEST(Significance, MatchesANaiveSampleLevelPermutationAndStratifiedBootstrap) {
    test::RandomObsSpec spec;
    spec.samples = 24;
    spec.obs_per_sample = 3;  // e.g. all positions: a sample's observations move together
    spec.domains = 3;
    spec.domain_bias = 1.0;
    const RoutingObservations obs = test::randomObservations(spec);
    SignificanceSettings ss;
    ss.permutations = 15;
    ss.bootstrap = 12;
    ss.seed = 77;
    ss.threads = 1;
    const CommitteeSettings cs = kAt(4);
    const SignificanceResult r = computeSignificance(obs, EciVariant::Authors, {}, cs, ss);
    const int L = obs.num_layers;

    auto stats = [&](const std::vector<std::vector<int64_t>>& groups) {
        const EciTable t = computeEciForGroups(obs, EciVariant::Authors, groups, obs.domain_names);
        const RankTable rk = computeRanks(t, 4);
        const CommitteeResult c = computeCommittees(t, rk, cs);
        std::vector<double> cov;
        for (const auto& l : c.layers) cov.push_back(l.coverage);
        return std::make_pair(cov, computeJaccard(rk).layer_means);
    };
    // Samples are 0..23, each with 3 consecutive observations; domain = sample % 3.
    std::vector<std::vector<int64_t>> observed(3);
    for (int64_t n = 0; n < obs.size(); ++n)
        observed[static_cast<size_t>(obs.obs_domain[static_cast<size_t>(n)])].push_back(n);
    const auto [cov0, jac0] = stats(observed);
    std::vector<int> ge_cov(static_cast<size_t>(L), 0), ge_jac(static_cast<size_t>(L), 0);
    for (int p = 0; p < 15; ++p) {
        std::mt19937_64 rng(analysis::deriveSeed(77, 1, static_cast<uint64_t>(p)));
        std::vector<int32_t> labels;
        for (int s = 0; s < 24; ++s) labels.push_back(s % 3);
        for (size_t i = labels.size() - 1; i > 0; --i)
            std::swap(labels[i], labels[analysis::uniformBelow(rng, i + 1)]);
        std::vector<std::vector<int64_t>> groups(3);
        for (int64_t n = 0; n < obs.size(); ++n)
            groups[static_cast<size_t>(labels[static_cast<size_t>(n / 3)])].push_back(n);
        const auto [cov, jac] = stats(groups);
        for (int l = 0; l < L; ++l) {
            EXPECT_EQ(r.coverage_null[static_cast<size_t>(p * L + l)], cov[static_cast<size_t>(l)]);
            ge_cov[static_cast<size_t>(l)] +=
                cov[static_cast<size_t>(l)] >= cov0[static_cast<size_t>(l)];
            ge_jac[static_cast<size_t>(l)] +=
                jac[static_cast<size_t>(l)] >= jac0[static_cast<size_t>(l)];
        }
    }
    for (int l = 0; l < L; ++l) {
        EXPECT_DOUBLE_EQ(r.layers[static_cast<size_t>(l)].coverage_p_greater,
                         (1.0 + ge_cov[static_cast<size_t>(l)]) / 16.0);
        EXPECT_DOUBLE_EQ(r.layers[static_cast<size_t>(l)].jaccard_p_greater,
                         (1.0 + ge_jac[static_cast<size_t>(l)]) / 16.0);
    }
    // Bootstrap replicate 0, rebuilt by hand: per domain draw 8 of its 8 samples.
    std::mt19937_64 rng(analysis::deriveSeed(77, 2, 0));
    std::vector<std::vector<int64_t>> groups(3);
    for (int d = 0; d < 3; ++d)
        for (int draw = 0; draw < 8; ++draw) {
            const auto s =
                static_cast<int64_t>(d + 3 * static_cast<int>(analysis::uniformBelow(rng, 8)));
            for (int o = 0; o < 3; ++o) groups[static_cast<size_t>(d)].push_back(3 * s + o);
        }
    const auto [bcov, bjac] = stats(groups);
    for (int l = 0; l < L; ++l)
        EXPECT_EQ(r.coverage_bootstrap[static_cast<size_t>(l)], bcov[static_cast<size_t>(l)]);
    for (int l = 0; l < L; ++l) {
        std::vector<double> v;
        for (int b = 0; b < 12; ++b)
            v.push_back(r.coverage_bootstrap[static_cast<size_t>(b * L + l)]);
        EXPECT_DOUBLE_EQ(r.layers[static_cast<size_t>(l)].coverage_ci_low,
                         percentileType7(v, 0.025));
        EXPECT_DOUBLE_EQ(r.layers[static_cast<size_t>(l)].coverage_ci_high,
                         percentileType7(v, 0.975));
    }
}

TEST(Significance, ResultsDoNotDependOnTheThreadCount) {
    test::RandomObsSpec spec;
    spec.samples = 30;
    const RoutingObservations obs = test::randomObservations(spec);
    SignificanceSettings one, three;
    one.permutations = three.permutations = 7;
    one.bootstrap = three.bootstrap = 5;
    one.seed = three.seed = 3;
    one.threads = 1;
    three.threads = 3;
    const auto a = computeSignificance(obs, EciVariant::Paper, {}, kAt(4), one);
    const auto b = computeSignificance(obs, EciVariant::Paper, {}, kAt(4), three);
    EXPECT_EQ(a.coverage_null, b.coverage_null);
    EXPECT_EQ(a.jaccard_null, b.jaccard_null);
    EXPECT_EQ(a.coverage_bootstrap, b.coverage_bootstrap);
    EXPECT_EQ(a.gini_bootstrap, b.gini_bootstrap);
}

TEST(Significance, ASetCancelFlagAbandonsTheReplicates) {
    test::RandomObsSpec spec;
    spec.samples = 30;
    const RoutingObservations obs = test::randomObservations(spec);
    std::atomic<bool> cancel{true};
    SignificanceSettings s;
    s.permutations = 50;
    s.bootstrap = 50;
    s.cancel = &cancel;
    EXPECT_THROW(computeSignificance(obs, EciVariant::Paper, {}, kAt(4), s), AnalysisCancelled);
    cancel = false;
    const auto r = computeSignificance(obs, EciVariant::Paper, {}, kAt(4), s);
    EXPECT_EQ(r.settings.cancel, nullptr);  // the result does not keep the caller's flag
    EXPECT_EQ(r.coverage_null.size(), size_t(50) * size_t(obs.num_layers));
}

TEST(Significance, DomainSpecificRoutingIsBelowTheNullAndIdenticalSamplesGiveZeroWidthIntervals) {
    test::RandomObsSpec spec;
    spec.samples = 60;
    spec.domains = 3;
    spec.domain_bias = 6.0;
    const RoutingObservations obs = test::randomObservations(spec);
    SignificanceSettings ss;
    ss.permutations = 19;
    ss.bootstrap = 10;
    const SignificanceResult r = computeSignificance(obs, EciVariant::Paper, {}, kAt(4), ss);
    for (int l = 0; l < obs.num_layers; ++l) {
        const LayerSignificance& s = r.layers[static_cast<size_t>(l)];
        // Disjoint domain top-k sets: Jaccard 0, the smallest value possible, so every
        // null value is >= it; few random splits separate the domains as well.
        EXPECT_EQ(s.jaccard, 0.0);
        EXPECT_DOUBLE_EQ(s.jaccard_p_greater, 1.0);
        int at_or_below = 0;
        for (int p = 0; p < 19; ++p)
            at_or_below += r.jaccard_null[static_cast<size_t>(p * obs.num_layers + l)] <= 0.0;
        EXPECT_DOUBLE_EQ(s.jaccard_p_less, (1.0 + at_or_below) / 20.0);
        EXPECT_LT(s.jaccard_p_less, 0.2);
        EXPECT_LE(s.gini_ci_low, s.gini_ci_high);
    }
    // One sample repeated: every bootstrap replicate equals the observed table.
    test::RandomObsSpec same;
    same.samples = 3;
    same.domains = 3;
    RoutingObservations rep = test::randomObservations(same);
    const SignificanceResult z = computeSignificance(rep, EciVariant::Paper, {}, kAt(2), ss);
    for (const auto& l : z.layers) {
        EXPECT_EQ(l.gini_ci_low, l.gini);
        EXPECT_EQ(l.gini_ci_high, l.gini);
    }
}

TEST(Significance, ASampleInTwoDomainsIsRejected) {
    test::RandomObsSpec spec;
    spec.samples = 4;
    spec.obs_per_sample = 2;
    RoutingObservations obs = test::randomObservations(spec);
    obs.obs_domain[1] = (obs.obs_domain[0] + 1) % obs.numDomains();
    SignificanceSettings ss;
    ss.permutations = 1;
    EXPECT_THROW(computeSignificance(obs, EciVariant::Paper, {}, kAt(2), ss), InputError);
}

}  // namespace
}  // namespace ca
