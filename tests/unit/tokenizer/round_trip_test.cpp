// Decoding the ids of a text gives back the (NFC-normalised) text: an independent check that
// no byte is lost or duplicated by splitting, added-token matching or merging, on the vector
// texts and on long inputs (one huge word, long whitespace runs, long CJK runs).
#include "tests/unit/tokenizer/tokenizer_fixtures.h"

#include <gtest/gtest.h>

namespace ca::tok::testing {
namespace {

std::vector<std::string> sampleTexts() {
    std::vector<std::string> texts;
    for (const Vector& v : readVectors(fixturePath("qwen3/ggml-vocab-qwen2.gguf")))
        texts.push_back(v.text);
    texts.push_back(std::string(200'000, 'x'));                       // one 200 kB word
    texts.push_back("a" + std::string(100'000, ' ') + "b\n\n\n\t ");  // long space run
    std::string cjk;
    for (int i = 0; i < 20'000; ++i)
        cjk += "\xE6\x88\x91\xE6\x83\xB3";  // 我想
    texts.push_back(cjk);
    std::string mixed;
    for (int i = 0; i < 5'000; ++i)
        mixed += "x<|endoftext|> \xF0\x9F\xA6\x99 12 ";
    texts.push_back(mixed);
    return texts;
}

void expectRoundTrip(const Tokenizer& tok, const char* name) {
    for (const std::string& text : sampleTexts()) {
        SCOPED_TRACE(std::string(name) + ": " + text.substr(0, 40));
        EXPECT_EQ(tok.decode(tok.encode(text)), text);
    }
}

TEST(RoundTrip, Qwen3DecodesBackToTheText) {
    expectRoundTrip(qwen3(), "qwen3");
}
TEST(RoundTrip, DeepSeekDecodesBackToTheText) {
    expectRoundTrip(deepseek(), "deepseek");
}
TEST(RoundTrip, OlmoeDecodesBackToTheText) {
    expectRoundTrip(olmoe(), "olmoe");
}

TEST(RoundTrip, SpecialTokensAreSkippedOnRequest) {
    const auto ids = deepseek().encode("Hello", true);
    EXPECT_EQ(deepseek().decode(ids, /*skipSpecialTokens=*/true), "Hello");
    EXPECT_EQ(deepseek().decode(ids),
              "<\xEF\xBD\x9C"
              "begin\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>Hello");
}

}  // namespace
}  // namespace ca::tok::testing
