// Qwen3-MoE (Qwen/Qwen3-30B-A3B): GQA with an EXPLICIT head_dim (128 ≠ 2048/32), q/k RMSNorm
// PER HEAD over head_dim after the reshape, NeoX RoPE, 128-expert top-8 MoE with
// norm_topk_prob true, router linear in the model dtype; layers listed in mlp_only_layers (or
// off the decoder_sparse_step grid) are dense (models-spec.md §3).
#include "core/capture/models/decoder.h"

namespace ca::capture {

void buildQwen3Moe(CausalLM& model, const WeightLoader& w) {
    const ModelConfig& c = model.config;
    const int64_t H = c.hidden_size, width = c.num_attention_heads * c.head_dim;
    const int64_t kv_width = c.num_key_value_heads * c.head_dim;
    model.inv_freq = defaultInvFreq(c.head_dim, c.rope_theta);
    RouterSpec router;
    router.precision = RouterSpec::Precision::ModelDtype;
    router.combine = RouterSpec::Combine::ModelDtypeIndexAdd;
    router.normalise = RouterSpec::Normalise::Plain;
    router.norm_topk_prob = c.norm_topk_prob;
    router.top_k = c.num_experts_per_tok;
    for (int64_t i = 0; i < c.num_hidden_layers; ++i) {
        const std::string p = "model.layers." + std::to_string(i) + ".";
        StandardAttentionWeights a{w.get(p + "self_attn.q_proj.weight", {width, H}),
                                   w.get(p + "self_attn.k_proj.weight", {kv_width, H}),
                                   w.get(p + "self_attn.v_proj.weight", {kv_width, H}),
                                   w.get(p + "self_attn.o_proj.weight", {H, width}),
                                   w.get(p + "self_attn.q_norm.weight", {c.head_dim}),
                                   w.get(p + "self_attn.k_norm.weight", {c.head_dim})};
        StandardAttentionShape shape{c.num_attention_heads, c.num_key_value_heads, c.head_dim,
                                     QkNorm::PerHead, c.rms_norm_eps, 0.0};
        model.layers[i].attention = std::make_unique<StandardAttention>(std::move(a), shape);
        if (c.isMoeLayer(i)) {
            model.layers[i].feed_forward = std::make_unique<MoeBlock>(
                w.get(p + "mlp.gate.weight", {c.num_experts, H}),
                loadExperts(w, p + "mlp.experts.", c.num_experts, H, c.moe_intermediate_size),
                std::nullopt, router);
        } else {
            model.layers[i].feed_forward =
                std::make_unique<DenseMlp>(loadSwiGlu(w, p + "mlp.", H, c.intermediate_size));
        }
    }
}

}  // namespace ca::capture
