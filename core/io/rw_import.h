// Import of the authors' RW router files (router_lens.py, paper-spec §c2) into a trace.
//
// Each file is a torch.save'd list with one dict per prompt:
//   {layer: {'topk_idx': LongTensor[k], 'topk_weight': FloatTensor[k]}, ...,
//    'subject': str, 'id': ..., 'domain': str, 'cognitive': ..., 'difficulty': ...}
// recorded at the prompt's last token. Every record becomes one sample with one token
// position (token id -1). DeepSeek's gate selects with topk(sorted=False), so each
// position's experts are re-sorted here by weight, descending, ties to the lower id.
#pragma once

#include "core/trace/trace_types.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ca::rw {

// Receives warnings and notes meant for the user (the CLI prints them on stderr).
using NoteFn = std::function<void(const std::string&)>;

struct RwImportOptions {
    int num_experts = 0;                  // E; 0 = infer as the authors' audit does
    int num_shared_experts = 0;           // not recorded in RW files
    std::string model_name;               // "" = the base name of the first source
    std::string architecture = "deepseek_v2";
    // Deflate level of the written trace. 0 (none) by default: a 14k-record RW file's
    // routing shrinks only from 17 to 11 MB and deflating it costs more than the whole read.
    int compression = 0;
    NoteFn note;                          // may be empty
};

struct RwSample {
    std::string id, subject, domain;     // labels; ints and floats are written as Python's str()
    std::string cognitive, difficulty;   // router_lens.py's extra labels ("" when absent)
    std::vector<int32_t> experts;        // [L, k] by weight descending, ties: lower id first
    std::vector<float> weights;          // [L, k] as recorded
};

struct RwSourceFile {
    std::string path;
    int64_t records = 0;
};

struct RwImport {
    ModelInfo model;                      // moe_layers = sorted layer keys, top_k, E
    bool experts_inferred = false;        // E came from the largest index, not from options
    int max_expert_index = -1;
    std::vector<RwSourceFile> files;
    std::vector<RwSample> samples;        // in file order, then record order
};

// The files to read, in order. A directory contributes router_weight_<N>.pth by N, then
// router_weight_last.pth; router_weight_info.pth (the authors' merged file) only when it is
// alone. Listed files keep their order unless every name is router_weight_<N|last>.pth, in
// which case they are ordered the same way (so "RW/*.pth" from a shell works).
std::vector<std::string> resolveRwSources(const std::vector<std::string>& sources,
                                          const NoteFn& note = {});

// The authors' expert-pool rule (Audit_Committee.py): max index < 64 -> 64, < 128 -> 128,
// < 256 -> 256, otherwise max + 1.
int inferNumExperts(int max_expert_index);

// Python's str() of a float (repr style: shortest round-trip digits, "1.0", "1e-05", "1e+16").
std::string pythonFloatString(double value);

// Reads and checks every file (InputError naming the file and record on any problem).
RwImport readRwFiles(const std::vector<std::string>& files, const RwImportOptions& options);

// The trace sample for one record: one position, token id -1.
SampleRecord toSampleRecord(const RwSample& sample);

// Writes `imported` as a trace at `out` (truncating it), deflate level `compression`.
void writeRwTrace(const RwImport& imported, const std::string& out, int compression = 0);

// resolveRwSources + readRwFiles + writeRwTrace.
RwImport importRw(const std::vector<std::string>& sources, const std::string& out,
                  const RwImportOptions& options);

}  // namespace ca::rw
