#include "core/util/bulk_allocator.h"

#include <sys/mman.h>

#include <cstdint>

namespace ca::bulk {

namespace {

constexpr size_t kHugePage = size_t{2} << 20;

size_t mappedLength(size_t bytes) { return (bytes + kHugePage - 1) & ~(kHugePage - 1); }

}  // namespace

void* allocateMapped(size_t bytes) {
    const size_t length = mappedLength(bytes);
    if (length < bytes || length + kHugePage < length) throw std::bad_alloc();
    // Map one huge page more and trim both ends, so the block starts on a 2 MiB boundary
    // and every page of it can be a huge page.
    void* raw = mmap(nullptr, length + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) throw std::bad_alloc();
    const auto start = reinterpret_cast<uintptr_t>(raw);
    const uintptr_t aligned = (start + kHugePage - 1) & ~uintptr_t(kHugePage - 1);
    if (aligned > start) munmap(raw, aligned - start);
    const uintptr_t end = start + length + kHugePage;
    if (end > aligned + length) munmap(reinterpret_cast<void*>(aligned + length), end - (aligned + length));
#ifdef MADV_HUGEPAGE
    madvise(reinterpret_cast<void*>(aligned), length, MADV_HUGEPAGE);  // advice only: failure is fine
#endif
    return reinterpret_cast<void*>(aligned);
}

void deallocateMapped(void* p, size_t bytes) noexcept {
    if (p) munmap(p, mappedLength(bytes));
}

}  // namespace ca::bulk
