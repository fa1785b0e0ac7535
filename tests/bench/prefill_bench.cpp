// Prefill throughput of the capture engine on an OLMoE-1B-7B-shaped random model (real widths:
// hidden 2048, 16 heads, 64 experts of 1024, top-8, vocab 50304; 4 layers), one 512-token
// sequence, 2 threads, bf16 and fp32; and the bf16 / fp32 GEMM peak of this machine measured
// the same way, to put the achieved GFLOP/s in proportion: torch::linear (oneDNN / OpenBLAS) and
// the engine's own kernels (core/capture/models/gemm.h), on a dense projection's shape and on
// one expert's (64 tokens). Rates use wall time (UseRealTime): the work runs on worker threads,
// not only the benchmark thread. cpu_share = CPU seconds of the whole process per wall second
// and thread: near 1 when the machine is otherwise idle, lower when other processes took the
// cores (then every rate here is low, and only ratios measured in the same run compare).
//
// The checkpoints (≈3.8 GB BF16, ≈7.5 GB F32) are written once into $CA_BENCH_DIR (default
// /tmp/ca_prefill_bench) and reused. Run one dtype per process to read its peak RSS:
//   prefill_bench --benchmark_filter='prefill/bf16|gemm.*/bf16'
//   prefill_bench --benchmark_filter='prefill/fp32|gemm.*/fp32'
// Batching (packed batches of MMLU-sized prompts, 1 = unbatched baseline):
//   prefill_bench --benchmark_filter='mmluBatches/bf16'
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <filesystem>
#include <memory>
#include <random>

#include <ATen/Parallel.h>
#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <torch/types.h>

#include "core/capture/capture_api.h"
#include "core/capture/checkpoint/random_checkpoint.h"
#include "core/capture/models/gemm.h"

namespace {

namespace fs = std::filesystem;
using namespace ca::capture;

constexpr int kLayers = 4;
constexpr int kTokens = 512;
constexpr int kThreads = 2;

std::string benchDir() {
    const char* env = std::getenv("CA_BENCH_DIR");
    return env ? env : "/tmp/ca_prefill_bench";
}

// Writes the checkpoint unless a complete one is already there.
std::string checkpointDir(DType dtype) {
    const fs::path dir = fs::path(benchDir()) / (dtype == DType::BF16 ? "olmoe4_bf16" : "olmoe4_f32");
    if (!fs::exists(dir / "complete")) {
        RandomCheckpointOptions options;
        options.dtype = dtype;
        options.shards = 2;
        writeRandomCheckpoint(dir.string(), olmoeBenchmarkConfig(kLayers), options);
        std::ofstream(dir / "complete") << "ok\n";
    }
    return dir.string();
}

// Multiply-adds ×2 of one prefill of T tokens (lm_head only for the last token, as the engine).
double prefillFlops(int T) {
    const double H = 2048, E = 64, k = 8, I = 1024, V = 50304;
    const double per_token_layer = 4 * 2 * H * H      // q, k, v, o projections
                                   + 2 * H * E         // router
                                   + k * 3 * 2 * H * I;  // 8 experts: gate, up, down
    const double attention = 2 * 2 * H * (T * (T + 1) / 2.0);  // QKᵀ and PV, causal
    return kLayers * (T * per_token_layer + attention) + 2 * H * V;
}

double peakRssGiB() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss / (1024.0 * 1024.0);
}

// CPU seconds (user + system) of all threads of the process.
double processCpuSeconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           1e-6 * double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
}

// Sets cpu_share from the process CPU time and the wall time of the timed loop.
class CpuShare {
public:
    CpuShare() : cpu0_(processCpuSeconds()), wall0_(std::chrono::steady_clock::now()) {}
    void report(benchmark::State& state) const {
        const double wall =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0_).count();
        state.counters["cpu_share"] = (processCpuSeconds() - cpu0_) / (wall * kThreads);
    }

