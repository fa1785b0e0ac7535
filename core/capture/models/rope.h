// Rotary position embeddings: the NeoX (rotate_half) form of OLMoE and Qwen3, and DeepSeek-V2's
// interleaved (GPT-J) form with YaRN frequencies (models-spec.md §1.6, §4.3).
#pragma once

#include <vector>

#include <torch/types.h>

#include "core/capture/checkpoint/model_config.h"
#include "core/capture/models/packed_batch.h"

namespace ca::capture {

// inv_freq[i] = 1 / theta^(2i/d), i < d/2, computed in float32 as transformers does.
torch::Tensor defaultInvFreq(int64_t dim, double theta);

// DeepSeek's YaRN inv_freq: original frequencies for the fast dimensions, frequencies divided by
// `factor` for the slow ones, a linear ramp between floor(corr_dim(beta_fast)) and
// ceil(corr_dim(beta_slow)).
torch::Tensor yarnInvFreq(int64_t dim, double theta, const YarnRopeScaling& yarn);

// cos/sin of p * inv_freq for every row, float32 [rows, d/2], times `magnitude` (YaRN's
// mscale ratio, 1 otherwise), where p is the row's position in its own sequence: 0..T-1 for one
// sequence, restarting at 0 for each sequence of a packed batch. A position's values never
// depend on the other rows: the table is computed once for the longest sequence, padded to a
// multiple of 32 positions so that no entry can fall into a scalar tail loop (Debian's libtorch
// 1.13 serves partial vectors of cos/sin with the vector code anyway; the padding keeps that
// true for builds that do not).
struct RopeAngles {
    torch::Tensor cos;  // [rows, d/2]
    torch::Tensor sin;
};
RopeAngles ropeAngles(const torch::Tensor& inv_freq, int64_t positions, double magnitude,
                      torch::Device device);
RopeAngles ropeAngles(const torch::Tensor& inv_freq, const PackedBatch& batch, double magnitude,
                      torch::Device device);

// x [rows, heads, d] with the rows of `angles`. NeoX: dims i and i + d/2 rotate together. Interleaved: dims 2i and 2i+1.
// The cos/sin tables are cast to x's dtype first and the arithmetic is done in x's dtype, as the
// reference implementations do.
torch::Tensor applyRopeNeox(const torch::Tensor& x, const RopeAngles& angles);
torch::Tensor applyRopeInterleaved(const torch::Tensor& x, const RopeAngles& angles);

}  // namespace ca::capture
