#include "core/capture/checkpoint/random_checkpoint.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <stdexcept>

#include "core/capture/checkpoint/checkpoint.h"
#include "core/capture/checkpoint/expected_tensors.h"
#include "core/capture/checkpoint/safetensors_writer.h"
#include "core/util/input_error.h"

namespace ca::capture {

namespace {

namespace fs = std::filesystem;

// SplitMix64: tiny, fast and the same on every platform (std::normal_distribution is not).
class SplitMix64 {
public:
    explicit SplitMix64(uint64_t seed) : state_(seed) {}
    uint64_t next() {
        uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    // Uniform in [-1, 1).
    float symmetric() { return static_cast<float>(next() >> 40) * 0x1p-23f - 1.0f; }

private:
    uint64_t state_;
};

uint64_t tensorSeed(const std::string& name, uint64_t seed) {
    uint64_t hash = 0xcbf29ce484222325ull;  // FNV-1a
    for (unsigned char c : name) hash = (hash ^ c) * 0x100000001b3ull;
    return SplitMix64(seed ^ hash).next();
}

bool endsWith(const std::string& text, std::string_view suffix) {
    return text.size() >= suffix.size() &&
           text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Center and half-width of the uniform distribution for a tensor (see the header).
struct Scale {
    float center;
    float half_width;
};

Scale scaleFor(const std::string& name, const std::vector<int64_t>& shape) {
    const float sqrt3 = std::sqrt(3.0f);
    if (shape.size() == 1 && endsWith(name, "norm.weight")) return {1.0f, 0.1f * sqrt3};
    if (name == "model.embed_tokens.weight") return {0.0f, sqrt3};
    const int64_t fanIn = shape.empty() ? 1 : shape.back();
    return {0.0f, sqrt3 / std::sqrt(static_cast<float>(std::max<int64_t>(fanIn, 1)))};
}

FloatGenerator makeGenerator(const std::string& name, const std::vector<int64_t>& shape,
                             uint64_t seed) {
    const Scale scale = scaleFor(name, shape);
    return [rng = SplitMix64(tensorSeed(name, seed)), scale](std::span<float> out) mutable {
        for (float& value : out) value = scale.center + scale.half_width * rng.symmetric();
    };
}

void writeText(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) throw InputError(path.string(), "cannot write file");
}

// Weight files of an earlier checkpoint in the same directory would shadow or mix with
// the new ones (model.safetensors wins over an index), so they go first.
void removeOldWeights(const fs::path& dir) {
    static const std::regex shardName(R"(model-\d+-of-\d+\.safetensors)");
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(dir, error)) {
        const std::string name = entry.path().filename().string();
        if (name == kSingleWeightsFile || name == kWeightsIndexFile ||
            std::regex_match(name, shardName)) {
            fs::remove(entry.path(), error);
        }
    }
}

std::string dtypeTorchName(DType dtype) {
    switch (dtype) {
    case DType::F32: return "float32";
    case DType::F16: return "float16";
    case DType::BF16: return "bfloat16";
    default: throw std::invalid_argument("random checkpoint: dtype must be F32, F16 or BF16");
    }
}

std::string shardFileName(int index, int count) {
    char name[64];
    std::snprintf(name, sizeof name, "model-%05d-of-%05d.safetensors", index, count);
    return name;
}

const char* kTinyOlmoe = R"json({
  "architectures": ["OlmoeForCausalLM"],
  "attention_bias": false,
  "attention_dropout": 0.0,
  "clip_qkv": null,
  "eos_token_id": 255,
  "hidden_act": "silu",
  "hidden_size": 64,
  "initializer_range": 0.02,
  "intermediate_size": 32,
  "max_position_embeddings": 4096,
  "model_type": "olmoe",
  "norm_topk_prob": false,
  "num_attention_heads": 4,
  "num_experts": 8,
  "num_experts_per_tok": 2,
  "num_hidden_layers": 2,
  "num_key_value_heads": 4,
  "output_router_logits": false,
  "pad_token_id": 1,
  "rope_scaling": null,
  "rope_theta": 10000.0,
  "router_aux_loss_coef": 0.01,
  "tie_word_embeddings": false,
  "torch_dtype": "bfloat16",
  "transformers_version": "4.43.0.dev0",
  "use_cache": true,
  "vocab_size": 256
})json";

