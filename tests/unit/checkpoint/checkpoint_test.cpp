// Model directories: single-file and sharded weights, index rules, and the tensor checks
// run when a checkpoint is opened.
#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/capture/checkpoint/checkpoint.h"
#include "core/capture/checkpoint/float_convert.h"
#include "core/capture/checkpoint/random_checkpoint.h"
#include "core/capture/checkpoint/safetensors_writer.h"
#include "tests/unit/checkpoint/checkpoint_test_support.h"

namespace ca::capture {
namespace {

namespace fs = std::filesystem;
using test::expectInputError;
using test::ScratchDir;

nlohmann::json readJson(const std::string& path) {
    return nlohmann::json::parse(test::readBytes(path));
}
void writeJson(const std::string& path, const nlohmann::json& json) {
    test::writeBytes(path, json.dump(2));
}

class CheckpointDir : public ::testing::Test {
protected:
    std::string dir() const { return scratch_.path().string(); }
    std::string file(const std::string& name) const { return scratch_.file(name); }
    void writeTiny(ModelFamily family, DType dtype, int shards) {
        RandomCheckpointOptions options;
        options.dtype = dtype;
        options.shards = shards;
        writeRandomCheckpoint(dir(), tinyModelConfig(family), options);
    }
    ScratchDir scratch_;
};

TEST_F(CheckpointDir, OpensASingleFileCheckpointAndLooksUpTensors) {
    writeTiny(ModelFamily::Olmoe, DType::BF16, 1);
    const Checkpoint checkpoint = Checkpoint::open(dir());
    EXPECT_FALSE(checkpoint.sharded());
    EXPECT_EQ(checkpoint.files().size(), 1u);
    EXPECT_EQ(checkpoint.config().family, ModelFamily::Olmoe);
    const TensorView& gate = checkpoint.tensor("model.layers.1.mlp.gate.weight", {8, 64});
    EXPECT_EQ(gate.dtype, DType::BF16);
    EXPECT_EQ(gate.bytes, 8u * 64u * 2u);
    EXPECT_EQ(checkpoint.fileOf("lm_head.weight"), file("model.safetensors"));
    EXPECT_EQ(checkpoint.tensorNames().size(),
              static_cast<std::size_t>(expectedTensorCount(checkpoint.config())));
}

TEST_F(CheckpointDir, OpensAShardedCheckpointWithTheSameWeights) {
    ScratchDir singleDir;
    RandomCheckpointOptions options;
    options.dtype = DType::F32;
    writeRandomCheckpoint(singleDir.path().string(), tinyModelConfig(ModelFamily::DeepseekV2),
                          options);
    writeTiny(ModelFamily::DeepseekV2, DType::F32, 3);

    const Checkpoint single = Checkpoint::open(singleDir.path().string());
    const Checkpoint sharded = Checkpoint::open(dir());
    EXPECT_TRUE(sharded.sharded());
    EXPECT_EQ(sharded.files().size(), 3u);
    EXPECT_EQ(sharded.tensorNames(), single.tensorNames());
    for (const std::string& name : single.tensorNames()) {
        const TensorView& a = single.tensor(name);
        const TensorView& b = sharded.tensor(name);
        ASSERT_EQ(a.bytes, b.bytes) << name;
        ASSERT_EQ(std::memcmp(a.data, b.data, a.bytes), 0) << name;
    }
    // Tensors of one model are spread over the shards.
    EXPECT_EQ(sharded.fileOf("model.embed_tokens.weight"),
              file("model-00001-of-00003.safetensors"));
    EXPECT_EQ(sharded.fileOf("lm_head.weight"), file("model-00003-of-00003.safetensors"));
    EXPECT_EQ(
        sharded.totalTensorBytes(),
        readJson(file("model.safetensors.index.json"))["metadata"]["total_size"].get<uint64_t>());
}

TEST_F(CheckpointDir, FollowsSymlinkedShardsAsInTheHuggingFaceCache) {
    ScratchDir blobs;
    writeTiny(ModelFamily::Qwen3Moe, DType::BF16, 2);
    for (const char* shard :
         {"model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"}) {
        const fs::path blob = blobs.path() / (std::string("blob-") + shard);
        fs::rename(file(shard), blob);
        fs::create_symlink(blob, file(shard));
    }
    EXPECT_NO_THROW((void)Checkpoint::open(dir()));
}

TEST_F(CheckpointDir, PrefersModelSafetensorsOverAnIndexLikeTransformers) {
    writeTiny(ModelFamily::Olmoe, DType::F32, 2);
    const nlohmann::json index = readJson(file("model.safetensors.index.json"));
    writeTiny(ModelFamily::Olmoe, DType::F32, 1);  // removes the shards and their index
    EXPECT_FALSE(fs::exists(file("model.safetensors.index.json")));
    writeJson(file("model.safetensors.index.json"), index);  // a stale index pointing nowhere
    const Checkpoint checkpoint = Checkpoint::open(dir());
    EXPECT_FALSE(checkpoint.sharded());
}

TEST_F(CheckpointDir, MissingTensorNamesTheTensorAndTheFile) {
    writeTiny(ModelFamily::Olmoe, DType::BF16, 1);
    // Rewrite model.safetensors without lm_head.weight.
    const ModelConfig config = loadModelConfig(file("config.json"));
    SafetensorsWriter writer;
    for (const auto& tensor : expectedTensors(config)) {
        if (tensor.name == "lm_head.weight") continue;
        writer.addFloats(tensor.name, DType::BF16, tensor.shape,
                         randomTensorValues(tensor.name, tensor.shape, 1));
    }
    writer.write(file("model.safetensors"));
    expectInputError([&] { (void)Checkpoint::open(dir()); }, file("model.safetensors"),
                     "no tensor 'lm_head.weight'");
}

TEST_F(CheckpointDir, MissingTensorInAShardedCheckpointNamesTheIndex) {
    writeTiny(ModelFamily::Olmoe, DType::BF16, 2);
    nlohmann::json index = readJson(file("model.safetensors.index.json"));
    index["weight_map"].erase("model.norm.weight");
    writeJson(file("model.safetensors.index.json"), index);
    expectInputError([&] { (void)Checkpoint::open(dir()); }, file("model.safetensors.index.json"),
                     "no tensor 'model.norm.weight' in weight_map");
}

TEST_F(CheckpointDir, MisshapedTensorNamesTheTensorTheShapesAndTheFile) {
    writeTiny(ModelFamily::Qwen3Moe, DType::BF16, 1);
    nlohmann::json config = readJson(file("config.json"));
    config["vocab_size"] = 300;  // the weights were written for 256
    writeJson(file("config.json"), config);
    expectInputError([&] { (void)Checkpoint::open(dir()); }, file("model.safetensors"),
                     "tensor 'model.embed_tokens.weight' has shape [256, 64], expected [300, 64]");
}

TEST_F(CheckpointDir, LookupWithAWrongShapeFails) {
    writeTiny(ModelFamily::Olmoe, DType::BF16, 1);
    const Checkpoint checkpoint = Checkpoint::open(dir());
    expectInputError([&] { (void)checkpoint.tensor("model.norm.weight", {65}); },
                     file("model.safetensors"),
                     "tensor 'model.norm.weight' has shape [64], expected [65]");
    expectInputError([&] { (void)checkpoint.tensor("model.nope"); }, file("model.safetensors"),
                     "no tensor 'model.nope'");
}

TEST_F(CheckpointDir, IntegerWeightsAreRejected) {
    writeTiny(ModelFamily::Olmoe, DType::F32, 1);
    const ModelConfig config = loadModelConfig(file("config.json"));
    SafetensorsWriter writer;
    for (const auto& tensor : expectedTensors(config)) {
        if (tensor.name == "model.norm.weight") {
            writer.addBytes(tensor.name, DType::I32, tensor.shape, std::vector<std::byte>(64 * 4));
        } else {
            writer.addFloats(tensor.name, DType::F32, tensor.shape,
                             randomTensorValues(tensor.name, tensor.shape, 1));
        }
    }
    writer.write(file("model.safetensors"));
    expectInputError([&] { (void)Checkpoint::open(dir()); }, file("model.safetensors"),
                     "tensor 'model.norm.weight' has dtype I32; weights must be F32, F16 or BF16");
}

TEST_F(CheckpointDir, ValidationCanBeSkippedForPartialCheckpoints) {
    writeTiny(ModelFamily::Qwen3Moe, DType::BF16, 1);
    nlohmann::json config = readJson(file("config.json"));
    config["vocab_size"] = 300;
    writeJson(file("config.json"), config);
    const Checkpoint checkpoint = Checkpoint::open(dir(), Checkpoint::Options{false});
    EXPECT_EQ(checkpoint.config().vocab_size, 300);
    EXPECT_THROW(checkpoint.requireTensors(expectedTensors(checkpoint.config())), InputError);
}

// --- the index ----------------------------------------------------------------------------

class ShardIndex : public CheckpointDir {
protected:
    void SetUp() override { writeTiny(ModelFamily::Olmoe, DType::BF16, 2); }
    std::string indexPath() const { return file("model.safetensors.index.json"); }
    void editIndex(const std::function<void(nlohmann::json&)>& edit) {
        nlohmann::json index = readJson(indexPath());
        edit(index);
        writeJson(indexPath(), index);
    }
};

TEST_F(ShardIndex, RejectsAnEntryThatLeavesTheDirectory) {
    editIndex([](nlohmann::json& index) {
        index["weight_map"]["model.norm.weight"] = "../model-00001-of-00002.safetensors";
    });
    expectInputError([&] { (void)Checkpoint::open(dir()); }, indexPath(),
                     "weight_map entry for tensor 'model.norm.weight' names shard "
                     "'../model-00001-of-00002.safetensors', which is not a plain file name");
}

TEST_F(ShardIndex, RejectsAbsoluteAndDotEntries) {
    for (const char* shard : {"/etc/passwd", "..", ".", "", "sub/model.safetensors", "a\\b"}) {
        editIndex([&](nlohmann::json& index) { index["weight_map"]["model.norm.weight"] = shard; });
        expectInputError([&] { (void)Checkpoint::open(dir()); }, indexPath(),
                         "which is not a plain file name inside the model directory");
    }
}

TEST_F(ShardIndex, RejectsAMissingShard) {
    fs::remove(file("model-00002-of-00002.safetensors"));
    expectInputError([&] { (void)Checkpoint::open(dir()); },
                     file("model-00002-of-00002.safetensors"),
                     "shard listed in model.safetensors.index.json does not exist");
}

TEST_F(ShardIndex, RejectsAShardThatLacksAMappedTensor) {
    editIndex([](nlohmann::json& index) {
        index["weight_map"]["lm_head.weight"] = "model-00001-of-00002.safetensors";
    });
    expectInputError([&] { (void)Checkpoint::open(dir()); },
                     file("model-00001-of-00002.safetensors"),
                     "has no tensor 'lm_head.weight', which model.safetensors.index.json maps "
                     "to this shard");
}

TEST_F(ShardIndex, RejectsAMalformedIndex) {
    editIndex([](nlohmann::json& index) { index.erase("weight_map"); });
    expectInputError([&] { (void)Checkpoint::open(dir()); }, indexPath(),
                     "field 'weight_map' is missing");
    editIndex([](nlohmann::json& index) { index["weight_map"] = {1, 2}; });
    expectInputError([&] { (void)Checkpoint::open(dir()); }, indexPath(),
                     "field 'weight_map' is not an object");
    editIndex([](nlohmann::json& index) { index["weight_map"] = {{"model.norm.weight", 3}}; });
    expectInputError([&] { (void)Checkpoint::open(dir()); }, indexPath(),
                     "weight_map entry for tensor 'model.norm.weight' is not a file name string");
    test::writeBytes(indexPath(), "{\"weight_map\": {");
    expectInputError([&] { (void)Checkpoint::open(dir()); }, indexPath(),
                     "model.safetensors.index.json is not valid JSON");
}

TEST_F(ShardIndex, IgnoresUnknownMetadata) {
    editIndex([](nlohmann::json& index) {
        index["metadata"] = {{"total_size", 1}, {"format", "whatever"}};
        index["extra"] = true;
    });
    EXPECT_NO_THROW((void)Checkpoint::open(dir()));
}

TEST_F(ShardIndex, ReportsACorruptShard) {
    const std::string shard = file("model-00001-of-00002.safetensors");
    fs::resize_file(shard, fs::file_size(shard) - 3);
    expectInputError([&] { (void)Checkpoint::open(dir()); }, shard, "the file may be truncated");
}

// --- the directory ---------------------------------------------------------------------------

TEST_F(CheckpointDir, RejectsAMissingDirectory) {
    const std::string missing = file("nothing-here");
    expectInputError([&] { (void)Checkpoint::open(missing); }, missing,
                     "model directory does not exist");
    expectInputError([&] { (void)Checkpoint::open(missing + "/x"); }, missing + "/x",
                     "model directory does not exist");
}

TEST_F(CheckpointDir, RejectsAFileInPlaceOfTheDirectory) {
    test::writeBytes(file("plain"), "x");
    expectInputError([&] { (void)Checkpoint::open(file("plain")); }, file("plain"),
                     "is not a directory");
}

TEST_F(CheckpointDir, RejectsADirectoryWithoutConfig) {
    expectInputError([&] { (void)Checkpoint::open(dir()); }, file("config.json"),
                     "config.json does not exist");
}

TEST_F(CheckpointDir, RejectsADirectoryWithoutWeightsAndHintsAtPytorchBins) {
    test::writeBytes(file("config.json"), tinyModelConfig(ModelFamily::Olmoe).dump());
    expectInputError([&] { (void)Checkpoint::open(dir()); }, dir(),
                     "holds neither model.safetensors nor model.safetensors.index.json");
    test::writeBytes(file("pytorch_model.bin"), "x");
    expectInputError([&] { (void)Checkpoint::open(dir()); }, dir(),
                     "found pytorch_model.bin; only safetensors weights are read");
}

TEST(PlainFileNames, AcceptOnlyNamesInsideTheDirectory) {
    EXPECT_TRUE(isPlainFileName("model-00001-of-00003.safetensors"));
    EXPECT_TRUE(isPlainFileName("..model.safetensors"));  // odd, but inside the directory
    EXPECT_FALSE(isPlainFileName(""));
    EXPECT_FALSE(isPlainFileName("."));
    EXPECT_FALSE(isPlainFileName(".."));
    EXPECT_FALSE(isPlainFileName("../x"));
    EXPECT_FALSE(isPlainFileName("/abs"));
    EXPECT_FALSE(isPlainFileName("a\\b"));
    EXPECT_FALSE(isPlainFileName(std::string_view("a\0b", 3)));
}

}  // namespace
}  // namespace ca::capture
