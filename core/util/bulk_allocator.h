// An allocator for the big arrays a trace is loaded into (hundreds of MB of router
// probabilities), so that loading costs little more than copying the bytes:
//
// - resize() leaves new elements default-initialised (no zero fill: the loader overwrites
//   them straight away, and zeroing 345 MB costs as much as reading it);
// - blocks of 4 MiB and more come straight from mmap, aligned to 2 MiB and marked
//   MADV_HUGEPAGE, so the kernel faults them in 2 MiB at a time instead of 4 KiB (on a
//   345 MB array: ~170 faults instead of ~84,000; where transparent huge pages are off the
//   advice is ignored and nothing else changes).
//
// Use BulkVector<T> where std::vector<T> would zero-fill before overwriting everything.
// Caution: resize(n) and the size constructor leave arithmetic elements indeterminate;
// use resize(n, T{}) or assign(n, T{}) when zeros are meant.
#pragma once

#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

namespace ca {

namespace bulk {

// Blocks at least this large are mapped directly.
inline constexpr size_t kMappedBytes = size_t{4} << 20;

// A mapped block of `bytes` (>= kMappedBytes), aligned to 2 MiB; throws std::bad_alloc.
void* allocateMapped(size_t bytes);
void deallocateMapped(void* p, size_t bytes) noexcept;

}  // namespace bulk

template <typename T>
class BulkAllocator {
public:
    using value_type = T;

    BulkAllocator() noexcept = default;
    template <typename U>
    BulkAllocator(const BulkAllocator<U>&) noexcept {}

    T* allocate(size_t n) {
        if (n > static_cast<size_t>(-1) / sizeof(T)) throw std::bad_array_new_length();
        const size_t bytes = n * sizeof(T);
        if (bytes >= bulk::kMappedBytes && alignof(T) <= 4096)
            return static_cast<T*>(bulk::allocateMapped(bytes));
        return std::allocator<T>().allocate(n);
    }

    void deallocate(T* p, size_t n) noexcept {
        const size_t bytes = n * sizeof(T);
        if (bytes >= bulk::kMappedBytes && alignof(T) <= 4096) bulk::deallocateMapped(p, bytes);
        else std::allocator<T>().deallocate(p, n);
    }

    // Value-less construction default-initialises: no zero fill for arithmetic types.
    template <typename U>
    void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
        ::new (static_cast<void*>(p)) U;
    }
    template <typename U, typename... Args>
    void construct(U* p, Args&&... args) {
        ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }

    friend bool operator==(const BulkAllocator&, const BulkAllocator&) noexcept { return true; }
};

template <typename T>
using BulkVector = std::vector<T, BulkAllocator<T>>;

}  // namespace ca
