// OLMoE (allenai/OLMoE-1B-7B-0924): MHA with q/k RMSNorm over the FULL projection width (before
// the head split), NeoX RoPE, every layer a 64-expert top-8 MoE without shared experts, router
// linear in the model dtype, norm_topk_prob false (models-spec.md §2).
#include "core/capture/models/decoder.h"

namespace ca::capture {

void buildOlmoe(CausalLM& model, const WeightLoader& w) {
    const ModelConfig& c = model.config;
    const int64_t H = c.hidden_size;
    model.inv_freq = defaultInvFreq(c.head_dim, c.rope_theta);
    const RouterSpec router = modelDtypeRouter(c);
    for (int64_t i = 0; i < c.num_hidden_layers; ++i) {
        const std::string p = "model.layers." + std::to_string(i) + ".";
        model.layers[i].attention =
            loadStandardAttention(w, p, c, QkNorm::FullWidth, c.clip_qkv.value_or(0.0));
        model.layers[i].feed_forward = std::make_unique<MoeBlock>(
            w.get(p + "mlp.gate.weight", {c.num_experts, H}),
            loadExperts(w, p + "mlp.experts.", c.num_experts, H, c.intermediate_size),
            std::nullopt, router);
    }
}

}  // namespace ca::capture
