#include "core/capture/checkpoint/dtype.h"

#include <array>

namespace ca::capture {

namespace {

struct DTypeInfo {
    DType dtype;
    std::string_view name;
    std::size_t size;
};

constexpr std::array<DTypeInfo, 10> kDTypes{{
    {DType::F32, "F32", 4},
    {DType::F16, "F16", 2},
    {DType::BF16, "BF16", 2},
    {DType::F64, "F64", 8},
    {DType::I64, "I64", 8},
    {DType::I32, "I32", 4},
    {DType::I16, "I16", 2},
    {DType::I8, "I8", 1},
    {DType::U8, "U8", 1},
    {DType::BOOL, "BOOL", 1},
}};

// The table is indexed by the enum value; this keeps the two in step.
constexpr bool tableMatchesEnum() {
    for (std::size_t i = 0; i < kDTypes.size(); ++i) {
        if (static_cast<std::size_t>(kDTypes[i].dtype) != i) return false;
    }
    return true;
}
static_assert(tableMatchesEnum());

const DTypeInfo& info(DType dtype) { return kDTypes[static_cast<std::size_t>(dtype)]; }

}  // namespace

std::string_view dtypeName(DType dtype) { return info(dtype).name; }

std::size_t dtypeSize(DType dtype) { return info(dtype).size; }

std::optional<DType> parseDType(std::string_view name) {
    for (const DTypeInfo& entry : kDTypes) {
        if (entry.name == name) return entry.dtype;
    }
    return std::nullopt;
}

std::string_view supportedDTypeNames() {
    return "F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL";
}

bool isFloatingWeightType(DType dtype) {
    return dtype == DType::F32 || dtype == DType::F16 || dtype == DType::BF16;
}

}  // namespace ca::capture
