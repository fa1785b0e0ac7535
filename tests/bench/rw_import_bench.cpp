// RW import speed on a DeepSeek-V2-Lite-shaped router file: 14,042 records x 26 layers x
// {topk_idx[6], topk_weight[6]} = 730,184 tensors, each with its own storage record.
//
// The file (about 240 MB) is not committed. The benchmark uses $CA_RW_BENCH_FILE if set, else
// rw_bench/router_weight_bench_14042.pth under the working directory, creating it on first
// use with tests/bench/make_rw_fixture.py (/usr/bin/python3: torch.save with Debian's
// python3-torch, else the same layout written without torch). Without Python the benchmarks
// are skipped. Compare with Python:
//   /usr/bin/python3 -c "import torch; torch.load('rw_bench/router_weight_bench_14042.pth')"
// Results and commands: docs/benchmarks.md, "RW import".
#include "core/io/rw_import.h"
#include "core/io/torch_pickle.h"
#include "core/io/torch_zip.h"

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace {

namespace fs = std::filesystem;

const std::string& benchFile() {
    static const std::string path = [] {
        if (const char* env = std::getenv("CA_RW_BENCH_FILE")) return std::string(env);
        const fs::path p = fs::absolute("rw_bench/router_weight_bench_14042.pth");
        if (fs::exists(p)) return p.string();
        const fs::path script = fs::path(__FILE__).parent_path() / "make_rw_fixture.py";
        if (!fs::exists(script) || !fs::exists("/usr/bin/python3")) return std::string();
        fs::create_directories(p.parent_path());
        const std::string cmd =
            "/usr/bin/python3 '" + script.string() + "' '" + p.string() + "' --records 14042";
        std::fprintf(stderr, "creating %s (about a minute): %s\n", p.c_str(), cmd.c_str());
        if (std::system(cmd.c_str()) != 0 || !fs::exists(p)) return std::string();
        return p.string();
    }();
    return path;
}

void BM_RwReadRecords(benchmark::State& state) {
    const std::string& file = benchFile();
    if (file.empty()) {
        state.SkipWithError("no benchmark file: set CA_RW_BENCH_FILE or install python3");
        return;
    }
    size_t samples = 0;
    for (auto _ : state) {
        const ca::rw::RwImport imported = ca::rw::readRwFiles({file}, {});
        samples = imported.samples.size();
        benchmark::DoNotOptimize(imported.samples.data());
    }
    state.counters["records"] = static_cast<double>(samples);
    state.counters["tensors/s"] =
        benchmark::Counter(static_cast<double>(samples) * 52, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_RwReadRecords)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

// The whole `committee-audit import FILE --out T.h5` minus process start.
void BM_RwImportToTrace(benchmark::State& state) {
    const std::string& file = benchFile();
    if (file.empty()) {
        state.SkipWithError("no benchmark file: set CA_RW_BENCH_FILE or install python3");
        return;
    }
    const std::string out = (fs::temp_directory_path() / "ca_rw_import_bench.h5").string();
    ca::rw::RwImportOptions options;
    options.compression = static_cast<int>(state.range(0));
    for (auto _ : state) {
        const ca::rw::RwImport imported = ca::rw::importRw({file}, out, options);
        benchmark::DoNotOptimize(imported.samples.data());
    }
    state.counters["MB_out"] = static_cast<double>(fs::file_size(out)) / 1e6;
    fs::remove(out);
}
BENCHMARK(BM_RwImportToTrace)->ArgName("compression")->Arg(0)->Arg(4)->Unit(benchmark::kMillisecond)
    ->Iterations(3)->UseRealTime();

// The pieces: archive open (the zip directory: ~730k entries), pickle parse, and the
// storage checks.
void BM_RwArchiveOpen(benchmark::State& state) {
    const std::string& file = benchFile();
    if (file.empty()) {
        state.SkipWithError("no benchmark file");
        return;
    }
    for (auto _ : state) {
        ca::torchzip::TorchZipArchive zip(file);
        benchmark::DoNotOptimize(&zip);
    }
}
BENCHMARK(BM_RwArchiveOpen)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

// Open + check every storage record (local header, CRC-32): the work the import's second
// thread does while the pickle is parsed.
void BM_RwArchiveOpenAndCheckRecords(benchmark::State& state) {
    const std::string& file = benchFile();
    if (file.empty()) {
        state.SkipWithError("no benchmark file");
        return;
    }
    for (auto _ : state) {
        ca::torchzip::TorchZipArchive zip(file);
        zip.prefetchStorages();
        benchmark::DoNotOptimize(&zip);
    }
}
BENCHMARK(BM_RwArchiveOpenAndCheckRecords)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

void BM_RwPickleParse(benchmark::State& state) {
    const std::string& file = benchFile();
    if (file.empty()) {
        state.SkipWithError("no benchmark file");
        return;
    }
    const std::vector<uint8_t> bytes = ca::torchzip::TorchZipArchive(file).readPickle();
    size_t tensors = 0;
    for (auto _ : state) {
        const auto doc = ca::torchpkl::parseTorchPickle(bytes, file);
        tensors = doc.numTensors();
    }
    state.counters["tensors"] = static_cast<double>(tensors);
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes.size()));
}
BENCHMARK(BM_RwPickleParse)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

}  // namespace
