// Runs token-id sequences through a loaded model and turns the forward pass into plain routing
// arrays (the torch-side half of capture_api.h).
//
// Kernels, for the documentation of fp32 vs bf16 (Debian libtorch 1.13, CPU):
//  - fp32: every linear/matmul is an at::addmm/bmm in float32, dispatched to the system BLAS
//    (libblas.so.3: OpenBLAS when libopenblas0-pthread is installed, otherwise netlib, which is
//    ~70× slower). Softmax, RMSNorm, RoPE and SiLU are ATen's vectorised CPU loops.
//  - bf16: weights stay bfloat16 (mmapped views when the checkpoint is BF16); linears and
//    matmuls go to oneDNN's bf16 GEMM (libdnnl, AVX512-BF16/AMX when the CPU has them, else
//    its emulated bf16 path). Router softmax, attention softmax and RMSNorm statistics are
//    computed in float32 as the reference implementations do; DeepSeek's router GEMM is float32.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <torch/types.h>

#include "core/capture/checkpoint/checkpoint.h"
#include "core/capture/models/decoder.h"
#include "core/trace/trace_types.h"

namespace ca::capture {

struct EngineOptions {
    torch::Device device = torch::kCPU;
    torch::ScalarType dtype = torch::kBFloat16;
    bool full_probs = false;                // probs for every position, not only the last
    std::vector<int32_t> letter_token_ids;  // next-token logits to report (e.g. " A".." D")
};

// The outcome of the next-token prediction after a sequence.
struct NextToken {
    int32_t vocab_argmax = -1;  // argmax over the whole vocabulary (lowest id on ties)
    int letter_argmax = -1;     // index into letter_token_ids of the largest letter logit
};

class CaptureEngine {
public:
    CaptureEngine(std::unique_ptr<CausalLM> model, EngineOptions options);

    // Fills token_ids, topk_experts, topk_weights, probs (with full_probs), last_probs,
    // letter_logits and predicted of `record`; leaves its labels alone.
    // predicted = the letter whose token is the vocabulary argmax, -1 when no letter is.
    NextToken run(const std::vector<int32_t>& ids, SampleRecord& record) const;

    ModelInfo modelInfo() const;
    const CausalLM& model() const { return *model_; }
    const EngineOptions& options() const { return options_; }

private:
    std::unique_ptr<CausalLM> model_;
    EngineOptions options_;
};

// The tensors of an opened checkpoint (memory-mapped safetensors) as a WeightSource; the
// source owns the checkpoint, so the mappings live as long as any model built from it.
std::shared_ptr<const WeightSource> checkpointWeights(Checkpoint checkpoint);

}  // namespace ca::capture
