// y = x · wᵀ, the product behind every projection of the models (torch::linear without bias),
// with the project's own AVX-512 kernels on CPUs that have them.
//
// Why not torch::linear: per call it is as fast on this machine (Debian libtorch 1.13: bf16 goes
// to oneDNN's brgemm avx512_core_bf16 kernels, fp32 to OpenBLAS; see docs/benchmarks.md
// "Prefill"), but every call forks and joins torch's OpenMP threads, OpenBLAS keeps its own
// thread pool spinning next to them, and a MoE layer is 192 small products. With these kernels
// the engine runs all experts of a projection as one batch on its own thread pool (parallel.h),
// reading x and the weight rows in place (mmapped checkpoint bytes, never packed or copied):
// each output is a dot product along K, computed for a 4 × 4 tile of (row of x, row of w) at a
// time in 16 float32 lanes (AVX512-BF16 vdpbf16ps for bf16, FMA for fp32), then summed across
// lanes. Numerics equal torch's: float32 accumulation, bf16 outputs rounded to nearest even;
// only the order of the float32 additions differs (as between any two GEMM libraries), and an
// output never depends on which other rows or columns are computed with it.
#pragma once

#include <cstdint>
#include <vector>

#include <torch/types.h>

namespace ca::capture::gemm {

// x [M, K] and w [N, K], both 2-D with unit stride along K, same dtype; returns [M, N] in that
// dtype. Uses the own kernel when available() for the dtype and the tensors are on the CPU;
// torch::linear otherwise. Parallel on kernelThreads() threads (parallel.h).
torch::Tensor linear(const torch::Tensor& x, const torch::Tensor& w);

// For every group g, rows offsets[g] .. offsets[g+1]-1 of the result are those rows of x times
// weights[g]ᵀ: the experts of a MoE layer, each applied to the positions routed to it, all in one
// parallel batch. x [R, K] with R = offsets.back(); every weights[g] [N, K]; returns [R, N].
torch::Tensor groupedLinear(const torch::Tensor& x, const std::vector<int64_t>& offsets,
                            const std::vector<torch::Tensor>& weights);

// Whether the own kernel serves `dtype` on this CPU (fp32: AVX512F; bf16: AVX512_BF16), and
// is not disabled by the environment variable CA_TORCH_GEMM=1 (for comparisons).
bool available(torch::ScalarType dtype);

// One product y = x · wᵀ on raw rows: y[m·ldy + n] = Σ_k x[m·ldx + k] · w[n·ldw + k] for
// m < M, n < N, k < K, with T float or c10::BFloat16 (y rounded to T).
template <typename T>
struct Product {
    const T* x = nullptr;
    int64_t ldx = 0;
    const T* w = nullptr;
    int64_t ldw = 0;
    T* y = nullptr;
    int64_t ldy = 0;
    int64_t M = 0, N = 0, K = 0;
};

// Computes all products (the experts of a MoE layer, the heads of an attention) in one parallel
// loop over chunks of their w rows (parallel.h). Requires available() for T's dtype.
template <typename T>
void gemmBatch(const std::vector<Product<T>>& products);

// One product on the calling thread only.
template <typename T>
void gemmSerial(const Product<T>& p);

}  // namespace ca::capture::gemm
