// Analysis speed on in-memory observations of the Qwen3-30B-A3B shape used by the issue's
// goal: 14,042 samples (MMLU test) x 48 layers x 128 experts, k = 8, last-token full
// softmax, 9 domains. (Trace reading is benchmarked separately.)
//
//   build-*/tests/analysis_bench --benchmark_min_time=1x   (see docs/benchmarks.md)
#include "core/analysis/audit.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace {

constexpr int kSamples = 14042, kLayers = 48, kExperts = 128, kTopK = 8, kDomains = 9;

// Softmax routing with a planted committee (experts 0..3 favoured in every domain) and
// domain-specific experts, so that committees, ranks and ties look realistic.
const ca::RoutingObservations& qwenShaped() {
    static const ca::RoutingObservations obs = [] {
        ca::RoutingObservations o;
        o.num_layers = kLayers;
        o.top_k = kTopK;
        o.num_experts = kExperts;
        for (int d = 0; d < kDomains; ++d) o.domain_names.push_back("domain" + std::to_string(d));
        o.obs_domain.resize(kSamples);
        o.obs_sample.resize(kSamples);
        o.obs_token.resize(kSamples);
        o.topk_experts.resize(static_cast<size_t>(kSamples) * kLayers * kTopK);
        o.topk_weights.resize(o.topk_experts.size());
        o.probs.resize(static_cast<size_t>(kSamples) * kLayers * kExperts);
        std::mt19937_64 rng(2601);
        std::uniform_real_distribution<float> u(0.0f, 1.0f);
        std::vector<float> z(kExperts);
        std::vector<int32_t> order(kExperts);
        for (int n = 0; n < kSamples; ++n) {
            const int d = n % kDomains;
            o.obs_domain[static_cast<size_t>(n)] = d;
            o.obs_sample[static_cast<size_t>(n)] = n;
            o.obs_token[static_cast<size_t>(n)] = n;
            for (int l = 0; l < kLayers; ++l) {
                float mx = -1e30f;
                for (int e = 0; e < kExperts; ++e) {
                    float v = 4.0f * u(rng);
                    if ((e + l) % 32 < 4) v += 2.0f;                        // committee
                    if ((e + 7 * l) % kDomains == d && e >= 32) v += 1.5f;  // domain experts
                    z[static_cast<size_t>(e)] = v;
                    mx = std::max(mx, v);
                }
                float sum = 0;
                for (float& v : z) sum += (v = std::exp(v - mx));
                float* p = o.probs.data() + (static_cast<size_t>(n) * kLayers + l) * kExperts;
                for (int e = 0; e < kExperts; ++e) p[e] = z[static_cast<size_t>(e)] / sum;
                std::iota(order.begin(), order.end(), 0);
                std::partial_sort(
                    order.begin(), order.begin() + kTopK, order.end(),
                    [&](int32_t a, int32_t b) { return p[a] != p[b] ? p[a] > p[b] : a < b; });
                const size_t base = (static_cast<size_t>(n) * kLayers + l) * kTopK;
                for (int j = 0; j < kTopK; ++j) {
                    o.topk_experts[base + j] = order[static_cast<size_t>(j)];
                    o.topk_weights[base + j] = p[order[static_cast<size_t>(j)]];
                }
            }
        }
        return o;
    }();
    return obs;
}

ca::AuditSettings settingsFor(ca::EciVariant variant) {
    ca::AuditSettings s;
    s.variant = variant;
    return s;
}

// The goal: the full audit (ECI, ranks, silhouette, committee, Jaccard, Gini,
// Lorenz, budget sweep, committee share), no permutations.
void BM_FullAudit(benchmark::State& state, ca::EciVariant variant) {
    const auto& obs = qwenShaped();
    ca::AuditSettings s = settingsFor(variant);
    s.threads = static_cast<int>(state.range(0));
    for (auto _ : state) benchmark::DoNotOptimize(ca::runAudit(obs, s));
}
BENCHMARK_CAPTURE(BM_FullAudit, paper, ca::EciVariant::Paper)
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_FullAudit, authors, ca::EciVariant::Authors)
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_FullAudit, frequency, ca::EciVariant::Frequency)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The parts, two threads.
void BM_Eci(benchmark::State& state, ca::EciVariant variant) {
    const auto& obs = qwenShaped();
    ca::EciOptions o;
    o.threads = 2;
    for (auto _ : state) benchmark::DoNotOptimize(ca::computeEci(obs, variant, o));
}
BENCHMARK_CAPTURE(BM_Eci, paper, ca::EciVariant::Paper)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_Eci, authors, ca::EciVariant::Authors)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_SilhouetteFullProbs(benchmark::State& state) {
    const auto& obs = qwenShaped();
    for (auto _ : state)
        benchmark::DoNotOptimize(ca::computeSilhouette(obs, ca::SilhouetteInput::FullProbs, 2));
}
BENCHMARK(BM_SilhouetteFullProbs)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_CommitteeJaccardGini(benchmark::State& state) {
    static const ca::EciTable eci = ca::computeEci(qwenShaped(), ca::EciVariant::Paper);
    for (auto _ : state) {
        const ca::RankTable ranks = ca::computeRanks(eci, kTopK);
        ca::CommitteeSettings cs;
        cs.k = kTopK;
        benchmark::DoNotOptimize(ca::computeCommittees(eci, ranks, cs));
        benchmark::DoNotOptimize(ca::computeJaccard(ranks));
        benchmark::DoNotOptimize(ca::computeConcentration(eci));
    }
}
BENCHMARK(BM_CommitteeJaccardGini)->Unit(benchmark::kMillisecond)->UseRealTime();

// Cost per permutation replicate (ECI + ranks + committee + Jaccard), two threads.
void BM_PermutationReplicates(benchmark::State& state, ca::EciVariant variant) {
    const auto& obs = qwenShaped();
    ca::CommitteeSettings cs;
    cs.k = kTopK;
    ca::SignificanceSettings ss;
    ss.permutations = static_cast<int>(state.range(0));
    ss.threads = 2;
    for (auto _ : state)
        benchmark::DoNotOptimize(ca::computeSignificance(obs, variant, {}, cs, ss));
}
BENCHMARK_CAPTURE(BM_PermutationReplicates, paper, ca::EciVariant::Paper)
    ->Arg(8)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_PermutationReplicates, authors, ca::EciVariant::Authors)
    ->Arg(8)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
