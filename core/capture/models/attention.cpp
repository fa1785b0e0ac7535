#include "core/capture/models/attention.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include <c10/core/InferenceMode.h>

#include "core/capture/models/gemm.h"
#include "core/capture/models/parallel.h"
#include "core/capture/models/rms_norm.h"

namespace ca::capture {

namespace {

// Query rows per block: block b only needs key columns (and value rows) 0 .. its last row.
constexpr int64_t kCausalBlock = 64;

// The torch form: [H, T, T] scores through matmul (oneDNN / BLAS).
torch::Tensor torchScores(const torch::Tensor& q, const torch::Tensor& k) {
    const int64_t Hq = q.size(1), Hkv = k.size(1);
    torch::Tensor kh = Hq == Hkv ? k : k.repeat_interleave(Hq / Hkv, 1);
    return torch::matmul(q.transpose(0, 1), kh.permute({1, 2, 0}));
}

torch::Tensor torchValues(const torch::Tensor& probs, const torch::Tensor& v, int64_t Hq) {
    const int64_t T = v.size(0), Hkv = v.size(1);
    torch::Tensor vh = Hq == Hkv ? v : v.repeat_interleave(Hq / Hkv, 1);
    torch::Tensor out = torch::matmul(probs, vh.transpose(0, 1));  // [H, T, dv]
    return out.transpose(0, 1).reshape({T, Hq * v.size(2)});
}

// The own kernels, one batch for all sequences and heads, skipping what the causal mask
// discards: scores right of the diagonal block (masked to -inf below whatever they hold) and, in
// P·V, value rows whose probabilities are exactly 0 (adding ±0 products leaves every float sum
// unchanged, so the result equals the full product). Sequence i's scores [Hq, Ti, Ti] start at
// offsets[i] of one flat buffer.
std::vector<int64_t> scoreOffsets(const PackedBatch& batch, int64_t heads) {
    std::vector<int64_t> offsets{0};
    for (int64_t i = 0; i < batch.sequences(); ++i)
        offsets.push_back(offsets.back() + heads * batch.length(i) * batch.length(i));
    return offsets;
}

// One block of query rows of one head of one sequence: the unit both products are cut into.
struct CausalBlock {
    int64_t sequence, start, length;  // the sequence's first row in the batch and its length
    int64_t head, kv_head;            // query head and the kv head it reads (GQA)
    int64_t m0, rows;                 // the block's first row within the sequence, its size
};

template <typename F>
void forEachCausalBlock(const PackedBatch& batch, int64_t Hq, int64_t Hkv, F&& f) {
    for (int64_t i = 0; i < batch.sequences(); ++i)
        for (int64_t h = 0; h < Hq; ++h)
            for (int64_t m0 = 0; m0 < batch.length(i); m0 += kCausalBlock)
                f(CausalBlock{i, batch.start(i), batch.length(i), h, h / (Hq / Hkv), m0,
                              std::min(kCausalBlock, batch.length(i) - m0)});
}

template <typename T>
torch::Tensor ownScores(const torch::Tensor& q, const torch::Tensor& k, const PackedBatch& batch,
                        const std::vector<int64_t>& offsets) {
    // Zeros, not empty: the skipped entries are scaled before the mask replaces them.
    torch::Tensor scores = torch::zeros({offsets.back()}, q.options());
    std::vector<gemm::Product<T>> products;
    forEachCausalBlock(batch, q.size(1), k.size(1), [&](const CausalBlock& b) {
        const int64_t L = b.length;
        products.push_back({q.data_ptr<T>() + (b.start + b.m0) * q.stride(0) + b.head * q.stride(1),
                            q.stride(0),
                            k.data_ptr<T>() + b.start * k.stride(0) + b.kv_head * k.stride(1),
                            k.stride(0),
                            scores.data_ptr<T>() + offsets[b.sequence] + (b.head * L + b.m0) * L,
                            L, b.rows, b.m0 + b.rows, q.size(2)});
    });
    gemm::gemmBatch<T>(products);
    return scores;
}

template <typename T>
torch::Tensor ownValues(const torch::Tensor& probs, const torch::Tensor& v, int64_t Hq,
                        const PackedBatch& batch, const std::vector<int64_t>& offsets) {
    const int64_t R = v.size(0), dv = v.size(2);
    const torch::Tensor vt = v.permute({1, 2, 0}).contiguous();  // [Hkv, dv, R]: rows along R
    torch::Tensor out = torch::empty({R, Hq * dv}, v.options());
    std::vector<gemm::Product<T>> products;
    forEachCausalBlock(batch, Hq, v.size(1), [&](const CausalBlock& b) {
        const int64_t L = b.length;
        products.push_back({probs.data_ptr<T>() + offsets[b.sequence] + (b.head * L + b.m0) * L, L,
                            vt.data_ptr<T>() + b.kv_head * dv * R + b.start, R,
                            out.data_ptr<T>() + (b.start + b.m0) * Hq * dv + b.head * dv, Hq * dv,
                            b.rows, dv, b.m0 + b.rows});
    });
    gemm::gemmBatch<T>(products);
    return out;
}

// softmax(scores · scale, causal mask) in float32, cast back to the compute dtype.
torch::Tensor maskedProbabilities(const torch::Tensor& scores, double scale,
                                  const torch::Tensor& future, torch::ScalarType dtype) {
    return torch::softmax(
               (scores * scale).masked_fill(future, -std::numeric_limits<float>::infinity()), -1,
               torch::kFloat32)
        .to(dtype);
}

// key position > query position is masked; every row keeps at least its own position.
torch::Tensor futureMask(int64_t length, torch::Device device) {
    return torch::ones({length, length}, torch::TensorOptions().dtype(torch::kBool).device(device))
        .triu(1);
}

// One sequence through torch's matmul (other devices, no AVX-512, CA_TORCH_GEMM=1).
torch::Tensor torchAttention(const torch::Tensor& q, const torch::Tensor& k,
                             const torch::Tensor& v, double scale) {
    const torch::Tensor probs =
        maskedProbabilities(torchScores(q, k), scale, futureMask(q.size(0), q.device()),
                            q.scalar_type());
    return torchValues(probs, v, q.size(1));
}

}  // namespace

torch::Tensor causalAttention(const torch::Tensor& q, const torch::Tensor& k,
                              const torch::Tensor& v, double scale) {
    return causalAttention(q, k, v, scale, PackedBatch::single(q.size(0)));
}

torch::Tensor causalAttention(const torch::Tensor& q, const torch::Tensor& k,
                              const torch::Tensor& v, double scale, const PackedBatch& batch) {
    const int64_t Hq = q.size(1);
    const torch::ScalarType dtype = q.scalar_type();
    const bool own = q.device().is_cpu() && gemm::available(dtype) && q.stride(2) == 1 &&
                     k.stride(2) == 1 && k.scalar_type() == dtype && v.scalar_type() == dtype;
    if (!own) {
        if (batch.sequences() == 1) return torchAttention(q, k, v, scale);
        std::vector<torch::Tensor> outs;
        for (int64_t i = 0; i < batch.sequences(); ++i) {
            const int64_t s = batch.start(i), L = batch.length(i);
            outs.push_back(torchAttention(q.narrow(0, s, L), k.narrow(0, s, L),
                                          v.narrow(0, s, L), scale));
        }
        return torch::cat(outs);
    }
    const std::vector<int64_t> offsets = scoreOffsets(batch, Hq);
    const torch::Tensor scores = dtype == torch::kFloat32
                                     ? ownScores<float>(q, k, batch, offsets)
                                     : ownScores<c10::BFloat16>(q, k, batch, offsets);
    std::vector<torch::Tensor> future;
    for (int64_t i = 0; i < batch.sequences(); ++i)
        future.push_back(futureMask(batch.length(i), q.device()));
    // Row-wise ops: the (sequence, head) pairs can be shared out (parallel.h) exactly.
    torch::Tensor probs = torch::empty(scores.sizes(), scores.options());
    parallelFor(batch.sequences() * Hq, [&](int64_t item) {
        c10::InferenceMode inference;
        const int64_t i = item / Hq, h = item % Hq, L = batch.length(i);
        const int64_t at = offsets[i] + h * L * L;
        probs.narrow(0, at, L * L)
            .view({L, L})
            .copy_(maskedProbabilities(scores.narrow(0, at, L * L).view({L, L}), scale,
                                       future[i], dtype));
    });
    return dtype == torch::kFloat32 ? ownValues<float>(probs, v, Hq, batch, offsets)
                                    : ownValues<c10::BFloat16>(probs, v, Hq, batch, offsets);
}

torch::Tensor StandardAttention::forward(const torch::Tensor& a, const RopeAngles& angles,
                                         const PackedBatch& batch) const {
    const int64_t T = a.size(0);
    torch::Tensor q = gemm::linear(a, w_.q_proj);
    torch::Tensor k = gemm::linear(a, w_.k_proj);
    torch::Tensor v = gemm::linear(a, w_.v_proj);
    if (s_.qk_norm == QkNorm::FullWidth) {
        q = rmsNorm(q, w_.q_norm, s_.norm_eps);
        k = rmsNorm(k, w_.k_norm, s_.norm_eps);
    }
    if (s_.clip_qkv > 0) {
        q = q.clamp(-s_.clip_qkv, s_.clip_qkv);
        k = k.clamp(-s_.clip_qkv, s_.clip_qkv);
        v = v.clamp(-s_.clip_qkv, s_.clip_qkv);
    }
    q = q.view({T, s_.heads, s_.head_dim});
    k = k.view({T, s_.kv_heads, s_.head_dim});
    v = v.view({T, s_.kv_heads, s_.head_dim});
    if (s_.qk_norm == QkNorm::PerHead) {
        q = rmsNorm(q, w_.q_norm, s_.norm_eps);
        k = rmsNorm(k, w_.k_norm, s_.norm_eps);
    }
    q = applyRopeNeox(q, angles);
    k = applyRopeNeox(k, angles);
    torch::Tensor o = causalAttention(q, k, v, 1.0 / std::sqrt(double(s_.head_dim)), batch);
    return gemm::linear(o, w_.o_proj);
}

torch::Tensor MlaAttention::forward(const torch::Tensor& a, const RopeAngles& angles,
                                    const PackedBatch& batch) const {
    // DeepSeek builds q_a_layernorm / kv_a_layernorm without passing eps: the class default 1e-6
    // applies whatever rms_norm_eps says (models-spec.md §1.2).
    constexpr double kLatentNormEps = 1e-6;
    const int64_t T = a.size(0), H = s_.heads, qd = s_.nope_dim + s_.rope_dim;
    torch::Tensor q = w_.q_proj.defined()
                          ? gemm::linear(a, w_.q_proj)
                          : gemm::linear(rmsNorm(gemm::linear(a, w_.q_a_proj), w_.q_a_layernorm,
                                                  kLatentNormEps),
                                          w_.q_b_proj);
    q = q.view({T, H, qd});
    torch::Tensor q_nope = q.narrow(-1, 0, s_.nope_dim);
    torch::Tensor q_pe = q.narrow(-1, s_.nope_dim, s_.rope_dim);

    torch::Tensor ckv = gemm::linear(a, w_.kv_a_proj_with_mqa);  // [T, rank + rope]
    torch::Tensor latent = ckv.narrow(-1, 0, s_.kv_lora_rank);
    torch::Tensor k_pe = ckv.narrow(-1, s_.kv_lora_rank, s_.rope_dim).reshape({T, 1, s_.rope_dim});
    latent = rmsNorm(latent, w_.kv_a_layernorm, kLatentNormEps);
    torch::Tensor kv = gemm::linear(latent, w_.kv_b_proj).view({T, H, s_.nope_dim + s_.v_dim});
    torch::Tensor k_nope = kv.narrow(-1, 0, s_.nope_dim);
    torch::Tensor v = kv.narrow(-1, s_.nope_dim, s_.v_dim);

    q_pe = applyRopeInterleaved(q_pe, angles);
    k_pe = applyRopeInterleaved(k_pe, angles);  // one head, shared by all heads
    torch::Tensor Q = torch::cat({q_nope, q_pe}, -1);
    torch::Tensor K = torch::cat({k_nope, k_pe.expand({T, H, s_.rope_dim})}, -1);
    torch::Tensor o = causalAttention(Q, K, v, s_.softmax_scale, batch);
    return gemm::linear(o, w_.o_proj);
}

}  // namespace ca::capture
