// Stage II: silhouette with cosine distance (paper-spec B3), O(N*D*E) vs pairwise.
#include "core/analysis/silhouette.h"
#include "core/util/input_error.h"
#include "test_support.h"

#include <gtest/gtest.h>

#include <cmath>

namespace ca {
namespace {

// One layer, E = 2, observations given by their probability vectors.
RoutingObservations vectors(const std::vector<std::array<float, 2>>& v,
                            const std::vector<int32_t>& domain, int D) {
    RoutingObservations obs;
    obs.num_layers = 1;
    obs.top_k = 1;
    obs.num_experts = 2;
    for (int d = 0; d < D; ++d) obs.domain_names.push_back("d" + std::to_string(d));
    for (size_t i = 0; i < v.size(); ++i) {
        obs.obs_domain.push_back(domain[i]);
        obs.obs_sample.push_back(static_cast<int64_t>(i));
        obs.probs.push_back(v[i][0]);
        obs.probs.push_back(v[i][1]);
        const int top = v[i][1] > v[i][0] ? 1 : 0;
        obs.topk_experts.push_back(top);
        obs.topk_weights.push_back(v[i][static_cast<size_t>(top)]);
    }
    return obs;
}

// sklearn-style silhouette_samples with explicit pairwise cosine distances.
std::vector<double> naiveSilhouette(const std::vector<std::vector<double>>& x,
                                    const std::vector<int32_t>& label, int D) {
    const size_t N = x.size();
    auto dist = [&](size_t i, size_t j) {
        double dot = 0, ni = 0, nj = 0;
        for (size_t e = 0; e < x[i].size(); ++e) {
            dot += x[i][e] * x[j][e];
            ni += x[i][e] * x[i][e];
            nj += x[j][e] * x[j][e];
        }
        const double sim = (ni > 0 && nj > 0) ? dot / (std::sqrt(ni) * std::sqrt(nj)) : 0.0;
        return std::clamp(1.0 - sim, 0.0, 2.0);
    };
    std::vector<int> count(static_cast<size_t>(D), 0);
    for (int32_t l : label) ++count[static_cast<size_t>(l)];
    std::vector<double> s(N);
    for (size_t i = 0; i < N; ++i) {
        std::vector<double> sum(static_cast<size_t>(D), 0.0);
        for (size_t j = 0; j < N; ++j)
            if (j != i) sum[static_cast<size_t>(label[j])] += dist(i, j);
        const int own = label[i];
        if (count[static_cast<size_t>(own)] == 1) {
            s[i] = 0;
            continue;
        }
        const double a = sum[static_cast<size_t>(own)] / (count[static_cast<size_t>(own)] - 1);
        double b = 1e300;
        for (int d = 0; d < D; ++d)
            if (d != own && count[static_cast<size_t>(d)] > 0)
                b = std::min(b, sum[static_cast<size_t>(d)] / count[static_cast<size_t>(d)]);
        s[i] = std::max(a, b) > 0 ? (b - a) / std::max(a, b) : 0.0;
    }
    return s;
}

TEST(Silhouette, HandComputedTwoDomainCase) {
    // A = {(1,0), (1,1)}, B = {(0,1)}: d((1,0),(1,1)) = 1 - 1/sqrt2, d((1,0),(0,1)) = 1.
    const RoutingObservations obs = vectors({{1, 0}, {1, 1}, {0, 1}}, {0, 0, 1}, 2);
    const std::vector<double> s = silhouetteSamples(obs, 0, SilhouetteInput::FullProbs);
    const double c = 1 - 1 / std::sqrt(2.0);
    EXPECT_NEAR(s[0], (1 - c) / 1, 1e-12);
    EXPECT_NEAR(s[1], 0.0, 1e-12);  // a = b = c
    EXPECT_EQ(s[2], 0.0);           // alone in its domain
    const SilhouetteResult r = computeSilhouette(obs, SilhouetteInput::FullProbs);
    EXPECT_EQ(r.input, SilhouetteInput::FullProbs);
    EXPECT_NEAR(r.at(0, 0), (1 - c) / 2, 1e-12);
    EXPECT_EQ(r.at(0, 1), 0.0);
    EXPECT_NEAR(r.layer_scores[0], (1 - c) / 3, 1e-12);
}

TEST(Silhouette, PerfectlySeparatedDomainsScoreOne) {
    const RoutingObservations obs = vectors({{1, 0}, {2, 0}, {0, 1}, {0, 3}}, {0, 0, 1, 1}, 2);
    for (double v : silhouetteSamples(obs, 0, SilhouetteInput::FullProbs))
        EXPECT_NEAR(v, 1.0, 1e-12);
}

TEST(Silhouette, ZeroVectorsAreAtDistanceOneAndOneDomainIsUndefined) {
    const RoutingObservations obs = vectors({{0, 0}, {1, 0}, {0, 1}, {0, 1}}, {0, 0, 1, 1}, 2);
    const std::vector<double> s = silhouetteSamples(obs, 0, SilhouetteInput::FullProbs);
    const auto naive = naiveSilhouette({{0, 0}, {1, 0}, {0, 1}, {0, 1}}, {0, 0, 1, 1}, 2);
    for (size_t i = 0; i < 4; ++i) EXPECT_NEAR(s[i], naive[i], 1e-12);
    const RoutingObservations single = vectors({{1, 0}, {0, 1}}, {0, 0}, 1);
    EXPECT_TRUE(std::isnan(computeSilhouette(single).layer_scores[0]));
}

TEST(Silhouette, MatchesPairwiseCosineOnRandomFullProbabilities) {
    test::RandomObsSpec spec;
    spec.samples = 61;  // domain sizes 21, 20, 20
    spec.domains = 3;
    spec.domain_bias = 1.5;
    const RoutingObservations obs = test::randomObservations(spec);
    const SilhouetteResult r = computeSilhouette(obs, SilhouetteInput::FullProbs, 2);
    for (int l = 0; l < obs.num_layers; ++l) {
        std::vector<std::vector<double>> x;
        for (int64_t i = 0; i < obs.size(); ++i) {
            const float* p = obs.probsAt(i, l);
            x.emplace_back(p, p + obs.num_experts);
        }
        const auto naive = naiveSilhouette(x, obs.obs_domain, 3);
        const auto fast = silhouetteSamples(obs, l, SilhouetteInput::FullProbs);
        double total = 0;
        for (size_t i = 0; i < naive.size(); ++i) {
            EXPECT_NEAR(fast[i], naive[i], 1e-10);
            total += naive[i];
        }
        EXPECT_NEAR(r.layer_scores[static_cast<size_t>(l)],
                    total / static_cast<double>(naive.size()), 1e-10);
    }
}

TEST(Silhouette, MatchesPairwiseCosineOnSparseTopkVectors) {
    test::RandomObsSpec spec;
    spec.samples = 45;
    spec.domains = 4;
    spec.experts = 8;
    spec.top_k = 2;
    spec.probs = false;
    spec.domain_bias = 2.0;
    const RoutingObservations obs = test::randomObservations(spec);
    const SilhouetteResult r = computeSilhouette(obs);  // Auto -> TopkWeights
    EXPECT_EQ(r.input, SilhouetteInput::TopkWeights);
    for (int l = 0; l < obs.num_layers; ++l) {
        std::vector<std::vector<double>> x;
        for (int64_t i = 0; i < obs.size(); ++i) {
            std::vector<double> v(8, 0.0);
            for (int s = 0; s < 2; ++s)
                v[static_cast<size_t>(obs.experts(i, l)[s])] = obs.weights(i, l)[s];
            x.push_back(v);
        }
        const auto naive = naiveSilhouette(x, obs.obs_domain, 4);
        for (int d = 0; d < 4; ++d) {
            double sum = 0;
            int n = 0;
            for (size_t i = 0; i < naive.size(); ++i)
                if (obs.obs_domain[i] == d) sum += naive[i], ++n;
            EXPECT_NEAR(r.at(l, d), sum / n, 1e-10);
        }
    }
}

TEST(Silhouette, ResultsDoNotDependOnTheThreadCount) {
    test::RandomObsSpec spec;
    spec.layers = 5;
    spec.domains = 11;  // more than one chunk width, fewer than 16
    spec.samples = 70;
    const RoutingObservations obs = test::randomObservations(spec);
    for (SilhouetteInput in : {SilhouetteInput::FullProbs, SilhouetteInput::TopkWeights}) {
        const SilhouetteResult a = computeSilhouette(obs, in, 1), b = computeSilhouette(obs, in, 3);
        EXPECT_EQ(a.domain_scores, b.domain_scores);
        EXPECT_EQ(a.layer_scores, b.layer_scores);
    }
}

TEST(Silhouette, ManyDomainsUseSeveralChunks) {
    test::RandomObsSpec spec;
    spec.layers = 1;
    spec.domains = 19;
    spec.samples = 60;
    spec.experts = 9;
    spec.top_k = 2;
    const RoutingObservations obs = test::randomObservations(spec);
    std::vector<std::vector<double>> x;
    for (int64_t i = 0; i < obs.size(); ++i)
        x.emplace_back(obs.probsAt(i, 0), obs.probsAt(i, 0) + 9);
    const auto naive = naiveSilhouette(x, obs.obs_domain, 19);
    const auto fast = silhouetteSamples(obs, 0, SilhouetteInput::FullProbs);
    for (size_t i = 0; i < naive.size(); ++i) EXPECT_NEAR(fast[i], naive[i], 1e-10);
}

TEST(Silhouette, FullProbabilitiesMustBeRecordedWhenAskedFor) {
    test::RandomObsSpec spec;
    spec.probs = false;
    EXPECT_THROW(computeSilhouette(test::randomObservations(spec), SilhouetteInput::FullProbs),
                 InputError);
}

}  // namespace
}  // namespace ca
