// The AVX-512 x · wᵀ kernels (see gemm.h for why they exist and what they compute).
#include "core/capture/models/gemm.h"

#include <immintrin.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <type_traits>
#include <utility>

#include "core/capture/models/parallel.h"


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
// Rounds four floats to bf16 exactly as c10::BFloat16(float) (torch's .to(kBFloat16)) does:
// to nearest even, NaN -> 0x7FC0.
CA_TARGET_FP32 inline __m128i roundToBf16(__m128 f) {
    const __m128i u = _mm_castps_si128(f);
    const __m128i lsb = _mm_and_si128(_mm_srli_epi32(u, 16), _mm_set1_epi32(1));
    __m128i r = _mm_srli_epi32(_mm_add_epi32(u, _mm_add_epi32(lsb, _mm_set1_epi32(0x7FFF))), 16);
    const __m128i nan = _mm_castps_si128(_mm_cmpunord_ps(f, f));
    r = _mm_or_si128(_mm_andnot_si128(nan, r), _mm_and_si128(nan, _mm_set1_epi32(0x7FC0)));
    return _mm_packus_epi32(r, r);  // the four 16-bit values in the low 64 bits
}
template <int NR>
CA_TARGET_FP32 inline void storeRow(__m128 sums, c10::BFloat16* y) {
    const __m128i bits = roundToBf16(sums);
    if constexpr (NR == 4) {
        _mm_storel_epi64(reinterpret_cast<__m128i*>(y), bits);
    } else {
        alignas(16) uint16_t b[8];
        _mm_store_si128(reinterpret_cast<__m128i*>(b), bits);
        std::memcpy(y, b, NR * sizeof(uint16_t));
    }
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

// Rows of w per parallel work item: 16 panels, small enough to share out a 64-token expert's
// 1024 rows in 16 items, large enough that handing them out costs nothing.
constexpr int64_t kChunkRows = 64;
// Below this many multiply-adds in total, a fork/join costs more than it saves.
constexpr double kParallelMacs = 1e6;

}  // namespace

template <typename T>
void gemmSerial(const Product<T>& p) {
    const auto& table = tiles<T>();
    // Rows of x per block: the block (≤ 256 KiB) stays in L2 while every panel of 4 w rows
    // passes over it, so x is not streamed from L3 once per panel when M is large.
    const int64_t block = std::max<int64_t>(
        kTile, (256 * 1024 / std::max<int64_t>(1, p.K * int64_t(sizeof(T)))) / kTile * kTile);
    const int64_t lines_per_row = (p.K * int64_t(sizeof(T)) + 63) / 64;
    for (int64_t b0 = 0; b0 < p.M; b0 += block) {
        const int64_t b1 = std::min(p.M, b0 + block);
        const int64_t tiles_in_block = (b1 - b0 + kTile - 1) / kTile;
        for (int64_t n0 = 0; n0 < p.N; n0 += kTile) {
            const int64_t nr = std::min<int64_t>(kTile, p.N - n0);
            // The weights come from memory (mmapped checkpoint, far larger than the caches):
            // while this panel is computed, prefetch the next one into L2, a share per tile, in
            // the order the kernel will read it (across its rows, along K).
            const int64_t next_rows = b0 == 0 ? std::min<int64_t>(kTile, p.N - n0 - nr) : 0;
            const char* next = reinterpret_cast<const char*>(p.w + (n0 + nr) * p.ldw);
            const int64_t lines = next_rows * lines_per_row;
            const int64_t lines_per_tile = (lines + tiles_in_block - 1) / tiles_in_block;
            int64_t line = 0;
            for (int64_t m0 = b0; m0 < b1; m0 += kTile) {
                for (const int64_t end = std::min(lines, line + lines_per_tile); line < end; ++line)
                    _mm_prefetch(next + (line % next_rows) * p.ldw * int64_t(sizeof(T)) +
                                     (line / next_rows) * 64,
                                 _MM_HINT_T1);
                const int64_t mr = std::min<int64_t>(kTile, b1 - m0);
                table[mr - 1][nr - 1](p.x + m0 * p.ldx, p.ldx, p.w + n0 * p.ldw, p.ldw,
                                      p.y + m0 * p.ldy + n0, p.ldy, p.K);
            }
        }
    }
}

