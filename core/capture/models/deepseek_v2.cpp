// DeepSeek-V2(-Lite): multi-head latent attention (un-absorbed), YaRN RoPE applied INTERLEAVED
// to the rope dims, softmax scale q_head_dim^-0.5 · mscale², dense layers before
// first_k_dense_replace, routed experts plus an always-on shared MLP, router computed in float32
// (hidden state and gate weight upcast before the linear), topk(sorted=False) re-sorted, weights
// × routed_scaling_factor unless norm_topk_prob (models-spec.md §4, remote-code semantics).
#include "core/capture/models/decoder.h"

namespace ca::capture {

void buildDeepseekV2(CausalLM& model, const WeightLoader& w) {
    const ModelConfig& c = model.config;
    const int64_t H = c.hidden_size, heads = c.num_attention_heads;
    const int64_t q_dim = c.qk_nope_head_dim + c.qk_rope_head_dim;
    if (c.rope_scaling) {
        model.inv_freq = yarnInvFreq(c.qk_rope_head_dim, c.rope_theta, *c.rope_scaling);
        model.rope_magnitude = c.ropeCosSinScale();
    } else {
        model.inv_freq = defaultInvFreq(c.qk_rope_head_dim, c.rope_theta);
    }
    MlaShape shape{heads, c.kv_lora_rank, c.qk_nope_head_dim, c.qk_rope_head_dim, c.v_head_dim,
                   c.attentionScale()};
    const RouterSpec router =
        configuredRouter(c, RouterSpec::Precision::Float32, RouterSpec::Combine::Float32Sum,
                         RouterSpec::Normalise::DeepSeek);
    for (int64_t i = 0; i < c.num_hidden_layers; ++i) {
        const std::string p = "model.layers." + std::to_string(i) + ".";
        MlaWeights a;
        if (c.q_lora_rank) {
            const int64_t rank = *c.q_lora_rank;
            a.q_a_proj = w.get(p + "self_attn.q_a_proj.weight", {rank, H});
            a.q_a_layernorm = w.get(p + "self_attn.q_a_layernorm.weight", {rank});
            a.q_b_proj = w.get(p + "self_attn.q_b_proj.weight", {heads * q_dim, rank});
        } else {
            a.q_proj = w.get(p + "self_attn.q_proj.weight", {heads * q_dim, H});
        }
        a.kv_a_proj_with_mqa = w.get(p + "self_attn.kv_a_proj_with_mqa.weight",
                                     {c.kv_lora_rank + c.qk_rope_head_dim, H});
        a.kv_a_layernorm = w.get(p + "self_attn.kv_a_layernorm.weight", {c.kv_lora_rank});
        a.kv_b_proj = w.get(p + "self_attn.kv_b_proj.weight",
                            {heads * (c.qk_nope_head_dim + c.v_head_dim), c.kv_lora_rank});
        a.o_proj = w.get(p + "self_attn.o_proj.weight", {H, heads * c.v_head_dim});
        model.layers[i].attention = std::make_unique<MlaAttention>(std::move(a), shape);
        if (c.isMoeLayer(i)) {
            std::optional<SwiGluWeights> shared;
            if (c.num_shared_experts > 0)
                shared = loadSwiGlu(w, p + "mlp.shared_experts.", H,
                                    c.shared_expert_intermediate_size);
            model.layers[i].feed_forward = std::make_unique<MoeBlock>(
                w.get(p + "mlp.gate.weight", {c.num_experts, H}),
                loadExperts(w, p + "mlp.experts.", c.num_experts, H, c.moe_intermediate_size),
                std::move(shared), router);
        } else {
            model.layers[i].feed_forward =
                std::make_unique<DenseMlp>(loadSwiGlu(w, p + "mlp.", H, c.intermediate_size));
        }
    }
}

}  // namespace ca::capture
