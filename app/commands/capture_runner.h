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
};

// Returns the exit code: 0 done, 130 interrupted (trace valid, resumable).
int runCapture(const CaptureArgs& args);

}  // namespace ca::cli