template <typename T>
void gemmBatch(const std::vector<Product<T>>& products) {
    // Work items: (product, chunk of kChunkRows rows of w).
    std::vector<std::pair<size_t, int64_t>> items;
    double macs = 0;
    for (size_t i = 0; i < products.size(); ++i) {
        const Product<T>& p = products[i];
        if (p.M == 0 || p.N == 0) continue;
        macs += double(p.M) * double(p.N) * double(p.K);
        for (int64_t n0 = 0; n0 < p.N; n0 += kChunkRows) items.emplace_back(i, n0);
    }
    auto run = [&](int64_t item) {
        const auto [i, n0] = items[size_t(item)];
        Product<T> chunk = products[i];
        chunk.N = std::min(kChunkRows, chunk.N - n0);
        chunk.w += n0 * chunk.ldw;
        chunk.y += n0;
        gemmSerial(chunk);
    };
    if (macs < kParallelMacs) {
        for (size_t item = 0; item < items.size(); ++item) run(int64_t(item));
        return;
    }
    parallelFor(static_cast<int64_t>(items.size()), run);
}

template void gemmSerial<float>(const Product<float>&);
template void gemmSerial<c10::BFloat16>(const Product<c10::BFloat16>&);
template void gemmBatch<float>(const std::vector<Product<float>>&);
template void gemmBatch<c10::BFloat16>(const std::vector<Product<c10::BFloat16>>&);

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

namespace {

template <typename T>
Product<T> product(const torch::Tensor& x, const torch::Tensor& w, torch::Tensor& y) {
    return Product<T>{x.data_ptr<T>(), x.stride(0), w.data_ptr<T>(), w.stride(0),
                      y.data_ptr<T>(), y.stride(0), x.size(0), w.size(0), x.size(1)};
}

}  // namespace

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
        gemmBatch<float>({product<float>(xc, wc, y)});
    else
        gemmBatch<c10::BFloat16>({product<c10::BFloat16>(xc, wc, y)});
    return y;
}

torch::Tensor groupedLinear(const torch::Tensor& x, const std::vector<int64_t>& offsets,
                            const std::vector<torch::Tensor>& weights) {
    const torch::ScalarType dtype = x.scalar_type();
    const int64_t N = weights.at(0).size(0);
    torch::Tensor y = torch::empty({x.size(0), N}, x.options());
    bool own = x.dim() == 2 && x.device().is_cpu() && available(dtype) && x.size(1) > 0;
    for (const torch::Tensor& w : weights)
        own = own && w.dim() == 2 && w.scalar_type() == dtype && w.device().is_cpu() &&
              w.size(0) == N && w.size(1) == x.size(1) && w.stride(1) == 1;
    if (!own) {
        for (size_t g = 0; g < weights.size(); ++g) {
            const int64_t n = offsets[g + 1] - offsets[g];
            if (n > 0) y.narrow(0, offsets[g], n).copy_(torch::linear(x.narrow(0, offsets[g], n),
                                                                      weights[g]));
        }
        return y;
    }
    const torch::Tensor xc = x.stride(1) == 1 ? x : x.contiguous();
    auto run = [&](auto tag) {
        using T = decltype(tag);
        std::vector<Product<T>> products;
        for (size_t g = 0; g < weights.size(); ++g) {
            const int64_t n = offsets[g + 1] - offsets[g];
            if (n == 0) continue;
            products.push_back(Product<T>{xc.data_ptr<T>() + offsets[g] * xc.stride(0),
                                          xc.stride(0), weights[g].data_ptr<T>(),
                                          weights[g].stride(0), y.data_ptr<T>() + offsets[g] * N,
                                          N, n, N, x.size(1)});
        }
        gemmBatch<T>(products);
    };
    if (dtype == torch::kFloat32)
        run(float{});
    else
        run(c10::BFloat16{});
    return y;
}

}  // namespace ca::capture::gemm
