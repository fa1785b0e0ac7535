#include "core/capture/models/moe.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "core/capture/models/gemm.h"

namespace ca::capture {

torch::Tensor swiglu(const torch::Tensor& x, const SwiGluWeights& w) {
    torch::Tensor gate = torch::silu(gemm::linear(x, w.gate_proj));
    return gemm::linear(gate * gemm::linear(x, w.up_proj), w.down_proj);
}

namespace {

// Strict weak order: larger weight first, then lower id.
struct Before {
    const float* w;
    bool operator()(int32_t a, int32_t b) const { return w[a] > w[b] || (w[a] == w[b] && a < b); }
};

}  // namespace

void selectTopK(const float* probs, int64_t num_experts, int64_t k, int32_t* ids, float* weights) {
    std::vector<int32_t> order(static_cast<size_t>(num_experts));
    for (int64_t e = 0; e < num_experts; ++e) {
        if (std::isnan(probs[e])) throw std::runtime_error("router produced NaN probabilities");
        order[e] = static_cast<int32_t>(e);
    }
    std::partial_sort(order.begin(), order.begin() + k, order.end(), Before{probs});
    for (int64_t s = 0; s < k; ++s) {
        ids[s] = order[s];
        weights[s] = probs[order[s]];
    }
}

void maskToBestGroups(float* probs, int64_t num_experts, int64_t n_group, int64_t topk_group) {
    const int64_t per_group = num_experts / n_group;
    std::vector<float> group_max(static_cast<size_t>(n_group));
    for (int64_t g = 0; g < n_group; ++g)
        group_max[g] = *std::max_element(probs + g * per_group, probs + (g + 1) * per_group);
    std::vector<int32_t> groups(static_cast<size_t>(n_group));
    std::vector<float> unused(static_cast<size_t>(n_group));
    selectTopK(group_max.data(), n_group, topk_group, groups.data(), unused.data());
    std::vector<bool> keep(static_cast<size_t>(n_group), false);
    for (int64_t i = 0; i < topk_group; ++i) keep[groups[i]] = true;
    for (int64_t g = 0; g < n_group; ++g)
        if (!keep[g]) std::fill(probs + g * per_group, probs + (g + 1) * per_group, 0.f);
}

void sortSelection(int32_t* ids, float* weights, int64_t k) {
    std::vector<int64_t> slot(static_cast<size_t>(k));
    std::iota(slot.begin(), slot.end(), 0);
    std::sort(slot.begin(), slot.end(), [&](int64_t a, int64_t b) {
        return weights[a] > weights[b] || (weights[a] == weights[b] && ids[a] < ids[b]);
    });
    std::vector<int32_t> new_ids(k);
    std::vector<float> new_w(k);
    for (int64_t s = 0; s < k; ++s) {
        new_ids[s] = ids[slot[s]];
        new_w[s] = weights[slot[s]];
    }
    std::copy(new_ids.begin(), new_ids.end(), ids);
    std::copy(new_w.begin(), new_w.end(), weights);
}

void applyWeightRule(const RouterSpec& spec, float* w, int64_t k) {
    if (spec.normalise == RouterSpec::Normalise::Plain) {
        if (!spec.norm_topk_prob) return;
        float sum = 0;  // float32, as torch sums a float32 row
        for (int64_t s = 0; s < k; ++s) sum += w[s];
        for (int64_t s = 0; s < k; ++s) w[s] /= sum;
        return;
    }
    if (k > 1 && spec.norm_topk_prob) {
        float sum = 0;
        for (int64_t s = 0; s < k; ++s) sum += w[s];
        sum += 1e-20f;
        for (int64_t s = 0; s < k; ++s) w[s] /= sum;
    } else {
        const float scale = static_cast<float>(spec.routed_scaling_factor);
        for (int64_t s = 0; s < k; ++s) w[s] *= scale;
    }
}

MoeBlock::MoeBlock(torch::Tensor gate, std::vector<SwiGluWeights> experts,
                   std::optional<SwiGluWeights> shared, RouterSpec spec)
    : gate_(std::move(gate)), experts_(std::move(experts)), shared_(std::move(shared)),
      spec_(spec) {
    if (spec_.precision == RouterSpec::Precision::Float32)
        gate_fp32_ = gate_.scalar_type() == torch::kFloat32 ? gate_ : gate_.to(torch::kFloat32);
}

torch::Tensor MoeBlock::routerProbs(const torch::Tensor& m) const {
    torch::Tensor logits = spec_.precision == RouterSpec::Precision::Float32
                               ? gemm::linear(m.to(torch::kFloat32), gate_fp32_)
                               : gemm::linear(m, gate_).to(torch::kFloat32);
    return torch::softmax(logits, -1);
}

torch::Tensor MoeBlock::forward(const torch::Tensor& m, LayerRouting* routing) const {
    const int64_t T = m.size(0), E = static_cast<int64_t>(experts_.size()), k = spec_.top_k;
    LayerRouting local;
    LayerRouting& r = routing ? *routing : local;
    r.probs = routerProbs(m).to(torch::kCPU).contiguous();
    r.ids.assign(static_cast<size_t>(T * k), 0);
    r.weights.assign(static_cast<size_t>(T * k), 0.f);
    const float* probs = r.probs.data_ptr<float>();
    // Selection never relies on torch.topk's order (DeepSeek uses sorted=False): selectTopK
    // yields the canonical order directly.
    std::vector<float> masked(spec_.group_limited ? static_cast<size_t>(E) : 0);
    for (int64_t t = 0; t < T; ++t) {
        const float* row = probs + t * E;
        if (spec_.group_limited) {
            std::copy_n(row, E, masked.data());
            maskToBestGroups(masked.data(), E, spec_.n_group, spec_.topk_group);
            row = masked.data();
        }
        selectTopK(row, E, k, r.ids.data() + t * k, r.weights.data() + t * k);
        applyWeightRule(spec_, r.weights.data() + t * k, k);
    }

    // Group positions by expert.
    std::vector<std::vector<int64_t>> rows(static_cast<size_t>(E));
    std::vector<std::vector<float>> row_weights(static_cast<size_t>(E));
    for (int64_t t = 0; t < T; ++t)
        for (int64_t s = 0; s < k; ++s) {
            const int32_t e = r.ids[t * k + s];
            rows[e].push_back(t);
            row_weights[e].push_back(r.weights[t * k + s]);
        }

    const bool fp32_sum = spec_.combine == RouterSpec::Combine::Float32Sum;
    torch::Tensor out = torch::zeros(m.sizes(), m.options().dtype(
                                                    fp32_sum ? torch::kFloat32 : m.scalar_type()));
    for (int64_t e = 0; e < E; ++e) {
        if (rows[e].empty()) continue;
        const int64_t n = static_cast<int64_t>(rows[e].size());
        torch::Tensor idx = torch::from_blob(rows[e].data(), {n}, torch::kInt64).to(m.device());
        torch::Tensor w = torch::from_blob(row_weights[e].data(), {n, 1}, torch::kFloat32)
                              .to(m.device());
        torch::Tensor y = swiglu(m.index_select(0, idx), experts_[e]);
        if (fp32_sum)
            out.index_add_(0, idx, y.to(torch::kFloat32) * w);
        else
            out.index_add_(0, idx, y * w.to(m.scalar_type()));
    }
    if (fp32_sum) out = out.to(m.scalar_type());
    if (shared_) out = out + swiglu(m, *shared_);
    return out;
}

}  // namespace ca::capture
