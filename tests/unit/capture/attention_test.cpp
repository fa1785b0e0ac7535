// causalAttention (own kernels on AVX-512 CPUs, torch's matmul elsewhere) against a naive
// double-precision causal softmax attention, with grouped-query heads and a length that is not
// a multiple of the kernels' blocks.
#include <cmath>
#include <vector>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/capture/models/attention.h"

namespace ca::test {
namespace {

// out[t, h·dv + j] = Σ_{s ≤ t} softmax_s(q[t,h]·k[s,g]·scale) · v[s,g,j], g = h / (Hq/Hkv).
torch::Tensor naiveAttention(const torch::Tensor& q, const torch::Tensor& k,
                             const torch::Tensor& v, double scale) {
    const int64_t T = q.size(0), Hq = q.size(1), Hkv = k.size(1), d = q.size(2), dv = v.size(2);
    const torch::Tensor qd = q.to(torch::kFloat64), kd = k.to(torch::kFloat64),
                        vd = v.to(torch::kFloat64);
    auto Q = qd.accessor<double, 3>();
    auto K = kd.accessor<double, 3>();
    auto V = vd.accessor<double, 3>();
    torch::Tensor out = torch::zeros({T, Hq * dv}, torch::kFloat64);
    auto O = out.accessor<double, 2>();
    for (int64_t h = 0; h < Hq; ++h) {
        const int64_t g = h / (Hq / Hkv);
        for (int64_t t = 0; t < T; ++t) {
            std::vector<double> p(size_t(t + 1));
            double mx = -INFINITY, z = 0;
            for (int64_t s = 0; s <= t; ++s) {
                double dot = 0;
                for (int64_t i = 0; i < d; ++i) dot += Q[t][h][i] * K[s][g][i];
                p[s] = dot * scale;
                mx = std::max(mx, p[s]);
            }
            for (double& x : p) z += (x = std::exp(x - mx));
            for (int64_t s = 0; s <= t; ++s)
                for (int64_t j = 0; j < dv; ++j) O[t][h * dv + j] += p[s] / z * V[s][g][j];
        }
    }
    return out;
}

void expectAttention(torch::ScalarType dtype, double tolerance) {
    torch::manual_seed(21);
    const int64_t T = 150, Hq = 4, Hkv = 2, d = 48, dv = 40;
    const torch::Tensor q = torch::randn({T, Hq, d}).to(dtype);
    const torch::Tensor k = torch::randn({T, Hkv, d}).to(dtype);
    // v as a strided view, as DeepSeek's narrow of kv_b_proj's output is.
    const torch::Tensor v = torch::randn({T, Hkv, dv + 8}).to(dtype).narrow(2, 8, dv);
    const int threads = at::get_num_threads();
    at::set_num_threads(2);
    const torch::Tensor out = capture::causalAttention(q, k, v, 0.125);
    at::set_num_threads(threads);
    ASSERT_EQ(out.sizes(), (std::vector<int64_t>{T, Hq * dv}));
    const double worst =
        (out.to(torch::kFloat64) - naiveAttention(q, k, v, 0.125)).abs().max().item<double>();
    EXPECT_LT(worst, tolerance);
}

TEST(CausalAttention, Fp32MatchesTheNaiveSoftmaxAttention) { expectAttention(torch::kFloat32, 1e-5); }

TEST(CausalAttention, Bf16MatchesTheNaiveSoftmaxAttentionToBf16Precision) {
    // Scores, probabilities and outputs are each rounded to bf16 (8 bits), as in the reference.
    expectAttention(torch::kBFloat16, 3e-2);
}

// Three sequences packed into one call attend only to themselves: each one's rows equal the
// rows of a call on that sequence alone, bit for bit (lengths across the 64-row blocks).
void expectPackedEqualsAlone(torch::ScalarType dtype) {
    torch::manual_seed(5);
    const std::vector<int64_t> lengths{70, 1, 33};
    const int64_t R = 104, Hq = 4, Hkv = 2, d = 32, dv = 24;
    const torch::Tensor q = torch::randn({R, Hq, d}).to(dtype);
    const torch::Tensor k = torch::randn({R, Hkv, d}).to(dtype);
    const torch::Tensor v = torch::randn({R, Hkv, dv}).to(dtype);
    const capture::PackedBatch batch = capture::PackedBatch::ofLengths(lengths);
    const torch::Tensor packed = capture::causalAttention(q, k, v, 0.2, batch);
    for (int64_t i = 0; i < batch.sequences(); ++i) {
        const int64_t s = batch.start(i), n = batch.length(i);
        const torch::Tensor alone = capture::causalAttention(
            q.narrow(0, s, n).contiguous(), k.narrow(0, s, n).contiguous(),
            v.narrow(0, s, n).contiguous(), 0.2);
        EXPECT_TRUE(torch::equal(packed.narrow(0, s, n), alone)) << "sequence " << i;
        // and against the independent computation
        EXPECT_LT((alone.to(torch::kFloat64) -
                   naiveAttention(q.narrow(0, s, n), k.narrow(0, s, n), v.narrow(0, s, n), 0.2))
                      .abs()
                      .max()
                      .item<double>(),
                  dtype == torch::kFloat32 ? 1e-5 : 3e-2);
    }
}

TEST(CausalAttention, PackedSequencesEqualEachSequenceAloneInFp32) {
    expectPackedEqualsAlone(torch::kFloat32);
}

TEST(CausalAttention, PackedSequencesEqualEachSequenceAloneInBf16) {
    expectPackedEqualsAlone(torch::kBFloat16);
}

}  // namespace
}  // namespace ca::test
