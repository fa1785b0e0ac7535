// Rotary position embeddings: the NeoX (rotate_half) form of OLMoE and Qwen3, and DeepSeek-V2's
// interleaved (GPT-J) form with YaRN frequencies (models-spec.md §1.6, §4.3).
#pragma once

#include <vector>

#include <torch/types.h>

#include "core/capture/checkpoint/model_config.h"

namespace ca::capture {

// inv_freq[i] = 1 / theta^(2i/d), i < d/2, computed in float32 as transformers does.
torch::Tensor defaultInvFreq(int64_t dim, double theta);

// DeepSeek's YaRN inv_freq: original frequencies for the fast dimensions, frequencies divided by
// `factor` for the slow ones, a linear ramp between floor(corr_dim(beta_fast)) and
// ceil(corr_dim(beta_slow)).
torch::Tensor yarnInvFreq(int64_t dim, double theta, const YarnRopeScaling& yarn);

// cos/sin of p * inv_freq for p = 0..T-1, float32 [T, d/2], times `magnitude` (YaRN's
// mscale ratio, 1 otherwise).
struct RopeAngles {
    torch::Tensor cos;  // [T, d/2]
    torch::Tensor sin;
};
RopeAngles ropeAngles(const torch::Tensor& inv_freq, int64_t positions, double magnitude,
                      torch::Device device);

// x [T, heads, d]. NeoX: dims i and i + d/2 rotate together. Interleaved: dims 2i and 2i+1.
// The cos/sin tables are cast to x's dtype first and the arithmetic is done in x's dtype, as the
// reference implementations do.
torch::Tensor applyRopeNeox(const torch::Tensor& x, const RopeAngles& angles);
torch::Tensor applyRopeInterleaved(const torch::Tensor& x, const RopeAngles& angles);

}  // namespace ca::capture
