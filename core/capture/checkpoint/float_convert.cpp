#include "core/capture/checkpoint/float_convert.h"

#include <bit>
#include <cstring>
#include <stdexcept>

namespace ca::capture {

static_assert(std::endian::native == std::endian::little,
              "checkpoint data is little-endian; a big-endian host needs byte swapping");

uint16_t floatToBf16(float value) {
    uint32_t bits = std::bit_cast<uint32_t>(value);
    if ((bits & 0x7fffffffu) > 0x7f800000u) {
        return static_cast<uint16_t>((bits >> 16) | 0x0040u);  // quiet NaN, sign kept
    }
    // Adding 0x7fff plus the lowest kept bit rounds half-way cases to the even neighbour;
    // a carry out of the mantissa correctly bumps the exponent (up to infinity).
    const uint32_t lowestKeptBit = (bits >> 16) & 1u;
    bits += 0x7fffu + lowestKeptBit;
    return static_cast<uint16_t>(bits >> 16);
}

float bf16ToFloat(uint16_t bits) { return std::bit_cast<float>(static_cast<uint32_t>(bits) << 16); }

namespace {

// Shifts m right by `shift` bits, rounding to nearest with ties to even.
uint32_t shiftRightRoundEven(uint32_t m, unsigned shift) {
    const uint32_t kept = m >> shift;
    const uint32_t rest = m & ((1u << shift) - 1u);
    const uint32_t half = 1u << (shift - 1);
    if (rest > half || (rest == half && (kept & 1u))) return kept + 1;
    return kept;
}

}  // namespace

uint16_t floatToF16(float value) {
    const uint32_t bits = std::bit_cast<uint32_t>(value);
    const auto sign = static_cast<uint16_t>((bits >> 16) & 0x8000u);
    const uint32_t magnitude = bits & 0x7fffffffu;
    if (magnitude > 0x7f800000u) {
        return static_cast<uint16_t>(sign | 0x7e00u | ((magnitude >> 13) & 0x3ffu));  // NaN
    }
    // 65520 (0x477ff000) is half-way between 65504, the largest half, and 65536; the tie
    // goes to the even neighbour, which is infinity.
    if (magnitude >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);
    if (magnitude >= 0x38800000u) {  // a normal half: rebias the exponent from 127 to 15
        const uint32_t rebiased = magnitude - 0x38000000u;
        return static_cast<uint16_t>(sign | shiftRightRoundEven(rebiased, 13));
    }
    // A subnormal half (or zero): count units of 2^-24.
    const uint32_t exponent = magnitude >> 23;
    if (exponent < 102) return sign;  // below 2^-25: rounds to zero
    const uint32_t mantissa = (magnitude & 0x7fffffu) | 0x800000u;
    const unsigned shift = 126 - exponent;  // 14..24
    // A result of 0x400 is the smallest normal half, which the encoding represents as is.
    return static_cast<uint16_t>(sign | shiftRightRoundEven(mantissa, shift));
}

float f16ToFloat(uint16_t bits) {
    const uint32_t sign = static_cast<uint32_t>(bits & 0x8000u) << 16;
    const uint32_t exponent = (bits >> 10) & 0x1fu;
    const uint32_t mantissa = bits & 0x3ffu;
    if (exponent == 0) {
        // Zero or subnormal: mantissa * 2^-24, exact in float32.
        const float magnitude = static_cast<float>(mantissa) * 0x1p-24f;
        return sign ? -magnitude : magnitude;
    }
    if (exponent == 31) return std::bit_cast<float>(sign | 0x7f800000u | (mantissa << 13));
    return std::bit_cast<float>(sign | ((exponent + 112) << 23) | (mantissa << 13));
}

void encodeFloats(std::span<const float> values, DType dtype, std::byte* out) {
    switch (dtype) {
    case DType::F32: std::memcpy(out, values.data(), values.size_bytes()); return;
    case DType::BF16:
        for (std::size_t i = 0; i < values.size(); ++i) {
            const uint16_t h = floatToBf16(values[i]);
            std::memcpy(out + 2 * i, &h, 2);
        }
        return;
    case DType::F16:
        for (std::size_t i = 0; i < values.size(); ++i) {
            const uint16_t h = floatToF16(values[i]);
            std::memcpy(out + 2 * i, &h, 2);
        }
        return;
    default: throw std::invalid_argument("encodeFloats: not a floating weight type");
    }
}

void decodeFloats(const void* data, DType dtype, std::size_t count, float* out) {
    const auto* bytes = static_cast<const std::byte*>(data);
    switch (dtype) {
    case DType::F32: std::memcpy(out, data, count * sizeof(float)); return;
    case DType::BF16:
        for (std::size_t i = 0; i < count; ++i) {
            uint16_t h;
            std::memcpy(&h, bytes + 2 * i, 2);
            out[i] = bf16ToFloat(h);
        }
        return;
    case DType::F16:
        for (std::size_t i = 0; i < count; ++i) {
            uint16_t h;
            std::memcpy(&h, bytes + 2 * i, 2);
            out[i] = f16ToFloat(h);
        }
        return;
    default: throw std::invalid_argument("decodeFloats: not a floating weight type");
    }
}

}  // namespace ca::capture
