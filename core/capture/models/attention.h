// Causal self-attention of the three families, in the HF "eager" form that is the numerical
// reference (models-spec.md §1.5): scores = (Q·Kᵀ)·scale in the compute dtype, causal mask,
// softmax in float32 cast back to the compute dtype, then P·V.
#pragma once

#include <torch/types.h>

#include "core/capture/models/packed_batch.h"
#include "core/capture/models/rope.h"

namespace ca::capture {

// q [T, Hq, d], k [T, Hkv, d], v [T, Hkv, dv] with Hq a multiple of Hkv (GQA: query head h uses
// kv head h / (Hq/Hkv)). Returns [T, Hq * dv]. With a packed batch (T = batch.rows()), each
// sequence attends only to its own earlier rows: every sequence's result is the one it would
// get alone.
torch::Tensor causalAttention(const torch::Tensor& q, const torch::Tensor& k,
                              const torch::Tensor& v, double scale);
torch::Tensor causalAttention(const torch::Tensor& q, const torch::Tensor& k,
                              const torch::Tensor& v, double scale, const PackedBatch& batch);

class Attention {
public:
    virtual ~Attention() = default;
    // a: the input-normalised hidden states of a packed batch [rows, hidden], angles for its
    // rows; returns the o_proj output [rows, hidden].
    virtual torch::Tensor forward(const torch::Tensor& a, const RopeAngles& angles,
                                  const PackedBatch& batch) const = 0;
};

// Where OLMoE and Qwen3 put their q/k RMSNorm (models-spec.md §0.2).
enum class QkNorm {
    FullWidth,  // OLMoE: over the whole projection output, before splitting into heads
    PerHead,    // Qwen3: over head_dim, after the reshape
};

// Multi-head / grouped-query attention with NeoX RoPE (OLMoE, Qwen3).
struct StandardAttentionWeights {
    torch::Tensor q_proj, k_proj, v_proj, o_proj;  // [out, in]
    torch::Tensor q_norm, k_norm;
};
struct StandardAttentionShape {
    int64_t heads = 0, kv_heads = 0, head_dim = 0;
    QkNorm qk_norm = QkNorm::FullWidth;
    double norm_eps = 1e-6;
    double clip_qkv = 0;  // OLMoE's optional clamp; 0 = off
};
class StandardAttention : public Attention {
public:
    StandardAttention(StandardAttentionWeights w, StandardAttentionShape s)
        : w_(std::move(w)), s_(s) {}
    torch::Tensor forward(const torch::Tensor& a, const RopeAngles& angles,
                          const PackedBatch& batch) const override;

private:
    StandardAttentionWeights w_;
    StandardAttentionShape s_;
};

// DeepSeek-V2 multi-head latent attention, un-absorbed (models-spec.md §4.2), interleaved YaRN
// RoPE on the rope dims, softmax scale q_head_dim^-0.5 · mscale² (ModelConfig::attentionScale).
struct MlaWeights {
    torch::Tensor q_proj;                   // [H*(nope+rope), hidden], when q_lora_rank == 0
    torch::Tensor q_a_proj, q_a_layernorm;  // when q_lora_rank > 0
    torch::Tensor q_b_proj;
    torch::Tensor kv_a_proj_with_mqa;  // [rank + rope, hidden]
    torch::Tensor kv_a_layernorm;      // [rank]
    torch::Tensor kv_b_proj;           // [H*(nope+v), rank]
    torch::Tensor o_proj;              // [hidden, H*v]
};
struct MlaShape {
    int64_t heads = 0, kv_lora_rank = 0, nope_dim = 0, rope_dim = 0, v_dim = 0;
    double softmax_scale = 0;
};
class MlaAttention : public Attention {
public:
    MlaAttention(MlaWeights w, MlaShape s) : w_(std::move(w)), s_(s) {}
    torch::Tensor forward(const torch::Tensor& a, const RopeAngles& angles,
                          const PackedBatch& batch) const override;

private:
    MlaWeights w_;
    MlaShape s_;
};

}  // namespace ca::capture
