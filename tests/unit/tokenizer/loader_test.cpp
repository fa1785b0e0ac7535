// Loading: minimal tokenizer.json documents written in the test, malformed ones rejected with
// one-line InputErrors, and the post-processor / tokenizer_config rules.
#include "core/capture/tokenizer/tokenizer.h"
#include "core/util/input_error.h"

#include <gtest/gtest.h>

#include <string>

namespace ca::tok {
namespace {

using Ids = std::vector<int32_t>;

// A byte-level BPE over "a", "b", "ab", "Ġ" with one merge.
std::string minimalJson(const std::string& extra = "", const std::string& model = "") {
    const std::string modelText =
        model.empty()
            ? R"({"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2, "Ġ": 3, "<s>": 4}, "merges": ["a b"]})"
            : model;
    return R"({"version": "1.0", "added_tokens": [{"id": 4, "content": "<s>", "special": true,
        "normalized": false, "lstrip": false, "rstrip": false, "single_word": false}],
        "normalizer": null,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true},
        "model": )" +
           modelText + extra + "}";
}

std::string errorOf(const std::string& json) {
    try {
        Tokenizer::fromJson(json, "t.json");
    } catch (const InputError& e) {
        return e.what();
    }
    return "(no error)";
}

TEST(TokenizerLoader, LoadsAMinimalByteLevelBpe) {
    const auto tok = Tokenizer::fromJson(minimalJson(), "t.json");
    EXPECT_EQ(tok.encode("ab ab"), (Ids{2, 3, 2}));  // "ab", " ab" -> Ġ + ab (no "Ġab" token)
    EXPECT_EQ(tok.encode("ab<s>"), (Ids{2, 4}));
    EXPECT_EQ(tok.idLimit(), 5);
    EXPECT_EQ(tok.decodePiece(3), " ");
    EXPECT_EQ(tok.idToToken(3), std::string("\xC4\xA0"));
    EXPECT_EQ(tok.tokenToId("ab"), 2);
}

TEST(TokenizerLoader, AcceptsMergesWrittenAsPairs) {
    const auto tok = Tokenizer::fromJson(
        minimalJson(
            "", R"({"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": [["a", "b"]]})"),
        "t.json");
    EXPECT_EQ(tok.encode("ab"), (Ids{2}));
}

TEST(TokenizerLoader, RejectsMalformedFilesWithOneLineErrors) {
    EXPECT_EQ(errorOf("{"), errorOf("{"));  // deterministic
    EXPECT_NE(errorOf("{").find("t.json: not valid JSON"), std::string::npos) << errorOf("{");
    EXPECT_NE(errorOf("[1, 2]").find("top level"), std::string::npos) << errorOf("[1, 2]");
    EXPECT_NE(errorOf(R"({"normalizer": null})").find("no \"model\""), std::string::npos);
    EXPECT_NE(errorOf(minimalJson("", R"({"type": "WordPiece", "vocab": {}})"))
                  .find("not supported (only BPE)"),
              std::string::npos);
    EXPECT_NE(
        errorOf(minimalJson("", R"({"type": "BPE", "vocab": {"a": 0}})")).find("no \"merges\""),
        std::string::npos);
    EXPECT_NE(errorOf(minimalJson("", R"({"type": "BPE", "vocab": {"a": 0}, "merges": ["a b"]})"))
                  .find("not in the vocab"),
              std::string::npos);
    EXPECT_NE(errorOf(minimalJson("", R"({"type": "BPE", "vocab": {"a": 0}, "merges": ["a b c"]})"))
                  .find("one space"),
              std::string::npos);
    EXPECT_NE(errorOf(minimalJson("", R"({"type": "BPE", "vocab": {"a": "x"}, "merges": []})"))
                  .find("integer ids"),
              std::string::npos);
    EXPECT_NE(errorOf(minimalJson("", R"({"type": "BPE", "vocab": {"a": -1}, "merges": []})"))
                  .find("out of range"),
              std::string::npos);
    for (const std::string& bad :
         {errorOf("{"), errorOf(minimalJson("", R"({"type": "Unigram"})"))})
        EXPECT_EQ(bad.find('\n'), std::string::npos) << bad;
}

