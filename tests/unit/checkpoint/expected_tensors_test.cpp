// The tensor lists of the published models, checked against the counts and parameter totals
// recorded in models-spec.md (DeepSeek-V2-Lite's come from a dump of the real checkpoint).
#include <gtest/gtest.h>

#include <map>

#include "core/capture/checkpoint/expected_tensors.h"
#include "core/capture/checkpoint/random_checkpoint.h"

namespace ca::capture {
namespace {

ModelConfig published(const std::string& name) {
    return loadModelConfig(std::string(CA_TEST_DATA_DIR) + "/checkpoint/configs/" + name);
}

std::map<std::string, std::vector<int64_t>> byName(const std::vector<ExpectedTensor>& tensors) {
    std::map<std::string, std::vector<int64_t>> out;
    for (const auto& tensor : tensors) {
        EXPECT_TRUE(out.emplace(tensor.name, tensor.shape).second) << "duplicate " << tensor.name;
    }
    return out;
}

int64_t parameterCount(const std::vector<ExpectedTensor>& tensors) {
    int64_t total = 0;
    for (const auto& tensor : tensors) {
        int64_t numel = 1;
        for (int64_t dim : tensor.shape) numel *= dim;
        total += numel;
    }
    return total;
}

using Shape = std::vector<int64_t>;

TEST(ExpectedTensors, OlmoeMatchesThePublishedCountsAndShapes) {
    const ModelConfig config = published("olmoe-1b-7b-0924.json");
    const auto tensors = expectedTensors(config);
    EXPECT_EQ(tensors.size(), 3219u);  // 16 x 201 + 3
    EXPECT_EQ(expectedTensorCount(config), 3219);
    EXPECT_EQ(parameterCount(tensors), 6'919'161'856);
    const auto shapes = byName(tensors);
    EXPECT_EQ(shapes.at("model.embed_tokens.weight"), (Shape{50304, 2048}));
    EXPECT_EQ(shapes.at("model.layers.0.self_attn.q_proj.weight"), (Shape{2048, 2048}));
    EXPECT_EQ(shapes.at("model.layers.0.self_attn.q_norm.weight"), (Shape{2048}));  // full width
    EXPECT_EQ(shapes.at("model.layers.0.self_attn.k_norm.weight"), (Shape{2048}));
    EXPECT_EQ(shapes.at("model.layers.15.mlp.gate.weight"), (Shape{64, 2048}));
    EXPECT_EQ(shapes.at("model.layers.15.mlp.experts.63.gate_proj.weight"), (Shape{1024, 2048}));
    EXPECT_EQ(shapes.at("model.layers.15.mlp.experts.63.down_proj.weight"), (Shape{2048, 1024}));
    EXPECT_EQ(shapes.at("lm_head.weight"), (Shape{50304, 2048}));
    EXPECT_EQ(tensors.front().name, "model.embed_tokens.weight");
    EXPECT_EQ(tensors.back().name, "lm_head.weight");
}

TEST(ExpectedTensors, Qwen3MatchesThePublishedCountsAndShapes) {
    const ModelConfig config = published("qwen3-30b-a3b.json");
    const auto tensors = expectedTensors(config);
    EXPECT_EQ(tensors.size(), 18867u);  // 48 x 393 + 3
    EXPECT_EQ(expectedTensorCount(config), 18867);
    EXPECT_EQ(parameterCount(tensors), 30'532'122'624);
    const auto shapes = byName(tensors);
    EXPECT_EQ(shapes.at("model.layers.0.self_attn.q_proj.weight"), (Shape{4096, 2048}));
    EXPECT_EQ(shapes.at("model.layers.0.self_attn.k_proj.weight"), (Shape{512, 2048}));
    EXPECT_EQ(shapes.at("model.layers.0.self_attn.v_proj.weight"), (Shape{512, 2048}));
    EXPECT_EQ(shapes.at("model.layers.0.self_attn.o_proj.weight"), (Shape{2048, 4096}));
    EXPECT_EQ(shapes.at("model.layers.0.self_attn.q_norm.weight"), (Shape{128}));  // per head
    EXPECT_EQ(shapes.at("model.layers.47.mlp.gate.weight"), (Shape{128, 2048}));
    EXPECT_EQ(shapes.at("model.layers.47.mlp.experts.127.up_proj.weight"), (Shape{768, 2048}));
}

TEST(ExpectedTensors, DeepseekV2LiteMatchesTheRealCheckpointDump) {
    const ModelConfig config = published("deepseek-v2-lite.json");
    const auto tensors = expectedTensors(config);
    EXPECT_EQ(tensors.size(), 5291u);
    EXPECT_EQ(expectedTensorCount(config), 5291);
    EXPECT_EQ(parameterCount(tensors), 15'706'484'224);
    const auto shapes = byName(tensors);
    EXPECT_EQ(shapes.at("model.layers.0.self_attn.q_proj.weight"), (Shape{3072, 2048}));
    EXPECT_EQ(shapes.at("model.layers.0.self_attn.kv_a_proj_with_mqa.weight"), (Shape{576, 2048}));
    EXPECT_EQ(shapes.at("model.layers.0.self_attn.kv_a_layernorm.weight"), (Shape{512}));
    EXPECT_EQ(shapes.at("model.layers.0.self_attn.kv_b_proj.weight"), (Shape{4096, 512}));
    EXPECT_EQ(shapes.at("model.layers.0.self_attn.o_proj.weight"), (Shape{2048, 2048}));
    EXPECT_EQ(shapes.at("model.layers.0.mlp.gate_proj.weight"), (Shape{10944, 2048}));
    EXPECT_EQ(shapes.at("model.layers.0.mlp.down_proj.weight"), (Shape{2048, 10944}));
    EXPECT_EQ(shapes.count("model.layers.0.mlp.gate.weight"), 0u);  // layer 0 has no router
    EXPECT_EQ(shapes.at("model.layers.1.mlp.gate.weight"), (Shape{64, 2048}));
    EXPECT_EQ(shapes.at("model.layers.26.mlp.experts.63.down_proj.weight"), (Shape{2048, 1408}));
    EXPECT_EQ(shapes.at("model.layers.26.mlp.shared_experts.gate_proj.weight"),
              (Shape{2816, 2048}));
    EXPECT_EQ(shapes.at("model.layers.26.mlp.shared_experts.down_proj.weight"),
              (Shape{2048, 2816}));
    EXPECT_EQ(shapes.count("model.layers.0.self_attn.q_a_proj.weight"), 0u);
}

TEST(ExpectedTensors, DeepseekWithAQueryLoraRankUsesTheLowRankQueryPath) {
    ModelConfig config = published("deepseek-v2-lite.json");
    config.q_lora_rank = 1536;
    const auto shapes = byName(expectedTensors(config));
    EXPECT_EQ(shapes.count("model.layers.0.self_attn.q_proj.weight"), 0u);
    EXPECT_EQ(shapes.at("model.layers.0.self_attn.q_a_proj.weight"), (Shape{1536, 2048}));
    EXPECT_EQ(shapes.at("model.layers.0.self_attn.q_a_layernorm.weight"), (Shape{1536}));
    EXPECT_EQ(shapes.at("model.layers.0.self_attn.q_b_proj.weight"), (Shape{3072, 1536}));
    EXPECT_EQ(expectedTensorCount(config), static_cast<int64_t>(expectedTensors(config).size()));
}

TEST(ExpectedTensors, TiedEmbeddingsDropLmHead) {
    ModelConfig config = published("olmoe-1b-7b-0924.json");
    config.tie_word_embeddings = true;
    const auto shapes = byName(expectedTensors(config));
    EXPECT_EQ(shapes.count("lm_head.weight"), 0u);
    EXPECT_EQ(expectedTensorCount(config), 3218);
}

TEST(ExpectedTensors, Qwen3DenseLayersHaveAPlainMlp) {
    ModelConfig config = published("qwen3-30b-a3b.json");
    config.moe_layers.erase(config.moe_layers.begin());  // as if mlp_only_layers = [0]
    const auto shapes = byName(expectedTensors(config));
    EXPECT_EQ(shapes.at("model.layers.0.mlp.gate_proj.weight"), (Shape{6144, 2048}));
    EXPECT_EQ(shapes.count("model.layers.0.mlp.gate.weight"), 0u);
    EXPECT_EQ(expectedTensorCount(config), static_cast<int64_t>(expectedTensors(config).size()));
}

TEST(ExpectedTensors, CountMatchesListForTinyConfigs) {
    for (ModelFamily family :
         {ModelFamily::Olmoe, ModelFamily::Qwen3Moe, ModelFamily::DeepseekV2}) {
        const ModelConfig config = parseModelConfig(tinyModelConfig(family).dump(), "config.json");
        EXPECT_EQ(expectedTensorCount(config),
                  static_cast<int64_t>(expectedTensors(config).size()));
    }
}

}  // namespace
}  // namespace ca::capture
