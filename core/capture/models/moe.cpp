#include "core/capture/models/moe.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <stdexcept>
#include <type_traits>

#include <c10/core/InferenceMode.h>

#include "core/capture/models/gemm.h"
#include "core/capture/models/parallel.h"
#include "core/capture/models/weighted_sum.h"

namespace ca::capture {

void siluRowsInto(torch::Tensor& out, const torch::Tensor& x) {
    // torch's vectorised loop takes 2 vectors at a time (32 fp32 or 64 bf16 values with AVX-512,
    // half that with AVX2) and hands the remainder of the flattened tensor to a scalar loop (glibc expf instead of Sleef, which
    // can differ by an ulp). When a row is a whole number of such steps no element is left over;
    // otherwise each row gets its own call, so the remainder is always the row's end whatever the
    // row count. Real checkpoints' widths (1024, 768, 1408, 10944) take the first path.
    constexpr int64_t kStep = 64;
    const int64_t width = x.size(-1);
    if (width % kStep == 0 || x.dim() < 2 || x.size(0) < 2) {
        at::silu_out(out, x);
        return;
    }
    for (int64_t r = 0; r < x.size(0); ++r) {
        torch::Tensor row = out[r];
        at::silu_out(row, x[r]);
    }
}

torch::Tensor swiglu(const torch::Tensor& x, const SwiGluWeights& w) {
    const torch::Tensor gate_linear = gemm::linear(x, w.gate_proj);
    torch::Tensor gate = torch::empty_like(gate_linear);
    siluRowsInto(gate, gate_linear);
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
    for (const SwiGluWeights& e : experts_) {
        gate_projs_.push_back(e.gate_proj);
        up_projs_.push_back(e.up_proj);
        down_projs_.push_back(e.down_proj);
    }
}

torch::Tensor MoeBlock::routerProbs(const torch::Tensor& m) const {
    torch::Tensor logits = spec_.precision == RouterSpec::Precision::Float32
                               ? gemm::linear(m.to(torch::kFloat32), gate_fp32_)
                               : gemm::linear(m, gate_).to(torch::kFloat32);
    return torch::softmax(logits, -1);
}

namespace {

// The (position, slot) pairs of one layer grouped by expert: expert e owns grouped rows
// offsets[e] .. offsets[e+1]-1, positions ascending within it (the order HF's loop visits them).
struct ExpertGroups {
    std::vector<int64_t> offsets;   // [E + 1]
    std::vector<int64_t> position;  // [T·k] grouped row -> position
    std::vector<int64_t> row;       // [T·k] position·k + slot -> grouped row
};

ExpertGroups groupByExpert(const std::vector<int32_t>& ids, int64_t T, int64_t k, int64_t E) {
    ExpertGroups g;
    g.offsets.assign(static_cast<size_t>(E + 1), 0);
    for (int32_t e : ids) ++g.offsets[e + 1];
    for (int64_t e = 0; e < E; ++e) g.offsets[e + 1] += g.offsets[e];
    std::vector<int64_t> cursor(g.offsets.begin(), g.offsets.end() - 1);
    g.position.resize(ids.size());
    g.row.resize(ids.size());
    for (int64_t t = 0; t < T; ++t)
        for (int64_t s = 0; s < k; ++s) {
            const int64_t r = cursor[ids[t * k + s]]++;
            g.position[r] = t;
            g.row[t * k + s] = r;
        }
    return g;
}

// out[t] = Σ over t's experts, in ascending expert id, of y[row] · weight, with the roundings of
// the reference's index_add_ loop (weighted_sum.h):
//  - ModelDtypeIndexAdd (Acc = T): p = T(y · T(weight)), out = T(out + p), starting from 0;
//  - Float32Sum (Acc = float): out = out + float(y) · weight in float32, cast to T at the end.
template <typename T, typename Acc>
void combineRows(const T* y, int64_t H, const ExpertGroups& g, const LayerRouting& r, int64_t k,
                 int64_t t0, int64_t t1, T* out) {
    std::vector<int64_t> slots(static_cast<size_t>(k));
    std::vector<Acc> acc(static_cast<size_t>(H));
    for (int64_t t = t0; t < t1; ++t) {
        for (int64_t s = 0; s < k; ++s) slots[s] = s;
        std::sort(slots.begin(), slots.end(),
                  [&](int64_t a, int64_t b) { return r.ids[t * k + a] < r.ids[t * k + b]; });
        std::fill(acc.begin(), acc.end(), Acc(0));
        for (int64_t s : slots) {
            const T* yr = y + g.row[t * k + s] * H;
            const float w = r.weights[t * k + s];
            if constexpr (std::is_same_v<Acc, float>)
                addScaledRow(acc.data(), yr, w, H);
            else
                addScaledRow(acc.data(), yr, T(w), H);
        }
        std::copy(acc.begin(), acc.end(), out + t * H);  // Acc = T, or float cast to T
    }
}

template <typename T>
void combine(const torch::Tensor& y, const ExpertGroups& g, const LayerRouting& r, int64_t k,
             bool fp32_sum, torch::Tensor& out) {
    const int64_t T_ = out.size(0), H = out.size(1);
    constexpr int64_t kPositionsPerItem = 16;
    parallelFor((T_ + kPositionsPerItem - 1) / kPositionsPerItem, [&](int64_t item) {
        const int64_t t0 = item * kPositionsPerItem;
        const int64_t t1 = std::min(T_, t0 + kPositionsPerItem);
        if (fp32_sum)
            combineRows<T, float>(y.data_ptr<T>(), H, g, r, k, t0, t1, out.data_ptr<T>());
        else
            combineRows<T, T>(y.data_ptr<T>(), H, g, r, k, t0, t1, out.data_ptr<T>());
    });
}

}  // namespace

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

