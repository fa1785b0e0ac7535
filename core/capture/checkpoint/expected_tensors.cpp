#include "core/capture/checkpoint/expected_tensors.h"

namespace ca::capture {

namespace {

class TensorList {
public:
    explicit TensorList(std::vector<ExpectedTensor>& out) : out_(out) {}
    void add(std::string name, std::vector<int64_t> shape) {
        out_.push_back({std::move(name), std::move(shape)});
    }

private:
    std::vector<ExpectedTensor>& out_;
};

// A SwiGLU MLP: gate and up [width, hidden], down [hidden, width].
void addMlp(TensorList& list, const std::string& prefix, int64_t hidden, int64_t width) {
    list.add(prefix + ".gate_proj.weight", {width, hidden});
    list.add(prefix + ".up_proj.weight", {width, hidden});
    list.add(prefix + ".down_proj.weight", {hidden, width});
}

void addStandardAttention(TensorList& list, const std::string& prefix, const ModelConfig& c) {
    const int64_t qWidth = c.num_attention_heads * c.head_dim;
    const int64_t kvWidth = c.num_key_value_heads * c.head_dim;
    list.add(prefix + ".q_proj.weight", {qWidth, c.hidden_size});
    list.add(prefix + ".k_proj.weight", {kvWidth, c.hidden_size});
    list.add(prefix + ".v_proj.weight", {kvWidth, c.hidden_size});
    list.add(prefix + ".o_proj.weight", {c.hidden_size, qWidth});
    if (c.family == ModelFamily::Olmoe) {
        // OLMoE normalises the whole projection before splitting it into heads.
        list.add(prefix + ".q_norm.weight", {qWidth});
        list.add(prefix + ".k_norm.weight", {kvWidth});
    } else {
        // Qwen3 normalises each head.
        list.add(prefix + ".q_norm.weight", {c.head_dim});
        list.add(prefix + ".k_norm.weight", {c.head_dim});
    }
}

void addLatentAttention(TensorList& list, const std::string& prefix, const ModelConfig& c) {
    const int64_t qHead = c.qk_nope_head_dim + c.qk_rope_head_dim;
    if (c.q_lora_rank) {
        list.add(prefix + ".q_a_proj.weight", {*c.q_lora_rank, c.hidden_size});
        list.add(prefix + ".q_a_layernorm.weight", {*c.q_lora_rank});
        list.add(prefix + ".q_b_proj.weight", {c.num_attention_heads * qHead, *c.q_lora_rank});
    } else {
        list.add(prefix + ".q_proj.weight", {c.num_attention_heads * qHead, c.hidden_size});
    }
    list.add(prefix + ".kv_a_proj_with_mqa.weight",
             {c.kv_lora_rank + c.qk_rope_head_dim, c.hidden_size});
    list.add(prefix + ".kv_a_layernorm.weight", {c.kv_lora_rank});
    list.add(prefix + ".kv_b_proj.weight",
             {c.num_attention_heads * (c.qk_nope_head_dim + c.v_head_dim), c.kv_lora_rank});
    list.add(prefix + ".o_proj.weight", {c.hidden_size, c.num_attention_heads * c.v_head_dim});
}

void addAll(TensorList& list, const ModelConfig& c) {
    list.add("model.embed_tokens.weight", {c.vocab_size, c.hidden_size});
    for (int64_t i = 0; i < c.num_hidden_layers; ++i) {
        const std::string layer = "model.layers." + std::to_string(i);
        list.add(layer + ".input_layernorm.weight", {c.hidden_size});
        if (c.family == ModelFamily::DeepseekV2) {
            addLatentAttention(list, layer + ".self_attn", c);
        } else {
            addStandardAttention(list, layer + ".self_attn", c);
        }
        list.add(layer + ".post_attention_layernorm.weight", {c.hidden_size});
        const std::string mlp = layer + ".mlp";
        if (!c.isMoeLayer(i)) {
            addMlp(list, mlp, c.hidden_size, c.intermediate_size);
            continue;
        }
        list.add(mlp + ".gate.weight", {c.num_experts, c.hidden_size});
        for (int64_t e = 0; e < c.num_experts; ++e) {
            addMlp(list, mlp + ".experts." + std::to_string(e), c.hidden_size,
                   c.moe_intermediate_size);
        }
        if (c.num_shared_experts > 0) {
            addMlp(list, mlp + ".shared_experts", c.hidden_size, c.shared_expert_intermediate_size);
        }
    }
    list.add("model.norm.weight", {c.hidden_size});
    if (!c.tie_word_embeddings) list.add("lm_head.weight", {c.vocab_size, c.hidden_size});
}

}  // namespace

std::vector<ExpectedTensor> expectedTensors(const ModelConfig& config) {
    std::vector<ExpectedTensor> tensors;
    tensors.reserve(static_cast<std::size_t>(expectedTensorCount(config)));
    TensorList list(tensors);
    addAll(list, config);
    return tensors;
}

int64_t expectedTensorCount(const ModelConfig& c) {
    const int64_t attention = c.family != ModelFamily::DeepseekV2 ? 6 : (c.q_lora_rank ? 7 : 5);
    const int64_t moeMlp = 1 + 3 * c.num_experts + (c.num_shared_experts > 0 ? 3 : 0);
    const auto moeLayers = static_cast<int64_t>(c.moe_layers.size());
    const int64_t denseLayers = c.num_hidden_layers - moeLayers;
    return 2 + (c.tie_word_embeddings ? 0 : 1) + c.num_hidden_layers * (2 + attention) +
           moeLayers * moeMlp + denseLayers * 3;
}

}  // namespace ca::capture