TEST(TokenizerLoader, RejectsWhatItDoesNotImplement) {
    std::string json = minimalJson();
    const std::string pre =
        R"("pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true})";
    auto with = [&](const std::string& replacement) {
        std::string j = json;
        j.replace(j.find(pre), pre.size(), replacement);
        return errorOf(j);
    };
    EXPECT_NE(with(R"("pre_tokenizer": {"type": "Metaspace"})").find("not supported"),
              std::string::npos);
    EXPECT_NE(with(R"("pre_tokenizer": null)").find("no ByteLevel"), std::string::npos);
    EXPECT_NE(
        with(
            R"("pre_tokenizer": {"type": "Split", "pattern": {"Regex": "(a"}, "behavior": "Isolated", "invert": false})")
            .find("does not compile"),
        std::string::npos);
    std::string j = json;
    j.replace(j.find(R"("normalizer": null)"), 18, R"("normalizer": {"type": "Lowercase"})");
    EXPECT_NE(errorOf(j).find("normalizer type \"Lowercase\""), std::string::npos);
}

TEST(TokenizerLoader, AppliesTemplateProcessingOnlyWithSpecialTokens) {
    const auto tok =
        Tokenizer::fromJson(minimalJson(R"(, "post_processor": {"type": "TemplateProcessing",
        "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                   {"SpecialToken": {"id": "<s>", "type_id": 0}}],
        "pair": [], "special_tokens": {"<s>": {"id": "<s>", "ids": [4], "tokens": ["<s>"]}}})"),
                            "t.json");
    EXPECT_EQ(tok.encode("ab"), (Ids{2}));
    EXPECT_EQ(tok.encode("ab", true), (Ids{4, 2, 4}));
}

TEST(TokenizerLoader, LlamaClassConfigDecidesBosAndEos) {
    const std::string config =
        R"({"tokenizer_class": "LlamaTokenizerFast", "add_bos_token": true, "add_eos_token": true,
            "bos_token": {"content": "<s>"}, "eos_token": "ab"})";
    const auto tok = Tokenizer::fromJson(minimalJson(), "t.json", config);
    EXPECT_EQ(tok.encode("b", true), (Ids{4, 1, 2}));
    EXPECT_EQ(tok.encode("b", false), (Ids{1}));
    // GPT-NeoX classes add nothing unless asked (OLMoE's tokenizer class).
    const auto neox = Tokenizer::fromJson(minimalJson(), "t.json",
                                          R"({"tokenizer_class": "GPTNeoXTokenizer", "eos_token": "<s>"})");
    EXPECT_EQ(neox.encode("b", true), (Ids{1}));
    const auto neoxEos = Tokenizer::fromJson(
        minimalJson(), "t.json",
        R"({"tokenizer_class": "GPTNeoXTokenizer", "add_eos_token": true, "eos_token": "<s>"})");
    EXPECT_EQ(neoxEos.encode("b", true), (Ids{1, 4}));
    // Other classes keep the tokenizer.json post-processor (here: none).
    const auto qwenLike = Tokenizer::fromJson(
        minimalJson(), "t.json",
        R"({"tokenizer_class": "Qwen2Tokenizer", "add_bos_token": true, "bos_token": "<s>"})");
    EXPECT_EQ(qwenLike.encode("b", true), (Ids{1}));
}

TEST(TokenizerLoader, AddedTokenFlagsStripAndSingleWord) {
    const auto tok = Tokenizer::fromJson(R"({"added_tokens": [
        {"id": 5, "content": "ab", "special": false, "normalized": true, "lstrip": true, "rstrip": true, "single_word": false},
        {"id": 6, "content": "ba", "special": false, "normalized": true, "lstrip": false, "rstrip": false, "single_word": true}],
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "use_regex": true},
        "model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "Ġ": 2, "ab": 3}, "merges": ["a b"]}})",
                                         "t.json");
    // lstrip/rstrip swallow the spaces around "ab".
    EXPECT_EQ(tok.encode("b  ab  b"), (Ids{1, 5, 1}));
    // single_word: "ba" inside "bab" is not a word; standing alone it is.
    EXPECT_EQ(tok.encode("bab"), (Ids{1, 3}));
    EXPECT_EQ(tok.encode("ba"), (Ids{6}));
}

TEST(TokenizerLoader, ReportsMissingFilesAndDirectoriesWithoutTokenizerJson) {
    EXPECT_THROW(Tokenizer::fromFile("/nonexistent/tokenizer.json"), InputError);
    EXPECT_THROW(Tokenizer::fromFile(CA_TEST_DATA_DIR), InputError);  // no tokenizer.json there
}

}  // namespace
}  // namespace ca::tok
