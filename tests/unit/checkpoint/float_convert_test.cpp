// float32 <-> bfloat16 / float16 conversions, checked against the IEEE definitions
// computed independently in double precision (and against the compiler's _Float16 where
// it has one).
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include "core/capture/checkpoint/float_convert.h"

namespace ca::capture {
namespace {

// Value of a half-precision bit pattern from the format's definition.
double halfValue(uint16_t bits) {
    const int sign = (bits >> 15) ? -1 : 1;
    const int exponent = (bits >> 10) & 0x1f;
    const int mantissa = bits & 0x3ff;
    if (exponent == 0) return sign * std::ldexp(mantissa, -24);
    if (exponent == 31) {
        return mantissa ? std::numeric_limits<double>::quiet_NaN()
                        : sign * std::numeric_limits<double>::infinity();
    }
    return sign * std::ldexp(1024 + mantissa, exponent - 25);
}

TEST(Bf16, KnownValues) {
    EXPECT_EQ(floatToBf16(1.0f), 0x3f80);
    EXPECT_EQ(floatToBf16(-2.0f), 0xc000);
    EXPECT_EQ(floatToBf16(3.14159265f), 0x4049);  // 0x40490fdb: low half below the midpoint
    EXPECT_EQ(floatToBf16(0.0f), 0x0000);
    EXPECT_EQ(floatToBf16(-0.0f), 0x8000);
    // 1 + 2^-8 lies half-way between 0x3f80 and 0x3f81: ties go to the even 0x3f80.
    EXPECT_EQ(floatToBf16(std::bit_cast<float>(0x3f808000u)), 0x3f80);
    // 0x3f818000 lies half-way between 0x3f81 and 0x3f82: the even one is 0x3f82.
    EXPECT_EQ(floatToBf16(std::bit_cast<float>(0x3f818000u)), 0x3f82);
    EXPECT_EQ(floatToBf16(std::bit_cast<float>(0x3f808001u)), 0x3f81);
}

TEST(Bf16, OverflowGivesInfinityAndNanStaysNan) {
    EXPECT_EQ(floatToBf16(std::numeric_limits<float>::max()), 0x7f80);
    EXPECT_EQ(floatToBf16(-std::numeric_limits<float>::infinity()), 0xff80);
    const uint16_t nan = floatToBf16(std::numeric_limits<float>::quiet_NaN());
    EXPECT_TRUE(std::isnan(bf16ToFloat(nan)));
    // A signalling NaN whose payload lives only in the low bits must not become infinity.
    EXPECT_TRUE(std::isnan(bf16ToFloat(floatToBf16(std::bit_cast<float>(0x7f800001u)))));
}

TEST(Bf16, EveryMidpointRoundsToTheEvenNeighbour) {
    for (uint32_t h = 0; h < 0x7f7f; ++h) {  // all positive finite bf16 but the largest
        const double low = bf16ToFloat(static_cast<uint16_t>(h));
        const double high = bf16ToFloat(static_cast<uint16_t>(h + 1));
        const auto mid = static_cast<float>((low + high) / 2);  // exact: needs 9 significant bits
        ASSERT_EQ(static_cast<double>(mid), (low + high) / 2);
        const uint16_t even = (h % 2 == 0) ? h : h + 1;
        ASSERT_EQ(floatToBf16(mid), even) << "h=" << h;
        ASSERT_EQ(floatToBf16(std::nextafter(mid, 0.0f)), h) << "h=" << h;
        ASSERT_EQ(floatToBf16(std::nextafter(mid, std::numeric_limits<float>::infinity())), h + 1)
            << "h=" << h;
        ASSERT_EQ(floatToBf16(-mid), even | 0x8000) << "h=" << h;
    }
}

TEST(Bf16, DecodeIsTheUpperHalfOfFloat32) {
    EXPECT_EQ(bf16ToFloat(0x3f80), 1.0f);
    EXPECT_EQ(bf16ToFloat(0xc049), -3.140625f);
    EXPECT_EQ(bf16ToFloat(0x0001), std::ldexp(1.0f, -133));  // smallest subnormal
}

TEST(F16, KnownValues) {
    EXPECT_EQ(floatToF16(1.0f), 0x3c00);
    EXPECT_EQ(floatToF16(-2.0f), 0xc000);
    EXPECT_EQ(floatToF16(0.1f), 0x2e66);
    EXPECT_EQ(floatToF16(65504.0f), 0x7bff);    // largest half
    EXPECT_EQ(floatToF16(65519.996f), 0x7bff);  // just below the midpoint to infinity
    EXPECT_EQ(floatToF16(65520.0f), 0x7c00);    // midpoint: ties to even = infinity
    EXPECT_EQ(floatToF16(1e10f), 0x7c00);
    EXPECT_EQ(floatToF16(std::ldexp(1.0f, -14)), 0x0400);  // smallest normal
    EXPECT_EQ(floatToF16(std::ldexp(1.0f, -24)), 0x0001);  // smallest subnormal
    EXPECT_EQ(floatToF16(std::ldexp(1.0f, -25)), 0x0000);  // half of it: tie to even zero
    EXPECT_EQ(floatToF16(std::ldexp(1.5f, -25)), 0x0001);
    EXPECT_EQ(floatToF16(std::ldexp(3.0f, -25)), 0x0002);  // 1.5 units: tie to even 2
    EXPECT_EQ(floatToF16(std::ldexp(1.0f, -30)), 0x0000);
    EXPECT_EQ(floatToF16(-0.0f), 0x8000);
    EXPECT_TRUE(std::isnan(f16ToFloat(floatToF16(std::numeric_limits<float>::quiet_NaN()))));
    EXPECT_TRUE(std::isnan(f16ToFloat(floatToF16(std::bit_cast<float>(0x7f800001u)))));
}

TEST(F16, DecodeMatchesTheFormatDefinitionForAllPatterns) {
    for (uint32_t bits = 0; bits <= 0xffff; ++bits) {
        const double expected = halfValue(static_cast<uint16_t>(bits));
        const float decoded = f16ToFloat(static_cast<uint16_t>(bits));
        if (std::isnan(expected)) {
            ASSERT_TRUE(std::isnan(decoded)) << bits;
            continue;
        }
        ASSERT_EQ(static_cast<double>(decoded), expected) << bits;
        ASSERT_EQ(floatToF16(decoded), bits) << "round trip of " << bits;
    }
}

TEST(F16, EveryMidpointRoundsToTheEvenNeighbour) {
    for (uint32_t h = 0; h < 0x7bff; ++h) {  // all positive finite halves but the largest
        const double low = halfValue(static_cast<uint16_t>(h));
        const double high = halfValue(static_cast<uint16_t>(h + 1));
        const auto mid = static_cast<float>((low + high) / 2);
        ASSERT_EQ(static_cast<double>(mid), (low + high) / 2);
        const uint16_t even = (h % 2 == 0) ? h : h + 1;
        ASSERT_EQ(floatToF16(mid), even) << "h=" << h;
        ASSERT_EQ(floatToF16(std::nextafter(mid, 0.0f)), h) << "h=" << h;
        ASSERT_EQ(floatToF16(std::nextafter(mid, std::numeric_limits<float>::infinity())), h + 1)
            << "h=" << h;
    }
}

#if defined(__FLT16_MAX__)
// The compiler's own float -> _Float16 conversion is an independent implementation.
TEST(F16, AgreesWithTheCompilersFloat16OnASweepOfFloats) {
    for (uint64_t bits = 0; bits <= 0xffffffffull; bits += 9973) {
        const float value = std::bit_cast<float>(static_cast<uint32_t>(bits));
        if (std::isnan(value)) continue;
        const auto reference = std::bit_cast<uint16_t>(static_cast<_Float16>(value));
        ASSERT_EQ(floatToF16(value), reference) << std::hex << bits;
    }
}
#endif

TEST(FloatBuffers, EncodeAndDecodeRoundTripRepresentableValues) {
    const std::vector<float> values{1.0f, -0.5f, 0.0f, 3.0f, -1024.0f, 0.125f};
    for (DType dtype : {DType::F32, DType::F16, DType::BF16}) {
        std::vector<std::byte> bytes(values.size() * dtypeSize(dtype));
        encodeFloats(values, dtype, bytes.data());
        std::vector<float> back(values.size());
        decodeFloats(bytes.data(), dtype, values.size(), back.data());
        EXPECT_EQ(back, values) << dtypeName(dtype);
    }
    std::vector<std::byte> bytes(8);
    EXPECT_THROW(encodeFloats(values, DType::I32, bytes.data()), std::invalid_argument);
}

TEST(FloatBuffers, Bf16BytesAreLittleEndian) {
    const float one = 1.0f;
    std::byte bytes[2];
    encodeFloats({&one, 1}, DType::BF16, bytes);
    EXPECT_EQ(bytes[0], std::byte{0x80});
    EXPECT_EQ(bytes[1], std::byte{0x3f});
}

}  // namespace
}  // namespace ca::capture
