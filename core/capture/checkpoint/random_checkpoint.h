// Random-weight checkpoints in the exact Hugging Face layout (config.json, safetensors,
// optional sharding with model.safetensors.index.json), for tests, benchmarks and the demo:
// real weights cannot be downloaded here. The weights are random: routing recorded from
// them says nothing about the real models.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/capture/checkpoint/dtype.h"
#include "core/capture/checkpoint/model_config.h"

namespace ca::capture {

struct RandomCheckpointOptions {
    DType dtype = DType::BF16;  // F32, F16 or BF16; config.json's torch_dtype is set to match
    int shards = 1;  // 1: model.safetensors; n > 1: model-0000i-of-0000n.safetensors + index
    uint64_t seed = 20240903;
};

// Tiny configs with the keys of the published ones (models-spec.md §2.1, §3.1, §4.1), scaled
// down: hidden 64, 8 routed experts, vocab 256.
//  - olmoe: 2 layers, 4 heads, top-2, no rms_norm_eps key (like the base config: 1e-5 applies).
//  - qwen3_moe: 2 layers, 4 query / 2 kv heads, head_dim 32 != 64/4, top-2, norm_topk_prob.
//  - deepseek_v2: 3 layers (layer 0 dense), MLA with q_lora_rank null, kv_lora_rank 32,
//    nope 16 + rope 8, v 16, 2 shared experts, top-3, YaRN rope_scaling as V2-Lite.
// Edit the returned JSON (e.g. vocab_size) before writing if a test needs other sizes.
nlohmann::json tinyModelConfig(ModelFamily family);

// allenai/OLMoE-1B-7B-0924's config.json with num_hidden_layers replaced (for benchmarks:
// hidden 2048, 16 heads, 64 experts of 1024, top-8, vocab 50304).
nlohmann::json olmoeBenchmarkConfig(int num_hidden_layers);

// Writes config.json and random weights for every tensor expectedTensors() lists into
// directory (created if needed; weight files a previous call left there are removed).
// Each tensor's values depend only on (seed, tensor name), so single-file and sharded
// checkpoints with the same seed hold the same weights. Returns the parsed config.
// Throws ca::InputError for an invalid config or an unwritable directory.
ModelConfig writeRandomCheckpoint(const std::string& directory, const nlohmann::json& config,
                                  const RandomCheckpointOptions& options = {});

// The float32 values (before rounding to the checkpoint dtype) that writeRandomCheckpoint
// stores for a tensor. Norm weights are 1 + uniform(±0.1·√3); embeddings have standard
// deviation 1; every other matrix [out, in] has standard deviation 1/√in, so activations
// stay O(1) through the layers and router logits are spread, not tied.
std::vector<float> randomTensorValues(const std::string& name, const std::vector<int64_t>& shape,
                                      uint64_t seed);

}  // namespace ca::capture
