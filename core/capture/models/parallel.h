// A dynamically scheduled parallel loop on libtorch's own OpenMP threads, for the engine's
// kernels (GEMM chunks, experts, attention heads).
//
// Why not at::parallel_for: it is a header template whose `#pragma omp parallel` only takes
// effect in files compiled with -fopenmp, and it hands each thread one fixed share. On a shared
// machine the OS may deschedule one of the threads; with fixed shares the other then waits at the
// barrier, while with a dynamic schedule it takes over the remaining items.
#pragma once

#include <cstdint>
#include <functional>

namespace ca::capture {

// Calls body(i) for every i in [0, n) on at::get_num_threads() threads, each thread taking the
// next index when it is done. Runs serially when n < 2, with one thread, or inside a parallel
// region. The first exception a body throws is rethrown after the loop (later items are skipped).
void parallelFor(int64_t n, const std::function<void(int64_t)>& body);

}  // namespace ca::capture
