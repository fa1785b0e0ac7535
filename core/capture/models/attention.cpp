#include "core/capture/models/attention.h"

#include <cmath>
#include <limits>

#include "core/capture/models/gemm.h"
#include "core/capture/models/rms_norm.h"

namespace ca::capture {

torch::Tensor causalAttention(const torch::Tensor& q, const torch::Tensor& k,
                              const torch::Tensor& v, double scale) {
    const int64_t T = q.size(0), Hq = q.size(1), Hkv = k.size(1);
    torch::Tensor kh = k, vh = v;
    if (Hq != Hkv) {
        kh = k.repeat_interleave(Hq / Hkv, 1);
        vh = v.repeat_interleave(Hq / Hkv, 1);
    }
    torch::Tensor qt = q.transpose(0, 1);   // [H, T, d]
    torch::Tensor kt = kh.permute({1, 2, 0});  // [H, d, T]
    torch::Tensor vt = vh.transpose(0, 1);  // [H, T, dv]
    torch::Tensor scores = torch::matmul(qt, kt) * scale;
    // key position > query position is masked; every row keeps at least its own position.
    torch::Tensor future = torch::ones({T, T}, torch::TensorOptions().dtype(torch::kBool)
                                                   .device(q.device()))
                               .triu(1);
    scores = scores.masked_fill(future, -std::numeric_limits<float>::infinity());
    torch::Tensor probs = torch::softmax(scores, -1, torch::kFloat32).to(q.scalar_type());
    torch::Tensor out = torch::matmul(probs, vt);  // [H, T, dv]
    return out.transpose(0, 1).reshape({T, Hq * v.size(2)});
}

torch::Tensor StandardAttention::forward(const torch::Tensor& a, const RopeAngles& angles) const {
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
    torch::Tensor o = causalAttention(q, k, v, 1.0 / std::sqrt(double(s_.head_dim)));
    return gemm::linear(o, w_.o_proj);
}

torch::Tensor MlaAttention::forward(const torch::Tensor& a, const RopeAngles& angles) const {
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
    torch::Tensor o = causalAttention(Q, K, v, s_.softmax_scale);
    return gemm::linear(o, w_.o_proj);
}

}  // namespace ca::capture
