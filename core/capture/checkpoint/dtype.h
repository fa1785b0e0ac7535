// Element types of safetensors tensors: names as written in the header, and byte sizes.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace ca::capture {

// The element types this loader accepts. The models need F32, F16 and BF16; the integer
// types and F64 are accepted so that a checkpoint carrying an odd auxiliary tensor
// still opens (the model code rejects them where a weight is expected).
enum class DType { F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL };

// Header spelling, e.g. "BF16".
std::string_view dtypeName(DType dtype);
// Bytes per element.
std::size_t dtypeSize(DType dtype);
// nullopt for a name outside the accepted set (including valid safetensors types such as
// F8_E4M3 or U32 that no model here uses).
std::optional<DType> parseDType(std::string_view name);
// The accepted names, comma separated, for error messages.
std::string_view supportedDTypeNames();
// F32, F16 or BF16.
bool isFloatingWeightType(DType dtype);

}  // namespace ca::capture
