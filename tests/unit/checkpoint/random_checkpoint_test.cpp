// The random-checkpoint writer: files in the Hugging Face layout, deterministic weights of
// sensible scale, every supported dtype.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <regex>

#include <nlohmann/json.hpp>

#include "core/capture/checkpoint/checkpoint.h"
#include "core/capture/checkpoint/float_convert.h"
#include "core/capture/checkpoint/random_checkpoint.h"
#include "tests/unit/checkpoint/checkpoint_test_support.h"

namespace ca::capture {
namespace {

namespace fs = std::filesystem;
using test::ScratchDir;

std::vector<float> decode(const TensorView& view) {
    std::vector<float> out(static_cast<std::size_t>(view.numel()));
    decodeFloats(view.data, view.dtype, out.size(), out.data());
    return out;
}

struct Moments {
    double mean;
    double std;
};

Moments moments(const std::vector<float>& values) {
    double sum = 0, squares = 0;
    for (float v : values) sum += v;
    const double mean = sum / static_cast<double>(values.size());
    for (float v : values) squares += (v - mean) * (v - mean);
    return {mean, std::sqrt(squares / static_cast<double>(values.size()))};
}

struct Case {
    ModelFamily family;
    DType dtype;
    int shards;
};

class RandomCheckpoint : public ::testing::TestWithParam<Case> {};

TEST_P(RandomCheckpoint, OpensValidatesAndHoldsTheGeneratedValues) {
    const Case c = GetParam();
    ScratchDir dir;
    RandomCheckpointOptions options;
    options.dtype = c.dtype;
    options.shards = c.shards;
    options.seed = 7;
    const ModelConfig written =
        writeRandomCheckpoint(dir.path().string(), tinyModelConfig(c.family), options);
    const Checkpoint checkpoint = Checkpoint::open(dir.path().string());  // validates every tensor
    EXPECT_EQ(checkpoint.config().family, c.family);
    EXPECT_EQ(checkpoint.config().moe_layers, written.moe_layers);
    EXPECT_EQ(checkpoint.sharded(), c.shards > 1);
    EXPECT_EQ(checkpoint.files().size(), static_cast<std::size_t>(c.shards));

    // Values within the dtype's unit roundoff of the generator's float32 values: 2^-8 relative
    // for bfloat16 (8 significant bits), 2^-11 for float16 (11 bits, normal range; the tiny
    // absolute slack covers float16 subnormals), exact for float32.
    const double relative = c.dtype == DType::BF16 ? 0x1p-8 : c.dtype == DType::F16 ? 0x1p-11 : 0.0;
    for (const auto& expected : expectedTensors(checkpoint.config())) {
        const TensorView& view = checkpoint.tensor(expected.name, expected.shape);
        ASSERT_EQ(view.dtype, c.dtype);
        ASSERT_TRUE(view.isAligned());
        const std::vector<float> stored = decode(view);
        const std::vector<float> generated = randomTensorValues(expected.name, expected.shape, 7);
        ASSERT_EQ(stored.size(), generated.size());
        for (std::size_t i = 0; i < stored.size(); ++i) {
            const double tolerance = relative * std::fabs(generated[i]) + (relative > 0 ? 1e-7 : 0);
            ASSERT_NEAR(stored[i], generated[i], tolerance) << expected.name << "[" << i << "]";
        }
    }
}

INSTANTIATE_TEST_SUITE_P(FamiliesDtypesAndShards, RandomCheckpoint,
                         ::testing::Values(Case{ModelFamily::Olmoe, DType::F32, 1},
                                           Case{ModelFamily::Olmoe, DType::BF16, 3},
                                           Case{ModelFamily::Qwen3Moe, DType::BF16, 1},
                                           Case{ModelFamily::Qwen3Moe, DType::F16, 2},
                                           Case{ModelFamily::DeepseekV2, DType::F32, 4},
                                           Case{ModelFamily::DeepseekV2, DType::BF16, 1}),
                         [](const auto& info) {
                             return std::string(modelTypeName(info.param.family)) + "_" +
                                    std::string(dtypeName(info.param.dtype)) + "_" +
                                    std::to_string(info.param.shards) + "shards";
                         });

TEST(RandomCheckpointFiles, ConfigDeclaresTheWrittenDtype) {
    ScratchDir dir;
    RandomCheckpointOptions options;
    options.dtype = DType::F32;
    writeRandomCheckpoint(dir.path().string(), tinyModelConfig(ModelFamily::Olmoe), options);
    const auto config = nlohmann::json::parse(test::readBytes(dir.file("config.json")));
    EXPECT_EQ(config["torch_dtype"], "float32");
    EXPECT_EQ(config["model_type"], "olmoe");
    EXPECT_FALSE(config.contains("rms_norm_eps"));  // like the published base config
}

TEST(RandomCheckpointFiles, ShardsUseHuggingFaceNamesAndAnIndexWithTotalSize) {
    ScratchDir dir;
    RandomCheckpointOptions options;
    options.shards = 3;
    writeRandomCheckpoint(dir.path().string(), tinyModelConfig(ModelFamily::Qwen3Moe), options);
    const auto index =
        nlohmann::json::parse(test::readBytes(dir.file("model.safetensors.index.json")));
    uint64_t tensorBytes = 0;
    std::set<std::string> shards;
    const ModelConfig config = loadModelConfig(dir.file("config.json"));
    for (const auto& tensor : expectedTensors(config)) {
        int64_t numel = 1;
        for (int64_t d : tensor.shape) numel *= d;
        tensorBytes += static_cast<uint64_t>(numel) * 2;
        shards.insert(index["weight_map"].at(tensor.name).get<std::string>());
    }
    EXPECT_EQ(index["metadata"]["total_size"].get<uint64_t>(), tensorBytes);
    EXPECT_EQ(shards, (std::set<std::string>{"model-00001-of-00003.safetensors",
                                             "model-00002-of-00003.safetensors",
                                             "model-00003-of-00003.safetensors"}));
    EXPECT_FALSE(fs::exists(dir.file("model.safetensors")));
}

TEST(RandomCheckpointFiles, RewritingADirectoryReplacesTheOldWeights) {
    ScratchDir dir;
    RandomCheckpointOptions options;
    options.shards = 2;
    writeRandomCheckpoint(dir.path().string(), tinyModelConfig(ModelFamily::Olmoe), options);
    options.shards = 1;
    writeRandomCheckpoint(dir.path().string(), tinyModelConfig(ModelFamily::Olmoe), options);
    EXPECT_TRUE(fs::exists(dir.file("model.safetensors")));
    EXPECT_FALSE(fs::exists(dir.file("model.safetensors.index.json")));
    EXPECT_FALSE(fs::exists(dir.file("model-00001-of-00002.safetensors")));
}

TEST(RandomCheckpointFiles, SameSeedSameBytesOtherSeedOtherBytes) {
    ScratchDir a, b, c;
    RandomCheckpointOptions options;
    writeRandomCheckpoint(a.path().string(), tinyModelConfig(ModelFamily::DeepseekV2), options);
    writeRandomCheckpoint(b.path().string(), tinyModelConfig(ModelFamily::DeepseekV2), options);
    options.seed += 1;
    writeRandomCheckpoint(c.path().string(), tinyModelConfig(ModelFamily::DeepseekV2), options);
    // EXPECT_TRUE rather than EXPECT_EQ: a failure would otherwise print megabytes.
    const std::string first = test::readBytes(a.file("model.safetensors"));
    EXPECT_FALSE(first.empty());
    EXPECT_TRUE(first == test::readBytes(b.file("model.safetensors")));
    EXPECT_FALSE(first == test::readBytes(c.file("model.safetensors")));
}

TEST(RandomCheckpointFiles, InvalidConfigIsAnInputError) {
    ScratchDir dir;
    nlohmann::json config = tinyModelConfig(ModelFamily::Olmoe);
    config["model_type"] = "llama";
    EXPECT_THROW(writeRandomCheckpoint(dir.path().string(), config), InputError);
}

TEST(RandomWeights, HaveTheDocumentedScales) {
    const auto norm =
        moments(randomTensorValues("model.layers.0.input_layernorm.weight", {4096}, 1));
    EXPECT_NEAR(norm.mean, 1.0, 0.01);
    EXPECT_NEAR(norm.std, 0.1, 0.01);
    const auto embedding = moments(randomTensorValues("model.embed_tokens.weight", {256, 64}, 1));
    EXPECT_NEAR(embedding.mean, 0.0, 0.05);
    EXPECT_NEAR(embedding.std, 1.0, 0.05);
    const auto linear =
        moments(randomTensorValues("model.layers.0.self_attn.q_proj.weight", {64, 256}, 1));
    EXPECT_NEAR(linear.mean, 0.0, 0.01);
    EXPECT_NEAR(linear.std, 1.0 / 16.0, 0.005);  // 1/sqrt(fan-in 256)
}

TEST(RandomWeights, DependOnTheTensorNameAndSeed) {
    const auto a = randomTensorValues("a.weight", {8, 8}, 1);
    EXPECT_EQ(a, randomTensorValues("a.weight", {8, 8}, 1));
    EXPECT_NE(a, randomTensorValues("b.weight", {8, 8}, 1));
    EXPECT_NE(a, randomTensorValues("a.weight", {8, 8}, 2));
}

}  // namespace
}  // namespace ca::capture
