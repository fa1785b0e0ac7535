// The capture engine in fp32 against the naive per-token reference (naive_model.cpp), for every
// family, stored dtype and file layout: identical top-k ids, weights and probabilities within
// 1e-5 at every position and MoE layer.
#include <cmath>
#include <fstream>
#include <string>
#include <tuple>

#include <gtest/gtest.h>

#include "core/capture/capture_api.h"
#include "tests/unit/capture/naive_model.h"
#include "tests/unit/capture/tiny_checkpoint.h"

namespace ca::test {
namespace {

using capture::DType;

constexpr double kTolerance = 1e-5;

using Family = capture::ModelFamily;

std::string familyName(Family f) { return std::string(capture::modelTypeName(f)); }

// Every routing field of `rec` equals the naive reference.
void expectMatches(const SampleRecord& rec, const NaiveOutput& ref, const ModelInfo& info,
                   const std::vector<int32_t>& letters, bool full_probs) {
    const int64_t T = rec.numPositions(), L = info.numLayers(), k = info.top_k;
    const int64_t E = info.num_routed_experts;
    ASSERT_EQ(static_cast<int64_t>(ref.routing.size()), L);
    ASSERT_EQ(rec.topk_experts.size(), size_t(T * L * k));
    ASSERT_EQ(rec.topk_weights.size(), size_t(T * L * k));
    ASSERT_EQ(rec.last_probs.size(), size_t(L * E));
    ASSERT_EQ(rec.probs.size(), full_probs ? size_t(T * L * E) : size_t(0));
    for (int64_t l = 0; l < L; ++l) {
        EXPECT_EQ(info.moe_layers[l], ref.routing[l].layer);
        for (int64_t t = 0; t < T; ++t) {
            for (int64_t s = 0; s < k; ++s) {
                const size_t at = size_t((t * L + l) * k + s);
                EXPECT_EQ(rec.topk_experts[at], ref.routing[l].ids[t][s])
                    << "layer " << l << " position " << t << " slot " << s;
                EXPECT_NEAR(rec.topk_weights[at], ref.routing[l].weights[t][s], kTolerance)
                    << "layer " << l << " position " << t << " slot " << s;
            }
            if (!full_probs) continue;
            for (int64_t e = 0; e < E; ++e) {
                EXPECT_NEAR(rec.probs[size_t((t * L + l) * E + e)], ref.routing[l].probs[t][e],
                            kTolerance);
            }
        }
        for (int64_t e = 0; e < E; ++e)
            EXPECT_NEAR(rec.last_probs[size_t(l * E + e)], ref.routing[l].probs[T - 1][e],
                        kTolerance);
    }
    ASSERT_EQ(rec.letter_logits.size(), letters.size());
    for (size_t i = 0; i < letters.size(); ++i)
        EXPECT_NEAR(rec.letter_logits[i], ref.last_logits[letters[i]],
                    1e-5 * std::max(1.0, std::abs(ref.last_logits[letters[i]])));
    // predicted: the letter that is the vocabulary argmax, else -1.
    size_t argmax = 0;
    for (size_t v = 1; v < ref.last_logits.size(); ++v)
        if (ref.last_logits[v] > ref.last_logits[argmax]) argmax = v;
    int expected = -1;
    for (size_t i = 0; i < letters.size(); ++i)
        if (letters[i] == int32_t(argmax)) expected = int(i);
    EXPECT_EQ(rec.predicted, expected);
}

using Layout = std::tuple<Family, DType, int /*shards*/>;

class CaptureMatchesNaive : public ::testing::TestWithParam<Layout> {};

TEST_P(CaptureMatchesNaive, RoutingAndLogitsEqualTheNaiveReferenceInFp32) {
    const auto [family, dtype, shards] = GetParam();
    const std::string dir = freshDir(familyName(family) + "_" +
                                     std::string(capture::dtypeName(dtype)) + "_" +
                                     std::to_string(shards));
    const TinyModel model = writeTiny(dir, tinyConfig(family), dtype, shards, 1234);

    capture::CaptureOptions opt;
    opt.dtype = capture::Precision::Fp32;
    opt.threads = 1;
    opt.full_probs = true;
    opt.letter_token_ids = {3, 7, 11, 19};
    auto cap = capture::Capture::open(dir, opt);
    const ModelInfo info = cap->modelInfo();

    const std::vector<std::vector<int32_t>> sequences = {
        {5}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11},
        {42, 0, 17, 17, 17, 33, 8, 2, 29, 14, 40, 3, 9, 255, 128, 77, 200}};
    for (const auto& ids : sequences) {
        SampleRecord rec;
        cap->run(ids, rec);
        EXPECT_EQ(rec.token_ids, ids);
        expectMatches(rec, naiveForward(model, ids), info, opt.letter_token_ids, true);
    }
}

INSTANTIATE_TEST_SUITE_P(
    AllFamiliesDtypesAndLayouts, CaptureMatchesNaive,
    ::testing::Combine(::testing::Values(Family::Olmoe, Family::Qwen3Moe, Family::DeepseekV2),
                       ::testing::Values(DType::F32, DType::BF16, DType::F16),
                       ::testing::Values(1, 3)),
    [](const ::testing::TestParamInfo<Layout>& p) {
        return familyName(std::get<0>(p.param)) + "_" +
               std::string(capture::dtypeName(std::get<1>(p.param))) + "_" +
               (std::get<2>(p.param) == 1 ? "single" : "sharded");
    });

TEST(CaptureMatchesNaive, WithoutFullProbsOnlyTheLastPositionKeepsItsSoftmax) {
    const std::string dir = freshDir("last_only");
    const TinyModel model = writeTiny(dir, tinyConfig(Family::DeepseekV2), DType::F32, 1, 77);
    capture::CaptureOptions opt;
    opt.dtype = capture::Precision::Fp32;
    opt.threads = 1;
    auto cap = capture::Capture::open(dir, opt);
    const std::vector<int32_t> ids{4, 8, 15, 16, 23, 42};
    SampleRecord rec;
    cap->run(ids, rec);
    expectMatches(rec, naiveForward(model, ids), cap->modelInfo(), {}, false);
}

TEST(CaptureMatchesNaive, EveryFamilyRoutesTheSameThroughTheIdsJsonPath) {
    for (Family f : {Family::Olmoe, Family::Qwen3Moe, Family::DeepseekV2}) {
        const std::string dir = freshDir("ids_" + familyName(f));
        const TinyModel model = writeTiny(dir, tinyConfig(f), DType::BF16, 2, 99);
        const std::string ids_path = dir + "/ids.json";
        std::ofstream(ids_path) << "[[1, 2, 3], [9, 8, 7, 6, 5, 4], [12]]";
        capture::CaptureOptions opt;
        opt.dtype = capture::Precision::Fp32;
        opt.threads = 1;
        auto cap = capture::Capture::open(dir, opt);
        const auto records = capture::runIdsJson(*cap, ids_path);
        ASSERT_EQ(records.size(), 3u);
        EXPECT_EQ(records[1].id, "1");
        for (const auto& rec : records)
            expectMatches(rec, naiveForward(model, rec.token_ids), cap->modelInfo(), {}, false);
    }
}

}  // namespace
}  // namespace ca::test
