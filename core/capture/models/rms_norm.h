// Llama-style RMSNorm, identical in all three families (models-spec.md §1.2).
#pragma once

#include <torch/types.h>

namespace ca::capture {

// Normalises over the last dimension in float32, casts back to x's dtype, then multiplies by
// `weight` in that dtype (cast *before* the weight, not Gemma's 1 + weight).
torch::Tensor rmsNorm(const torch::Tensor& x, const torch::Tensor& weight, double eps);

}  // namespace ca::capture
