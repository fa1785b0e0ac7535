// config.json of a Hugging Face MoE checkpoint, read into one struct that holds everything
// the forward passes of the three supported families need.
//
// Supported model_type values: "olmoe" (OLMoE-1B-7B), "qwen3_moe" (Qwen3-30B-A3B) and
// "deepseek_v2" (DeepSeek-V2-Lite). Values the published configs omit take the defaults of
// the family's Hugging Face configuration class (e.g. OLMoE's rms_norm_eps 1e-5); fields
// that fix tensor shapes are required. Settings the forward passes here do not implement
// (attention biases, sliding windows, other activations, RoPE scaling other than
// DeepSeek's YaRN) are rejected rather than silently ignored.
// See shared research notes models-spec.md §2.1, §3.1, §4.1.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ca::capture {

enum class ModelFamily { Olmoe, Qwen3Moe, DeepseekV2 };

// The HF model_type string: "olmoe", "qwen3_moe", "deepseek_v2".
std::string_view modelTypeName(ModelFamily family);
// "olmoe, qwen3_moe, deepseek_v2", for messages.
std::string_view supportedModelTypesText();

// DeepSeek's YaRN settings (rope_scaling with type "yarn"); the defaults are those of
// DeepSeek's DeepseekV2YarnRotaryEmbedding.
struct YarnRopeScaling {
    double factor = 1.0;
    int64_t original_max_position_embeddings = 4096;
    double beta_fast = 32.0;
    double beta_slow = 1.0;
    double mscale = 1.0;
    double mscale_all_dim = 0.0;
};

// DeepSeek's yarn_get_mscale: 1 for scale <= 1, else 0.1 * mscale * ln(scale) + 1.
double yarnGetMscale(double scale, double mscale);

struct ModelConfig {
    ModelFamily family = ModelFamily::Olmoe;
    std::string model_type;
    std::vector<std::string> architectures;

    // --- sizes
    int64_t vocab_size = 0;
    int64_t hidden_size = 0;
    int64_t num_hidden_layers = 0;
    int64_t num_attention_heads = 0;
    int64_t num_key_value_heads = 0;
    // Width of one attention head. OLMoE: hidden/heads (no key). Qwen3: the explicit
    // head_dim key (128 for Qwen3-30B-A3B, not 2048/32). DeepSeek: the query/key head width
    // qk_nope_head_dim + qk_rope_head_dim (192); values use v_head_dim.
    int64_t head_dim = 0;
    int64_t intermediate_size = 0;      // dense MLP width (OLMoE: equals the expert width)
    int64_t moe_intermediate_size = 0;  // one routed expert's width
    int64_t max_position_embeddings = 0;

    // --- routing
    int64_t num_experts =
        0;  // routed experts E (OLMoE/Qwen3 num_experts, DeepSeek n_routed_experts)
    int64_t num_experts_per_tok = 0;  // k
    bool norm_topk_prob = false;      // renormalise the top-k weights to sum 1
    int64_t num_shared_experts = 0;   // DeepSeek n_shared_experts; stored as ONE fused MLP
    int64_t shared_expert_intermediate_size = 0;  // num_shared_experts * moe_intermediate_size
    double routed_scaling_factor = 1.0;           // DeepSeek: top-k weights are multiplied by this
    std::string topk_method = "greedy";           // DeepSeek: "greedy" or "group_limited_greedy"
    int64_t n_group = 1;  // DeepSeek expert groups (group_limited_greedy only)
    int64_t topk_group = 1;
    std::string scoring_func = "softmax";

    // --- which layers are MoE (the rest are dense MLPs)
    int64_t first_k_dense_replace = 0;     // DeepSeek: layers below this are dense
    int64_t moe_layer_freq = 1;            // DeepSeek: MoE iff i % freq == 0 (remote code)
    int64_t decoder_sparse_step = 1;       // Qwen3: MoE iff (i + 1) % step == 0
    std::vector<int64_t> mlp_only_layers;  // Qwen3: forced dense
    std::vector<int64_t> moe_layers;       // derived: HF indices of MoE layers, ascending
    bool isMoeLayer(int64_t layer) const;

    // --- normalisation and positions
    double rms_norm_eps = 0.0;  // OLMoE 1e-5 by default (absent in the base config)
    double rope_theta = 10000.0;
    std::optional<YarnRopeScaling> rope_scaling;  // DeepSeek YaRN; nullopt = plain RoPE

    // --- DeepSeek multi-head latent attention (zero / nullopt for the other families)
    std::optional<int64_t> q_lora_rank;  // nullopt (JSON null) for V2-Lite: plain q_proj
    int64_t kv_lora_rank = 0;
    int64_t qk_nope_head_dim = 0;
    int64_t qk_rope_head_dim = 0;
    int64_t v_head_dim = 0;

    // --- OLMoE
    std::optional<double> clip_qkv;  // clamp q, k, v to [-clip, clip]; null in OLMoE-0924

    // --- tokens and storage
    std::optional<int64_t> bos_token_id;
    std::vector<int64_t> eos_token_ids;  // eos_token_id may be one id or a list
    std::optional<int64_t> pad_token_id;
    std::string torch_dtype;  // as declared ("bfloat16"); "" when absent
    bool tie_word_embeddings = false;

    // Number of dims RoPE rotates per head: head_dim (OLMoE, Qwen3), qk_rope_head_dim (DeepSeek).
    int64_t ropeDims() const;
    // Width of one value head: head_dim, or v_head_dim for DeepSeek.
    int64_t valueHeadDim() const;
    // The attention logit scale. head_dim^-0.5, and for DeepSeek with YaRN the remote
    // code's (q head dim)^-0.5 * mscale^2 with mscale = yarnGetMscale(factor, mscale_all_dim):
    // 0.1147213868 for V2-Lite, not the 0.0721688 of old native transformers.
    double attentionScale() const;
    // DeepSeek YaRN multiplier of the cos/sin cache:
    // yarnGetMscale(factor, mscale) / yarnGetMscale(factor, mscale_all_dim); 1 without YaRN.
    double ropeCosSinScale() const;
};

// Parses config.json text. Throws ca::InputError(file, problem): an unknown model_type lists
// the supported ones; a missing required field or a value of the wrong JSON type names the
// field.
ModelConfig parseModelConfig(std::string_view json_text, const std::string& file);
// Reads and parses a config.json file.
ModelConfig loadModelConfig(const std::string& path);

}  // namespace ca::capture
