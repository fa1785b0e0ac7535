#include "core/capture/checkpoint/model_config.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/capture/checkpoint/json_strict.h"
#include "core/util/input_error.h"

namespace ca::capture {

namespace {

using Json = nlohmann::json;

// Generous bounds that keep every derived size far from integer overflow and keep the
// tensor list of expectedTensors() finite (the largest published MoE models are well
// inside them).
constexpr int64_t kMaxWidth = int64_t{1} << 20;
constexpr int64_t kMaxVocab = int64_t{1} << 24;
constexpr int64_t kMaxLayers = 1024;
constexpr int64_t kMaxExperts = 4096;
constexpr int64_t kMaxHeads = 4096;
constexpr int64_t kMaxPositions = int64_t{1} << 40;
constexpr int64_t kMaxTokenId = std::numeric_limits<int32_t>::max();

std::string jsonTypeName(const Json& value) {
    if (value.is_number_integer()) return "an integer";
    if (value.is_number_float()) return "a float";
    if (value.is_string()) return "a string";
    if (value.is_boolean()) return "a boolean";
    if (value.is_array()) return "an array";
    if (value.is_object()) return "an object";
    return "null";
}

// Typed access to the fields of one JSON object, with errors that name the field.
class Fields {
public:
    Fields(const Json& object, const std::string& file, std::string prefix = {})
        : object_(object), file_(file), prefix_(std::move(prefix)) {}

    // nullptr when the key is absent; a present null is returned as is.
    const Json* find(std::string_view key) const {
        const auto it = object_.find(key);
        return it == object_.end() ? nullptr : &*it;
    }
    bool hasValue(std::string_view key) const {
        const Json* value = find(key);
        return value && !value->is_null();
    }

    [[noreturn]] void fail(std::string_view key, const std::string& problem) const {
        throw InputError(file_, "field " + quotedName(prefix_ + std::string(key)) + " " + problem);
    }

    int64_t requiredInt(std::string_view key, int64_t lo, int64_t hi, std::string_view why) const {
        if (!find(key)) fail(key, "is missing (" + std::string(why) + ")");
        return intValue(key, *find(key), lo, hi);
    }
    int64_t intOr(std::string_view key, int64_t fallback, int64_t lo, int64_t hi) const {
        return hasValue(key) ? intValue(key, *find(key), lo, hi) : fallback;
    }
    std::optional<int64_t> optionalInt(std::string_view key, int64_t lo, int64_t hi) const {
        if (!hasValue(key)) return std::nullopt;
        return intValue(key, *find(key), lo, hi);
    }
    double numberOr(std::string_view key, double fallback, double lo, double hi) const {
        return hasValue(key) ? numberValue(key, *find(key), lo, hi) : fallback;
    }
    std::optional<double> optionalNumber(std::string_view key, double lo, double hi) const {
        if (!hasValue(key)) return std::nullopt;
        return numberValue(key, *find(key), lo, hi);
    }
    bool boolOr(std::string_view key, bool fallback) const {
        if (!hasValue(key)) return fallback;
        const Json& value = *find(key);
        if (!value.is_boolean()) fail(key, "must be a boolean, not " + jsonTypeName(value));
        return value.get<bool>();
    }
    std::string stringOr(std::string_view key, std::string fallback) const {
        if (!hasValue(key)) return fallback;
        const Json& value = *find(key);
        if (!value.is_string()) fail(key, "must be a string, not " + jsonTypeName(value));
        return value.get<std::string>();
    }
    std::string requiredString(std::string_view key) const {
        if (!find(key)) fail(key, "is missing");
        const Json& value = *find(key);
        if (!value.is_string()) fail(key, "must be a string, not " + jsonTypeName(value));
        return value.get<std::string>();
    }
    // An integer or a list of integers (eos_token_id); null or absent gives an empty list.
    std::vector<int64_t> intOrIntList(std::string_view key, int64_t lo, int64_t hi) const {
        std::vector<int64_t> out;
        if (!hasValue(key)) return out;
        const Json& value = *find(key);
        if (value.is_array()) {
            for (const Json& item : value) out.push_back(intValue(key, item, lo, hi));
        } else {
            out.push_back(intValue(key, value, lo, hi));
        }
        return out;
    }
    std::vector<int64_t> intList(std::string_view key, int64_t lo, int64_t hi) const {
        std::vector<int64_t> out;
        if (!hasValue(key)) return out;
        const Json& value = *find(key);
        if (!value.is_array()) fail(key, "must be a list of integers, not " + jsonTypeName(value));
        for (const Json& item : value) out.push_back(intValue(key, item, lo, hi));
        return out;
    }
    std::vector<std::string> stringList(std::string_view key) const {
        std::vector<std::string> out;
        if (!hasValue(key)) return out;
        const Json& value = *find(key);
        if (!value.is_array()) fail(key, "must be a list of strings, not " + jsonTypeName(value));
        for (const Json& item : value) {
            if (!item.is_string()) fail(key, "must be a list of strings");
            out.push_back(item.get<std::string>());
        }
        return out;
    }

private:
    int64_t intValue(std::string_view key, const Json& value, int64_t lo, int64_t hi) const {
        const std::string range = "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
        if (value.is_number_unsigned()) {  // nlohmann reads every non-negative integer so
            const auto v = value.get<uint64_t>();
            if (v > static_cast<uint64_t>(hi) || static_cast<int64_t>(v) < lo) {
                fail(key, "must be an integer in " + range + ", not " + std::to_string(v));
            }
            return static_cast<int64_t>(v);
        }
        if (value.is_number_integer()) {
            const auto v = value.get<int64_t>();
            if (v < lo || v > hi)
                fail(key, "must be an integer in " + range + ", not " + std::to_string(v));
            return v;
        }
        fail(key, "must be an integer, not " + jsonTypeName(value));
    }
    double numberValue(std::string_view key, const Json& value, double lo, double hi) const {
        if (!value.is_number()) fail(key, "must be a number, not " + jsonTypeName(value));
        const double v = value.get<double>();
        if (!std::isfinite(v) || v < lo || v > hi) {
            fail(key, "must be a finite number in [" + std::to_string(lo) + ", " +
                          std::to_string(hi) + "]");
        }
        return v;
    }

