// Faults in fresh memory on a helper thread while the caller fills it.
//
// The first write to each fresh page makes the kernel zero it; for a 345 MB array that
// costs as much as reading the data. Started on freshly allocated blocks, this walks them
// front to back with madvise(MADV_POPULATE_WRITE) (Linux >= 5.14), which faults pages in
// without touching their contents, so the zeroing runs on another core while the caller
// writes into the pages already done. It never changes a byte: pages the caller reaches
// first are simply skipped. Where the kernel lacks the call it does nothing.
#pragma once

#include <cstddef>
#include <thread>
#include <vector>

namespace ca {

class BackgroundPrefault {
public:
    struct Range {
        void* data = nullptr;
        size_t bytes = 0;
    };

    // Walks the ranges together, 2 MiB of each in turn, for blocks that the caller fills
    // side by side (e.g. the rows of several arrays, batch by batch).
    explicit BackgroundPrefault(std::vector<Range> ranges);
    ~BackgroundPrefault();  // stops the walk and waits for it
    BackgroundPrefault(const BackgroundPrefault&) = delete;
    BackgroundPrefault& operator=(const BackgroundPrefault&) = delete;

private:
    std::jthread thread_;
};

}  // namespace ca
