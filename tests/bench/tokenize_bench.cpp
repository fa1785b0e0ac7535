// Tokenizer throughput on all 14,042 MMLU test prompts (zero-shot format) and tokenizer.json
// loading time. Goal (issue 3): >= 5 MB of prompt text per second per core with Qwen3.
//
//   tokenize_bench --benchmark_filter=Qwen3   (results: docs/benchmarks.md, "Tokenizer")
//
// "Cold" clears the word cache before every pass over the prompts (what one capture run sees);
// "Warm" keeps it (steady state of a long-running process).
#include "core/capture/tokenizer/tokenizer.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

const std::string kData = CA_TEST_DATA_DIR;

// RFC 4180 rows (quoted fields may hold commas, doubled quotes and newlines).
std::vector<std::vector<std::string>> readCsv(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    std::vector<std::vector<std::string>> rows(1);
    std::string field;
    bool quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            rows.back().push_back(std::move(field));
            field.clear();
        } else if (c == '\n' || c == '\r') {
            if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
            rows.back().push_back(std::move(field));
            field.clear();
            rows.emplace_back();
        } else {
            field += c;
        }
    }
    if (!field.empty() || !rows.back().empty()) rows.back().push_back(std::move(field));
    if (rows.back().empty()) rows.pop_back();
    return rows;
}

// The authors' zero-shot prompt: "Question: ...\nChoices:\nA. ...\nD. ...\nAnswer:".
const std::vector<std::string>& mmluPrompts() {
    static const std::vector<std::string> prompts = [] {
        std::vector<fs::path> files;
        for (const auto& e : fs::directory_iterator(kData + "/mmlu/test"))
            if (e.path().extension() == ".csv") files.push_back(e.path());
        std::sort(files.begin(), files.end());
        std::vector<std::string> out;
        for (const fs::path& f : files)
            for (const auto& row : readCsv(f)) {
                if (row.size() != 6) throw std::runtime_error("bad MMLU row in " + f.string());
                out.push_back("Question: " + row[0] + "\nChoices:\nA. " + row[1] + "\nB. " +
                              row[2] + "\nC. " + row[3] + "\nD. " + row[4] + "\nAnswer:");
            }
        return out;
    }();
    return prompts;
}

std::size_t totalBytes(const std::vector<std::string>& texts) {
    std::size_t n = 0;
    for (const auto& t : texts)
        n += t.size();
    return n;
}

const ca::tok::Tokenizer& tokenizer(const std::string& dir) {
    static std::vector<std::pair<std::string, ca::tok::Tokenizer>> loaded;
    for (auto& [name, tok] : loaded)
        if (name == dir) return tok;
    loaded.emplace_back(dir, ca::tok::Tokenizer::fromFile(kData + "/tokenizers/" + dir));
    return loaded.back().second;
}

void encodeAll(benchmark::State& state, const std::string& dir, bool cold) {
    const auto& prompts = mmluPrompts();
    const auto& tok = tokenizer(dir);
    std::size_t ids = 0;
    for (auto _ : state) {
        if (cold) {
            state.PauseTiming();
            tok.clearCache();
            state.ResumeTiming();
        }
        ids = 0;
        for (const std::string& p : prompts)
            ids += tok.encode(p).size();
        benchmark::DoNotOptimize(ids);
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * totalBytes(prompts)));
    state.counters["prompts"] = static_cast<double>(prompts.size());
    state.counters["tokens"] = static_cast<double>(ids);
    state.counters["MB"] = static_cast<double>(totalBytes(prompts)) / 1e6;
}

void BM_Qwen3_MmluTest_Cold(benchmark::State& s) {
    encodeAll(s, "qwen3", true);
}
void BM_Qwen3_MmluTest_Warm(benchmark::State& s) {
    encodeAll(s, "qwen3", false);
}
void BM_DeepSeekV2_MmluTest_Cold(benchmark::State& s) {
    encodeAll(s, "deepseek-v2", true);
}
void BM_Olmoe_MmluTest_Cold(benchmark::State& s) {
    encodeAll(s, "olmoe-1b-7b-0924", true);
}

void loadTokenizer(benchmark::State& state, const std::string& dir) {
    for (auto _ : state) {
        auto tok = ca::tok::Tokenizer::fromFile(kData + "/tokenizers/" + dir);
        benchmark::DoNotOptimize(tok.idLimit());
    }
    state.SetBytesProcessed(
        static_cast<int64_t>(state.iterations()) *
        static_cast<int64_t>(fs::file_size(kData + "/tokenizers/" + dir + "/tokenizer.json")));
}

void BM_Qwen3_LoadTokenizerJson(benchmark::State& s) {
    loadTokenizer(s, "qwen3");
}
void BM_DeepSeekV2_LoadTokenizerJson(benchmark::State& s) {
    loadTokenizer(s, "deepseek-v2");
}
void BM_Olmoe_LoadTokenizerJson(benchmark::State& s) {
    loadTokenizer(s, "olmoe-1b-7b-0924");
}

}  // namespace

BENCHMARK(BM_Qwen3_MmluTest_Cold)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_Qwen3_MmluTest_Warm)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_DeepSeekV2_MmluTest_Cold)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_Olmoe_MmluTest_Cold)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_Qwen3_LoadTokenizerJson)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DeepSeekV2_LoadTokenizerJson)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Olmoe_LoadTokenizerJson)->Unit(benchmark::kMillisecond);