    const Json& object_;
    const std::string& file_;
    std::string prefix_;
};

// Settings that would change the forward pass in ways the models here do not implement.
void rejectUnsupported(const Fields& fields) {
    const std::string act = fields.stringOr("hidden_act", "silu");
    if (act != "silu")
        fields.fail("hidden_act", "is " + quotedName(act) + "; only silu is supported");
    if (fields.boolOr("attention_bias", false)) {
        fields.fail("attention_bias", "is true; attention biases are not supported");
    }
    if (fields.boolOr("mlp_bias", false))
        fields.fail("mlp_bias", "is true; MLP biases are not supported");
    if (fields.boolOr("use_sliding_window", false)) {
        fields.fail("use_sliding_window", "is true; sliding-window attention is not supported");
    }
}

// The rope settings, in either spelling: transformers 4 writes rope_theta + rope_scaling,
// transformers 5 writes rope_parameters {rope_type, rope_theta, factor, ...}.
void parseRope(const Fields& fields, const std::string& file, ModelConfig& config) {
    config.rope_theta = fields.numberOr("rope_theta", 10000.0, 1e-6, 1e30);
    const Json* scaling = nullptr;
    std::string scalingKey;
    if (fields.hasValue("rope_parameters")) {
        scalingKey = "rope_parameters";
        scaling = fields.find(scalingKey);
    } else if (fields.hasValue("rope_scaling")) {
        scalingKey = "rope_scaling";
        scaling = fields.find(scalingKey);
    }
    if (!scaling) return;
    if (!scaling->is_object()) {
        fields.fail(scalingKey, "must be an object or null, not " + jsonTypeName(*scaling));
    }
    const Fields rope(*scaling, file, scalingKey + ".");
    if (scalingKey == "rope_parameters") {
        config.rope_theta = rope.numberOr("rope_theta", config.rope_theta, 1e-6, 1e30);
    }
    std::string type = rope.stringOr("rope_type", "");
    if (type.empty())
        type = rope.stringOr("type", scalingKey == "rope_parameters" ? "default" : "");
    if (type == "default") return;
    if (type != "yarn" || config.family != ModelFamily::DeepseekV2) {
        fields.fail(scalingKey, "has type " + quotedName(type) + ", which is not supported for " +
                                    config.model_type +
                                    " (supported: none, or yarn for deepseek_v2)");
    }
    YarnRopeScaling yarn;
    if (!rope.find("factor")) rope.fail("factor", "is missing (required for yarn)");
    yarn.factor = rope.numberOr("factor", 1.0, 1e-6, 1e9);
    yarn.original_max_position_embeddings =
        rope.intOr("original_max_position_embeddings", yarn.original_max_position_embeddings, 1,
                   kMaxPositions);
    yarn.beta_fast = rope.numberOr("beta_fast", yarn.beta_fast, 1e-9, 1e9);
    yarn.beta_slow = rope.numberOr("beta_slow", yarn.beta_slow, 1e-9, 1e9);
    yarn.mscale = rope.numberOr("mscale", yarn.mscale, -1e9, 1e9);
    yarn.mscale_all_dim = rope.numberOr("mscale_all_dim", yarn.mscale_all_dim, -1e9, 1e9);
    config.rope_scaling = yarn;
}

void parseTokens(const Fields& fields, ModelConfig& config) {
    config.bos_token_id = fields.optionalInt("bos_token_id", 0, kMaxTokenId);
    config.eos_token_ids = fields.intOrIntList("eos_token_id", 0, kMaxTokenId);
    config.pad_token_id = fields.optionalInt("pad_token_id", 0, kMaxTokenId);
    config.tie_word_embeddings = fields.boolOr("tie_word_embeddings", false);
    // transformers 5 renamed torch_dtype to dtype.
    config.torch_dtype = fields.stringOr("torch_dtype", fields.stringOr("dtype", ""));
    config.architectures = fields.stringList("architectures");
}

// Attention heads of OLMoE and Qwen3 (plain multi-head / grouped-query attention).
void parseStandardAttention(const Fields& fields, ModelConfig& config, bool explicitHeadDim) {
    config.num_attention_heads =
        fields.requiredInt("num_attention_heads", 1, kMaxHeads, "it fixes the attention shapes");
    config.num_key_value_heads =
        fields.intOr("num_key_value_heads", config.num_attention_heads, 1, kMaxHeads);
    if (config.num_attention_heads % config.num_key_value_heads != 0) {
        fields.fail("num_key_value_heads", "(" + std::to_string(config.num_key_value_heads) +
                                               ") must divide num_attention_heads (" +
                                               std::to_string(config.num_attention_heads) + ")");
    }
    if (explicitHeadDim && fields.hasValue("head_dim")) {
        config.head_dim = fields.intOr("head_dim", 0, 1, kMaxWidth);
    } else {
        if (config.hidden_size % config.num_attention_heads != 0) {
            fields.fail("num_attention_heads", "(" + std::to_string(config.num_attention_heads) +
                                                   ") must divide hidden_size (" +
                                                   std::to_string(config.hidden_size) +
                                                   ") when head_dim is not given");
        }
        config.head_dim = config.hidden_size / config.num_attention_heads;
    }
    if (config.head_dim % 2 != 0) {
        fields.fail("head_dim", "(" + std::to_string(config.head_dim) +
                                    ") must be even: RoPE rotates pairs of dims");
    }
}

void parseExperts(const Fields& fields, ModelConfig& config, std::string_view expertsKey) {
    config.num_experts =
        fields.requiredInt(expertsKey, 1, kMaxExperts, "a MoE model needs routed experts");
    config.num_experts_per_tok =
        fields.requiredInt("num_experts_per_tok", 1, kMaxExperts, "it is the router's top-k");
    if (config.num_experts_per_tok > config.num_experts) {
        fields.fail("num_experts_per_tok", "(" + std::to_string(config.num_experts_per_tok) +
                                               ") exceeds the number of experts (" +
                                               std::to_string(config.num_experts) + ")");
    }
    config.norm_topk_prob = fields.boolOr("norm_topk_prob", false);
}

void parseOlmoe(const Fields& fields, ModelConfig& config) {
    parseStandardAttention(fields, config, /*explicitHeadDim=*/true);
    // OLMoE's intermediate_size is the width of each expert; there are no dense layers.
    config.intermediate_size =
        fields.requiredInt("intermediate_size", 1, kMaxWidth, "it is the expert width");
    config.moe_intermediate_size = config.intermediate_size;
    parseExperts(fields, config, "num_experts");
    config.rms_norm_eps = fields.numberOr("rms_norm_eps", 1e-5, 0.0, 1.0);
    config.clip_qkv = fields.optionalNumber("clip_qkv", 0.0, 1e30);
    config.max_position_embeddings =
        fields.intOr("max_position_embeddings", 4096, 1, kMaxPositions);
    for (int64_t i = 0; i < config.num_hidden_layers; ++i) config.moe_layers.push_back(i);
}

void parseQwen3Moe(const Fields& fields, ModelConfig& config) {
    parseStandardAttention(fields, config, /*explicitHeadDim=*/true);
    config.intermediate_size = fields.intOr("intermediate_size", 6144, 1, kMaxWidth);
    config.moe_intermediate_size =
        fields.requiredInt("moe_intermediate_size", 1, kMaxWidth, "it is the expert width");
    parseExperts(fields, config, "num_experts");
    config.decoder_sparse_step = fields.intOr("decoder_sparse_step", 1, 1, kMaxLayers);
    config.mlp_only_layers = fields.intList("mlp_only_layers", 0, config.num_hidden_layers - 1);
    config.rms_norm_eps = fields.numberOr("rms_norm_eps", 1e-6, 0.0, 1.0);
    config.max_position_embeddings =
        fields.intOr("max_position_embeddings", 32768, 1, kMaxPositions);
    // Qwen3MoeDecoderLayer: sparse iff not in mlp_only_layers and (i + 1) % step == 0.
    for (int64_t i = 0; i < config.num_hidden_layers; ++i) {
        const bool forcedDense =
            std::find(config.mlp_only_layers.begin(), config.mlp_only_layers.end(), i) !=
            config.mlp_only_layers.end();
        if (!forcedDense && (i + 1) % config.decoder_sparse_step == 0) {
            config.moe_layers.push_back(i);
        }
    }
}

void parseDeepseekV2(const Fields& fields, ModelConfig& config) {
    const char* why = "it fixes the attention shapes";
    config.num_attention_heads = fields.requiredInt("num_attention_heads", 1, kMaxHeads, why);
    // MLA gives every query head its own key and value; num_key_value_heads is informational.
    config.num_key_value_heads =
        fields.intOr("num_key_value_heads", config.num_attention_heads, 1, kMaxHeads);
    config.q_lora_rank = fields.find("q_lora_rank")
                             ? fields.optionalInt("q_lora_rank", 1, kMaxWidth)
                             : std::optional<int64_t>(1536);
    config.kv_lora_rank = fields.requiredInt("kv_lora_rank", 1, kMaxWidth, why);
    config.qk_nope_head_dim = fields.requiredInt("qk_nope_head_dim", 1, kMaxWidth, why);
    config.qk_rope_head_dim = fields.requiredInt("qk_rope_head_dim", 2, kMaxWidth, why);
    config.v_head_dim = fields.requiredInt("v_head_dim", 1, kMaxWidth, why);
    if (config.qk_rope_head_dim % 2 != 0) {
        fields.fail("qk_rope_head_dim", "(" + std::to_string(config.qk_rope_head_dim) +
                                            ") must be even: RoPE rotates pairs of dims");
    }
    // A transformers-5 re-serialisation writes head_dim = qk_rope_head_dim; the query/key
    // head is nope + rope wide whatever it says.
    config.head_dim = config.qk_nope_head_dim + config.qk_rope_head_dim;

    config.intermediate_size = fields.requiredInt("intermediate_size", 1, kMaxWidth,
                                                  "it is the width of the dense layers");
    config.moe_intermediate_size =
        fields.requiredInt("moe_intermediate_size", 1, kMaxWidth, "it is the expert width");
    parseExperts(fields, config, "n_routed_experts");
    config.num_shared_experts = fields.intOr("n_shared_experts", 0, 0, kMaxExperts);
    config.shared_expert_intermediate_size =
        config.num_shared_experts * config.moe_intermediate_size;
    config.routed_scaling_factor = fields.numberOr("routed_scaling_factor", 1.0, -1e9, 1e9);

    config.scoring_func = fields.stringOr("scoring_func", "softmax");
    if (config.scoring_func != "softmax") {
        fields.fail("scoring_func", "is " + quotedName(config.scoring_func) +
                                        "; only softmax is supported (DeepSeek-V2)");
    }
    config.topk_method = fields.stringOr("topk_method", "greedy");
    if (config.topk_method != "greedy" && config.topk_method != "group_limited_greedy") {
        fields.fail("topk_method", "is " + quotedName(config.topk_method) +
                                       "; supported: greedy, group_limited_greedy");
    }
    config.n_group = fields.intOr("n_group", 1, 1, kMaxExperts);
    config.topk_group = fields.intOr("topk_group", 1, 1, kMaxExperts);
    if (config.topk_method == "group_limited_greedy") {
        if (config.num_experts % config.n_group != 0) {
            fields.fail("n_group", "(" + std::to_string(config.n_group) +
                                       ") must divide n_routed_experts for group_limited_greedy");
        }
        if (config.topk_group > config.n_group) {
            fields.fail("topk_group", "exceeds n_group");
        }
        if (config.num_experts_per_tok >
            config.topk_group * (config.num_experts / config.n_group)) {
            fields.fail("num_experts_per_tok", "exceeds the experts in the topk_group best groups");
        }
    }

    config.first_k_dense_replace =
        fields.intOr("first_k_dense_replace", 0, 0, config.num_hidden_layers);
    config.moe_layer_freq = fields.intOr("moe_layer_freq", 1, 1, kMaxLayers);
    config.rms_norm_eps = fields.numberOr("rms_norm_eps", 1e-6, 0.0, 1.0);
    config.max_position_embeddings =
        fields.intOr("max_position_embeddings", 2048, 1, kMaxPositions);
    // DeepSeek remote code: MoE iff i >= first_k_dense_replace and i % moe_layer_freq == 0.
    for (int64_t i = config.first_k_dense_replace; i < config.num_hidden_layers; ++i) {
        if (i % config.moe_layer_freq == 0) config.moe_layers.push_back(i);
    }
}

}  // namespace

std::string_view modelTypeName(ModelFamily family) {
    switch (family) {
    case ModelFamily::Olmoe: return "olmoe";
    case ModelFamily::Qwen3Moe: return "qwen3_moe";
    case ModelFamily::DeepseekV2: return "deepseek_v2";
    }
    return "unknown";
}

std::string_view supportedModelTypesText() { return "olmoe, qwen3_moe, deepseek_v2"; }

double yarnGetMscale(double scale, double mscale) {
    if (scale <= 1.0) return 1.0;
    return 0.1 * mscale * std::log(scale) + 1.0;
}

bool ModelConfig::isMoeLayer(int64_t layer) const {
    return std::binary_search(moe_layers.begin(), moe_layers.end(), layer);
}

int64_t ModelConfig::ropeDims() const {
    return family == ModelFamily::DeepseekV2 ? qk_rope_head_dim : head_dim;
}

int64_t ModelConfig::valueHeadDim() const {
    return family == ModelFamily::DeepseekV2 ? v_head_dim : head_dim;
}

double ModelConfig::attentionScale() const {
    double scale = 1.0 / std::sqrt(static_cast<double>(head_dim));
    // DeepSeek remote code: only mscale_all_dim enters the softmax scale, squared.
    if (family == ModelFamily::DeepseekV2 && rope_scaling && rope_scaling->mscale_all_dim != 0.0) {
        const double mscale = yarnGetMscale(rope_scaling->factor, rope_scaling->mscale_all_dim);
        scale *= mscale * mscale;
    }
    return scale;
}

double ModelConfig::ropeCosSinScale() const {
    if (!rope_scaling) return 1.0;
    return yarnGetMscale(rope_scaling->factor, rope_scaling->mscale) /
           yarnGetMscale(rope_scaling->factor, rope_scaling->mscale_all_dim);
}

ModelConfig parseModelConfig(std::string_view json_text, const std::string& file) {
    const Json root = parseJsonStrict(json_text, file, "config.json");
    if (!root.is_object()) throw InputError(file, "config.json is not a JSON object");
    const Fields fields(root, file);

    ModelConfig config;
    config.model_type = fields.requiredString("model_type");
    if (config.model_type == "olmoe") {
        config.family = ModelFamily::Olmoe;
    } else if (config.model_type == "qwen3_moe") {
        config.family = ModelFamily::Qwen3Moe;
    } else if (config.model_type == "deepseek_v2") {
        config.family = ModelFamily::DeepseekV2;
    } else {
        throw InputError(file, "model_type " + quotedName(config.model_type) +
                                   " is not supported (supported: " +
                                   std::string(supportedModelTypesText()) + ")");
    }

    const char* why = "it fixes the tensor shapes";
    config.vocab_size = fields.requiredInt("vocab_size", 1, kMaxVocab, why);
    config.hidden_size = fields.requiredInt("hidden_size", 1, kMaxWidth, why);
    config.num_hidden_layers = fields.requiredInt("num_hidden_layers", 1, kMaxLayers, why);
    rejectUnsupported(fields);
    switch (config.family) {
    case ModelFamily::Olmoe: parseOlmoe(fields, config); break;
    case ModelFamily::Qwen3Moe: parseQwen3Moe(fields, config); break;
    case ModelFamily::DeepseekV2: parseDeepseekV2(fields, config); break;
    }
    parseRope(fields, file, config);
    parseTokens(fields, config);
    if (config.moe_layers.empty()) {
        throw InputError(file, "config.json describes no MoE layer (every layer is dense)");
    }
    return config;
}

ModelConfig loadModelConfig(const std::string& path) {
    return parseModelConfig(readTextFile(path, "config.json"), path);
}

}  // namespace ca::capture