const char* kTinyQwen3Moe = R"json({
  "architectures": ["Qwen3MoeForCausalLM"],
  "attention_bias": false,
  "attention_dropout": 0.0,
  "bos_token_id": 254,
  "decoder_sparse_step": 1,
  "eos_token_id": 255,
  "head_dim": 32,
  "hidden_act": "silu",
  "hidden_size": 64,
  "initializer_range": 0.02,
  "intermediate_size": 192,
  "max_position_embeddings": 40960,
  "max_window_layers": 2,
  "mlp_only_layers": [],
  "model_type": "qwen3_moe",
  "moe_intermediate_size": 32,
  "norm_topk_prob": true,
  "num_attention_heads": 4,
  "num_experts": 8,
  "num_experts_per_tok": 2,
  "num_hidden_layers": 2,
  "num_key_value_heads": 2,
  "output_router_logits": false,
  "rms_norm_eps": 1e-06,
  "rope_scaling": null,
  "rope_theta": 1000000.0,
  "router_aux_loss_coef": 0.001,
  "sliding_window": null,
  "tie_word_embeddings": false,
  "torch_dtype": "bfloat16",
  "transformers_version": "4.51.0",
  "use_cache": true,
  "use_sliding_window": false,
  "vocab_size": 256
})json";

const char* kTinyDeepseekV2 = R"json({
  "architectures": ["DeepseekV2ForCausalLM"],
  "attention_bias": false,
  "attention_dropout": 0.0,
  "auto_map": {
    "AutoConfig": "configuration_deepseek.DeepseekV2Config",
    "AutoModel": "modeling_deepseek.DeepseekV2Model",
    "AutoModelForCausalLM": "modeling_deepseek.DeepseekV2ForCausalLM"
  },
  "aux_loss_alpha": 0.001,
  "bos_token_id": 0,
  "eos_token_id": 1,
  "ep_size": 1,
  "first_k_dense_replace": 1,
  "hidden_act": "silu",
  "hidden_size": 64,
  "initializer_range": 0.02,
  "intermediate_size": 128,
  "kv_lora_rank": 32,
  "max_position_embeddings": 163840,
  "model_type": "deepseek_v2",
  "moe_intermediate_size": 32,
  "moe_layer_freq": 1,
  "n_group": 1,
  "n_routed_experts": 8,
  "n_shared_experts": 2,
  "norm_topk_prob": false,
  "num_attention_heads": 4,
  "num_experts_per_tok": 3,
  "num_hidden_layers": 3,
  "num_key_value_heads": 4,
  "pretraining_tp": 1,
  "q_lora_rank": null,
  "qk_nope_head_dim": 16,
  "qk_rope_head_dim": 8,
  "rms_norm_eps": 1e-06,
  "rope_scaling": {
    "beta_fast": 32,
    "beta_slow": 1,
    "factor": 40,
    "mscale": 0.707,
    "mscale_all_dim": 0.707,
    "original_max_position_embeddings": 4096,
    "type": "yarn"
  },
  "rope_theta": 10000,
  "routed_scaling_factor": 1.0,
  "scoring_func": "softmax",
  "seq_aux": true,
  "tie_word_embeddings": false,
  "topk_group": 1,
  "topk_method": "greedy",
  "torch_dtype": "bfloat16",
  "transformers_version": "4.39.3",
  "use_cache": true,
  "v_head_dim": 16,
  "vocab_size": 256
})json";