    // Every expert's SwiGLU on the positions routed to it, all experts in one batch per
    // projection (gemm::groupedLinear), then the weighted sum in the reference's order.
    const ExpertGroups g = groupByExpert(r.ids, T, k, E);
    const int64_t R = static_cast<int64_t>(g.position.size());
    torch::Tensor x;
    if (!m.device().is_cpu() || !m.is_contiguous()) {
        x = m.index_select(0, torch::from_blob(const_cast<int64_t*>(g.position.data()), {R},
                                               torch::kInt64)
                                  .to(m.device()));
    } else {  // plain row copies, shared out (parallel.h): torch's fp32 index_select is slow
        x = torch::empty({R, m.size(1)}, m.options());
        const int64_t row_bytes = m.size(1) * static_cast<int64_t>(m.element_size());
        const char* from = static_cast<const char*>(m.data_ptr());
        char* to = static_cast<char*>(x.data_ptr());
        parallelRows(R, 64, [&](int64_t begin, int64_t end) {
            for (int64_t r = begin; r < end; ++r)
                std::memcpy(to + r * row_bytes, from + g.position[r] * row_bytes, row_bytes);
        });
    }
    const torch::Tensor gate = gemm::groupedLinear(x, g.offsets, gate_projs_);
    const torch::Tensor up = gemm::groupedLinear(x, g.offsets, up_projs_);
    // silu(gate) · up, row by row as swiglu() computes it (siluRowsInto: a row's values never
    // depend on the rows beside it). The experts are shared out in one parallel loop (torch runs
    // each op serially inside it), not 2·E ops that each fork and join the threads.
    torch::Tensor h = torch::empty_like(gate);
    parallelFor(E, [&](int64_t e) {
        const int64_t n = g.offsets[e + 1] - g.offsets[e];
        if (n == 0) return;
        c10::InferenceMode inference;  // thread-local: the worker threads need their own
        torch::Tensor he = h.narrow(0, g.offsets[e], n);
        siluRowsInto(he, gate.narrow(0, g.offsets[e], n));
        he.mul_(up.narrow(0, g.offsets[e], n));
    });
    const torch::Tensor y = gemm::groupedLinear(h, g.offsets, down_projs_);

    const bool fp32_sum = spec_.combine == RouterSpec::Combine::Float32Sum;
    torch::Tensor out;
    if (m.device().is_cpu() && m.scalar_type() == torch::kFloat32) {
        out = torch::empty(m.sizes(), m.options());
        combine<float>(y, g, r, k, fp32_sum, out);
    } else if (m.device().is_cpu() && m.scalar_type() == torch::kBFloat16) {
        out = torch::empty(m.sizes(), m.options());
        combine<c10::BFloat16>(y, g, r, k, fp32_sum, out);
    } else {  // other devices and dtypes: the reference loop itself
        out = torch::zeros(m.sizes(), m.options().dtype(fp32_sum ? torch::kFloat32
                                                                  : m.scalar_type()));
        for (int64_t e = 0; e < E; ++e) {
            const int64_t n = g.offsets[e + 1] - g.offsets[e];
            if (n == 0) continue;
            torch::Tensor idx =
                torch::from_blob(const_cast<int64_t*>(g.position.data()) + g.offsets[e], {n},
                                 torch::kInt64)
                    .to(m.device());
            std::vector<float> w(static_cast<size_t>(n));
            for (int64_t i = 0; i < n; ++i) {
                const int64_t t = g.position[g.offsets[e] + i];
                for (int64_t s = 0; s < k; ++s)
                    if (r.ids[t * k + s] == e) w[i] = r.weights[t * k + s];
            }
            torch::Tensor wt = torch::from_blob(w.data(), {n, 1}, torch::kFloat32).to(m.device());
            torch::Tensor ye = y.narrow(0, g.offsets[e], n);
            if (fp32_sum)
                out.index_add_(0, idx, ye.to(torch::kFloat32) * wt);
            else
                out.index_add_(0, idx, ye * wt.to(m.scalar_type()));
        }
        if (fp32_sum) out = out.to(m.scalar_type());
    }
    if (shared_) out = out + swiglu(m, *shared_);
    return out;
}

}  // namespace ca::capture
