// A minimal static work splitter for the analysis code.
//
// Work item i always produces the same result whichever thread runs it, so
// results never depend on the thread count; only the wall time does.
#pragma once

#include <algorithm>
#include <cstdint>
#include <exception>
#include <functional>
#include <thread>
#include <vector>

namespace ca::analysis {

// 0 = use std::thread::hardware_concurrency() (at least 1).
inline int resolveThreads(int requested) {
    if (requested > 0) return requested;
    const unsigned hw = std::thread::hardware_concurrency();
    return hw == 0 ? 1 : static_cast<int>(hw);
}

// Calls fn(i) for i in [0, n), items interleaved over up to `threads` threads.
// The first exception thrown by any item is rethrown here.
inline void parallelFor(int64_t n, int threads, const std::function<void(int64_t)>& fn) {
    const int64_t workers = std::min<int64_t>(resolveThreads(threads), n);
    if (workers <= 1) {
        for (int64_t i = 0; i < n; ++i) fn(i);
        return;
    }
    std::vector<std::exception_ptr> errors(static_cast<size_t>(workers));
    std::vector<std::thread> pool;
    pool.reserve(static_cast<size_t>(workers));
    for (int64_t w = 0; w < workers; ++w) {
        pool.emplace_back([&, w] {
            try {
                for (int64_t i = w; i < n; i += workers) fn(i);
            } catch (...) {
                errors[static_cast<size_t>(w)] = std::current_exception();
            }
        });
    }
    for (auto& t : pool) t.join();
    for (auto& e : errors)
        if (e) std::rethrow_exception(e);
}

}  // namespace ca::analysis
