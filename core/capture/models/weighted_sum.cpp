#include "core/capture/models/weighted_sum.h"

// GCC 12's AVX-512 intrinsics start from _mm512_undefined_*(), which -Wmaybe-uninitialized
// reports as uninitialised (GCC bug 105593).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

namespace ca::capture {

namespace {

// The product must be rounded before the sum, as in torch's separate ops: no contraction into
// an FMA (GCC contracts by default when the target has FMA, as AVX-512 targets do).
#if defined(__GNUC__) && !defined(__clang__)
#define CA_TARGET_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl"), optimize("fp-contract=off")))
#define CA_SCALAR __attribute__((optimize("fp-contract=off")))
#else
#pragma clang fp contract(off)
#define CA_TARGET_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl")))
#define CA_SCALAR
#endif

bool hasAvx512() {
    static const bool yes = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                            __builtin_cpu_supports("avx512vl");
    return yes;
}

// bf16 bits -> float32 (the bits shifted into the upper half).
CA_TARGET_AVX512 inline __m512 widenBf16(__m256i bits) {
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(bits), 16));
}

CA_TARGET_AVX512 inline __m512 loadBf16(const c10::BFloat16* p, __mmask16 mask) {
    return widenBf16(_mm256_maskz_loadu_epi16(mask, p));
}

// c10::BFloat16(float): round to nearest even, NaN -> 0x7FC0.
CA_TARGET_AVX512 inline __m256i roundToBf16(__m512 f) {
    const __m512i u = _mm512_castps_si512(f);
    const __m512i lsb = _mm512_and_si512(_mm512_srli_epi32(u, 16), _mm512_set1_epi32(1));
    __m512i r = _mm512_srli_epi32(
        _mm512_add_epi32(u, _mm512_add_epi32(lsb, _mm512_set1_epi32(0x7FFF))), 16);
    const __mmask16 nan = _mm512_cmp_ps_mask(f, f, _CMP_UNORD_Q);
    r = _mm512_mask_mov_epi32(r, nan, _mm512_set1_epi32(0x7FC0));
    return _mm512_cvtepi32_epi16(r);
}

inline __mmask16 tailMask(int64_t remaining) {
    return remaining >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << remaining) - 1);
}

CA_TARGET_AVX512 void addScaledFloatAvx512(float* acc, const float* y, float w, int64_t n) {
    const __m512 wv = _mm512_set1_ps(w);
    for (int64_t i = 0; i < n; i += 16) {
        const __mmask16 m = tailMask(n - i);
        const __m512 p = _mm512_mul_ps(_mm512_maskz_loadu_ps(m, y + i), wv);
        _mm512_mask_storeu_ps(acc + i, m, _mm512_add_ps(_mm512_maskz_loadu_ps(m, acc + i), p));
    }
}

CA_TARGET_AVX512 void addScaledBf16ToFloatAvx512(float* acc, const c10::BFloat16* y, float w,
                                                 int64_t n) {
    const __m512 wv = _mm512_set1_ps(w);
    for (int64_t i = 0; i < n; i += 16) {
        const __mmask16 m = tailMask(n - i);
        const __m512 p = _mm512_mul_ps(loadBf16(y + i, m), wv);
        _mm512_mask_storeu_ps(acc + i, m, _mm512_add_ps(_mm512_maskz_loadu_ps(m, acc + i), p));
    }
}

CA_TARGET_AVX512 void addScaledBf16Avx512(c10::BFloat16* acc, const c10::BFloat16* y, float w,
                                          int64_t n) {
    const __m512 wv = _mm512_set1_ps(w);
    for (int64_t i = 0; i < n; i += 16) {
        const __mmask16 m = tailMask(n - i);
        const __m256i p = roundToBf16(_mm512_mul_ps(loadBf16(y + i, m), wv));
        const __m256i sum = roundToBf16(_mm512_add_ps(loadBf16(acc + i, m), widenBf16(p)));
        _mm256_mask_storeu_epi16(acc + i, m, sum);
    }
}

}  // namespace

CA_SCALAR void addScaledRow(float* acc, const float* y, float w, int64_t n) {
    if (hasAvx512()) return addScaledFloatAvx512(acc, y, w, n);
    for (int64_t i = 0; i < n; ++i) {
        const float p = y[i] * w;
        acc[i] = acc[i] + p;
    }
}

CA_SCALAR void addScaledRow(float* acc, const c10::BFloat16* y, float w, int64_t n) {
    if (hasAvx512()) return addScaledBf16ToFloatAvx512(acc, y, w, n);
    for (int64_t i = 0; i < n; ++i) {
        const float p = static_cast<float>(y[i]) * w;
        acc[i] = acc[i] + p;
    }
}

CA_SCALAR void addScaledRow(c10::BFloat16* acc, const c10::BFloat16* y, c10::BFloat16 w,
                            int64_t n) {
    const float wf = static_cast<float>(w);
    if (hasAvx512()) return addScaledBf16Avx512(acc, y, wf, n);
    for (int64_t i = 0; i < n; ++i) {
        const c10::BFloat16 p(static_cast<float>(y[i]) * wf);
        acc[i] = c10::BFloat16(static_cast<float>(acc[i]) + static_cast<float>(p));
    }
}

}  // namespace ca::capture
