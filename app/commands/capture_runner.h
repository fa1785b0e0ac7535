// The capture job behind `committee-audit capture` and `committee-audit demo`.
#pragma once

#include <cstdint>
#include <string>

namespace ca::cli {

struct CaptureArgs {
    std::string model, dataset, ids, text, out;
    std::string device = "cpu", dtype = "bf16";
    bool full_probs = false, resume = false, quiet = false;
    int64_t limit = -1;
    std::string shard;  // "I/N"
    std::string prompt_format = "auto", system, taxonomy = "paper-9-domains", tokenizer;
    int threads = 0;
    // Consecutive samples are packed into one forward pass up to this many tokens (a longer
    // sample runs alone); 0 or 1: one sample per pass. -1 (auto): kExactBatchTokens where
    // batching is bit-exact (Capture::batchingIsExact), else one sample per pass, so that a
    // trace never depends on how it was batched unless the user asks for batches.
    int64_t batch_tokens = -1;
    static constexpr int64_t kExactBatchTokens = 1024;
};

// Returns the exit code: 0 done, 130 interrupted (trace valid, resumable).
int runCapture(const CaptureArgs& args);

}  // namespace ca::cli
