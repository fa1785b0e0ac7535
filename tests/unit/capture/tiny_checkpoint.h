// Tiny random checkpoints for the capture tests, written by the checkpoint layer's
// writeRandomCheckpoint (exact Hugging Face layout: config.json plus safetensors, single file
// or sharded with model.safetensors.index.json), together with the float values actually
// stored (rounded to the file's dtype), so that the naive reference model computes with exactly
// what the engine loads.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/capture/checkpoint/dtype.h"
#include "core/capture/checkpoint/model_config.h"

namespace ca::test {

struct TinyTensor {
    std::vector<int64_t> shape;
    std::vector<float> values;
};

struct TinyModel {
    nlohmann::json config;
    std::map<std::string, TinyTensor> tensors;

    const TinyTensor& at(const std::string& name) const;
};

// The checkpoint layer's tiny config of a family, changed to exercise more of the spec:
//  - qwen3_moe: 3 layers with layer 1 in mlp_only_layers (a dense MLP); head_dim 32 != 64 / 4.
//  - deepseek_v2: routed_scaling_factor 1.5 (V2-Lite's 1.0 would hide a missing multiply).
//  - olmoe: unchanged (no rms_norm_eps key: 1e-5 applies).
nlohmann::json tinyConfig(capture::ModelFamily family);

// Writes `config` with random weights (seed) into dir as dtype in `shards` files and returns
// the stored values.
TinyModel writeTiny(const std::string& dir, const nlohmann::json& config, capture::DType dtype,
                    int shards, uint64_t seed = 7);

// Writes a hand-edited model (e.g. a tensor removed or misshaped) as one F32 safetensors file.
void writeCustom(const TinyModel& model, const std::string& dir);

// A fresh empty directory under the test temp dir.
std::string freshDir(const std::string& name);

}  // namespace ca::test
