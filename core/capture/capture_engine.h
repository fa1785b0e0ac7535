// Runs token-id sequences through a loaded model and turns the forward pass into plain routing
// arrays (the torch-side half of capture_api.h).
//
// Kernels (Debian libtorch 1.13 on the CPU; measurements in docs/benchmarks.md "Prefill"):
//  - Every product with a weight (q/k/v/o, router, experts, lm_head) and the attention's Q·Kᵀ and
//    P·V go to the engine's own AVX-512 kernels (models/gemm.h) when the CPU has them: fp32 with
//    FMA (AVX512F), bf16 with vdpbf16ps (AVX512_BF16), float32 accumulation, bf16 results rounded
//    to nearest even. They read the weight rows in place, so BF16 checkpoints stay mmapped views
//    in bf16 and F32 ones in fp32 (no packed copy). The MoE block batches all experts of a layer
//    per projection (gate, up, down) and sums their weighted outputs with the reference loop's
//    roundings (models/weighted_sum.h). Without AVX-512 (or with CA_TORCH_GEMM=1) the products
//    fall back to torch::linear / matmul: fp32 to the system BLAS (libblas.so.3: check that it is
//    OpenBLAS, not netlib, ~70× slower), bf16 to oneDNN (brgemm, avx512_core_bf16 where present).
//  - Parallelism: the engine's own thread pool (models/parallel.h), in which the calling thread
//    takes part, with torch's intra-op thread count (Capture's `threads`); torch ops themselves run
//    single-threaded during a forward pass, the heavy row-wise ones (RMSNorm, RoPE, attention
//    softmax, the experts' silu·up) split by rows into the pool. This keeps a prefill fast when
//    other processes share the cores, where each OpenMP fork/join of torch could wait a tick.
//  - Batch invariance: a packed batch (several sequences stacked as rows, models/packed_batch.h)
//    gives every sequence bit for bit what it gets alone, because no row's value depends on the
//    rows computed with it: the own kernels accumulate each output along K in a fixed order;
//    attention and RoPE positions are per sequence; the row-wise torch ops (RMSNorm, softmax,
//    SiLU via siluRowsInto, RoPE tables padded to 32 positions) use the same vector code for a
//    row whatever the row count. So batch size never changes a trace, and `--shard` + `merge`
//    equal one run. The torch fallback (oneDNN/BLAS) and CUDA (cuBLAS) choose their blocking by
//    matrix size: there, batched and unbatched results agree to float rounding only.
//  - Softmax, RMSNorm statistics and SiLU are ATen's vectorised CPU loops; router and attention
//    softmax and RMSNorm statistics are computed in float32 as the reference implementations do;
//    DeepSeek's router GEMM is float32.
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
    // The same for several sequences in one forward pass (packed, models/packed_batch.h): record
    // i gets exactly what run(sequences[i]) gives it, bit for bit, when the products run on the
    // own kernels (see "Batch invariance" above). records.size() == sequences.size().
    std::vector<NextToken> runBatch(const std::vector<std::vector<int32_t>>& sequences,
                                    std::vector<SampleRecord>& records) const;

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
