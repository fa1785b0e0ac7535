// The engine against Hugging Face transformers itself: fixtures that tests/interop/hf_reference
// produced with transformers' own forward pass (float32, eager attention) on the same tiny
// checkpoints (hf_reference_inputs.h). Per sequence and MoE layer, the router softmax at every
// position within 1e-5, hence the same top-k; and the logits after the last token.
//
// The fixtures need torch and transformers, which this project's machines do not have; a test
// whose fixture is not in tests/data/hf_reference/ is skipped, saying so
// (tests/interop/hf_reference/README.md says how to make them).
#include <filesystem>
#include <fstream>
#include <numeric>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/capture/capture_api.h"
#include "tests/unit/capture/hf_reference_inputs.h"
#include "tests/unit/capture/tiny_checkpoint.h"

namespace ca::test {
namespace {

using capture::ModelFamily;

class HfReference : public ::testing::TestWithParam<ModelFamily> {};

TEST_P(HfReference, RouterSoftmaxAndLogitsEqualTransformersInFp32) {
    const std::string family(capture::modelTypeName(GetParam()));
    const std::filesystem::path fixture =
        std::filesystem::path(CA_TEST_DATA_DIR) / "hf_reference" / (family + ".json");
    if (!std::filesystem::exists(fixture))
        GTEST_SKIP() << "no Hugging Face fixture " << fixture.string()
                     << " yet (tests/interop/hf_reference/README.md)";
    const nlohmann::json ref = nlohmann::json::parse(std::ifstream(fixture));

    const std::string dir = freshDir("hf_" + family);
    writeTiny(dir, tinyConfig(GetParam()), capture::DType::F32, 1, kHfReferenceSeed);
    capture::CaptureOptions opt;
    opt.dtype = capture::Precision::Fp32;
    opt.threads = 1;
    opt.full_probs = true;
    auto cap = capture::Capture::open(dir, opt);
    // Every vocabulary id as an "answer letter": letter_logits is then the whole last row.
    opt.letter_token_ids.resize(static_cast<size_t>(cap->vocabSize()));
    std::iota(opt.letter_token_ids.begin(), opt.letter_token_ids.end(), 0);
    cap = capture::Capture::open(dir, opt);
    const ModelInfo info = cap->modelInfo();
    const int64_t L = info.numLayers(), E = info.num_routed_experts;

    ASSERT_EQ(ref["sequences"].size(), hfReferenceSequences().size());
    for (const auto& seq : ref["sequences"]) {
        const auto ids = seq["ids"].get<std::vector<int32_t>>();
        ASSERT_EQ(seq["moe_layers"].get<std::vector<int>>(), info.moe_layers);
        SampleRecord rec;
        cap->run(ids, rec);
        const int64_t T = static_cast<int64_t>(ids.size());
        for (int64_t l = 0; l < L; ++l)
            for (int64_t t = 0; t < T; ++t)
                for (int64_t e = 0; e < E; ++e)
                    EXPECT_NEAR(rec.probs[size_t((t * L + l) * E + e)],
                                seq["probs"][l][t][e].get<double>(), 1e-5)
                        << family << " layer " << info.moe_layers[l] << " position " << t
                        << " expert " << e;
        const auto logits = seq["last_logits"].get<std::vector<double>>();
        ASSERT_EQ(logits.size(), rec.letter_logits.size());
        for (size_t v = 0; v < logits.size(); ++v)
            EXPECT_NEAR(rec.letter_logits[v], logits[v], 1e-4 * std::max(1.0, std::abs(logits[v])))
                << family << " vocabulary id " << v;
    }
}

INSTANTIATE_TEST_SUITE_P(AllFamilies, HfReference,
                         ::testing::ValuesIn(hfReferenceFamilies()),
                         [](const ::testing::TestParamInfo<ModelFamily>& p) {
                             return std::string(capture::modelTypeName(p.param));
                         });

}  // namespace
}  // namespace ca::test
