// BulkVector: a std::vector whose big blocks are mapped on 2 MiB boundaries and whose
// resize() does not zero-fill; everything else behaves like std::vector.
#include "core/util/background_prefault.h"
#include "core/util/bulk_allocator.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <numeric>
#include <vector>

namespace ca {
namespace {

TEST(BulkVector, SmallAndLargeBlocksHoldWhatIsWritten) {
    for (size_t n : {size_t{0}, size_t{1}, size_t{1000}, (bulk::kMappedBytes / sizeof(float)) + 12345}) {
        BulkVector<float> v(n, 0.5f);
        ASSERT_EQ(v.size(), n);
        for (float x : v) ASSERT_EQ(x, 0.5f);
        std::iota(v.begin(), v.end(), 1.0f);
        for (size_t i = 0; i < n; i += 997) ASSERT_EQ(v[i], static_cast<float>(i + 1));
    }
}

TEST(BulkVector, LargeBlocksStartOnAHugePageBoundary) {
    BulkVector<int32_t> v;
    v.reserve(bulk::kMappedBytes / sizeof(int32_t));
    EXPECT_EQ(reinterpret_cast<uintptr_t>(v.data()) % (uintptr_t{2} << 20), 0u);
    BulkVector<int32_t> small(16);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(small.data()) % alignof(int32_t), 0u);
}

TEST(BulkVector, GrowsAcrossTheMappingThresholdKeepingItsValues) {
    // push_back reallocates from heap blocks to mapped ones and between mapped ones.
    BulkVector<int32_t> v;
    const size_t n = 3 * bulk::kMappedBytes / sizeof(int32_t);
    for (size_t i = 0; i < n; ++i) v.push_back(static_cast<int32_t>(i * 7));
    for (size_t i = 0; i < n; i += 101) ASSERT_EQ(v[i], static_cast<int32_t>(i * 7));
    v.shrink_to_fit();
    v.resize(10);
    v.shrink_to_fit();   // back to a heap block
    EXPECT_EQ(v[9], 63);
}

TEST(BulkVector, ExplicitValuesStillInitialise) {
    // resize(n) leaves values indeterminate; resize(n, value) and assign fill them.
    BulkVector<float> v;
    v.resize(bulk::kMappedBytes / sizeof(float), 0.0f);
    EXPECT_EQ(std::accumulate(v.begin(), v.end(), 0.0), 0.0);
    v.assign(v.size(), 2.0f);
    EXPECT_EQ(v.front() + v.back(), 4.0f);
    const BulkVector<float> copy = v;
    EXPECT_EQ(copy, v);
    EXPECT_EQ((BulkVector<float>{1.0f, 2.0f}), (BulkVector<float>{1.0f, 2.0f}));
}

TEST(BackgroundPrefault, NeverChangesTheBytesTheCallerWrites) {
    // The helper thread faults pages in while this thread writes them: every value written
    // before, during or after its walk must survive.
    const size_t n = 4 * bulk::kMappedBytes / sizeof(uint32_t);
    BulkVector<uint32_t> a, b;
    a.reserve(n);
    b.reserve(n / 2);
    {
        BackgroundPrefault prefault({{a.data(), n * sizeof(uint32_t)}, {b.data(), n / 2 * sizeof(uint32_t)}});
        for (size_t i = 0; i < n; ++i) {
            a.push_back(static_cast<uint32_t>(i * 2654435761u));
            if (i % 2 == 0) b.push_back(static_cast<uint32_t>(i));
        }
    }
    for (size_t i = 0; i < n; ++i) ASSERT_EQ(a[i], static_cast<uint32_t>(i * 2654435761u)) << i;
    for (size_t i = 0; i < n / 2; ++i) ASSERT_EQ(b[i], static_cast<uint32_t>(2 * i)) << i;
}

TEST(BackgroundPrefault, IgnoresEmptyAndUnalignedRanges) {
    std::vector<char> small(100, 'x');
    { BackgroundPrefault none({}); }
    { BackgroundPrefault tiny({{small.data() + 1, 50}, {nullptr, 4096}}); }
    EXPECT_EQ(small[1], 'x');
}

}  // namespace
}  // namespace ca
