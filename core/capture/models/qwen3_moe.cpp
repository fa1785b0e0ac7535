// Qwen3-MoE (Qwen/Qwen3-30B-A3B): GQA with an EXPLICIT head_dim (128 ≠ 2048/32), q/k RMSNorm
// PER HEAD over head_dim after the reshape, NeoX RoPE, 128-expert top-8 MoE with
// norm_topk_prob true, router linear in the model dtype; layers listed in mlp_only_layers (or
// off the decoder_sparse_step grid) are dense (models-spec.md §3).
#include "core/capture/models/decoder.h"

namespace ca::capture {

void buildQwen3Moe(CausalLM& model, const WeightLoader& w) {
    const ModelConfig& c = model.config;
    const int64_t H = c.hidden_size;
    model.inv_freq = defaultInvFreq(c.head_dim, c.rope_theta);
    const RouterSpec router = modelDtypeRouter(c);
    for (int64_t i = 0; i < c.num_hidden_layers; ++i) {
        const std::string p = "model.layers." + std::to_string(i) + ".";
        model.layers[i].attention = loadStandardAttention(w, p, c, QkNorm::PerHead, 0.0);
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
