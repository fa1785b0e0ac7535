#include "core/capture/models/decoder.h"

#include <stdexcept>

#include <c10/core/InferenceMode.h>

#include "core/capture/models/gemm.h"
#include "core/capture/models/parallel.h"
#include "core/capture/models/rms_norm.h"
#include "core/util/input_error.h"

namespace ca::capture {

ForwardOutput CausalLM::forward(const std::vector<int32_t>& ids) const {
    return forward(ids, PackedBatch::single(static_cast<int64_t>(ids.size())));
}

ForwardOutput CausalLM::forward(const std::vector<int32_t>& ids, const PackedBatch& batch) const {
    if (static_cast<int64_t>(ids.size()) != batch.rows())
        throw std::logic_error("CausalLM::forward: ids and batch disagree");
    for (int64_t i = 0; i < batch.sequences(); ++i)
        if (batch.length(i) <= 0) throw InputError("", "empty token sequence");
    if (ids.empty()) throw InputError("", "empty token sequence");
    for (int32_t id : ids)
        if (id < 0 || id >= config.vocab_size)
            throw InputError("", "token id " + std::to_string(id) + " outside the vocabulary of " +
                                     std::to_string(config.vocab_size));
    c10::InferenceMode inference;
    ForwardThreads threads;  // the engine's own loops share out the work (parallel.h)
    const int64_t R = batch.rows();
    std::vector<int64_t> ids64(ids.begin(), ids.end());
    torch::Tensor id_tensor = torch::from_blob(ids64.data(), {R}, torch::kInt64).to(device);
    torch::Tensor x = embed_tokens.index_select(0, id_tensor);
    RopeAngles angles = ropeAngles(inv_freq, batch, rope_magnitude, device);

    ForwardOutput out;
    const double eps = config.rms_norm_eps;
    for (const DecoderLayer& layer : layers) {
        torch::Tensor a = rmsNorm(x, layer.input_layernorm, eps);
        x = x + layer.attention->forward(a, angles, batch);
        torch::Tensor m = rmsNorm(x, layer.post_attention_layernorm, eps);
        LayerRouting* routing = nullptr;
        if (layer.feed_forward->isMoe()) routing = &out.routing.emplace_back();
        x = x + layer.feed_forward->forward(m, routing);
    }
    // Only each sequence's last position's logits are needed: norm is per position.
    std::vector<int64_t> last_rows;
    for (int64_t i = 0; i < batch.sequences(); ++i) last_rows.push_back(batch.lastRow(i));
    torch::Tensor last_index =
        torch::from_blob(last_rows.data(), {batch.sequences()}, torch::kInt64).to(device);
    torch::Tensor last = rmsNorm(x.index_select(0, last_index), norm, eps);
    out.last_logits =
        gemm::linear(last, lm_head).to(torch::kFloat32).to(torch::kCPU).contiguous();
    return out;
}

void loadCommonTensors(CausalLM& model, const WeightLoader& w) {
    const ModelConfig& c = model.config;
    model.embed_tokens = w.get("model.embed_tokens.weight", {c.vocab_size, c.hidden_size});
    model.norm = w.get("model.norm.weight", {c.hidden_size});
    // All three families untie lm_head (tie_word_embeddings: false).
    model.lm_head = w.get("lm_head.weight", {c.vocab_size, c.hidden_size});
    model.layers.resize(static_cast<size_t>(c.num_hidden_layers));
    for (int64_t i = 0; i < c.num_hidden_layers; ++i) {
        const std::string p = "model.layers." + std::to_string(i) + ".";
        model.layers[i].input_layernorm = w.get(p + "input_layernorm.weight", {c.hidden_size});
        model.layers[i].post_attention_layernorm =
            w.get(p + "post_attention_layernorm.weight", {c.hidden_size});
    }
}

SwiGluWeights loadSwiGlu(const WeightLoader& w, const std::string& prefix, int64_t hidden,
                         int64_t width) {
    return SwiGluWeights{w.get(prefix + "gate_proj.weight", {width, hidden}),
                         w.get(prefix + "up_proj.weight", {width, hidden}),
                         w.get(prefix + "down_proj.weight", {hidden, width})};
}

std::vector<SwiGluWeights> loadExperts(const WeightLoader& w, const std::string& prefix,
                                       int64_t count, int64_t hidden, int64_t width) {
    std::vector<SwiGluWeights> experts;
    experts.reserve(static_cast<size_t>(count));
    for (int64_t j = 0; j < count; ++j)
        experts.push_back(loadSwiGlu(w, prefix + std::to_string(j) + ".", hidden, width));
    return experts;
}

std::unique_ptr<Attention> loadStandardAttention(const WeightLoader& w, const std::string& prefix,
                                                 const ModelConfig& c, QkNorm qk_norm,
                                                 double clip_qkv) {
    const int64_t H = c.hidden_size, width = c.num_attention_heads * c.head_dim;
    const int64_t kv_width = c.num_key_value_heads * c.head_dim;
    const bool full = qk_norm == QkNorm::FullWidth;
    StandardAttentionWeights a{w.get(prefix + "self_attn.q_proj.weight", {width, H}),
                               w.get(prefix + "self_attn.k_proj.weight", {kv_width, H}),
                               w.get(prefix + "self_attn.v_proj.weight", {kv_width, H}),
                               w.get(prefix + "self_attn.o_proj.weight", {H, width}),
                               w.get(prefix + "self_attn.q_norm.weight", {full ? width : c.head_dim}),
                               w.get(prefix + "self_attn.k_norm.weight",
                                     {full ? kv_width : c.head_dim})};
    StandardAttentionShape shape{c.num_attention_heads, c.num_key_value_heads, c.head_dim,
                                 qk_norm, c.rms_norm_eps, clip_qkv};
    return std::make_unique<StandardAttention>(std::move(a), shape);
}

RouterSpec configuredRouter(const ModelConfig& c, RouterSpec::Precision precision,
                            RouterSpec::Combine combine, RouterSpec::Normalise normalise) {
    RouterSpec router;
    router.precision = precision;
    router.combine = combine;
    router.normalise = normalise;
    router.norm_topk_prob = c.norm_topk_prob;
    router.routed_scaling_factor = c.routed_scaling_factor;
    router.top_k = c.num_experts_per_tok;
    router.group_limited = c.topk_method == "group_limited_greedy";
    router.n_group = c.n_group;
    router.topk_group = c.topk_group;
    return router;
}

RouterSpec modelDtypeRouter(const ModelConfig& c) {
    return configuredRouter(c, RouterSpec::Precision::ModelDtype,
                            RouterSpec::Combine::ModelDtypeIndexAdd, RouterSpec::Normalise::Plain);
}

std::unique_ptr<CausalLM> buildModel(const ModelConfig& config,
                                     std::shared_ptr<const WeightSource> source,
                                     torch::ScalarType dtype, torch::Device device) {
    auto model = std::make_unique<CausalLM>();
    model->config = config;
    model->dtype = dtype;
    model->device = device;
    model->weights = source;
    WeightLoader loader(source, dtype, device);
    c10::InferenceMode inference;
    loadCommonTensors(*model, loader);
    if (config.model_type == "olmoe")
        buildOlmoe(*model, loader);
    else if (config.model_type == "qwen3_moe")
        buildQwen3Moe(*model, loader);
    else if (config.model_type == "deepseek_v2")
        buildDeepseekV2(*model, loader);
    else
        throw InputError(source->origin(), "unsupported model_type '" + config.model_type +
                                               "' (supported: olmoe, qwen3_moe, deepseek_v2)");
    return model;
}

}  // namespace ca::capture
