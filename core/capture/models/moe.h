// Feed-forward blocks: the SwiGLU MLP (dense layers, experts, shared experts) and the sparse MoE
// block, which also records the router's decision for every position.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <torch/types.h>

namespace ca::capture {

struct SwiGluWeights {
    torch::Tensor gate_proj, up_proj, down_proj;  // [I, H], [I, H], [H, I]
};
// down(silu(gate(x)) * up(x)), all in x's dtype (models-spec.md §1.3).
torch::Tensor swiglu(const torch::Tensor& x, const SwiGluWeights& w);
// out = silu(x) for x [rows, width] with every row's values independent of how many rows are
// computed together (so a packed batch gives each sequence what it gets alone).
void siluRowsInto(torch::Tensor& out, const torch::Tensor& x);

// What the router decided for one MoE layer, for all T positions of a sequence.
struct LayerRouting {
    torch::Tensor probs;           // [T, E] float32 on the CPU: softmax over routed experts
    std::vector<int32_t> ids;      // [T, k] weight descending, ties: lower id first
    std::vector<float> weights;    // [T, k] as the model applies them (float32, before any cast)
};

// Canonical top-k: the k largest probabilities, ordered by probability descending and, on equal
// probability, lower expert id first. Throws std::runtime_error on NaN (a broken forward pass).
void selectTopK(const float* probs, int64_t num_experts, int64_t k, int32_t* ids, float* weights);
// group_limited_greedy: zeroes the probabilities outside the topk_group groups (of n_group equal
// consecutive groups) whose largest probability is highest (ties: lower group first).
void maskToBestGroups(float* probs, int64_t num_experts, int64_t n_group, int64_t topk_group);
// Orders an unordered selection (DeepSeek's torch.topk(sorted=False)) the same canonical way.
void sortSelection(int32_t* ids, float* weights, int64_t k);

class FeedForward {
public:
    virtual ~FeedForward() = default;
    // m: post-attention-normalised hidden states [T, hidden]. A MoE block fills `routing`.
    virtual torch::Tensor forward(const torch::Tensor& m, LayerRouting* routing) const = 0;
    virtual bool isMoe() const { return false; }
};

class DenseMlp : public FeedForward {
public:
    explicit DenseMlp(SwiGluWeights w) : w_(std::move(w)) {}
    torch::Tensor forward(const torch::Tensor& m, LayerRouting*) const override {
        return swiglu(m, w_);
    }

private:
    SwiGluWeights w_;
};

// How a family computes and applies its router (models-spec.md §0.6, §2.4, §3.2, §4.4).
struct RouterSpec {
    enum class Precision {
        ModelDtype,  // OLMoE, Qwen3: linear in the compute dtype, logits upcast to float32
        Float32,     // DeepSeek: hidden state AND gate weight upcast to float32 before the linear
    };
    enum class Combine {
        ModelDtypeIndexAdd,  // OLMoE, Qwen3: weights cast to the compute dtype, each expert's
                             // weighted output index_add_-ed in ascending expert order
        Float32Sum,          // DeepSeek: weighting and the sum over experts in float32, then cast
    };
    enum class Normalise {
        Plain,     // OLMoE / Qwen3: if norm_topk_prob, w /= sum(w)
        DeepSeek,  // if k > 1 and norm_topk_prob, w /= (sum(w) + 1e-20), else w *= scaling
    };
    Precision precision = Precision::ModelDtype;
    Combine combine = Combine::ModelDtypeIndexAdd;
    Normalise normalise = Normalise::Plain;
    bool norm_topk_prob = false;
    double routed_scaling_factor = 1.0;
    int64_t top_k = 1;
    // DeepSeek topk_method "group_limited_greedy" (full V2, not Lite): only experts of the
    // topk_group groups with the highest max probability compete.
    bool group_limited = false;
    int64_t n_group = 1, topk_group = 1;
};

// Applies the family's norm_topk_prob / routed_scaling_factor rule to one position's weights.
void applyWeightRule(const RouterSpec& spec, float* weights, int64_t k);

class MoeBlock : public FeedForward {
public:
    MoeBlock(torch::Tensor gate, std::vector<SwiGluWeights> experts,
             std::optional<SwiGluWeights> shared, RouterSpec spec);
    torch::Tensor forward(const torch::Tensor& m, LayerRouting* routing) const override;
    bool isMoe() const override { return true; }

    // The router's float32 probabilities [T, E] for m (exposed for tests).
    torch::Tensor routerProbs(const torch::Tensor& m) const;

private:
    torch::Tensor gate_;        // [E, hidden] in the compute dtype
    torch::Tensor gate_fp32_;   // the same, upcast once, when the router runs in float32
    std::vector<SwiGluWeights> experts_;
    std::vector<torch::Tensor> gate_projs_, up_projs_, down_projs_;  // experts_, per projection
    std::optional<SwiGluWeights> shared_;
    RouterSpec spec_;
};

}  // namespace ca::capture
