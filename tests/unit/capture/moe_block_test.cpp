// MoeBlock::forward (all experts batched per projection, own weighted sum) against the
// reference it replaces: HF's loop over experts in ascending id, each expert's SwiGLU on its
// positions, weighted and index_add_-ed. Bit for bit, in fp32 and bf16, for both combine rules.
#include <vector>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/capture/models/moe.h"

namespace ca::test {
namespace {

using namespace ca::capture;

torch::Tensor referenceMoe(const torch::Tensor& m, const std::vector<SwiGluWeights>& experts,
                           const std::optional<SwiGluWeights>& shared, const RouterSpec& spec,
                           const LayerRouting& r) {
    const int64_t T = m.size(0), k = spec.top_k;
    const bool fp32_sum = spec.combine == RouterSpec::Combine::Float32Sum;
    torch::Tensor out =
        torch::zeros(m.sizes(), m.options().dtype(fp32_sum ? torch::kFloat32 : m.scalar_type()));
    for (int64_t e = 0; e < int64_t(experts.size()); ++e) {
        std::vector<int64_t> rows;
        std::vector<float> weights;
        for (int64_t t = 0; t < T; ++t)
            for (int64_t s = 0; s < k; ++s)
                if (r.ids[t * k + s] == e) {
                    rows.push_back(t);
                    weights.push_back(r.weights[t * k + s]);
                }
        if (rows.empty()) continue;
        const int64_t n = int64_t(rows.size());
        torch::Tensor idx = torch::tensor(rows, torch::kInt64);
        torch::Tensor w = torch::from_blob(weights.data(), {n, 1}, torch::kFloat32).clone();
        torch::Tensor y = swiglu(m.index_select(0, idx), experts[e]);
        if (fp32_sum)
            out.index_add_(0, idx, y.to(torch::kFloat32) * w);
        else
            out.index_add_(0, idx, y * w.to(m.scalar_type()));
    }
    if (fp32_sum) out = out.to(m.scalar_type());
    if (shared) out = out + swiglu(m, *shared);
    return out;
}

struct Case {
    torch::ScalarType dtype;
    RouterSpec::Combine combine;
    bool shared;
};

class MoeBlockForward : public ::testing::TestWithParam<Case> {};

TEST_P(MoeBlockForward, EqualsThePerExpertIndexAddLoopBitForBit) {
    const Case c = GetParam();
    const int64_t E = 8, H = 64, I = 40, T = 29;
    torch::manual_seed(3);
    auto random = [&](int64_t rows, int64_t cols, double scale) {
        return (torch::randn({rows, cols}) * scale).to(c.dtype);
    };
    std::vector<SwiGluWeights> experts;
    for (int64_t e = 0; e < E; ++e)
        experts.push_back({random(I, H, 0.2), random(I, H, 0.2), random(H, I, 0.2)});
    std::optional<SwiGluWeights> shared;
    if (c.shared) shared = SwiGluWeights{random(I, H, 0.2), random(I, H, 0.2), random(H, I, 0.2)};
    RouterSpec spec;
    spec.top_k = 3;
    spec.combine = c.combine;
    if (c.combine == RouterSpec::Combine::Float32Sum) {
        spec.precision = RouterSpec::Precision::Float32;
        spec.normalise = RouterSpec::Normalise::DeepSeek;
        spec.routed_scaling_factor = 1.5;
    }
    MoeBlock block(random(E, H, 0.3), experts, shared, spec);
    const torch::Tensor m = random(T, H, 1.0);

    const int threads = at::get_num_threads();
    at::set_num_threads(2);
    LayerRouting r;
    const torch::Tensor out = block.forward(m, &r);
    at::set_num_threads(threads);

    const torch::Tensor ref = referenceMoe(m, experts, shared, spec, r);
    ASSERT_EQ(out.scalar_type(), c.dtype);
    EXPECT_TRUE(out.equal(ref)) << "largest difference "
                                << (out.to(torch::kFloat64) - ref.to(torch::kFloat64))
                                       .abs()
                                       .max()
                                       .item<double>();
}

INSTANTIATE_TEST_SUITE_P(
    DtypesAndCombineRules, MoeBlockForward,
    ::testing::Values(Case{torch::kFloat32, RouterSpec::Combine::ModelDtypeIndexAdd, false},
                      Case{torch::kBFloat16, RouterSpec::Combine::ModelDtypeIndexAdd, false},
                      Case{torch::kFloat32, RouterSpec::Combine::Float32Sum, true},
                      Case{torch::kBFloat16, RouterSpec::Combine::Float32Sum, true}),
    [](const ::testing::TestParamInfo<Case>& p) {
        return std::string(p.param.dtype == torch::kFloat32 ? "fp32" : "bf16") +
               (p.param.combine == RouterSpec::Combine::Float32Sum ? "_float32_sum_shared"
                                                                    : "_index_add");
    });

// SiLU of a row never depends on the rows computed with it, even for widths that leave torch's
// vectorised loop a remainder (its scalar tail uses glibc's expf, the vector body Sleef's).
TEST(SiluRows, EveryRowEqualsTheRowComputedAlone) {
    torch::manual_seed(8);
    for (const torch::ScalarType dtype : {torch::kFloat32, torch::kBFloat16})
        for (const int64_t width : {40, 64, 24}) {
            const torch::Tensor x = (torch::randn({257, width}) * 4).to(dtype);
            torch::Tensor out = torch::empty_like(x);
            siluRowsInto(out, x);
            for (int64_t r = 0; r < x.size(0); ++r)
                ASSERT_TRUE(torch::equal(out[r], torch::silu(x[r])))
                    << "row " << r << " width " << width;
        }
}

}  // namespace
}  // namespace ca::test