private:
    double cpu0_;
    std::chrono::steady_clock::time_point wall0_;
};

double dirGiB(const std::string& dir) {
    double bytes = 0;
    for (const auto& entry : fs::directory_iterator(dir))
        if (entry.path().extension() == ".safetensors") bytes += double(entry.file_size());
    return bytes / (1024.0 * 1024.0 * 1024.0);
}

void prefill(benchmark::State& state, Precision precision) {
    const DType stored = precision == Precision::Bf16 ? DType::BF16 : DType::F32;
    const std::string dir = checkpointDir(stored);
    CaptureOptions options;
    options.dtype = precision;
    options.threads = kThreads;
    auto capture = Capture::open(dir, options);
    std::mt19937 rng(1);
    std::uniform_int_distribution<int32_t> token(0, 50279);
    std::vector<int32_t> ids(kTokens);
    for (int32_t& id : ids) id = token(rng);
    ca::SampleRecord record;
    capture->run(ids, record);  // warm-up: fault in the mapped weights
    const CpuShare share;
    for (auto _ : state) {
        capture->run(ids, record);
        benchmark::DoNotOptimize(record.topk_experts.data());
    }
    share.report(state);
    state.counters["tokens_per_s"] =
        benchmark::Counter(kTokens, benchmark::Counter::kIsIterationInvariantRate);
    state.counters["GFLOP_per_s"] =
        benchmark::Counter(prefillFlops(kTokens) / 1e9, benchmark::Counter::kIsIterationInvariantRate);
    state.counters["peak_rss_GiB"] = peakRssGiB();
    state.counters["weights_GiB"] = dirGiB(dir);
}

// Capture throughput on MMLU-sized prompts: 32 sequences of 60-200 tokens (about MMLU's zero-shot
// prompt lengths; 4,154 tokens in all) run `per_batch` at a time as packed batches
// (Capture::runBatch), the last batch smaller when per_batch does not divide 32. per_batch = 1 is
// the unbatched baseline, measured in the same run.
void mmluBatches(benchmark::State& state, Precision precision) {
    const int64_t per_batch = state.range(0);
    const DType stored = precision == Precision::Bf16 ? DType::BF16 : DType::F32;
    CaptureOptions options;
    options.dtype = precision;
    options.threads = kThreads;
    auto capture = Capture::open(checkpointDir(stored), options);
    std::mt19937 rng(2);
    std::uniform_int_distribution<int32_t> token(0, 50279), length(60, 200);
    std::vector<std::vector<int32_t>> prompts(32);
    int64_t tokens = 0;
    for (auto& ids : prompts) {
        ids.resize(static_cast<size_t>(length(rng)));
        for (int32_t& id : ids) id = token(rng);
        tokens += static_cast<int64_t>(ids.size());
    }
    auto runAll = [&] {
        for (size_t b = 0; b < prompts.size(); b += static_cast<size_t>(per_batch)) {
            const size_t e = std::min(prompts.size(), b + static_cast<size_t>(per_batch));
            std::vector<std::vector<int32_t>> batch(prompts.begin() + b, prompts.begin() + e);
            std::vector<ca::SampleRecord> records(batch.size());
            capture->runBatch(batch, records);
            benchmark::DoNotOptimize(records.back().topk_experts.data());
        }
    };
    runAll();  // warm-up: fault in the mapped weights
    const CpuShare share;
    for (auto _ : state) runAll();
    share.report(state);
    state.counters["tokens"] = static_cast<double>(tokens);
    state.counters["tokens_per_s"] =
        benchmark::Counter(static_cast<double>(tokens), benchmark::Counter::kIsIterationInvariantRate);
}

enum class Kernel { Torch, Own };

