// OLMoE (allenai/OLMoE-1B-7B-0924): MHA with q/k RMSNorm over the FULL projection width (before
// the head split), NeoX RoPE, every layer a 64-expert top-8 MoE without shared experts, router
// linear in the model dtype, norm_topk_prob false (models-spec.md §2).
#include "core/capture/models/decoder.h"

namespace ca::capture {

void buildOlmoe(CausalLM& model, const WeightLoader& w) {
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
                                   w.get(p + "self_attn.q_norm.weight", {width}),
                                   w.get(p + "self_attn.k_norm.weight", {kv_width})};
        StandardAttentionShape shape{c.num_attention_heads, c.num_key_value_heads, c.head_dim,
                                     QkNorm::FullWidth, c.rms_norm_eps, c.clip_qkv.value_or(0.0)};
        model.layers[i].attention = std::make_unique<StandardAttention>(std::move(a), shape);
        model.layers[i].feed_forward = std::make_unique<MoeBlock>(
            w.get(p + "mlp.gate.weight", {c.num_experts, H}),
            loadExperts(w, p + "mlp.experts.", c.num_experts, H, c.intermediate_size),
            std::nullopt, router);
    }
}

}  // namespace ca::capture
