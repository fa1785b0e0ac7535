// The plain-C++ capture interface: options, the bf16 fast path, zero-copy weights and one-line
// errors for bad input.
#include <filesystem>
#include <fstream>
#include <functional>

#include <gtest/gtest.h>

#include "core/capture/capture_api.h"
#include "core/capture/capture_engine.h"
#include "core/capture/models/weights.h"
#include "core/util/input_error.h"
#include "tests/unit/capture/naive_model.h"
#include "tests/unit/capture/tiny_checkpoint.h"

namespace ca::test {
namespace {

using namespace ca::capture;

CaptureOptions fp32Options() {
    CaptureOptions opt;
    opt.dtype = Precision::Fp32;
    opt.threads = 1;
    return opt;
}

std::string errorOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

TEST(CaptureApi, Bf16FastPathMostlyAgreesWithTheFp32Reference) {
    for (ModelFamily f : {ModelFamily::Olmoe, ModelFamily::Qwen3Moe, ModelFamily::DeepseekV2}) {
        const std::string dir = freshDir("bf16_" + std::string(modelTypeName(f)));
        const TinyModel m = writeTiny(dir, tinyConfig(f), DType::BF16, 1, 21);
        CaptureOptions opt;
        opt.dtype = Precision::Bf16;
        opt.threads = 2;
        auto cap = Capture::open(dir, opt);
        std::vector<int32_t> ids;
        for (int i = 0; i < 24; ++i) ids.push_back((i * 37 + 3) % 256);
        SampleRecord rec;
        cap->run(ids, rec);
        const NaiveOutput ref = naiveForward(m, ids);
        const ModelInfo info = cap->modelInfo();
        const int64_t L = info.numLayers(), k = info.top_k;
        int agree = 0, total = 0;
        for (int64_t t = 0; t < 24; ++t)
            for (int64_t l = 0; l < L; ++l) {
                const bool same = rec.topk_experts[(t * L + l) * k] == ref.routing[l].ids[t][0];
                agree += same;
                ++total;
                if (same) {
                    EXPECT_NEAR(rec.topk_weights[(t * L + l) * k], ref.routing[l].weights[t][0],
                                0.05);
                }
            }
        // bf16 rounding flips near-ties only.
        EXPECT_GE(agree, total * 8 / 10) << m.config["model_type"];
    }
}

TEST(CaptureApi, Bf16WeightsOfABf16CheckpointAreViewedNotCopied) {
    const std::string dir = freshDir("zero_copy");
    writeTiny(dir, tinyConfig(ModelFamily::Olmoe), DType::BF16, 2);
    auto source = checkpointWeights(Checkpoint::open(dir));
    const TensorView* view = source->find("model.layers.0.mlp.experts.3.up_proj.weight");
    ASSERT_NE(view, nullptr);
    WeightLoader bf16(source, torch::kBFloat16, torch::kCPU);
    torch::Tensor t = bf16.get("model.layers.0.mlp.experts.3.up_proj.weight", {32, 64});
    EXPECT_EQ(t.data_ptr(), view->data);
    EXPECT_EQ(bf16.copiedBytes(), 0);
    WeightLoader fp32(source, torch::kFloat32, torch::kCPU);
    torch::Tensor c = fp32.get("model.layers.0.mlp.experts.3.up_proj.weight", {32, 64});
    EXPECT_NE(c.data_ptr(), view->data);
    EXPECT_EQ(c.scalar_type(), torch::kFloat32);
    EXPECT_EQ(fp32.copiedBytes(), 32 * 64 * 2);
}

TEST(CaptureApi, PredictedIsTheLetterThatIsTheVocabularyArgmaxElseNoAnswer) {
    const std::string dir = freshDir("letters");
    const TinyModel m = writeTiny(dir, tinyConfig(ModelFamily::Qwen3Moe), DType::F32, 1, 8);
    const std::vector<int32_t> ids{3, 1, 4, 1, 5, 9, 2, 6};
    const NaiveOutput ref = naiveForward(m, ids);
    const int32_t argmax = static_cast<int32_t>(
        std::max_element(ref.last_logits.begin(), ref.last_logits.end()) -
        ref.last_logits.begin());
    const int32_t other = argmax == 0 ? 1 : 0;

    CaptureOptions with = fp32Options();
    with.letter_token_ids = {other, argmax};  // the argmax is letter 1 ("B")
    SampleRecord rec;
    NextTokenInfo next = Capture::open(dir, with)->run(ids, rec);
    EXPECT_EQ(next.vocab_argmax, argmax);
    EXPECT_EQ(rec.predicted, 1);
    EXPECT_EQ(next.letter_argmax, 1);

    CaptureOptions without = fp32Options();
    without.letter_token_ids = {other};  // the argmax is no letter: no answer
    next = Capture::open(dir, without)->run(ids, rec);
    EXPECT_EQ(rec.predicted, -1);
    EXPECT_EQ(next.letter_argmax, 0);
    ASSERT_EQ(rec.letter_logits.size(), 1u);
}

TEST(CaptureApi, RunLeavesLabelsAlone) {
    const std::string dir = freshDir("labels");
    writeTiny(dir, tinyConfig(ModelFamily::Olmoe), DType::F32, 1);
    SampleRecord rec;
    rec.id = "q17";
    rec.subject = "anatomy";
    rec.answer = 2;
    Capture::open(dir, fp32Options())->run({1, 2}, rec);
    EXPECT_EQ(rec.id, "q17");
    EXPECT_EQ(rec.subject, "anatomy");
    EXPECT_EQ(rec.answer, 2);
    EXPECT_EQ(rec.token_ids, (std::vector<int32_t>{1, 2}));
}

TEST(CaptureApi, UnsupportedModelTypeListsTheSupportedOnes) {
    const std::string dir = freshDir("mixtral");
    TinyModel m = writeTiny(dir, tinyConfig(ModelFamily::Olmoe), DType::F32, 1);
    nlohmann::json cfg = m.config;
    cfg["model_type"] = "mixtral";
    std::ofstream(dir + "/config.json") << cfg.dump();
    const std::string err = errorOf([&] { Capture::open(dir, fp32Options()); });
    EXPECT_NE(err.find("mixtral"), std::string::npos) << err;
    EXPECT_NE(err.find("olmoe, qwen3_moe, deepseek_v2"), std::string::npos) << err;
}

TEST(CaptureApi, MissingTensorIsNamed) {
    TinyModel m = writeTiny(freshDir("missing_src"), tinyConfig(ModelFamily::DeepseekV2),
                            DType::F32, 1);
    m.tensors.erase("model.layers.2.mlp.shared_experts.down_proj.weight");
    const std::string dir = freshDir("missing");
    writeCustom(m, dir);
    const std::string err = errorOf([&] { Capture::open(dir, fp32Options()); });
    EXPECT_NE(err.find("model.layers.2.mlp.shared_experts.down_proj.weight"), std::string::npos)
        << err;
}

TEST(CaptureApi, IndexEntriesMustBePlainFileNames) {
    const std::string dir = freshDir("escape");
    writeTiny(dir, tinyConfig(ModelFamily::Olmoe), DType::F32, 2);
    std::ofstream(dir + "/model.safetensors.index.json")
        << R"({"weight_map": {"lm_head.weight": "../model-00001-of-00002.safetensors"}})";
    const std::string err = errorOf([&] { Capture::open(dir, fp32Options()); });
    EXPECT_NE(err.find("model.safetensors.index.json"), std::string::npos) << err;
}

TEST(CaptureApi, EmptyDirectoryIsAnInputError) {
    const std::string dir = freshDir("empty");
    EXPECT_THROW(Capture::open(dir, fp32Options()), InputError);
    std::ofstream(dir + "/config.json") << tinyConfig(ModelFamily::Olmoe).dump();
    const std::string err = errorOf([&] { Capture::open(dir, fp32Options()); });
    EXPECT_NE(err.find("model.safetensors"), std::string::npos) << err;
}

TEST(CaptureApi, TokenIdsOutsideTheVocabularyAndEmptySequencesAreRejected) {
    const std::string dir = freshDir("bad_ids");
    writeTiny(dir, tinyConfig(ModelFamily::Olmoe), DType::F32, 1);
    auto cap = Capture::open(dir, fp32Options());
    SampleRecord rec;
    EXPECT_THROW(cap->run({1, 256}, rec), InputError);
    EXPECT_THROW(cap->run({}, rec), InputError);
    std::ofstream(dir + "/ids.json") << "[[1, 2], [3, -4]]";
    const std::string err = errorOf([&] { runIdsJson(*cap, dir + "/ids.json"); });
    EXPECT_NE(err.find("entry 1"), std::string::npos) << err;
    std::ofstream(dir + "/ids.json") << "{\"a\": 1}";
    EXPECT_THROW(readIdsJson(dir + "/ids.json"), InputError);
    CaptureOptions bad_letters = fp32Options();
    bad_letters.letter_token_ids = {1000};
    EXPECT_THROW(Capture::open(dir, bad_letters), InputError);
}

TEST(CaptureApi, UnknownDeviceAndDtypeAreInputErrors) {
    EXPECT_THROW(parsePrecision("int8"), InputError);
    EXPECT_EQ(parsePrecision("bf16"), Precision::Bf16);
    EXPECT_EQ(parsePrecision("fp32"), Precision::Fp32);
    const std::string dir = freshDir("device");
    writeTiny(dir, tinyConfig(ModelFamily::Olmoe), DType::F32, 1);
    CaptureOptions opt = fp32Options();
    opt.device = "tpu";
    EXPECT_THROW(Capture::open(dir, opt), InputError);
    if (!cudaCompiledIn()) {
        opt.device = "cuda";
        EXPECT_THROW(Capture::open(dir, opt), InputError);
    }
}

}  // namespace
}  // namespace ca::test
