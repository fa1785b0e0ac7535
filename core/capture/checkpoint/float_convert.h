// Conversions between float32 and the 16-bit float formats of checkpoints.
//
// float32 -> bfloat16 / float16 round to nearest, ties to even (as torch's .to() does);
// overflow gives infinity, NaN stays NaN (quiet, sign kept). The reverse direction is exact.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "core/capture/checkpoint/dtype.h"

namespace ca::capture {

uint16_t floatToBf16(float value);
float bf16ToFloat(uint16_t bits);
uint16_t floatToF16(float value);
float f16ToFloat(uint16_t bits);

// Writes values as `dtype` (F32, F16 or BF16) little-endian into out, which must hold
// values.size() * dtypeSize(dtype) bytes. Throws std::invalid_argument for other dtypes.
void encodeFloats(std::span<const float> values, DType dtype, std::byte* out);
// Reads count elements of `dtype` (F32, F16 or BF16) from data into out.
void decodeFloats(const void* data, DType dtype, std::size_t count, float* out);

}  // namespace ca::capture
