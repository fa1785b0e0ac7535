// The engine's parallel loops: a small pool of threads in which the calling thread takes part.
//
// Why not libtorch's OpenMP (at::parallel_for): every torch op forks and joins the OpenMP team,
// and a join waits for every thread of the team. On a shared machine (this project's 2-core
// development box runs compilers next to the benchmarks) the OS often deschedules one thread for
// a scheduler tick (4 ms), so each of the forward's hundreds of joins could cost a tick: the
// same prefill took 4-10× longer under a light load. Here the caller claims items itself and
// waits only for items another thread has actually started; a descheduled worker simply does
// nothing. During a forward pass (ForwardThreads) torch's own ops run on the thread that calls
// them, and the heavy ones are split by rows into these loops.
#pragma once

#include <cstdint>
#include <functional>

namespace ca::capture {

// Calls body(i) for every i in [0, n) on kernelThreads() threads, each taking the next index
// when it is done. Serial when n < 2, with one thread, or when called from inside a body. The
// first exception a body throws is rethrown here (items not yet started are then skipped).
void parallelFor(int64_t n, const std::function<void(int64_t)>& body);

// Calls body(begin, end) on consecutive row ranges [begin, end) covering [0, rows), ranges of at
// least `min_rows` rows, in parallel (a convenience over parallelFor for row-wise torch ops).
void parallelRows(int64_t rows, int64_t min_rows,
                  const std::function<void(int64_t, int64_t)>& body);

// Threads of the loops: inside a ForwardThreads scope the torch intra-op thread count that was
// set when the scope began (at::set_num_threads, the capture's --threads), else the current one.
int kernelThreads();

// For the duration of one forward pass: the loops above use torch's configured thread count,
// while torch ops called on this thread (and inside the loops' bodies) run single-threaded.
class ForwardThreads {
public:
    ForwardThreads();
    ~ForwardThreads();
    ForwardThreads(const ForwardThreads&) = delete;
    ForwardThreads& operator=(const ForwardThreads&) = delete;

private:
    int saved_omp_threads_;
    int saved_kernel_threads_;
};

}  // namespace ca::capture
