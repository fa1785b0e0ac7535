// The inner loops of the MoE block's weighted sum over experts, with exactly the roundings of
// the reference's torch ops (`y * w` then `index_add_`), vectorised with AVX-512 where the CPU
// has it. One call adds one expert's output row (n values) to a position's accumulator row.
#pragma once

#include <cstdint>

#include <c10/util/BFloat16.h>

namespace ca::capture {

// acc[i] = acc[i] + y[i]·w in float32, the product rounded to float32 before the sum (no FMA):
// torch's float32 `y * w` followed by index_add_, or DeepSeek's float32 sum of bf16 outputs.
void addScaledRow(float* acc, const float* y, float w, int64_t n);
void addScaledRow(float* acc, const c10::BFloat16* y, float w, int64_t n);

// acc[i] = bf16(acc[i] + bf16(y[i]·w)) with w a bf16 value: torch's bf16 `y * w` followed by
// a bf16 index_add_ (each op computes in float32 and rounds to nearest even).
void addScaledRow(c10::BFloat16* acc, const c10::BFloat16* y, c10::BFloat16 w, int64_t n);

}  // namespace ca::capture
