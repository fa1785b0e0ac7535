// config.json parsing: realistic copies of the three published configs (tests/data/checkpoint/
// configs, values from models-spec.md) and one test per rejection rule.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include <nlohmann/json.hpp>

#include "core/capture/checkpoint/model_config.h"
#include "core/capture/checkpoint/random_checkpoint.h"
#include "tests/unit/checkpoint/checkpoint_test_support.h"

namespace ca::capture {
namespace {

using test::expectInputError;

std::string configPath(const std::string& name) {
    return std::string(CA_TEST_DATA_DIR) + "/checkpoint/configs/" + name;
}

std::vector<int64_t> range(int64_t first, int64_t last) {  // inclusive
    std::vector<int64_t> out(static_cast<std::size_t>(last - first + 1));
    std::iota(out.begin(), out.end(), first);
    return out;
}

// --- the published configs ---------------------------------------------------------------

TEST(PublishedConfigs, OlmoeBaseDerivesHeadDimAndDefaultsEpsTo1e5) {
    const ModelConfig c = loadModelConfig(configPath("olmoe-1b-7b-0924.json"));
    EXPECT_EQ(c.family, ModelFamily::Olmoe);
    EXPECT_EQ(c.model_type, "olmoe");
    EXPECT_EQ(c.architectures, std::vector<std::string>{"OlmoeForCausalLM"});
    EXPECT_EQ(c.hidden_size, 2048);
    EXPECT_EQ(c.num_hidden_layers, 16);
    EXPECT_EQ(c.num_attention_heads, 16);
    EXPECT_EQ(c.num_key_value_heads, 16);
    EXPECT_EQ(c.head_dim, 128);  // no head_dim key: 2048 / 16
    EXPECT_EQ(c.ropeDims(), 128);
    EXPECT_EQ(c.valueHeadDim(), 128);
    EXPECT_EQ(c.intermediate_size, 1024);
    EXPECT_EQ(c.moe_intermediate_size, 1024);  // intermediate_size is the expert width
    EXPECT_EQ(c.num_experts, 64);
    EXPECT_EQ(c.num_experts_per_tok, 8);
    EXPECT_FALSE(c.norm_topk_prob);
    EXPECT_EQ(c.num_shared_experts, 0);
    EXPECT_EQ(c.moe_layers, range(0, 15));
    EXPECT_DOUBLE_EQ(c.rms_norm_eps, 1e-5);  // the key is absent in the base config
    EXPECT_DOUBLE_EQ(c.rope_theta, 10000.0);
    EXPECT_FALSE(c.rope_scaling.has_value());
    EXPECT_FALSE(c.clip_qkv.has_value());
    EXPECT_FALSE(c.bos_token_id.has_value());
    EXPECT_EQ(c.eos_token_ids, std::vector<int64_t>{50279});
    EXPECT_EQ(c.pad_token_id, 1);
    EXPECT_EQ(c.vocab_size, 50304);
    EXPECT_EQ(c.torch_dtype, "bfloat16");
    EXPECT_FALSE(c.tie_word_embeddings);
    EXPECT_EQ(c.max_position_embeddings, 4096);
    EXPECT_DOUBLE_EQ(c.attentionScale(), 1.0 / std::sqrt(128.0));
    EXPECT_DOUBLE_EQ(c.ropeCosSinScale(), 1.0);
}

TEST(PublishedConfigs, OlmoeInstructStatesEpsExplicitly) {
    const ModelConfig c = loadModelConfig(configPath("olmoe-1b-7b-0924-instruct.json"));
    EXPECT_DOUBLE_EQ(c.rms_norm_eps, 1e-5);
    EXPECT_EQ(c.head_dim, 128);
}

TEST(PublishedConfigs, Qwen3UsesTheExplicitHeadDimNotHiddenOverHeads) {
    const ModelConfig c = loadModelConfig(configPath("qwen3-30b-a3b.json"));
    EXPECT_EQ(c.family, ModelFamily::Qwen3Moe);
    EXPECT_EQ(c.hidden_size / c.num_attention_heads, 64);
    EXPECT_EQ(c.head_dim, 128);
    EXPECT_EQ(c.num_attention_heads, 32);
    EXPECT_EQ(c.num_key_value_heads, 4);
    EXPECT_EQ(c.num_hidden_layers, 48);
    EXPECT_EQ(c.intermediate_size, 6144);
    EXPECT_EQ(c.moe_intermediate_size, 768);
    EXPECT_EQ(c.num_experts, 128);
    EXPECT_EQ(c.num_experts_per_tok, 8);
    EXPECT_TRUE(c.norm_topk_prob);
    EXPECT_EQ(c.decoder_sparse_step, 1);
    EXPECT_TRUE(c.mlp_only_layers.empty());
    EXPECT_EQ(c.moe_layers, range(0, 47));
    EXPECT_DOUBLE_EQ(c.rms_norm_eps, 1e-6);
    EXPECT_DOUBLE_EQ(c.rope_theta, 1e6);
    EXPECT_FALSE(c.rope_scaling.has_value());
    EXPECT_EQ(c.bos_token_id, 151643);
    EXPECT_EQ(c.eos_token_ids, std::vector<int64_t>{151645});
    EXPECT_EQ(c.vocab_size, 151936);
    EXPECT_DOUBLE_EQ(c.attentionScale(), 1.0 / std::sqrt(128.0));
}

TEST(PublishedConfigs, DeepseekV2LiteHasDenseLayerZeroAndMlaDims) {
    const ModelConfig c = loadModelConfig(configPath("deepseek-v2-lite.json"));
    EXPECT_EQ(c.family, ModelFamily::DeepseekV2);
    EXPECT_EQ(c.num_hidden_layers, 27);
    EXPECT_EQ(c.first_k_dense_replace, 1);
    EXPECT_EQ(c.moe_layer_freq, 1);
    EXPECT_FALSE(c.isMoeLayer(0));
    EXPECT_EQ(c.moe_layers, range(1, 26));
    EXPECT_FALSE(c.q_lora_rank.has_value());  // null: plain q_proj
    EXPECT_EQ(c.kv_lora_rank, 512);
    EXPECT_EQ(c.qk_nope_head_dim, 128);
    EXPECT_EQ(c.qk_rope_head_dim, 64);
    EXPECT_EQ(c.v_head_dim, 128);
    EXPECT_EQ(c.head_dim, 192);
    EXPECT_EQ(c.ropeDims(), 64);
    EXPECT_EQ(c.valueHeadDim(), 128);
    EXPECT_EQ(c.intermediate_size, 10944);
    EXPECT_EQ(c.moe_intermediate_size, 1408);
    EXPECT_EQ(c.num_experts, 64);
    EXPECT_EQ(c.num_experts_per_tok, 6);
    EXPECT_EQ(c.num_shared_experts, 2);
    EXPECT_EQ(c.shared_expert_intermediate_size, 2816);
    EXPECT_FALSE(c.norm_topk_prob);
    EXPECT_DOUBLE_EQ(c.routed_scaling_factor, 1.0);
    EXPECT_EQ(c.topk_method, "greedy");
    EXPECT_EQ(c.scoring_func, "softmax");
    EXPECT_EQ(c.n_group, 1);
    EXPECT_EQ(c.topk_group, 1);
    EXPECT_DOUBLE_EQ(c.rms_norm_eps, 1e-6);
    EXPECT_EQ(c.bos_token_id, 100000);
    EXPECT_EQ(c.eos_token_ids, std::vector<int64_t>{100001});
    EXPECT_EQ(c.vocab_size, 102400);
    EXPECT_EQ(c.max_position_embeddings, 163840);
}

TEST(PublishedConfigs, DeepseekV2LiteSoftmaxScaleIncludesYarnMscaleSquared) {
    const ModelConfig c = loadModelConfig(configPath("deepseek-v2-lite.json"));
    ASSERT_TRUE(c.rope_scaling.has_value());
    const YarnRopeScaling& yarn = *c.rope_scaling;
    EXPECT_DOUBLE_EQ(yarn.factor, 40.0);
    EXPECT_EQ(yarn.original_max_position_embeddings, 4096);
    EXPECT_DOUBLE_EQ(yarn.beta_fast, 32.0);
    EXPECT_DOUBLE_EQ(yarn.beta_slow, 1.0);
    EXPECT_DOUBLE_EQ(yarn.mscale, 0.707);
    EXPECT_DOUBLE_EQ(yarn.mscale_all_dim, 0.707);
    EXPECT_DOUBLE_EQ(c.rope_theta, 10000.0);
    // models-spec.md §4.2: mscale = 0.1 * 0.707 * ln 40 + 1 = 1.2608037774 and
    // softmax_scale = 192^-0.5 * mscale^2 = 0.1147213868 (not the old native 0.0721688).
    EXPECT_NEAR(yarnGetMscale(40.0, 0.707), 1.2608037774, 1e-10);
    EXPECT_NEAR(c.attentionScale(), 0.1147213868, 1e-10);
    // mscale / mscale_all_dim are equal, so the cos/sin cache is not rescaled.
    EXPECT_DOUBLE_EQ(c.ropeCosSinScale(), 1.0);
}

TEST(PublishedConfigs, DeepseekAsReserialisedByTransformers5GivesTheSameValues) {
    const ModelConfig v4 = loadModelConfig(configPath("deepseek-v2-lite.json"));
    const ModelConfig v5 = loadModelConfig(configPath("deepseek-v2-lite-transformers5.json"));
    EXPECT_EQ(v5.head_dim, 192);  // its head_dim key (64 = rope dims) does not change q/k width
    EXPECT_EQ(v5.moe_layers, v4.moe_layers);
    ASSERT_TRUE(v5.rope_scaling.has_value());
    EXPECT_DOUBLE_EQ(v5.rope_scaling->factor, 40.0);
    EXPECT_DOUBLE_EQ(v5.rope_scaling->mscale_all_dim, 0.707);
    EXPECT_DOUBLE_EQ(v5.rope_theta, 10000.0);
    EXPECT_DOUBLE_EQ(v5.attentionScale(), v4.attentionScale());
    EXPECT_EQ(v5.torch_dtype, "bfloat16");  // written as "dtype" by transformers 5
}

TEST(YarnMscale, IsOneWithoutScaling) {
    EXPECT_DOUBLE_EQ(yarnGetMscale(1.0, 0.707), 1.0);
    EXPECT_DOUBLE_EQ(yarnGetMscale(0.5, 0.707), 1.0);
    EXPECT_DOUBLE_EQ(yarnGetMscale(std::exp(1.0), 1.0), 1.1);
}

// --- variations on valid configs --------------------------------------------------------

nlohmann::json published(const std::string& name) {
    return nlohmann::json::parse(test::readBytes(configPath(name)));
}

ModelConfig parse(const nlohmann::json& config) {
    return parseModelConfig(config.dump(), "config.json");
}

TEST(ConfigVariations, Qwen3MlpOnlyLayersAndSparseStepChooseTheMoeLayers) {
    nlohmann::json config = published("qwen3-30b-a3b.json");
    config["num_hidden_layers"] = 8;
    config["decoder_sparse_step"] = 2;
    config["mlp_only_layers"] = {3};
    // (i + 1) % 2 == 0 gives 1, 3, 5, 7; layer 3 is forced dense.
    EXPECT_EQ(parse(config).moe_layers, (std::vector<int64_t>{1, 5, 7}));
}

TEST(ConfigVariations, Qwen3WithoutHeadDimFallsBackToHiddenOverHeads) {
    nlohmann::json config = published("qwen3-30b-a3b.json");
    config.erase("head_dim");
    EXPECT_EQ(parse(config).head_dim, 64);
}

TEST(ConfigVariations, DeepseekMoeLayerFrequencyAndFirstDenseLayers) {
    nlohmann::json config = published("deepseek-v2-lite.json");
    config["num_hidden_layers"] = 7;
    config["first_k_dense_replace"] = 2;
    config["moe_layer_freq"] = 2;
    EXPECT_EQ(parse(config).moe_layers, (std::vector<int64_t>{2, 4, 6}));
}

TEST(ConfigVariations, DeepseekWithoutQLoraRankKeyUsesTheClassDefault) {
    nlohmann::json config = published("deepseek-v2-lite.json");
    config.erase("q_lora_rank");
    EXPECT_EQ(parse(config).q_lora_rank, 1536);
}

TEST(ConfigVariations, EosMayBeAList) {
    nlohmann::json config = published("qwen3-30b-a3b.json");
    config["eos_token_id"] = {151645, 151643};
    EXPECT_EQ(parse(config).eos_token_ids, (std::vector<int64_t>{151645, 151643}));
}

TEST(ConfigVariations, OlmoeClipQkvIsRead) {
    nlohmann::json config = published("olmoe-1b-7b-0924.json");
    config["clip_qkv"] = 8.0;
    EXPECT_EQ(parse(config).clip_qkv, 8.0);
}

TEST(ConfigVariations, OlmoeWithoutKvHeadsUsesTheQueryHeadCount) {
    nlohmann::json config = published("olmoe-1b-7b-0924.json");
    config.erase("num_key_value_heads");
    EXPECT_EQ(parse(config).num_key_value_heads, 16);
}

TEST(ConfigVariations, TinyConfigsParse) {
    for (ModelFamily family :
         {ModelFamily::Olmoe, ModelFamily::Qwen3Moe, ModelFamily::DeepseekV2}) {
        const ModelConfig c = parse(tinyModelConfig(family));
        EXPECT_EQ(c.family, family);
        EXPECT_EQ(c.hidden_size, 64);
        EXPECT_EQ(c.num_experts, 8);
    }
    const ModelConfig qwen = parse(tinyModelConfig(ModelFamily::Qwen3Moe));
    EXPECT_NE(qwen.head_dim, qwen.hidden_size / qwen.num_attention_heads);
    const ModelConfig deepseek = parse(tinyModelConfig(ModelFamily::DeepseekV2));
    EXPECT_EQ(deepseek.moe_layers, (std::vector<int64_t>{1, 2}));
    EXPECT_EQ(deepseek.num_shared_experts, 2);
    EXPECT_TRUE(deepseek.rope_scaling.has_value());
    EXPECT_DOUBLE_EQ(parse(tinyModelConfig(ModelFamily::Olmoe)).rms_norm_eps, 1e-5);
}

TEST(ConfigVariations, OlmoeBenchmarkConfigHasOlmoe1B7BWidths) {
    const ModelConfig c = parse(olmoeBenchmarkConfig(4));
    EXPECT_EQ(c.num_hidden_layers, 4);
    EXPECT_EQ(c.hidden_size, 2048);
    EXPECT_EQ(c.num_attention_heads, 16);
    EXPECT_EQ(c.num_experts, 64);
    EXPECT_EQ(c.moe_intermediate_size, 1024);
    EXPECT_EQ(c.num_experts_per_tok, 8);
    EXPECT_EQ(c.vocab_size, 50304);
}

// --- rejections ---------------------------------------------------------------------------

void expectConfigError(const nlohmann::json& config, const std::string& problemPart) {
    expectInputError([&] { (void)parse(config); }, "config.json", problemPart);
}

TEST(ConfigErrors, UnknownModelTypeListsTheSupportedOnes) {
    nlohmann::json config = published("olmoe-1b-7b-0924.json");
    config["model_type"] = "mixtral";
    expectConfigError(config,
                      "model_type 'mixtral' is not supported (supported: olmoe, "
                      "qwen3_moe, deepseek_v2)");
}

TEST(ConfigErrors, MissingModelType) {
    nlohmann::json config = published("olmoe-1b-7b-0924.json");
    config.erase("model_type");
    expectConfigError(config, "field 'model_type' is missing");
}

TEST(ConfigErrors, MissingRequiredFieldIsNamed) {
    for (const char* field :
         {"hidden_size", "num_hidden_layers", "vocab_size", "num_attention_heads", "num_experts",
          "num_experts_per_tok", "intermediate_size"}) {
        nlohmann::json config = published("olmoe-1b-7b-0924.json");
        config.erase(field);
        expectConfigError(config, "field '" + std::string(field) + "' is missing");
    }
    for (const char* field : {"moe_intermediate_size", "kv_lora_rank", "qk_nope_head_dim",
                              "qk_rope_head_dim", "v_head_dim", "n_routed_experts"}) {
        nlohmann::json config = published("deepseek-v2-lite.json");
        config.erase(field);
        expectConfigError(config, "field '" + std::string(field) + "' is missing");
    }
}

TEST(ConfigErrors, WrongJsonTypeIsNamed) {
    nlohmann::json config = published("olmoe-1b-7b-0924.json");
    config["hidden_size"] = "2048";
    expectConfigError(config, "field 'hidden_size' must be an integer, not a string");
    config = published("olmoe-1b-7b-0924.json");
    config["hidden_size"] = 2048.0;
    expectConfigError(config, "field 'hidden_size' must be an integer, not a float");
    config = published("qwen3-30b-a3b.json");
    config["norm_topk_prob"] = "true";
    expectConfigError(config, "field 'norm_topk_prob' must be a boolean, not a string");
    config = published("qwen3-30b-a3b.json");
    config["rms_norm_eps"] = "1e-6";
    expectConfigError(config, "field 'rms_norm_eps' must be a number, not a string");
    config = published("qwen3-30b-a3b.json");
    config["mlp_only_layers"] = 3;
    expectConfigError(config, "field 'mlp_only_layers' must be a list of integers");
    config = published("deepseek-v2-lite.json");
    config["rope_scaling"]["factor"] = "40";
    expectConfigError(config, "field 'rope_scaling.factor' must be a number, not a string");
}

TEST(ConfigErrors, OutOfRangeValues) {
    nlohmann::json config = published("olmoe-1b-7b-0924.json");
    config["num_experts"] = 0;
    expectConfigError(config, "field 'num_experts' must be an integer in [1, 4096], not 0");
    config = published("olmoe-1b-7b-0924.json");
    config["num_experts_per_tok"] = 65;
    expectConfigError(config,
                      "field 'num_experts_per_tok' (65) exceeds the number of experts (64)");
    config = published("olmoe-1b-7b-0924.json");
    config["num_attention_heads"] = 3;
    expectConfigError(config,
                      "field 'num_key_value_heads' (16) must divide num_attention_heads (3)");
    config = published("olmoe-1b-7b-0924.json");
    config["num_attention_heads"] = 3;
    config["num_key_value_heads"] = 3;
    expectConfigError(config, "field 'num_attention_heads' (3) must divide hidden_size (2048)");
    config = published("qwen3-30b-a3b.json");
    config["mlp_only_layers"] = {48};
    expectConfigError(config, "field 'mlp_only_layers' must be an integer in [0, 47]");
    config = published("qwen3-30b-a3b.json");
    config["decoder_sparse_step"] = 0;
    expectConfigError(config, "field 'decoder_sparse_step' must be an integer in [1,");
    config = published("deepseek-v2-lite.json");
    config["qk_rope_head_dim"] = 63;
    expectConfigError(config, "must be even");
    config = published("olmoe-1b-7b-0924.json");
    config["hidden_size"] = 18446744073709551615ull;
    expectConfigError(config, "field 'hidden_size' must be an integer in [1, 1048576]");
}

TEST(ConfigErrors, ConfigWithoutAnyMoeLayer) {
    nlohmann::json config = published("deepseek-v2-lite.json");
    config["first_k_dense_replace"] = 27;
    expectConfigError(config, "describes no MoE layer");
}

TEST(ConfigErrors, UnsupportedSettingsAreRejectedNotIgnored) {
    nlohmann::json config = published("olmoe-1b-7b-0924.json");
    config["attention_bias"] = true;
    expectConfigError(config, "field 'attention_bias' is true; attention biases are not supported");
    config = published("olmoe-1b-7b-0924.json");
    config["hidden_act"] = "gelu";
    expectConfigError(config, "field 'hidden_act' is 'gelu'; only silu is supported");
    config = published("qwen3-30b-a3b.json");
    config["use_sliding_window"] = true;
    expectConfigError(config, "sliding-window attention is not supported");
    config = published("qwen3-30b-a3b.json");
    config["rope_scaling"] = {
        {"rope_type", "yarn"}, {"factor", 4.0}, {"original_max_position_embeddings", 32768}};
    expectConfigError(config,
                      "field 'rope_scaling' has type 'yarn', which is not supported for "
                      "qwen3_moe");
    config = published("deepseek-v2-lite.json");
    config["rope_scaling"]["type"] = "linear";
    expectConfigError(config, "has type 'linear'");
    config = published("deepseek-v2-lite.json");
    config["topk_method"] = "gready";
    expectConfigError(config, "field 'topk_method' is 'gready'");
    config = published("deepseek-v2-lite.json");
    config["scoring_func"] = "sigmoid";
    expectConfigError(config, "field 'scoring_func' is 'sigmoid'");
}

TEST(ConfigErrors, MalformedJson) {
    expectInputError([] { (void)parseModelConfig("{\"model_type\": ", "c.json"); }, "c.json",
                     "config.json is not valid JSON");
    expectInputError([] { (void)parseModelConfig("[]", "c.json"); }, "c.json",
                     "config.json is not a JSON object");
    expectInputError(
        [] { (void)parseModelConfig(R"({"model_type":"olmoe","model_type":"olmoe"})", "c.json"); },
        "c.json", "duplicate key 'model_type'");
}

TEST(ConfigErrors, MissingFile) {
    const std::string path = configPath("no-such-config.json");
    expectInputError([&] { (void)loadModelConfig(path); }, path, "config.json does not exist");
}

}  // namespace
}  // namespace ca::capture
