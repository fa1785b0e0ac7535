// Trace reading against the machine's sequential file-read bandwidth, measured in
// the same run on the same file (issue 2, deliverable 8).
//
//   build/tests/trace_read_bench --benchmark_min_time=2
//
// The Qwen3-shaped trace (14,049 samples x 48 layers x 128 experts, last-token full
// softmax, one position per sample) is generated once into $TMPDIR.
#include "core/analysis/audit.h"
#include "core/analysis/observation_loader.h"
#include "core/synthetic/synthetic_trace.h"
#include "core/trace/trace_reader.h"
#include "core/util/bulk_allocator.h"

#include <benchmark/benchmark.h>

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <vector>

namespace {

std::string qwenTrace() {
    static const std::string path = [] {
        // The suffix names the writer's layout (v2: uncompressed /samples/last_topk_*), so a
        // file left by an older build is not measured by mistake.
        const auto p = std::filesystem::temp_directory_path() / "ca_bench_qwen3_14049_v2.h5";
        if (!std::filesystem::exists(p)) {
            ca::SyntheticSpec spec = ca::SyntheticSpec::forShape("qwen3");
            spec.samples_per_domain = 14042 / 9 + 1;  // 14,049 samples: 9 domains x 1,561
            spec.min_positions = spec.max_positions = 1;
            ca::writeSyntheticTrace(spec, p.string() + ".tmp");
            std::filesystem::rename(p.string() + ".tmp", p);
        }
        return p.string();
    }();
    return path;
}

// Baseline: read() the whole file sequentially in 4 MiB blocks (page cache warm).
// Returns the bytes read.
int64_t readWholeFile(const std::string& path, std::vector<char>& buf) {
    int64_t bytes = 0;
    const int fd = ::open(path.c_str(), O_RDONLY);
    ssize_t n;
    while ((n = ::read(fd, buf.data(), buf.size())) > 0) bytes += n;
    ::close(fd);
    benchmark::DoNotOptimize(buf.data());
    return bytes;
}

void BM_SequentialFileRead(benchmark::State& state) {
    const std::string path = qwenTrace();
    std::vector<char> buf(4 << 20);
    int64_t bytes = 0;
    for (auto _ : state) bytes += readWholeFile(path, buf);
    state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_SequentialFileRead)->Unit(benchmark::kMillisecond)->UseRealTime();

// The ceiling for any load into new memory: the same read() of the whole file, but into a
// freshly allocated array the size of the file (as a load must: mapped, huge pages, no zero
// fill; the kernel still zeroes each page on first touch), freed outside the timed region.
void BM_SequentialReadIntoFreshMemory(benchmark::State& state) {
    const std::string path = qwenTrace();
    int64_t bytes = 0;
    const auto size = static_cast<size_t>(std::filesystem::file_size(path));
    for (auto _ : state) {
        ca::BulkVector<char> buf;
        buf.resize(size);
        const int fd = ::open(path.c_str(), O_RDONLY);
        ssize_t n;
        size_t at = 0;
        while (at < size && (n = ::read(fd, buf.data() + at, std::min<size_t>(4 << 20, size - at))) > 0)
            at += static_cast<size_t>(n);
        ::close(fd);
        bytes += static_cast<int64_t>(at);
        benchmark::DoNotOptimize(buf.data());
        state.PauseTiming();
        buf = ca::BulkVector<char>();
        state.ResumeTiming();
    }
    state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_SequentialReadIntoFreshMemory)->Unit(benchmark::kMillisecond)->UseRealTime();

// The bytes a last-token load reads: the softmax, the top-k weights and the expert ids as
// stored (int16).
int64_t loadedBytes(const ca::RoutingObservations& obs) {
    return static_cast<int64_t>(obs.probs.size() * sizeof(float) + obs.topk_weights.size() * sizeof(float) +
                                obs.topk_experts.size() * sizeof(int16_t));
}

// Open + validate + load last-token top-k and full softmax for every sample. Each
// iteration is paired with a sequential read of the same file just before it (not timed),
// so `of_sequential_read` = load bandwidth / read bandwidth under the same machine load.
void BM_LoadLastTokenObservations(benchmark::State& state) {
    using Clock = std::chrono::steady_clock;
    const std::string path = qwenTrace();
    std::vector<char> buf(4 << 20);
    int64_t bytes = 0, file_bytes = 0;
    double load_s = 0, read_s = 0;
    for (auto _ : state) {
        state.PauseTiming();
        const auto r0 = Clock::now();
        file_bytes += readWholeFile(path, buf);
        read_s += std::chrono::duration<double>(Clock::now() - r0).count();
        state.ResumeTiming();
        const auto t0 = Clock::now();
        ca::TraceReader reader(path);
        ca::LoadOptions options;
        options.need_probs = true;
        ca::RoutingObservations obs = ca::loadObservations(reader, options);
        load_s += std::chrono::duration<double>(Clock::now() - t0).count();
        bytes += loadedBytes(obs);
        benchmark::DoNotOptimize(obs.probs.data());
        state.PauseTiming();  // freeing the arrays is not part of the load
        obs = ca::RoutingObservations();
        state.ResumeTiming();
    }
    state.SetBytesProcessed(bytes);
    state.counters["of_sequential_read"] = (bytes / load_s) / (file_bytes / read_s);
}
BENCHMARK(BM_LoadLastTokenObservations)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

namespace {

// The headline: open the trace, load the last-token full softmax, and run the
// full audit (paper ECI, Stage II silhouette, Stage III committee, Jaccard, Gini/Lorenz,
// budget sweep; no permutations or bootstrap). Reports peak RSS / bytes read.
void BM_FullAuditFromTrace(benchmark::State& state) {
    const std::string path = qwenTrace();
    int64_t bytes = 0;
    for (auto _ : state) {
        ca::TraceReader reader(path);
        ca::LoadOptions options;
        options.need_probs = true;
        const ca::RoutingObservations obs = ca::loadObservations(reader, options);
        ca::AuditSettings settings;
        settings.variant = ca::EciVariant::Paper;
        const ca::AuditResult result = ca::runAudit(obs, settings, nullptr, reader.model().moe_layers);
        benchmark::DoNotOptimize(result.committee);
        bytes += static_cast<int64_t>(obs.probs.size() * sizeof(float));
    }
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const double probs_bytes = 14049.0 * 48 * 128 * 4;
    state.counters["peak_rss_over_probs_bytes"] = usage.ru_maxrss * 1024.0 / probs_bytes;
    state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_FullAuditFromTrace)->Unit(benchmark::kMillisecond);

}  // namespace
