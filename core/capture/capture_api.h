// The capture engine's interface: plain C++, no libtorch types, so that Qt code (ui/, app/) and
// the command line can call it. Everything behind it lives in core/capture/.
//
// Typical use (the `capture` subcommand):
//
//     ca::capture::CaptureOptions opt;
//     opt.dtype = ca::capture::Precision::Bf16;
//     opt.letter_token_ids = {ids of " A", " B", " C", " D"};
//     auto cap = ca::capture::Capture::open("/models/OLMoE-1B-7B-0924", opt);  // InputError
//     ca::ModelInfo info = cap->modelInfo();       // for TraceWriter's /model group
//     ca::SampleRecord rec;  rec.id = ...; rec.answer = ...;
//     cap->run(token_ids, rec);                     // fills the routing fields of rec
//
// Numerics: the router is recorded from the unmodified forward pass (HF "eager" semantics, see
// models-spec.md). fp32 mode is for verification; bf16 is the fast path (kernels: see
// capture_engine.h). A Capture is not thread-safe: run one sequence or batch at a time (the
// forward pass itself uses `threads` threads).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/trace/trace_types.h"

namespace ca::capture {

// True when this build's libtorch can run on CUDA.
bool cudaCompiledIn();
// Version string of the libtorch this build links.
std::string torchVersion();

enum class Precision {
    Fp32,  // everything in float32 (weights converted when stored as BF16/F16)
    Bf16,  // the published checkpoints' dtype; weights mmapped without a copy when stored BF16
};
// "fp32"/"float32" or "bf16"/"bfloat16"; throws ca::InputError otherwise.
Precision parsePrecision(const std::string& text);

struct CaptureOptions {
    std::string device = "cpu";  // "cpu", "cuda" or "cuda:N" (InputError when unavailable)
    Precision dtype = Precision::Bf16;
    int threads = 0;             // threads of a forward pass (set as torch's intra-op count,
                                 // used by the engine's own pool); 0 = the hardware's count
    bool full_probs = false;     // fill SampleRecord::probs for every position
    // Token ids whose next-token logits become SampleRecord::letter_logits (MMLU: " A".." D").
    std::vector<int32_t> letter_token_ids;
};

// What the model would say next, beyond what SampleRecord holds.
struct NextTokenInfo {
    int32_t vocab_argmax = -1;  // argmax over the whole vocabulary (lowest id on ties)
    int letter_argmax = -1;     // index of the largest letter logit, -1 without letters
};

class Capture {
public:
    // Loads config.json and the safetensors weights (single file or sharded) of a Hugging Face
    // checkpoint directory of model_type olmoe, qwen3_moe or deepseek_v2. Weights stay
    // memory-mapped where the stored dtype equals the compute dtype (CPU).
    // Throws ca::InputError for an unsupported model, a bad or missing file, a missing or
    // misshaped tensor (named), an unknown device or CUDA without a CUDA build.
    static std::unique_ptr<Capture> open(const std::string& model_dir,
                                         const CaptureOptions& options);
    ~Capture();

    // E, k, shared experts and the HF indices of the MoE layers; name = the config's
    // _name_or_path when present, else the directory name.
    ModelInfo modelInfo() const;
    const CaptureOptions& options() const;
    int64_t vocabSize() const;

    // Runs one sequence (no padding, positions 0..n-1, no template or BOS added) and fills, in
    // `record`: token_ids; topk_experts and topk_weights [n, L, k] (weight descending, ties:
    // lower id first; weights as the model applies them, in float32); probs [n, L, E] only with
    // full_probs (else cleared); last_probs [L, E] always; letter_logits (one per
    // letter_token_ids entry); predicted = the letter whose token is the vocabulary argmax, or
    // -1 when the argmax is no letter ("no answer"). id, subject, domain, prompt, token_pieces
    // and answer are left as they are. Throws ca::InputError for an empty sequence or an id
    // outside the vocabulary.
    NextTokenInfo run(const std::vector<int32_t>& token_ids, SampleRecord& record) const;

    // Several sequences in one forward pass, packed without padding (each keeps its own
    // positions and attends only to itself): record i is filled as run(sequences[i], record i)
    // would fill it, bit for bit on CPUs with AVX-512 (the engine's own kernels; with the torch
    // fallback or on CUDA to float rounding). Worth it on a MoE: each expert then sees enough
    // positions to stream its weights once for many (docs/benchmarks.md "Batched capture").
    // records.size() must equal sequences.size().
    std::vector<NextTokenInfo> runBatch(const std::vector<std::vector<int32_t>>& sequences,
                                        std::vector<SampleRecord>& records) const;
    // Whether runBatch gives every record bit for bit what run gives it here: on the CPU when the
    // own kernels serve the compute dtype (AVX-512; not with CA_TORCH_GEMM=1).
    bool batchingIsExact() const;

private:
    struct Impl;
    explicit Capture(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// Reads a JSON file holding a list of token-id lists (`capture --ids`) and runs each as its own
// sequence. Record i gets id "i"; labels stay empty. Throws ca::InputError for a file that is
// not such a list.
std::vector<std::vector<int32_t>> readIdsJson(const std::string& path);
std::vector<SampleRecord> runIdsJson(const Capture& capture, const std::string& path);

}  // namespace ca::capture
