// parallelFor (core/capture/models/parallel.h): every index exactly once, on two threads, and a
// body's exception reaches the caller.
#include <atomic>
#include <stdexcept>
#include <vector>

#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include "core/capture/models/parallel.h"

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

}  // namespace
}  // namespace ca::test