// torch::linear(a, b) or the engine's gemm::linear(a, b) for a [M, K] and b [N, K].
void linearRate(benchmark::State& state, torch::ScalarType dtype, Kernel kernel, int64_t M, int64_t K,
          int64_t N) {
    at::set_num_threads(kThreads);
    c10::InferenceMode guard;
    torch::Tensor a = torch::randn({M, K}).to(dtype);
    torch::Tensor b = torch::randn({N, K}).to(dtype);
    if (kernel == Kernel::Own && !gemm::available(dtype)) {
        state.SkipWithError("no own kernel for this dtype on this CPU");
        return;
    }
    const CpuShare share;
    for (auto _ : state)
        benchmark::DoNotOptimize(kernel == Kernel::Torch ? torch::linear(a, b)
                                                         : gemm::linear(a, b));
    share.report(state);
    state.counters["GFLOP_per_s"] = benchmark::Counter(
        2.0 * M * K * N / 1e9, benchmark::Counter::kIsIterationInvariantRate);
}

// The shape of a dense projection (q, k, v, o) for 512 tokens: the reference peak.
void gemmPeak(benchmark::State& state, torch::ScalarType dtype) {
    linearRate(state, dtype, Kernel::Torch, 512, 2048, 2048);
}
void gemmPeakOwn(benchmark::State& state, torch::ScalarType dtype) {
    linearRate(state, dtype, Kernel::Own, 512, 2048, 2048);
}
// One expert's gate projection for the 64 tokens an expert gets on average (512 · 8 / 64).
void gemmExpert(benchmark::State& state, torch::ScalarType dtype) {
    linearRate(state, dtype, Kernel::Torch, 64, 2048, 1024);
}
void gemmExpertOwn(benchmark::State& state, torch::ScalarType dtype) {
    linearRate(state, dtype, Kernel::Own, 64, 2048, 1024);
}

}  // namespace

BENCHMARK_CAPTURE(prefill, bf16, Precision::Bf16)->Unit(benchmark::kMillisecond)->MinTime(5)->UseRealTime();
BENCHMARK_CAPTURE(prefill, fp32, Precision::Fp32)->Unit(benchmark::kMillisecond)->MinTime(5)->UseRealTime();
BENCHMARK_CAPTURE(mmluBatches, bf16, Precision::Bf16)->Arg(1)->Arg(4)->Arg(8)->Arg(16)->Arg(32)->Unit(benchmark::kMillisecond)->MinTime(5)->UseRealTime();
BENCHMARK_CAPTURE(mmluBatches, fp32, Precision::Fp32)->Arg(1)->Arg(4)->Arg(8)->Arg(16)->Arg(32)->Unit(benchmark::kMillisecond)->MinTime(5)->UseRealTime();
BENCHMARK_CAPTURE(gemmPeak, bf16, torch::kBFloat16)->Unit(benchmark::kMillisecond)->MinTime(2)->UseRealTime();
BENCHMARK_CAPTURE(gemmPeak, fp32, torch::kFloat32)->Unit(benchmark::kMillisecond)->MinTime(2)->UseRealTime();
BENCHMARK_CAPTURE(gemmPeakOwn, bf16, torch::kBFloat16)->Unit(benchmark::kMillisecond)->MinTime(2)->UseRealTime();
BENCHMARK_CAPTURE(gemmPeakOwn, fp32, torch::kFloat32)->Unit(benchmark::kMillisecond)->MinTime(2)->UseRealTime();
BENCHMARK_CAPTURE(gemmExpert, bf16, torch::kBFloat16)->Unit(benchmark::kMillisecond)->MinTime(1)->UseRealTime();
BENCHMARK_CAPTURE(gemmExpert, fp32, torch::kFloat32)->Unit(benchmark::kMillisecond)->MinTime(1)->UseRealTime();
BENCHMARK_CAPTURE(gemmExpertOwn, bf16, torch::kBFloat16)->Unit(benchmark::kMillisecond)->MinTime(1)->UseRealTime();
BENCHMARK_CAPTURE(gemmExpertOwn, fp32, torch::kFloat32)->Unit(benchmark::kMillisecond)->MinTime(1)->UseRealTime();
