// The engine's thread pool (core/capture/models/parallel.h): every index exactly once, nested
// loops, exceptions, back-to-back loops, the forward-pass thread scope, and the row-split torch
// ops (RMSNorm, RoPE) equal to the same ops on the whole tensor, bit for bit.
#include <atomic>
#include <stdexcept>
#include <vector>

#include <ATen/Parallel.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/capture/models/parallel.h"
#include "core/capture/models/rms_norm.h"
#include "core/capture/models/rope.h"

namespace ca::test {
namespace {

class ParallelFor : public ::testing::Test {
protected:
    void SetUp() override {
        threads_ = at::get_num_threads();
        at::set_num_threads(2);
    }
    void TearDown() override { at::set_num_threads(threads_); }
    int threads_ = 1;
};

TEST_F(ParallelFor, VisitsEveryIndexExactlyOnce) {
    std::vector<std::atomic<int>> visits(1000);
    capture::parallelFor(1000, [&](int64_t i) { visits[size_t(i)]++; });
    for (size_t i = 0; i < visits.size(); ++i) EXPECT_EQ(visits[i].load(), 1) << "index " << i;
}

TEST_F(ParallelFor, RethrowsABodysException) {
    EXPECT_THROW(capture::parallelFor(100,
                                      [](int64_t i) {
                                          if (i == 37) throw std::runtime_error("item 37");
                                      }),
                 std::runtime_error);
}

TEST_F(ParallelFor, NothingToDoCallsNothing) {
    capture::parallelFor(0, [](int64_t) { FAIL(); });
}

TEST_F(ParallelFor, ALoopInsideABodyRunsOnThatThread) {
    std::vector<std::atomic<int>> visits(40 * 30);
    capture::parallelFor(40, [&](int64_t i) {
        capture::parallelFor(30, [&](int64_t j) { visits[size_t(i * 30 + j)]++; });
    });
    for (size_t i = 0; i < visits.size(); ++i) EXPECT_EQ(visits[i].load(), 1) << "index " << i;
}

TEST_F(ParallelFor, ThousandsOfBackToBackLoopsLoseNothing) {
    // A worker waking late must not run an item of a finished loop (whose body is gone).
    for (int round = 0; round < 3000; ++round) {
        std::atomic<int64_t> sum{0};
        const int64_t n = 1 + round % 7;
        capture::parallelFor(n, [&](int64_t i) { sum += i + 1; });
        ASSERT_EQ(sum.load(), n * (n + 1) / 2) << "round " << round;
    }
}

TEST_F(ParallelFor, RowRangesCoverEveryRowOnce) {
    for (int64_t rows : {1, 7, 8, 9, 100, 513}) {
        std::vector<std::atomic<int>> visits(static_cast<size_t>(rows));
        capture::parallelRows(rows, 8, [&](int64_t begin, int64_t end) {
            EXPECT_LT(begin, end);
            for (int64_t r = begin; r < end; ++r) visits[size_t(r)]++;
        });
        for (int64_t r = 0; r < rows; ++r) EXPECT_EQ(visits[size_t(r)].load(), 1) << rows;
    }
}

TEST_F(ParallelFor, AForwardPassScopeRunsTorchSingleThreadedAndTheLoopsOnTheConfiguredThreads) {
    {
        capture::ForwardThreads scope;
        EXPECT_EQ(at::get_num_threads(), 1);
        EXPECT_EQ(capture::kernelThreads(), 2);
    }
    EXPECT_EQ(at::get_num_threads(), 2);
    EXPECT_EQ(capture::kernelThreads(), 2);
}

// The reference formulas of rms_norm.cpp and rope.cpp, on the whole tensor at once.
torch::Tensor wholeRmsNorm(const torch::Tensor& x, const torch::Tensor& w, double eps) {
    torch::Tensor h = x.to(torch::kFloat32);
    h = h * torch::rsqrt(h.pow(2).mean(-1, true) + eps);
    return w * h.to(x.scalar_type());
}
torch::Tensor wholeRope(const torch::Tensor& x, const capture::RopeAngles& a) {
    const int64_t half = x.size(-1) / 2;
    torch::Tensor cos = torch::cat({a.cos, a.cos}, -1).to(x.scalar_type()).unsqueeze(1);
    torch::Tensor sin = torch::cat({a.sin, a.sin}, -1).to(x.scalar_type()).unsqueeze(1);
    torch::Tensor rotated = torch::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1);
    return x * cos + rotated * sin;
}

TEST_F(ParallelFor, RowSplitRmsNormAndRopeEqualTheWholeTensorOpsBitForBit) {
    torch::manual_seed(4);
    for (torch::ScalarType dtype : {torch::kFloat32, torch::kBFloat16}) {
        // 301 positions: ranges of unequal length; 16 heads of 64 as in a projection's output.
        const torch::Tensor x = (torch::randn({301, 1024}) * 3).to(dtype);
        const torch::Tensor w = torch::rand({1024}).to(dtype);
        capture::ForwardThreads scope;
        EXPECT_TRUE(capture::rmsNorm(x, w, 1e-5).equal(wholeRmsNorm(x, w, 1e-5)));
        const torch::Tensor heads = x.view({301, 16, 64});
        const capture::RopeAngles angles =
            capture::ropeAngles(capture::defaultInvFreq(64, 10000.0), 301, 1.0, torch::kCPU);
        EXPECT_TRUE(capture::applyRopeNeox(heads, angles).equal(wholeRope(heads, angles)));
    }
}

}  // namespace
}  // namespace ca::test
