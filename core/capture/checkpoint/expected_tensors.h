// The tensors a checkpoint of a given config must hold, with Hugging Face's on-disk names
// (per-expert 2-D weights, not transformers 5's fused experts) and shapes, so that a
// checkpoint can be validated before any forward pass. See models-spec.md §2.5, §3.3, §4.5.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/capture/checkpoint/model_config.h"

namespace ca::capture {

struct ExpectedTensor {
    std::string name;
    std::vector<int64_t> shape;
};

// In model order: embedding, layers 0..L-1 (attention, norms, MLP or MoE), final norm,
// lm_head (left out when tie_word_embeddings).
std::vector<ExpectedTensor> expectedTensors(const ModelConfig& config);

// How many tensors expectedTensors() lists, computed without building the list.
int64_t expectedTensorCount(const ModelConfig& config);

}  // namespace ca::capture