// allenai/OLMoE-1B-7B-0924 config.json (revision c1b31da), models-spec.md §2.1.
const char* kOlmoe1B7B = R"json({
  "architectures": ["OlmoeForCausalLM"],
  "attention_bias": false,
  "attention_dropout": 0.0,
  "clip_qkv": null,
  "eos_token_id": 50279,
  "hidden_act": "silu",
  "hidden_size": 2048,
  "initializer_range": 0.02,
  "intermediate_size": 1024,
  "max_position_embeddings": 4096,
  "model_type": "olmoe",
  "norm_topk_prob": false,
  "num_attention_heads": 16,
  "num_experts": 64,
  "num_experts_per_tok": 8,
  "num_hidden_layers": 16,
  "num_key_value_heads": 16,
  "output_router_logits": false,
  "pad_token_id": 1,
  "rope_scaling": null,
  "rope_theta": 10000.0,
  "router_aux_loss_coef": 0.01,
  "tie_word_embeddings": false,
  "torch_dtype": "bfloat16",
  "transformers_version": "4.43.0.dev0",
  "use_cache": true,
  "vocab_size": 50304
})json";

}  // namespace

nlohmann::json tinyModelConfig(ModelFamily family) {
    switch (family) {
    case ModelFamily::Olmoe: return nlohmann::json::parse(kTinyOlmoe);
    case ModelFamily::Qwen3Moe: return nlohmann::json::parse(kTinyQwen3Moe);
    case ModelFamily::DeepseekV2: return nlohmann::json::parse(kTinyDeepseekV2);
    }
    throw std::invalid_argument("tinyModelConfig: unknown family");
}

nlohmann::json olmoeBenchmarkConfig(int num_hidden_layers) {
    nlohmann::json config = nlohmann::json::parse(kOlmoe1B7B);
    config["num_hidden_layers"] = num_hidden_layers;
    return config;
}

std::vector<float> randomTensorValues(const std::string& name, const std::vector<int64_t>& shape,
                                      uint64_t seed) {
    int64_t numel = 1;
    for (int64_t dim : shape) numel *= dim;
    std::vector<float> values(static_cast<std::size_t>(numel));
    makeGenerator(name, shape, seed)(std::span<float>(values));
    return values;
}

ModelConfig writeRandomCheckpoint(const std::string& directory, const nlohmann::json& configJson,
                                  const RandomCheckpointOptions& options) {
    nlohmann::json config = configJson;
    config["torch_dtype"] = dtypeTorchName(options.dtype);
    const std::string configText = config.dump(2) + "\n";
    const fs::path dir(directory);
    const ModelConfig parsed = parseModelConfig(configText, (dir / "config.json").string());
    const std::vector<ExpectedTensor> tensors = expectedTensors(parsed);
    if (options.shards < 1 || static_cast<std::size_t>(options.shards) > tensors.size()) {
        throw std::invalid_argument("writeRandomCheckpoint: shards must be in [1, tensor count]");
    }

    std::error_code error;
    fs::create_directories(dir, error);
    if (error) throw InputError(directory, "cannot create directory: " + error.message());
    removeOldWeights(dir);
    writeText(dir / "config.json", configText);

    // Contiguous runs of tensors (in model order) per shard, so one layer's experts can
    // straddle two shards as in the published checkpoints.
    const int shardCount = options.shards;
    std::vector<SafetensorsWriter> writers(static_cast<std::size_t>(shardCount));
    nlohmann::json weightMap = nlohmann::json::object();
    uint64_t totalBytes = 0;
    for (std::size_t i = 0; i < tensors.size(); ++i) {
        const std::size_t shard = i * static_cast<std::size_t>(shardCount) / tensors.size();
        const ExpectedTensor& tensor = tensors[i];
        writers[shard].addGenerated(tensor.name, options.dtype, tensor.shape,
                                    makeGenerator(tensor.name, tensor.shape, options.seed));
        weightMap[tensor.name] = shardFileName(static_cast<int>(shard) + 1, shardCount);
    }
    if (shardCount == 1) {
        writers[0].write((dir / kSingleWeightsFile).string());
        return parsed;
    }
    for (int shard = 0; shard < shardCount; ++shard) {
        const auto& writer = writers[static_cast<std::size_t>(shard)];
        totalBytes += writer.dataBytes();
        writer.write((dir / shardFileName(shard + 1, shardCount)).string());
    }
    const nlohmann::json index = {{"metadata", {{"total_size", totalBytes}}},
                                  {"weight_map", weightMap}};
    writeText(dir / kWeightsIndexFile, index.dump(2) + "\n");
    return parsed;
}

}  // namespace ca::capture
