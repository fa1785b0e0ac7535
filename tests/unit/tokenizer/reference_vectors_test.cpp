// The tokenizer against ids produced by the Hugging Face tokenizers library (llama.cpp's test
// vectors for the Qwen2/3 and DeepSeek LLM vocabularies, 46 texts each: empty text, single and
// repeated spaces, tabs and newlines, digit runs, apostrophe contractions in mixed case,
// Cyrillic, Khmer, CJK, emoji with ZWJ sequences and variation selectors).
#include "tests/unit/tokenizer/tokenizer_fixtures.h"

#include <gtest/gtest.h>

namespace ca::tok::testing {
namespace {

void expectAllVectors(const Tokenizer& tok, const std::string& stem) {
    const auto vectors = readVectors(stem);
    ASSERT_EQ(vectors.size(), 46u) << "the vector file should hold 46 texts";
    int mismatches = 0;
    for (const Vector& v : vectors) {
        SCOPED_TRACE("text: \"" + v.text + "\"");
        const auto ids = tok.encode(v.text, /*addSpecialTokens=*/false);
        EXPECT_EQ(ids, v.ids);
        if (ids != v.ids) ++mismatches;
    }
    EXPECT_EQ(mismatches, 0);
}

TEST(ReferenceVectors, Qwen3TokenizerMatchesAll46HuggingFaceVectors) {
    expectAllVectors(qwen3(), fixturePath("qwen3/ggml-vocab-qwen2.gguf"));
}

TEST(ReferenceVectors, DeepSeekTokenizerMatchesAll46HuggingFaceVectors) {
    // The .out ids carry no BOS: llama.cpp wrote them with add_special = false.
    expectAllVectors(deepseek(), fixturePath("deepseek-v2/ggml-vocab-deepseek-llm.gguf"));
}

}  // namespace
}  // namespace ca::tok::testing
