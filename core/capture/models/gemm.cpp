// The AVX-512 x · wᵀ kernels (see gemm.h for why they exist and what they compute).
#include "core/capture/models/gemm.h"

#include <immintrin.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <type_traits>
#include <utility>

#include <ATen/Parallel.h>

namespace ca::capture::gemm {

namespace {

#define CA_TARGET_FP32 __attribute__((target("avx512f")))
#define CA_TARGET_BF16 __attribute__((target("avx512f,avx512bw,avx512bf16")))

constexpr int kTile = 4;  // rows of x × rows of w per micro-kernel call: 16 accumulators

// The four lane-sums of a, b, c, d as one __m128 (the 512-bit halves added, then hadd twice).
// (The masked form: GCC 12's plain extract/cast intrinsics trip -Wuninitialized.)
template <int Half>
CA_TARGET_FP32 inline __m256 half(__m512 v) {
    return _mm256_castpd_ps(
        _mm512_mask_extractf64x4_pd(_mm256_setzero_pd(), 0xFF, _mm512_castps_pd(v), Half));
}
CA_TARGET_FP32 inline __m128 reduce4(__m512 a, __m512 b, __m512 c, __m512 d) {
    const __m256 a8 = _mm256_add_ps(half<0>(a), half<1>(a));
    const __m256 b8 = _mm256_add_ps(half<0>(b), half<1>(b));
    const __m256 c8 = _mm256_add_ps(half<0>(c), half<1>(c));
    const __m256 d8 = _mm256_add_ps(half<0>(d), half<1>(d));
    const __m256 abcd = _mm256_hadd_ps(_mm256_hadd_ps(a8, b8), _mm256_hadd_ps(c8, d8));
    return _mm_add_ps(_mm256_castps256_ps128(abcd), _mm256_extractf128_ps(abcd, 1));
}

// Stores row i of a tile: NR sums (lanes of `sums`) into y, converting to T.
template <int NR>
CA_TARGET_FP32 inline void storeRow(__m128 sums, float* y) {
    if constexpr (NR == 4) {
        _mm_storeu_ps(y, sums);
    } else {
        alignas(16) float s[4];
        _mm_store_ps(s, sums);
        std::copy_n(s, NR, y);
    }
}
template <int NR>
CA_TARGET_FP32 inline void storeRow(__m128 sums, c10::BFloat16* y) {
    alignas(16) float s[4];
    _mm_store_ps(s, sums);
    // c10::BFloat16(float) rounds to nearest even, exactly as torch's .to(kBFloat16).
    for (int j = 0; j < NR; ++j) y[j] = c10::BFloat16(s[j]);
}

template <int MR, int NR>
CA_TARGET_FP32 inline void reduceAndStore(__m512 (&acc)[MR][kTile], float* y, int64_t ldy) {
#pragma GCC unroll 4
    for (int i = 0; i < MR; ++i)
        storeRow<NR>(reduce4(acc[i][0], acc[i][1], acc[i][2], acc[i][3]), y + i * ldy);
}
template <int MR, int NR>
CA_TARGET_FP32 inline void reduceAndStore(__m512 (&acc)[MR][kTile], c10::BFloat16* y,
                                          int64_t ldy) {
#pragma GCC unroll 4
    for (int i = 0; i < MR; ++i)
        storeRow<NR>(reduce4(acc[i][0], acc[i][1], acc[i][2], acc[i][3]), y + i * ldy);
}

// One MR × NR tile of y = x · wᵀ over the whole K (fp32: 16 values of K per step).
template <int MR, int NR>
CA_TARGET_FP32 void tileFp32(const float* x, int64_t ldx, const float* w, int64_t ldw, float* y,
                             int64_t ldy, int64_t K) {
    __m512 acc[MR][kTile];
#pragma GCC unroll 4
    for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
        for (int j = 0; j < kTile; ++j) acc[i][j] = _mm512_setzero_ps();
    int64_t k = 0;
    for (; k + 16 <= K; k += 16) {
        __m512 xv[MR];
#pragma GCC unroll 4
        for (int i = 0; i < MR; ++i) xv[i] = _mm512_loadu_ps(x + i * ldx + k);
#pragma GCC unroll 4
        for (int j = 0; j < NR; ++j) {
            const __m512 wv = _mm512_loadu_ps(w + j * ldw + k);
#pragma GCC unroll 4
            for (int i = 0; i < MR; ++i) acc[i][j] = _mm512_fmadd_ps(xv[i], wv, acc[i][j]);
        }
    }
    if (k < K) {  // the tail: masked loads read zeros past K
        const __mmask16 mask = static_cast<__mmask16>((1u << (K - k)) - 1);
        __m512 xv[MR];
        for (int i = 0; i < MR; ++i) xv[i] = _mm512_maskz_loadu_ps(mask, x + i * ldx + k);
        for (int j = 0; j < NR; ++j) {
            const __m512 wv = _mm512_maskz_loadu_ps(mask, w + j * ldw + k);
            for (int i = 0; i < MR; ++i) acc[i][j] = _mm512_fmadd_ps(xv[i], wv, acc[i][j]);
        }
    }
    reduceAndStore<MR, NR>(acc, y, ldy);
}

// The same for bf16 (32 values of K per step): vdpbf16ps multiplies pairs of bf16 and adds
// them to float32 lanes, as oneDNN's bf16 kernels do on this hardware.
template <int MR, int NR>
CA_TARGET_BF16 void tileBf16(const c10::BFloat16* x, int64_t ldx, const c10::BFloat16* w,
                             int64_t ldw, c10::BFloat16* y, int64_t ldy, int64_t K) {
    __m512 acc[MR][kTile];
#pragma GCC unroll 4
    for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
        for (int j = 0; j < kTile; ++j) acc[i][j] = _mm512_setzero_ps();
    int64_t k = 0;
    for (; k + 32 <= K; k += 32) {
        __m512bh xv[MR];
#pragma GCC unroll 4
        for (int i = 0; i < MR; ++i) xv[i] = (__m512bh)_mm512_loadu_si512(x + i * ldx + k);
#pragma GCC unroll 4
        for (int j = 0; j < NR; ++j) {
            const __m512bh wv = (__m512bh)_mm512_loadu_si512(w + j * ldw + k);
#pragma GCC unroll 4
            for (int i = 0; i < MR; ++i) acc[i][j] = _mm512_dpbf16_ps(acc[i][j], xv[i], wv);
        }
    }
    if (k < K) {
        const __mmask32 mask = static_cast<__mmask32>((1ull << (K - k)) - 1);
        __m512bh xv[MR];
        for (int i = 0; i < MR; ++i)
            xv[i] = (__m512bh)_mm512_maskz_loadu_epi16(mask, x + i * ldx + k);
        for (int j = 0; j < NR; ++j) {
            const __m512bh wv = (__m512bh)_mm512_maskz_loadu_epi16(mask, w + j * ldw + k);
            for (int i = 0; i < MR; ++i) acc[i][j] = _mm512_dpbf16_ps(acc[i][j], xv[i], wv);
        }
    }
    reduceAndStore<MR, NR>(acc, y, ldy);
}

template <typename T>
using TileFn = void (*)(const T*, int64_t, const T*, int64_t, T*, int64_t, int64_t);

// tiles<T>()[MR-1][NR-1]: the micro-kernel for a (possibly partial) tile.
template <typename T, int MR, int... NRs>
constexpr std::array<TileFn<T>, kTile> rowOfTiles(std::integer_sequence<int, NRs...>) {
    if constexpr (std::is_same_v<T, float>)
        return {&tileFp32<MR, NRs + 1>...};
    else
        return {&tileBf16<MR, NRs + 1>...};
}
template <typename T>
const std::array<std::array<TileFn<T>, kTile>, kTile>& tiles() {
    static const std::array<std::array<TileFn<T>, kTile>, kTile> table = {
        rowOfTiles<T, 1>(std::make_integer_sequence<int, kTile>{}),
        rowOfTiles<T, 2>(std::make_integer_sequence<int, kTile>{}),
        rowOfTiles<T, 3>(std::make_integer_sequence<int, kTile>{}),
        rowOfTiles<T, 4>(std::make_integer_sequence<int, kTile>{})};
    return table;
}

bool torchForced() {
    const char* env = std::getenv("CA_TORCH_GEMM");
    return env && std::strcmp(env, "1") == 0;
}

template <typename T>
void linearInto(const torch::Tensor& x, const torch::Tensor& w, torch::Tensor& y) {
    const int64_t M = x.size(0), K = x.size(1), N = w.size(0);
    const T* xp = x.data_ptr<T>();
    const T* wp = w.data_ptr<T>();
    T* yp = y.data_ptr<T>();
    const int64_t ldx = x.stride(0), ldw = w.stride(0), ldy = y.stride(0);
    // Threads split the rows of w (whole 4-row panels); each thread reads all of x.
    const int64_t panels = (N + kTile - 1) / kTile;
    auto run = [&](int64_t p0, int64_t p1) {
        const int64_t n0 = p0 * kTile, n1 = std::min(N, p1 * kTile);
        gemmNT<T>(M, n1 - n0, K, xp, ldx, wp + n0 * ldw, ldw, yp + n0, ldy);
    };
    // Below ~1 MFLOP a fork/join costs more than it saves.
    if (2.0 * double(M) * double(N) * double(K) < 1e6 || at::get_num_threads() == 1 ||
        at::in_parallel_region())
        run(0, panels);
    else
        at::parallel_for(0, panels, 1, run);
}

}  // namespace

bool available(torch::ScalarType dtype) {
    static const bool forced = torchForced();
    static const bool fp32 = __builtin_cpu_supports("avx512f");
    static const bool bf16 = fp32 && __builtin_cpu_supports("avx512bw") &&
                             __builtin_cpu_supports("avx512bf16");
    if (forced) return false;
    if (dtype == torch::kFloat32) return fp32;
    if (dtype == torch::kBFloat16) return bf16;
    return false;
}

template <typename T>
void gemmNT(int64_t M, int64_t N, int64_t K, const T* x, int64_t ldx, const T* w, int64_t ldw,
            T* y, int64_t ldy) {
    const auto& table = tiles<T>();
    for (int64_t n0 = 0; n0 < N; n0 += kTile) {
        const int64_t nr = std::min<int64_t>(kTile, N - n0);
        for (int64_t m0 = 0; m0 < M; m0 += kTile) {
            const int64_t mr = std::min<int64_t>(kTile, M - m0);
            table[mr - 1][nr - 1](x + m0 * ldx, ldx, w + n0 * ldw, ldw, y + m0 * ldy + n0, ldy,
                                  K);
        }
    }
}
template void gemmNT<float>(int64_t, int64_t, int64_t, const float*, int64_t, const float*,
                            int64_t, float*, int64_t);
template void gemmNT<c10::BFloat16>(int64_t, int64_t, int64_t, const c10::BFloat16*, int64_t,
                                    const c10::BFloat16*, int64_t, c10::BFloat16*, int64_t);

torch::Tensor linear(const torch::Tensor& x, const torch::Tensor& w) {
    const torch::ScalarType dtype = x.scalar_type();
    if (x.dim() != 2 || w.dim() != 2 || w.scalar_type() != dtype || !x.device().is_cpu() ||
        !w.device().is_cpu() || x.size(1) != w.size(1) || !available(dtype))
        return torch::linear(x, w);
    const torch::Tensor xc = x.stride(1) == 1 ? x : x.contiguous();
    const torch::Tensor wc = w.stride(1) == 1 ? w : w.contiguous();
    torch::Tensor y = torch::empty({x.size(0), w.size(0)}, x.options());
    if (y.numel() == 0) return y;
    if (x.size(1) == 0) return y.zero_();
    if (dtype == torch::kFloat32)
        linearInto<float>(xc, wc, y);
    else
        linearInto<c10::BFloat16>(xc, wc, y);
    return y;
}

}  // namespace ca::capture::gemm
