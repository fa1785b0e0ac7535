// The own x · wᵀ kernels (core/capture/models/gemm.h) against a naive double-precision loop, on
// shapes that exercise every partial tile and K tail, strided rows, and the fallback.
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/capture/models/gemm.h"

namespace ca::test {
namespace {

using namespace ca::capture;

// y[m][n] = Σ_k x[m][k] · w[n][k] in double, and Σ_k |x[m][k] · w[n][k]| (the error scale).
struct Naive {
    std::vector<double> y, scale;
};
Naive naiveProduct(const torch::Tensor& x, const torch::Tensor& w) {
    const torch::Tensor xd = x.to(torch::kFloat64).contiguous();
    const torch::Tensor wd = w.to(torch::kFloat64).contiguous();
    const int64_t M = x.size(0), N = w.size(0), K = x.size(1);
    const double* xp = xd.data_ptr<double>();
    const double* wp = wd.data_ptr<double>();
    Naive out{std::vector<double>(size_t(M * N)), std::vector<double>(size_t(M * N))};
    for (int64_t m = 0; m < M; ++m)
        for (int64_t n = 0; n < N; ++n)
            for (int64_t k = 0; k < K; ++k) {
                out.y[size_t(m * N + n)] += xp[m * K + k] * wp[n * K + k];
                out.scale[size_t(m * N + n)] += std::abs(xp[m * K + k] * wp[n * K + k]);
            }
    return out;
}

// Every entry of y equals the naive product: within float32 accumulation error, plus half a
// bf16 step when the result was rounded to bf16.
void expectProduct(const torch::Tensor& y, const torch::Tensor& x, const torch::Tensor& w) {
    ASSERT_EQ(y.size(0), x.size(0));
    ASSERT_EQ(y.size(1), w.size(0));
    ASSERT_EQ(y.scalar_type(), x.scalar_type());
    const Naive ref = naiveProduct(x, w);
    const torch::Tensor yd = y.to(torch::kFloat64).contiguous();
    const double rounding = y.scalar_type() == torch::kBFloat16 ? std::ldexp(1.0, -8) : 0.0;
    for (int64_t i = 0; i < y.numel(); ++i) {
        const double got = yd.data_ptr<double>()[i], want = ref.y[size_t(i)];
        EXPECT_NEAR(got, want, 2e-6 * ref.scale[size_t(i)] + rounding * std::abs(want) + 1e-30)
            << "entry " << i / y.size(1) << ", " << i % y.size(1);
    }
}

torch::Tensor randomMatrix(int64_t rows, int64_t cols, torch::ScalarType dtype, int seed) {
    torch::manual_seed(seed);
    return torch::randn({rows, cols}).to(dtype);
}

class GemmKernel : public ::testing::TestWithParam<torch::ScalarType> {
protected:
    void SetUp() override {
        if (!gemm::available(GetParam())) GTEST_SKIP() << "no AVX-512 kernel for this dtype here";
    }
};

TEST_P(GemmKernel, EveryPartialTileAndKTailMatchesTheNaiveProduct) {
    const torch::ScalarType dtype = GetParam();
    int seed = 0;
    for (int64_t M : {1, 3, 4, 5, 9})
        for (int64_t N : {1, 2, 4, 7, 13})
            for (int64_t K : {1, 15, 16, 17, 31, 32, 33, 100}) {
                SCOPED_TRACE(testing::Message() << "M " << M << " N " << N << " K " << K);
                const torch::Tensor x = randomMatrix(M, K, dtype, ++seed);
                const torch::Tensor w = randomMatrix(N, K, dtype, ++seed);
                expectProduct(gemm::linear(x, w), x, w);
            }
}

TEST_P(GemmKernel, ModelSizedShapesAcrossThreadsMatchTheNaiveProduct) {
    const torch::ScalarType dtype = GetParam();
    const int threads = at::get_num_threads();
    at::set_num_threads(2);
    // An expert batch (odd row count) and a dense projection's K.
    const torch::Tensor x = randomMatrix(37, 2048, dtype, 1);
    const torch::Tensor w = randomMatrix(70, 2048, dtype, 2);
    expectProduct(gemm::linear(x, w), x, w);
    at::set_num_threads(threads);
}

TEST_P(GemmKernel, StridedRowsAreReadInPlace) {
    const torch::ScalarType dtype = GetParam();
    // Rows of x are every other row of a wider matrix, w a column block: both unit stride in K.
    const torch::Tensor big = randomMatrix(12, 80, dtype, 3);
    const torch::Tensor x = big.slice(0, 0, 12, 2).narrow(1, 5, 40);
    const torch::Tensor w = randomMatrix(9, 100, dtype, 4).narrow(1, 60, 40);
    ASSERT_FALSE(x.is_contiguous());
    expectProduct(gemm::linear(x, w), x, w);
}

template <typename T>
gemm::Product<T> rawProduct(const torch::Tensor& x, const torch::Tensor& w, T* y, int64_t ldy) {
    return gemm::Product<T>{x.data_ptr<T>(), x.stride(0), w.data_ptr<T>(), w.stride(0), y, ldy,
                            x.size(0), w.size(0), x.size(1)};
}

TEST_P(GemmKernel, RawProductsWriteOnlyTheirBlocksOfALargerOutput) {
    const torch::ScalarType dtype = GetParam();
    // Two products side by side in one output (as attention heads are), run as one batch on
    // two threads, the first large enough to be split into several chunks of w rows.
    const torch::Tensor x1 = randomMatrix(40, 300, dtype, 5), w1 = randomMatrix(150, 300, dtype, 6);
    const torch::Tensor x2 = randomMatrix(6, 48, dtype, 7), w2 = randomMatrix(5, 48, dtype, 8);
    torch::Tensor y = torch::full({40, 160}, 7.0, torch::TensorOptions().dtype(dtype));
    const int threads = at::get_num_threads();
    at::set_num_threads(2);
    if (dtype == torch::kFloat32) {
        gemm::gemmBatch<float>({rawProduct(x1, w1, y.data_ptr<float>() + 1, 160),
                                rawProduct(x2, w2, y.data_ptr<float>() + 152, 160)});
    } else {
        using B = c10::BFloat16;
        gemm::gemmBatch<B>({rawProduct(x1, w1, y.data_ptr<B>() + 1, 160),
                            rawProduct(x2, w2, y.data_ptr<B>() + 152, 160)});
    }
    at::set_num_threads(threads);
    expectProduct(y.narrow(1, 1, 150), x1, w1);
    expectProduct(y.narrow(1, 152, 5).narrow(0, 0, 6), x2, w2);
    EXPECT_TRUE(y.select(1, 0).eq(7).all().item<bool>());
    EXPECT_TRUE(y.select(1, 151).eq(7).all().item<bool>());
    EXPECT_TRUE(y.narrow(1, 152, 5).narrow(0, 6, 34).eq(7).all().item<bool>());
    EXPECT_TRUE(y.narrow(1, 157, 3).eq(7).all().item<bool>());
}

TEST(GemmBf16, OutputIsTheFloatSumRoundedToNearestEven) {
    if (!gemm::available(torch::kBFloat16)) GTEST_SKIP() << "no AVX512-BF16 here";
    // 1 + 2^-8 lies exactly between the bf16 neighbours 1 and 1 + 2^-7 and rounds to the even
    // one, 1; 1 + 3·2^-8 lies between 1 + 2^-7 and 1 + 2^-6 and rounds to the even 1 + 2^-6;
    // an infinite input gives inf, inf - inf NaN (torch's NaN, 0x7FC0). The float32 sums are
    // exact, so only the rounding is tested. Five columns: a full tile and a partial one.
    const float inf = std::numeric_limits<float>::infinity();
    const torch::Tensor x = torch::tensor({1.0f, 1.0f}).to(torch::kBFloat16).view({1, 2});
    const torch::Tensor w = torch::tensor({1.0f, 0.00390625f, 1.0f, 0.01171875f, inf, 1.0f, inf,
                                           -inf, -1.0f, -0.00390625f})
                                .to(torch::kBFloat16)
                                .view({5, 2});
    const torch::Tensor y = gemm::linear(x, w);
    const torch::Tensor yf = y.to(torch::kFloat32);
    EXPECT_EQ(yf[0][0].item<float>(), 1.0f);
    EXPECT_EQ(yf[0][1].item<float>(), 1.015625f);
    EXPECT_EQ(yf[0][2].item<float>(), inf);
    EXPECT_EQ(y[0][3].view(torch::kInt16).item<int16_t>(), int16_t(0x7FC0));
    EXPECT_EQ(yf[0][4].item<float>(), -1.0f);  // -1 - 2^-8 rounds to the even -1
}

INSTANTIATE_TEST_SUITE_P(Fp32AndBf16, GemmKernel,
                         ::testing::Values(torch::kFloat32, torch::kBFloat16),
                         [](const ::testing::TestParamInfo<torch::ScalarType>& p) {
                             return p.param == torch::kFloat32 ? "fp32" : "bf16";
                         });

TEST(Gemm, OtherDtypesFallBackToTorchLinear) {
    const torch::Tensor x = randomMatrix(3, 20, torch::kFloat64, 7);
    const torch::Tensor w = randomMatrix(4, 20, torch::kFloat64, 8);
    EXPECT_TRUE(gemm::linear(x, w).equal(torch::linear(x, w)));
}

}  // namespace
}  // namespace ca::test
