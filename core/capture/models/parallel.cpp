// Compiled with -fopenmp (core/CMakeLists.txt): libtorch's intra-op threads are libgomp's team,
// sized by at::set_num_threads.
#include "core/capture/models/parallel.h"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <exception>

#include <ATen/Parallel.h>

namespace ca::capture {

void parallelFor(int64_t n, const std::function<void(int64_t)>& body) {
    const int64_t threads = std::min<int64_t>(at::get_num_threads(), n);
    if (threads < 2 || omp_in_parallel()) {
        for (int64_t i = 0; i < n; ++i) body(i);
        return;
    }
    std::exception_ptr error;
    std::atomic<bool> failed{false};
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (int64_t i = 0; i < n; ++i) {
        if (failed.load(std::memory_order_relaxed)) continue;
        try {
            body(i);
        } catch (...) {
#pragma omp critical(ca_parallel_for_error)
            if (!error) error = std::current_exception();
            failed.store(true, std::memory_order_relaxed);
        }
    }
    if (error) std::rethrow_exception(error);
}

}  // namespace ca::capture
