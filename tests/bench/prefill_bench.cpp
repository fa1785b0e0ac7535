// Prefill throughput of the capture engine on an OLMoE-1B-7B-shaped random model (real widths:
// hidden 2048, 16 heads, 64 experts of 1024, top-8, vocab 50304; 4 layers), one 512-token
// sequence, 2 threads, bf16 and fp32; and the bf16 / fp32 GEMM peak of this machine measured
// the same way, to put the achieved GFLOP/s in proportion. Rates use wall time (UseRealTime):
// the work runs on torch's worker threads, not only the benchmark thread.
//
// The checkpoints (≈3.8 GB BF16, ≈7.5 GB F32) are written once into $CA_BENCH_DIR (default
// /tmp/ca_prefill_bench) and reused. Run one dtype per process to read its peak RSS:
//   prefill_bench --benchmark_filter='prefill/bf16|gemmPeak'
//   prefill_bench --benchmark_filter='prefill/fp32'
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
    for (auto _ : state) {
        capture->run(ids, record);
        benchmark::DoNotOptimize(record.topk_experts.data());
    }
    state.counters["tokens_per_s"] =
        benchmark::Counter(kTokens, benchmark::Counter::kIsIterationInvariantRate);
    state.counters["GFLOP_per_s"] =
        benchmark::Counter(prefillFlops(kTokens) / 1e9, benchmark::Counter::kIsIterationInvariantRate);
    state.counters["peak_rss_GiB"] = peakRssGiB();
    state.counters["weights_GiB"] = dirGiB(dir);
}

void gemmPeak(benchmark::State& state, torch::ScalarType dtype) {
    at::set_num_threads(kThreads);
    c10::InferenceMode guard;
    // The shape of one expert's gate projection for 512 tokens and of a dense projection.
    const int64_t M = 512, K = 2048, N = 2048;
    torch::Tensor a = torch::randn({M, K}).to(dtype);
    torch::Tensor b = torch::randn({N, K}).to(dtype);
    for (auto _ : state) benchmark::DoNotOptimize(torch::linear(a, b));
    state.counters["GFLOP_per_s"] = benchmark::Counter(
        2.0 * M * K * N / 1e9, benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace

BENCHMARK_CAPTURE(prefill, bf16, Precision::Bf16)->Unit(benchmark::kMillisecond)->MinTime(5)->UseRealTime();
BENCHMARK_CAPTURE(prefill, fp32, Precision::Fp32)->Unit(benchmark::kMillisecond)->MinTime(5)->UseRealTime();
BENCHMARK_CAPTURE(gemmPeak, bf16, torch::kBFloat16)->Unit(benchmark::kMillisecond)->MinTime(2)->UseRealTime();
BENCHMARK_CAPTURE(gemmPeak, fp32, torch::kFloat32)->Unit(benchmark::kMillisecond)->MinTime(2)->UseRealTime();
