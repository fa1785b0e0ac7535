// One test per pitfall of models-spec.md §0, each against a hand-computed or naive value.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include <gtest/gtest.h>
#include <torch/types.h>

#include "core/capture/capture_api.h"
#include "core/capture/checkpoint/float_convert.h"
#include "core/capture/checkpoint/model_config.h"
#include "core/capture/models/attention.h"
#include "core/capture/models/moe.h"
#include "core/capture/models/rms_norm.h"
#include "core/capture/models/rope.h"
#include "core/util/input_error.h"
#include "tests/unit/capture/tiny_checkpoint.h"

namespace ca::test {
namespace {

using namespace ca::capture;

YarnRopeScaling v2LiteYarn() {
    YarnRopeScaling y;
    y.factor = 40;
    y.original_max_position_embeddings = 4096;
    y.beta_fast = 32;
    y.beta_slow = 1;
    y.mscale = 0.707;
    y.mscale_all_dim = 0.707;
    return y;
}

std::string openError(const std::string& dir) {
    CaptureOptions opt;
    opt.dtype = Precision::Fp32;
    opt.threads = 1;
    try {
        Capture::open(dir, opt);
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

ModelConfig parse(const nlohmann::json& j) { return parseModelConfig(j.dump(), "config.json"); }

// --- §0.1 Qwen3's explicit head_dim ----------------------------------------------------------

TEST(Qwen3HeadDim, ExplicitHeadDimIsUsedNotHiddenOverHeads) {
    const std::string dir = freshDir("qwen_head_dim_ok");
    TinyModel m = writeTiny(dir, tinyConfig(ModelFamily::Qwen3Moe), DType::F32, 1);
    ASSERT_NE(m.config["head_dim"].get<int>(), 64 / 4);
    EXPECT_EQ(parse(m.config).head_dim, 32);
    EXPECT_EQ(m.at("model.layers.0.self_attn.q_proj.weight").shape,
              (std::vector<int64_t>{128, 64}));
    EXPECT_EQ(openError(dir), "");
}

TEST(Qwen3HeadDim, WeightsShapedForHiddenOverHeadsAreRejectedNamingTheTensor) {
    nlohmann::json cfg = tinyConfig(ModelFamily::Qwen3Moe);
    cfg["head_dim"] = 16;  // weights as if head_dim were hidden / heads ...
    const std::string dir = freshDir("qwen_head_dim_bad");
    TinyModel m = writeTiny(freshDir("qwen_head_dim_16"), cfg, DType::F32, 1);
    m.config["head_dim"] = 32;  // ... but the config declares the explicit 32
    writeCustom(m, dir);
    const std::string err = openError(dir);
    EXPECT_NE(err.find("q_proj.weight"), std::string::npos) << err;
    EXPECT_NE(err.find("[64, 64]"), std::string::npos) << err;
}

// --- §0.2 q/k norm placement ---------------------------------------------------------------

TEST(QkNorm, OlmoeExpectsFullWidthNormWeights) {
    TinyModel m = writeTiny(freshDir("olmoe_src"), tinyConfig(ModelFamily::Olmoe), DType::F32, 1);
    m.tensors["model.layers.1.self_attn.k_norm.weight"] = {{16}, std::vector<float>(16, 1.f)};
    const std::string dir = freshDir("olmoe_per_head_norm");
    writeCustom(m, dir);
    const std::string err = openError(dir);
    EXPECT_NE(err.find("model.layers.1.self_attn.k_norm.weight"), std::string::npos) << err;
}

TEST(QkNorm, FullWidthAndPerHeadNormsGiveDifferentAttention) {
    torch::manual_seed(3);
    const int64_t T = 4, H = 16, heads = 2, d = 8;
    StandardAttentionWeights w{torch::randn({heads * d, H}), torch::randn({heads * d, H}),
                               torch::randn({heads * d, H}), torch::randn({H, heads * d}),
                               torch::ones({heads * d}), torch::ones({heads * d})};
    StandardAttentionWeights per_head = w;
    per_head.q_norm = torch::ones({d});
    per_head.k_norm = torch::ones({d});
    StandardAttention full(w, {heads, heads, d, QkNorm::FullWidth, 1e-6, 0});
    StandardAttention each(per_head, {heads, heads, d, QkNorm::PerHead, 1e-6, 0});
    torch::Tensor a = torch::randn({T, H});
    RopeAngles angles = ropeAngles(defaultInvFreq(d, 10000), T, 1.0, torch::kCPU);
    const PackedBatch one = PackedBatch::single(T);
    EXPECT_GT((full.forward(a, angles, one) - each.forward(a, angles, one)).abs().max().item<float>(),
              1e-3);
}

// --- §0.3 DeepSeek softmax scale with YaRN mscale² -----------------------------------------

// V2-Lite's attention dims and rope_scaling on the tiny config.
nlohmann::json v2LiteAttention() {
    nlohmann::json cfg = tinyConfig(ModelFamily::DeepseekV2);
    cfg["qk_nope_head_dim"] = 128;
    cfg["qk_rope_head_dim"] = 64;
    cfg["v_head_dim"] = 128;
    cfg["rope_scaling"] = {{"type", "yarn"}, {"factor", 40},
                           {"original_max_position_embeddings", 4096}, {"beta_fast", 32},
                           {"beta_slow", 1}, {"mscale", 0.707}, {"mscale_all_dim", 0.707}};
    return cfg;
}

TEST(DeepseekSoftmaxScale, V2LiteValueIncludesMscaleSquared) {
    EXPECT_NEAR(yarnGetMscale(40, 0.707), 1.2608037774, 1e-10);
    const ModelConfig c = parse(v2LiteAttention());
    EXPECT_NEAR(c.attentionScale(), 0.1147213868, 1e-10);  // not the old native 0.0721688
    EXPECT_DOUBLE_EQ(c.ropeCosSinScale(), 1.0);             // mscale / mscale_all_dim
}

TEST(DeepseekSoftmaxScale, WithoutYarnItIsThePlainInverseSquareRoot) {
    nlohmann::json cfg = v2LiteAttention();
    cfg["rope_scaling"] = nullptr;
    EXPECT_NEAR(parse(cfg).attentionScale(), 0.0721687836, 1e-10);
}

// --- YaRN frequencies (§4.3) ----------------------------------------------------------------

TEST(YarnFrequencies, V2LiteKeepsFastDimsDividesSlowDimsAndRampsBetween) {
    torch::Tensor f = yarnInvFreq(64, 10000, v2LiteYarn());
    ASSERT_EQ(f.numel(), 32);
    auto base = [](int i) { return 1.0 / std::pow(10000.0, 2.0 * i / 64.0); };
    // low = floor(10.47) = 10, high = ceil(22.51) = 23.
    for (int i = 0; i <= 10; ++i) EXPECT_NEAR(f[i].item<float>(), base(i), 1e-6 * base(i));
    for (int i = 23; i < 32; ++i) EXPECT_NEAR(f[i].item<float>(), base(i) / 40, 1e-6 * base(i));
    const double ramp = (16.0 - 10.0) / 13.0;
    EXPECT_NEAR(f[16].item<float>(), base(16) * (1 - ramp) + base(16) / 40 * ramp, 1e-6 * base(16));
}

// --- §0.4 interleaved vs NeoX RoPE ----------------------------------------------------------

TEST(Rope, APositionsAnglesDependOnlyOnItsPositionInItsOwnSequence) {
    // d/2 = 4 angles per position: a table of T positions would leave torch's vectorised cos/sin
    // a scalar tail whose values depend on T.
    const torch::Tensor inv = defaultInvFreq(8, 10000);
    const RopeAngles longest = ropeAngles(inv, 70, 1.0, torch::kCPU);
    const std::vector<int64_t> lengths{1, 5, 70, 33};
    const RopeAngles packed = ropeAngles(inv, PackedBatch::ofLengths(lengths), 1.0, torch::kCPU);
    int64_t row = 0;
    for (int64_t T : lengths) {
        const RopeAngles alone = ropeAngles(inv, T, 1.0, torch::kCPU);
        EXPECT_TRUE(torch::equal(alone.cos, longest.cos.narrow(0, 0, T))) << T;
        EXPECT_TRUE(torch::equal(alone.sin, longest.sin.narrow(0, 0, T))) << T;
        EXPECT_TRUE(torch::equal(packed.cos.narrow(0, row, T), alone.cos)) << T;
        EXPECT_TRUE(torch::equal(packed.sin.narrow(0, row, T), alone.sin)) << T;
        row += T;
    }
    EXPECT_EQ(packed.cos.size(0), row);
}

TEST(Rope, InterleavedRotatesAdjacentPairsAndNeoxRotatesHalves) {
    const int64_t d = 8, T = 4;
    torch::Tensor inv = defaultInvFreq(d, 10000);
    RopeAngles angles = ropeAngles(inv, T, 1.0, torch::kCPU);
    torch::Tensor x = torch::arange(1, T * d + 1, torch::kFloat32).reshape({T, 1, d}) / 10.0;
    torch::Tensor inter = applyRopeInterleaved(x, angles);
    torch::Tensor neox = applyRopeNeox(x, angles);
    for (int64_t p = 0; p < T; ++p)
        for (int64_t i = 0; i < d / 2; ++i) {
            const double ang = double(p) / std::pow(10000.0, 2.0 * i / d);
            const double c = std::cos(ang), s = std::sin(ang);
            auto at = [&](const torch::Tensor& t, int64_t j) { return t[p][0][j].item<double>(); };
            EXPECT_NEAR(at(inter, 2 * i), at(x, 2 * i) * c - at(x, 2 * i + 1) * s, 1e-5);
            EXPECT_NEAR(at(inter, 2 * i + 1), at(x, 2 * i + 1) * c + at(x, 2 * i) * s, 1e-5);
            EXPECT_NEAR(at(neox, i), at(x, i) * c - at(x, i + d / 2) * s, 1e-5);
            EXPECT_NEAR(at(neox, i + d / 2), at(x, i + d / 2) * c + at(x, i) * s, 1e-5);
        }
    EXPECT_GT((inter - neox).abs().max().item<float>(), 1e-2);
    EXPECT_TRUE(torch::allclose(inter[0], x[0]));  // position 0 is not rotated
}

TEST(Rope, YarnMagnitudeScalesCosAndSin) {
    RopeAngles a = ropeAngles(defaultInvFreq(4, 10000), 3, 2.0, torch::kCPU);
    EXPECT_NEAR(a.cos[0][0].item<float>(), 2.0, 1e-6);
    EXPECT_NEAR(a.sin[2][0].item<float>(), 2.0 * std::sin(2.0), 1e-6);
}

// --- §0.5 dense layer 0, Qwen3 mlp_only_layers ---------------------------------------------

TEST(MoeLayers, DeepseekLayerZeroIsDenseAndQwenHonoursMlpOnlyLayers) {
    const std::string dir = freshDir("qwen_layers");
    writeTiny(dir, tinyConfig(ModelFamily::Qwen3Moe), DType::F32, 1);
    CaptureOptions opt;
    opt.threads = 1;
    EXPECT_EQ(Capture::open(dir, opt)->modelInfo().moe_layers, (std::vector<int>{0, 2}));
}

TEST(MoeLayers, ModelInfoReportsRoutedAndSharedExpertsSeparately) {
    const std::string dir = freshDir("deepseek_info");
    writeTiny(dir, tinyConfig(ModelFamily::DeepseekV2), DType::BF16, 1);
    CaptureOptions opt;
    opt.threads = 1;
    ModelInfo info = Capture::open(dir, opt)->modelInfo();
    EXPECT_EQ(info.architecture, "deepseek_v2");
    EXPECT_EQ(info.num_routed_experts, 8);
    EXPECT_EQ(info.top_k, 3);  // layer 0 is dense: no router there
    EXPECT_EQ(info.num_shared_experts, 2);
    EXPECT_EQ(info.moe_layers, (std::vector<int>{1, 2}));
    EXPECT_EQ(info.name, "deepseek_info");
}

// --- §0.6 router precision ------------------------------------------------------------------

// Exact softmax of W·m in double over the (bf16) values given.
std::vector<double> exactRouter(const torch::Tensor& W, const torch::Tensor& m) {
    torch::Tensor Wd = W.to(torch::kFloat64), md = m.to(torch::kFloat64);
    std::vector<double> logits(W.size(0));
    for (int64_t e = 0; e < W.size(0); ++e) {
        double s = 0;
        for (int64_t i = 0; i < W.size(1); ++i) s += Wd[e][i].item<double>() * md[i].item<double>();
        logits[e] = s;
    }
    const double mx = *std::max_element(logits.begin(), logits.end());
    double z = 0;
    for (double& l : logits) z += (l = std::exp(l - mx));
    for (double& l : logits) l /= z;
    return logits;
}

TEST(RouterPrecision, DeepseekUpcastsHiddenAndWeightWhileOlmoeRoundsLogitsToBf16) {
    torch::manual_seed(11);
    const int64_t E = 16, H = 256;
    torch::Tensor gate = (torch::randn({E, H}) * 0.05).to(torch::kBFloat16);  // logits O(1)
    torch::Tensor m = torch::randn({1, H}).to(torch::kBFloat16);
    std::vector<SwiGluWeights> experts(E);
    RouterSpec fp32_spec, bf16_spec;
    fp32_spec.precision = RouterSpec::Precision::Float32;
    bf16_spec.precision = RouterSpec::Precision::ModelDtype;
    MoeBlock deepseek_like(gate, experts, std::nullopt, fp32_spec);
    MoeBlock olmoe_like(gate, experts, std::nullopt, bf16_spec);
    torch::Tensor p32 = deepseek_like.routerProbs(m);
    torch::Tensor p16 = olmoe_like.routerProbs(m);
    EXPECT_EQ(p32.scalar_type(), torch::kFloat32);
    EXPECT_EQ(p16.scalar_type(), torch::kFloat32);
    const std::vector<double> exact = exactRouter(gate, m[0]);
    double worst32 = 0, worst16 = 0;
    for (int64_t e = 0; e < E; ++e) {
        worst32 = std::max(worst32, std::abs(p32[0][e].item<double>() - exact[e]));
        worst16 = std::max(worst16, std::abs(p16[0][e].item<double>() - exact[e]));
    }
    EXPECT_LT(worst32, 1e-6);  // float32 GEMM of the upcast values
    EXPECT_GT(worst16, 1e-5);  // bf16 logits lose precision (what OLMoE/Qwen3 really do)
}

// --- RMSNorm casts before the weight --------------------------------------------------------

TEST(RmsNorm, Bf16CastsTheNormalisedValueBeforeMultiplyingTheWeight) {
    std::mt19937 rng(5);
    std::uniform_real_distribution<float> u(-3, 3), uw(0.5f, 1.5f);
    const int n = 64;
    std::vector<float> xs(n), ws(n);
    for (int i = 0; i < n; ++i) {
        xs[i] = bf16ToFloat(floatToBf16(u(rng)));
        ws[i] = bf16ToFloat(floatToBf16(uw(rng)));
    }
    torch::Tensor x = torch::tensor(xs).to(torch::kBFloat16);
    torch::Tensor w = torch::tensor(ws).to(torch::kBFloat16);
    torch::Tensor y = rmsNorm(x, w, 1e-6).to(torch::kFloat32);
    double ss = 0;
    for (float v : xs) ss += double(v) * v;
    const double inv = 1.0 / std::sqrt(ss / n + 1e-6);
    int differs_from_weight_first = 0;
    for (int i = 0; i < n; ++i) {
        const float normalised = bf16ToFloat(floatToBf16(float(xs[i] * inv)));
        const float cast_first = bf16ToFloat(floatToBf16(normalised * ws[i]));
        const float weight_first = bf16ToFloat(floatToBf16(float(xs[i] * inv * ws[i])));
        EXPECT_EQ(y[i].item<float>(), cast_first) << i;
        differs_from_weight_first += cast_first != weight_first;
    }
    EXPECT_GT(differs_from_weight_first, 0);  // the test can tell the two orders apart
}

// --- §0.7 top-k order, DeepSeek's topk(sorted=False) -----------------------------------------

TEST(TopK, TiesGoToTheLowerExpertId) {
    const std::vector<float> probs{0.1f, 0.3f, 0.05f, 0.3f, 0.2f, 0.05f};
    std::vector<int32_t> ids(4);
    std::vector<float> w(4);
    selectTopK(probs.data(), 6, 4, ids.data(), w.data());
    EXPECT_EQ(ids, (std::vector<int32_t>{1, 3, 4, 0}));
    EXPECT_EQ(w, (std::vector<float>{0.3f, 0.3f, 0.2f, 0.1f}));
}

TEST(TopK, UnsortedTorchTopkIsResortedByWeightDescending) {
    torch::manual_seed(9);
    torch::Tensor p = torch::softmax(torch::randn({64}), 0);
    auto [values, indices] = torch::topk(p, 6, -1, /*largest=*/true, /*sorted=*/false);
    std::vector<int32_t> ids(6);
    std::vector<float> w(6);
    for (int s = 0; s < 6; ++s) {
        ids[s] = static_cast<int32_t>(indices[s].item<int64_t>());
        w[s] = values[s].item<float>();
    }
    // Scramble further so the test does not depend on what topk happens to return.
    std::reverse(ids.begin(), ids.end());
    std::reverse(w.begin(), w.end());
    sortSelection(ids.data(), w.data(), 6);
    std::vector<int32_t> want(6);
    std::vector<float> want_w(6);
    selectTopK(p.data_ptr<float>(), 64, 6, want.data(), want_w.data());
    EXPECT_EQ(ids, want);
    EXPECT_TRUE(std::is_sorted(w.begin(), w.end(), std::greater<float>()));
}

TEST(TopK, GroupLimitedGreedyKeepsOnlyTheBestGroups) {
    // 3 groups of 2; group maxima 0.3, 0.25, 0.2 -> with topk_group 2, group 2 is dropped even
    // though its 0.2 beats group 0's and group 1's second members.
    std::vector<float> probs{0.3f, 0.01f, 0.25f, 0.04f, 0.2f, 0.2f};
    maskToBestGroups(probs.data(), 6, 3, 2);
    EXPECT_EQ(probs, (std::vector<float>{0.3f, 0.01f, 0.25f, 0.04f, 0.f, 0.f}));
}

TEST(TopK, NanProbabilitiesAreAnErrorNotUndefinedBehaviour) {
    const std::vector<float> probs{0.1f, NAN, 0.2f};
    std::vector<int32_t> ids(2);
    std::vector<float> w(2);
    EXPECT_THROW(selectTopK(probs.data(), 3, 2, ids.data(), w.data()), std::runtime_error);
}

// --- norm_topk_prob and routed_scaling_factor -----------------------------------------------

TEST(WeightRule, PlainRenormalisesOnlyWithNormTopkProb) {
    RouterSpec spec;
    std::vector<float> w{0.4f, 0.2f, 0.1f};
    applyWeightRule(spec, w.data(), 3);
    EXPECT_EQ(w, (std::vector<float>{0.4f, 0.2f, 0.1f}));  // OLMoE: raw probabilities
    spec.norm_topk_prob = true;                            // Qwen3
    applyWeightRule(spec, w.data(), 3);
    EXPECT_NEAR(w[0], 0.4 / 0.7, 1e-7);
    EXPECT_NEAR(w[0] + w[1] + w[2], 1.0, 1e-6);
}

TEST(WeightRule, DeepseekScalesUnlessItNormalises) {
    RouterSpec spec;
    spec.normalise = RouterSpec::Normalise::DeepSeek;
    spec.routed_scaling_factor = 2.5;
    std::vector<float> w{0.4f, 0.2f};
    applyWeightRule(spec, w.data(), 2);
    EXPECT_FLOAT_EQ(w[0], 1.0f);
    EXPECT_FLOAT_EQ(w[1], 0.5f);
    spec.norm_topk_prob = true;  // normalises and then does NOT scale
    w = {0.4f, 0.2f};
    applyWeightRule(spec, w.data(), 2);
    EXPECT_NEAR(w[0], 0.4 / 0.6, 1e-7);
    std::vector<float> single{0.4f};  // k == 1: the scaling branch even with norm_topk_prob
    applyWeightRule(spec, single.data(), 1);
    EXPECT_FLOAT_EQ(single[0], 1.0f);
}

TEST(WeightRule, RecordedWeightsFollowEachFamilysRule) {
    struct Case { ModelFamily family; std::string name; };
    std::vector<Case> cases{{ModelFamily::Olmoe, "olmoe"}, {ModelFamily::Qwen3Moe, "qwen"},
                            {ModelFamily::DeepseekV2, "deepseek"}};
    for (auto& c : cases) {
        const std::string dir = freshDir("rule_" + c.name);
        writeTiny(dir, tinyConfig(c.family), DType::F32, 1);
        CaptureOptions opt;
        opt.dtype = Precision::Fp32;
        opt.threads = 1;
        opt.full_probs = true;
        auto cap = Capture::open(dir, opt);
        SampleRecord rec;
        cap->run({1, 2, 3, 4, 5}, rec);
        const ModelInfo info = cap->modelInfo();
        const int64_t L = info.numLayers(), k = info.top_k, E = info.num_routed_experts;
        for (int64_t t = 0; t < 5; ++t)
            for (int64_t l = 0; l < L; ++l) {
                const float* w = &rec.topk_weights[(t * L + l) * k];
                const int32_t* id = &rec.topk_experts[(t * L + l) * k];
                const float* p = &rec.probs[(t * L + l) * E];
                EXPECT_TRUE(std::is_sorted(w, w + k, std::greater<float>()));
                const double sum = std::accumulate(w, w + k, 0.0);
                if (c.name == "qwen") {
                    EXPECT_NEAR(sum, 1.0, 1e-6);  // norm_topk_prob
                } else if (c.name == "olmoe") {
                    EXPECT_NEAR(w[0], p[id[0]], 1e-7);  // raw probability
                } else {
                    EXPECT_NEAR(w[0], 1.5f * p[id[0]], 1e-6);  // × routed_scaling_factor
                }
            }
    }
}

}  // namespace
}  // namespace ca::test
