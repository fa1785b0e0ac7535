// Committee weight share per observation and the tokens routed to each expert.
#include "core/analysis/token_attribution.h"
#include "test_support.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

namespace ca {
namespace {

TEST(CommitteeShare, HandComputedWeightAndProbabilityShares) {
    RoutingObservations obs;
    obs.num_layers = 1;
    obs.top_k = 2;
    obs.num_experts = 3;
    obs.domain_names = {"x"};
    obs.obs_domain = {0, 0};
    obs.topk_experts = {1, 2, 0, 2};
    obs.topk_weights = {0.6f, 0.4f, 0.0f, 0.0f};
    obs.probs = {0.0f, 0.6f, 0.4f, 0.5f, 0.25f, 0.25f};
    const CommitteeShareResult r = computeCommitteeShare(obs, {{1}});
    EXPECT_FLOAT_EQ(r.weight_share[0], 0.6f);
    EXPECT_TRUE(std::isnan(r.weight_share[1]));  // weights sum to 0
    EXPECT_FLOAT_EQ(r.prob_share[0], 0.6f);
    EXPECT_FLOAT_EQ(r.prob_share[1], 0.25f);
    EXPECT_DOUBLE_EQ(r.mean_weight_share[0], static_cast<double>(0.6f));  // NaN left out
    EXPECT_NEAR(r.mean_prob_share[0], (0.6 + 0.25) / 2, 1e-7);
}

TEST(CommitteeShare, MatchesPlainLoopsOnRandomData) {
    test::RandomObsSpec spec;
    spec.samples = 40;
    const RoutingObservations obs = test::randomObservations(spec);
    const std::vector<std::vector<int>> committees = {{0, 3}, {}, {5}};
    const CommitteeShareResult r = computeCommitteeShare(obs, committees);
    for (int64_t n = 0; n < obs.size(); ++n)
        for (int l = 0; l < 3; ++l) {
            double in = 0, all = 0;
            for (int s = 0; s < obs.top_k; ++s) {
                const int e = obs.experts(n, l)[s];
                all += obs.weights(n, l)[s];
                for (int c : committees[static_cast<size_t>(l)])
                    in += c == e ? obs.weights(n, l)[s] : 0.0;
            }
            EXPECT_NEAR(r.weight_share[static_cast<size_t>(n * 3 + l)], in / all, 1e-6);
            double pin = 0;
            for (int c : committees[static_cast<size_t>(l)]) pin += obs.probsAt(n, l)[c];
            double ptot = 0;
            for (int e = 0; e < obs.num_experts; ++e) ptot += obs.probsAt(n, l)[e];
            EXPECT_NEAR(r.prob_share[static_cast<size_t>(n * 3 + l)], pin / ptot, 1e-6);
        }
}

TEST(ExpertTokens, CountsTokensPerDomainAndOrdersByCountThenId) {
    RoutingObservations obs;
    obs.num_layers = 1;
    obs.top_k = 2;
    obs.num_experts = 4;
    obs.domain_names = {"a", "b"};
    obs.obs_domain = {0, 1, 1, 0, 1};
    obs.topk_experts = {0, 1, 0, 2, 0, 1, 3, 1, 0, 1};
    obs.topk_weights.assign(10, 0.5f);
    const std::vector<int32_t> tokens = {7, 7, 5, 5, 9};
    TokenAttributionSettings ts;
    ts.top_n = 2;
    ts.min_count = 1;
    const auto r = computeExpertTokens(obs, tokens, ts);
    ASSERT_EQ(r.size(), 4u);  // experts 0, 1, 2, 3
    EXPECT_EQ(r[0].expert, 0);
    EXPECT_EQ(r[0].routed, 4);
    ASSERT_EQ(r[0].top.size(), 2u);
    EXPECT_EQ(r[0].top[0].token, 7);  // 7: twice (a, b); 5 and 9 once -> 5 first by id
    EXPECT_EQ(r[0].top[0].count, 2);
    EXPECT_EQ(r[0].top[0].by_domain, (std::vector<int64_t>{1, 1}));
    EXPECT_EQ(r[0].top[0].domains, 2);
    EXPECT_EQ(r[0].top[1].token, 5);
    EXPECT_EQ(r[1].expert, 1);
    EXPECT_EQ(r[3].expert, 3);
    EXPECT_EQ(r[3].top[0].token, 5);
}

TEST(ExpertTokens, MatchesAMapBasedCountOnRandomData) {
    test::RandomObsSpec spec;
    spec.samples = 200;
    spec.probs = false;
    const RoutingObservations obs = test::randomObservations(spec);
    std::mt19937_64 rng(4);
    std::vector<int32_t> tokens;
    for (int64_t n = 0; n < obs.size(); ++n) tokens.push_back(static_cast<int32_t>(rng() % 12) - 3);
    TokenAttributionSettings ts;
    ts.top_n = 3;
    ts.min_count = 2;
    const auto r = computeExpertTokens(obs, tokens, ts);
    size_t idx = 0;
    for (int l = 0; l < obs.num_layers; ++l) {
        std::map<int, std::map<int, std::vector<int64_t>>> counts;  // expert -> token -> per domain
        for (int64_t n = 0; n < obs.size(); ++n)
            for (int s = 0; s < obs.top_k; ++s) {
                auto& v = counts[obs.experts(n, l)[s]][tokens[static_cast<size_t>(n)]];
                v.resize(3, 0);
                ++v[static_cast<size_t>(obs.obs_domain[static_cast<size_t>(n)])];
            }
        for (auto& [expert, per_token] : counts) {
            ASSERT_LT(idx, r.size());
            const ExpertTokens& et = r[idx++];
            EXPECT_EQ(et.layer, l);
            EXPECT_EQ(et.expert, expert);
            std::vector<std::pair<int64_t, int>> ranked;
            for (auto& [tok, v] : per_token) ranked.push_back({-(v[0] + v[1] + v[2]), tok});
            std::sort(ranked.begin(), ranked.end());
            for (size_t i = 0; i < std::min<size_t>(3, ranked.size()); ++i) {
                EXPECT_EQ(et.top[i].token, ranked[i].second);
                EXPECT_EQ(et.top[i].count, -ranked[i].first);
                const auto& v = per_token[ranked[i].second];
                EXPECT_EQ(et.top[i].domains, (v[0] >= 2) + (v[1] >= 2) + (v[2] >= 2));
            }
        }
    }
    EXPECT_EQ(idx, r.size());
}

}  // namespace
}  // namespace ca
