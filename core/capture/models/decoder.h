// The decoder skeleton shared by OLMoE, Qwen3-MoE and DeepSeek-V2 (models-spec.md §1.4):
// embed → [x += attn(norm(x)); x += ffn(norm(x))] × layers → norm → lm_head. The families differ
// only in the Attention and FeedForward modules they plug in (olmoe.cpp, qwen3_moe.cpp,
// deepseek_v2.cpp).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <torch/types.h>

#include "core/capture/checkpoint/model_config.h"
#include "core/capture/models/attention.h"
#include "core/capture/models/moe.h"
#include "core/capture/models/weights.h"

namespace ca::capture {

struct DecoderLayer {
    torch::Tensor input_layernorm, post_attention_layernorm;
    std::unique_ptr<Attention> attention;
    std::unique_ptr<FeedForward> feed_forward;
};

struct ForwardOutput {
    std::vector<LayerRouting> routing;  // one per MoE layer, in layer order, over all rows
    torch::Tensor last_logits;  // [sequences, vocab] float32 on the CPU: each sequence's logits
                                // after its last token
};

class CausalLM {
public:
    ModelConfig config;
    torch::ScalarType dtype = torch::kFloat32;
    torch::Device device = torch::kCPU;
    torch::Tensor embed_tokens;  // [vocab, hidden]
    std::vector<DecoderLayer> layers;
    torch::Tensor norm, lm_head;
    // RoPE: inverse frequencies of the rotated dims, and the cos/sin magnitude (YaRN mscale ratio).
    torch::Tensor inv_freq;
    double rope_magnitude = 1.0;
    std::shared_ptr<const WeightSource> weights;  // keeps mmapped bytes alive for the views

    // Runs the sequences of a packed batch (`ids` holds them one after another, batch.rows()
    // in all), each at positions 0..Ti-1 and attending only to itself. ids are validated against
    // the vocabulary.
    ForwardOutput forward(const std::vector<int32_t>& ids, const PackedBatch& batch) const;
    // One sequence.
    ForwardOutput forward(const std::vector<int32_t>& ids) const;
};

// Builds the model named by config.model_type from `source`. Throws ca::InputError for a missing
// or misshaped tensor (naming it) or an unsupported model type.
std::unique_ptr<CausalLM> buildModel(const ModelConfig& config,
                                     std::shared_ptr<const WeightSource> source,
                                     torch::ScalarType dtype, torch::Device device);

// The family builders (one file each).
void buildOlmoe(CausalLM& model, const WeightLoader& w);
void buildQwen3Moe(CausalLM& model, const WeightLoader& w);
void buildDeepseekV2(CausalLM& model, const WeightLoader& w);

// Shared by the builders: embed_tokens, norm, lm_head and the two layer norms.
void loadCommonTensors(CausalLM& model, const WeightLoader& w);
SwiGluWeights loadSwiGlu(const WeightLoader& w, const std::string& prefix, int64_t hidden,
                         int64_t width);
std::vector<SwiGluWeights> loadExperts(const WeightLoader& w, const std::string& prefix,
                                       int64_t count, int64_t hidden, int64_t width);
// OLMoE's and Qwen3's attention (prefix "model.layers.N."): q/k/v/o projections and q/k
// norms, whose width follows qk_norm (the whole projection, or head_dim).
std::unique_ptr<Attention> loadStandardAttention(const WeightLoader& w, const std::string& prefix,
                                                 const ModelConfig& c, QkNorm qk_norm,
                                                 double clip_qkv);
// A family's router: how it computes and applies the weights (the three enums), with the
// config's k, norm_topk_prob, routed_scaling_factor and group-limited selection.
RouterSpec configuredRouter(const ModelConfig& c, RouterSpec::Precision precision,
                            RouterSpec::Combine combine, RouterSpec::Normalise normalise);
// OLMoE's and Qwen3's: linear in the model dtype, index_add_ combine, plain norm_topk_prob.
RouterSpec modelDtypeRouter(const ModelConfig& c);

}  // namespace ca::capture
