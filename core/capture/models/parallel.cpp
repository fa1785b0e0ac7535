#include "core/capture/models/parallel.h"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <ATen/Parallel.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CA_SPIN_PAUSE() _mm_pause()
#else
#define CA_SPIN_PAUSE() std::this_thread::yield()
#endif

namespace ca::capture {

namespace {

// 0 = no ForwardThreads scope: use at::get_num_threads().
std::atomic<int> g_scope_threads{0};
thread_local bool t_inside_loop = false;

// One parallelFor call. Threads claim items with `next`; the caller waits until every claimed
// item is `finished`. A worker that wakes after the call returned finds nothing left to claim,
// so it never touches `body` (which lives in the caller's frame) again.
struct Job {
    const std::function<void(int64_t)>* body = nullptr;
    int64_t n = 0;
    std::atomic<int64_t> next{0};
    std::atomic<int64_t> finished{0};
    std::atomic<bool> failed{false};
    std::mutex error_mutex;
    std::exception_ptr error;

    void work() {
        for (;;) {
            const int64_t i = next.fetch_add(1, std::memory_order_relaxed);
            if (i >= n) return;
            if (!failed.load(std::memory_order_relaxed)) {
                try {
                    (*body)(i);
                } catch (...) {
                    std::lock_guard<std::mutex> lock(error_mutex);
                    if (!error) error = std::current_exception();
                    failed.store(true, std::memory_order_relaxed);
                }
            }
            finished.fetch_add(1, std::memory_order_release);
        }
    }
};

class Pool {
public:
    // Joined when the program ends (before libtorch's own statics go: the pool is created
    // later, so destroyed earlier). Detached workers racing the exit crashed in libtorch.
    ~Pool() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            stop_ = true;
            sequence_.fetch_add(1, std::memory_order_release);
        }
        wake_.notify_all();
        for (std::thread& t : workers_)
            if (t.joinable()) t.join();
    }

    void run(int threads, int64_t n, const std::function<void(int64_t)>& body) {
        auto job = std::make_shared<Job>();
        job->body = &body;
        job->n = n;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            while (static_cast<int>(workers_.size()) < threads - 1) {
                const int index = static_cast<int>(workers_.size());
                workers_.emplace_back([this, index] { workerLoop(index); });
            }
            job_ = job;
            helpers_ = threads - 1;
            sequence_.fetch_add(1, std::memory_order_release);
        }
        wake_.notify_all();
        t_inside_loop = true;
        job->work();
        t_inside_loop = false;
        for (int spin = 0; job->finished.load(std::memory_order_acquire) < n; ++spin) {
            if (spin < 4096)
                CA_SPIN_PAUSE();
            else
                std::this_thread::yield();
        }
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (job_ == job) job_.reset();
        }
        if (job->error) std::rethrow_exception(job->error);
    }

private:
    void workerLoop(int index) {
        // Torch ops inside bodies run on this thread only (the OpenMP thread count is a
        // per-thread setting; at::get_num_threads first initialises it to the global one).
        at::get_num_threads();
        omp_set_num_threads(1);
        t_inside_loop = true;
        uint64_t seen = 0;
        for (;;) {
            // Consecutive loops of a forward pass follow each other within microseconds: spin a
            // little before sleeping.
            for (int spin = 0; spin < 20000 && sequence_.load(std::memory_order_acquire) == seen;
                 ++spin)
                CA_SPIN_PAUSE();
            std::shared_ptr<Job> job;
            {
                std::unique_lock<std::mutex> lock(mutex_);
                wake_.wait(lock, [&] { return sequence_.load() != seen; });
                if (stop_) return;
                seen = sequence_.load();
                if (index < helpers_) job = job_;
            }
            if (job) job->work();
        }
    }

    std::mutex mutex_;
    std::condition_variable wake_;
    std::vector<std::thread> workers_;
    std::shared_ptr<Job> job_;
    int helpers_ = 0;
    std::atomic<uint64_t> sequence_{0};
    bool stop_ = false;  // guarded by mutex_
};

Pool& pool() {
    static Pool p;
    return p;
}

}  // namespace

int kernelThreads() {
    const int scoped = g_scope_threads.load(std::memory_order_relaxed);
    return scoped > 0 ? scoped : at::get_num_threads();
}

void parallelFor(int64_t n, const std::function<void(int64_t)>& body) {
    const int threads = static_cast<int>(std::min<int64_t>(kernelThreads(), n));
    if (threads < 2 || t_inside_loop) {
        for (int64_t i = 0; i < n; ++i) body(i);
        return;
    }
    pool().run(threads, n, body);
}

void parallelRows(int64_t rows, int64_t min_rows,
                  const std::function<void(int64_t, int64_t)>& body) {
    // A few ranges per thread, so that a thread that is descheduled delays little.
    const int64_t ranges = std::max<int64_t>(
        1, std::min<int64_t>(4 * kernelThreads(), rows / std::max<int64_t>(1, min_rows)));
    const int64_t per = (rows + ranges - 1) / ranges;
    parallelFor(ranges, [&](int64_t r) {
        const int64_t begin = r * per, end = std::min(rows, begin + per);
        if (begin < end) body(begin, end);
    });
}

ForwardThreads::ForwardThreads()
    : saved_omp_threads_(at::get_num_threads()),
      saved_kernel_threads_(g_scope_threads.load()) {
    g_scope_threads.store(saved_omp_threads_);
    omp_set_num_threads(1);
}

ForwardThreads::~ForwardThreads() {
    omp_set_num_threads(saved_omp_threads_);
    g_scope_threads.store(saved_kernel_threads_);
}

}  // namespace ca::capture
