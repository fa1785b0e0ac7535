// The desktop app's first heatmap on a large trace (issue 4, deliverable 5): a
// 1,000,000-position OLMoE-shaped trace (8,000 samples x 125 positions, 16 MoE layers x
// 64 experts, top-8, last-token full softmax) opened and audited with the default
// settings, as the GUI's first analysis does. The last-token top-k comes from the
// per-sample /samples/last_topk_* datasets; the "fallback" rows read every position's
// /routing rows instead (what traces written before those datasets need).
//
//   build/tests/trace_open_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// The trace (≈ 0.6 GB) is generated once with TraceWriter into $CA_BENCH_DIR (default: the
// system temp folder) and reused while present. "cold:1" evicts the file from the page cache
// (posix_fadvise DONTNEED, outside the timed region) before every iteration. Times are wall
// clock; the CPU column is the whole process (all threads).
#include "core/analysis/observation_loader.h"
#include "core/analysis/trace_analysis.h"
#include "core/trace/trace_reader.h"
#include "core/trace/trace_writer.h"
#include "tests/bench/large_olmoe_trace.h"

#include <benchmark/benchmark.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace {

using namespace ca::bench;

void evictFromPageCache(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY);
    if (fd < 0) return;
    ::fdatasync(fd);
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    ::close(fd);
}

// Runs `body` once per iteration; with cold, the file leaves the page cache first.
template <typename Body>
void timed(benchmark::State& state, bool cold, Body body) {
    const std::string& path = olmoeTrace();
    for (auto _ : state) {
        if (cold) {
            state.PauseTiming();
            evictFromPageCache(path);
            state.ResumeTiming();
        }
        body(path);
    }
}

ca::TraceAnalysisRequest firstHeatmapRequest() {
    ca::TraceAnalysisRequest request;  // the GUI's defaults: score chosen from the trace
    request.settings.permutations = 0;
    return request;
}

// What the GUI's first heatmap needs: open, load last-token observations, full audit.
// threads: the audit's worker threads (0 = all cores, the GUI's setting; 1 = one core, so
// that the CPU column bounds the wall time of an idle machine even when this one is busy).
void BM_OpenToFirstHeatmap(benchmark::State& state) {
    ca::TraceAnalysisRequest request = firstHeatmapRequest();
    request.settings.threads = static_cast<int>(state.range(1));
    timed(state, state.range(0) != 0, [&](const std::string& path) {
        const ca::TraceReader reader(path);
        const ca::TraceAnalysis analysis = ca::analyzeTrace(reader, request);
        benchmark::DoNotOptimize(analysis.audit.committee);
        state.counters["observations"] = static_cast<double>(analysis.obs->size());
    });
}
BENCHMARK(BM_OpenToFirstHeatmap)->ArgNames({"cold", "threads"})->Args({0, 0})->Args({1, 0})
    ->Args({0, 1})->Unit(benchmark::kMillisecond)->UseRealTime()->MeasureProcessCPUTime();

// The same steps as analyzeTrace (paper ECI from the last-token softmax), but with the
// top-k read from every position's /routing rows: a trace without /samples/last_topk_*.
void BM_OpenToFirstHeatmapFallback(benchmark::State& state) {
    timed(state, state.range(0) != 0, [&](const std::string& path) {
        const ca::TraceReader reader(path);
        ca::AuditSettings settings = firstHeatmapRequest().settings;
        settings.variant = ca::EciVariant::Paper;  // analyzeTrace's choice: the trace has last_probs
        ca::LoadOptions load;
        load.positions = settings.positions;
        load.need_probs = true;
        load.use_last_topk = false;
        const ca::RoutingObservations obs = ca::loadObservations(reader, load);
        const std::vector<int32_t> ids = ca::observationTokenIds(reader, obs);
        const ca::AuditResult audit = ca::runAudit(obs, settings, &ids, reader.model().moe_layers);
        benchmark::DoNotOptimize(audit.committee);
    });
}
BENCHMARK(BM_OpenToFirstHeatmapFallback)->ArgName("cold")->Arg(0)->Arg(1)
    ->Unit(benchmark::kMillisecond)->UseRealTime()->MeasureProcessCPUTime();

// Open + loadObservations alone (last token, with the softmax as analyzeTrace loads it).
void BM_LoadLastTokenObservations(benchmark::State& state) {
    const bool per_sample = state.range(0) != 0, cold = state.range(1) != 0;
    timed(state, cold, [&](const std::string& path) {
        const ca::TraceReader reader(path);
        ca::LoadOptions load;
        load.need_probs = true;
        load.use_last_topk = per_sample;
        const ca::RoutingObservations obs = ca::loadObservations(reader, load);
        benchmark::DoNotOptimize(obs.topk_experts.data());
    });
}
BENCHMARK(BM_LoadLastTokenObservations)->ArgNames({"per_sample", "cold"})
    ->Args({1, 0})->Args({0, 0})->Args({1, 1})->Args({0, 1})
    ->Unit(benchmark::kMillisecond)->UseRealTime()->MeasureProcessCPUTime();

// Where the first heatmap's time goes (warm page cache).
void BM_PhaseOpen(benchmark::State& state) {
    timed(state, false, [&](const std::string& path) {
        const ca::TraceReader reader(path);
        benchmark::DoNotOptimize(reader.numTokens());
    });
}
BENCHMARK(BM_PhaseOpen)->Unit(benchmark::kMillisecond)->UseRealTime()->MeasureProcessCPUTime();

void BM_PhaseTokenIds(benchmark::State& state) {
    const ca::TraceReader reader(olmoeTrace());
    const ca::RoutingObservations obs = ca::loadObservations(reader, {});
    for (auto _ : state) benchmark::DoNotOptimize(ca::observationTokenIds(reader, obs));
}
BENCHMARK(BM_PhaseTokenIds)->Unit(benchmark::kMillisecond)->UseRealTime()->MeasureProcessCPUTime();

void BM_PhaseRunAudit(benchmark::State& state) {
    const ca::TraceReader reader(olmoeTrace());
    ca::LoadOptions load;
    load.need_probs = true;
    const ca::RoutingObservations obs = ca::loadObservations(reader, load);
    const std::vector<int32_t> ids = ca::observationTokenIds(reader, obs);
    ca::AuditSettings settings = firstHeatmapRequest().settings;
    settings.variant = ca::EciVariant::Paper;
    for (auto _ : state)
        benchmark::DoNotOptimize(ca::runAudit(obs, settings, &ids, reader.model().moe_layers));
}
BENCHMARK(BM_PhaseRunAudit)->Unit(benchmark::kMillisecond)->UseRealTime()->MeasureProcessCPUTime();

}  // namespace
