// The MoE weighted-sum rows (core/capture/models/weighted_sum.h) against the torch ops they
// stand for, `acc + y * w` in the row's dtype, bit for bit: random rows of odd length (the
// vector tail), exact ties of bf16 rounding, infinities and NaN.
#include <cmath>
#include <limits>
#include <vector>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/capture/models/weighted_sum.h"

namespace ca::test {
namespace {

using capture::addScaledRow;

torch::Tensor rowWithSpecialValues(int64_t n, int seed) {
    torch::manual_seed(seed);
    torch::Tensor v = torch::randn({n}) * 4;
    v[0] = std::numeric_limits<float>::infinity();
    v[1] = -std::numeric_limits<float>::infinity();
    v[2] = std::numeric_limits<float>::quiet_NaN();
    v[3] = 1.0f + 1.0f / 256;  // exactly between two bf16 values
    v[4] = 0.0f;
    return v;
}

// NaN == NaN for the comparison (torch::equal says no).
void expectSameBits(const torch::Tensor& got, const torch::Tensor& want) {
    const torch::Tensor g = got.to(torch::kFloat32), w = want.to(torch::kFloat32);
    for (int64_t i = 0; i < g.numel(); ++i) {
        const float a = g[i].item<float>(), b = w[i].item<float>();
        if (std::isnan(b))
            EXPECT_TRUE(std::isnan(a)) << i;
        else
            EXPECT_EQ(a, b) << i;
    }
}

TEST(WeightedSumRow, Bf16RoundsTheProductThenTheSumLikeTorch) {
    const int64_t n = 37;
    torch::Tensor acc = rowWithSpecialValues(n, 1).to(torch::kBFloat16);
    const torch::Tensor y = rowWithSpecialValues(n, 2).to(torch::kBFloat16);
    const torch::Tensor w = torch::tensor({0.37f}).to(torch::kBFloat16);
    const torch::Tensor want = acc + y * w;
    addScaledRow(acc.data_ptr<c10::BFloat16>(), y.data_ptr<c10::BFloat16>(),
                 w.data_ptr<c10::BFloat16>()[0], n);
    expectSameBits(acc, want);
}

TEST(WeightedSumRow, Float32RoundsTheProductBeforeTheSum) {
    const int64_t n = 37;
    torch::Tensor acc = rowWithSpecialValues(n, 3);
    const torch::Tensor y = rowWithSpecialValues(n, 4);
    const torch::Tensor want = acc + y * 0.37f;
    addScaledRow(acc.data_ptr<float>(), y.data_ptr<float>(), 0.37f, n);
    expectSameBits(acc, want);
}

TEST(WeightedSumRow, Bf16OutputsSumInFloat32) {
    const int64_t n = 37;
    torch::Tensor acc = rowWithSpecialValues(n, 5);
    const torch::Tensor y = rowWithSpecialValues(n, 6).to(torch::kBFloat16);
    const torch::Tensor want = acc + y.to(torch::kFloat32) * 0.37f;
    addScaledRow(acc.data_ptr<float>(), y.data_ptr<c10::BFloat16>(), 0.37f, n);
    expectSameBits(acc, want);
}

}  // namespace
}  // namespace ca::test
