// Hard cases with expected ids derived by hand from the tokenizer.json files: the pieces are
// what the declared split regex gives (worked out in the comments), and the ids come from
// looking the pieces up in the "vocab" and following the "merges" ranks, e.g. for OLMoE "123":
// merges "1 2" (rank 560) before "2 3" (rank 1263), then "12 3" (rank 10438) -> "123" = 10683.
#include "tests/unit/tokenizer/tokenizer_fixtures.h"

#include "core/util/input_error.h"

#include <gtest/gtest.h>

namespace ca::tok::testing {
namespace {

using Ids = std::vector<int32_t>;

// ---- OLMoE (GPT-NeoX vocabulary, NFC, ByteLevel with the GPT-2 regex) ----

TEST(OlmoeTokenizer, SplitsWordsWithTheirLeadingSpace) {
    // GPT-2 regex: "Hello", " world" -> vocab "Hello" 12092, "Ġworld" 1533.
    EXPECT_EQ(olmoe().encode("Hello world"), (Ids{12092, 1533}));
}

TEST(OlmoeTokenizer, MatchesWhitespaceAddedTokensBeforeSplitting) {
    // "  " (id 50276) and "   " (50275) are non-special added tokens with normalized=true, so
    // they are cut out of the text first and "world" loses its space: "world" = 10186.
    EXPECT_EQ(olmoe().encode("Hello  world"), (Ids{12092, 50276, 10186}));
    EXPECT_EQ(olmoe().encode("Hello   world"), (Ids{12092, 50275, 10186}));
    // 30 spaces: leftmost-longest gives the 24-space token (50254) then 6 spaces (50272).
    EXPECT_EQ(olmoe().encode(std::string(30, ' ')), (Ids{50254, 50272}));
}

TEST(OlmoeTokenizer, ComposesCombiningMarksWithNfcBeforeEncoding) {
    // "e" + U+0301 becomes "é" (C3 A9 = "Ã©"); merge "Ã ©" (rank 615) gives 860.
    EXPECT_EQ(olmoe().encode("e\xCC\x81"), (Ids{860}));
    EXPECT_EQ(olmoe().encode("\xC3\xA9"), (Ids{860}));
}

TEST(OlmoeTokenizer, MergesDigitRunsByRank) {
    // " ?\p{N}+" keeps "123" whole; "1 2" (560) then "12 3" (10438) -> 10683.
    EXPECT_EQ(olmoe().encode("123"), (Ids{10683}));
}

TEST(OlmoeTokenizer, RecognisesSpecialAndPiiTokensInsideText) {
    // "<|endoftext|>" is special with normalized=false; "a" = 66, "b" = 67.
    EXPECT_EQ(olmoe().encode("a<|endoftext|>b"), (Ids{66, 50279, 67}));
    EXPECT_EQ(olmoe().encode("|||IP_ADDRESS|||"), (Ids{0}));
    // "x " -> "x" (89) and a lone trailing " " ("\s+(?!\S)") = "Ġ" 209.
    EXPECT_EQ(olmoe().encode("x |||EMAIL_ADDRESS|||"), (Ids{89, 209, 50277}));
}

TEST(OlmoeTokenizer, AddsNoSpecialTokens) {
    EXPECT_EQ(olmoe().encode("Hello world", true), (Ids{12092, 1533}));
    EXPECT_TRUE(olmoe().specialPrefix().empty());
    EXPECT_TRUE(olmoe().specialSuffix().empty());
}

// ---- Qwen3 (NFC, Split regex, ByteLevel without regex) ----

TEST(Qwen3Tokenizer, SplitsDigitsOneByOne) {
    // "\p{N}" matches one digit: '1' = 16 ... '5' = 20.
    EXPECT_EQ(qwen3().encode("12345"), (Ids{16, 17, 18, 19, 20}));
}

TEST(Qwen3Tokenizer, AttachesANonLetterPrefixToTheFollowingWord) {
    // "[^\r\n\p{L}\p{N}]?\p{L}+": "a", then U+00A0 + "b" (C2 A0 62 = "Â","ł","b");
    // merge "Â ł" gives "Âł" 4102, there is no "Âł b" merge; "a" = 64, "b" = 65.
    EXPECT_EQ(qwen3().encode("a\xC2\xA0"
                             "b"),
              (Ids{64, 4102, 65}));
}

TEST(Qwen3Tokenizer, RecognisesChatMarkersInsideText) {
    // "<|im_start|>" 151644, "<|im_end|>" 151645 (special); "<think>" 151667 (not special).
    EXPECT_EQ(qwen3().encode("a<|im_start|>b<|im_end|>"), (Ids{64, 151644, 65, 151645}));
    EXPECT_EQ(qwen3().encode("<think>"), (Ids{151667}));
    EXPECT_TRUE(qwen3().isSpecial(151644));
    EXPECT_FALSE(qwen3().isSpecial(151667));
}

TEST(Qwen3Tokenizer, AddsNoSpecialTokensEvenWhenAsked) {
    EXPECT_EQ(qwen3().encode("Hello world", true), (Ids{9707, 1879}));
}

TEST(Qwen3Tokenizer, EncodesTheEmptyStringAsNothing) {
    EXPECT_TRUE(qwen3().encode("").empty());
    EXPECT_TRUE(olmoe().encode("").empty());
    EXPECT_TRUE(deepseek().encode("").empty());
}

TEST(Qwen3Tokenizer, NormalisesDecomposedTextToTheSameIdsAsComposedText) {
    // NFC: "Cu" + "a" + U+0309 U+0323... written decomposed must equal the composed vector.
    const std::string composed =
        "C\xE1\xBB\xAD"
        "a Vi\xE1\xBB\x87t";  // Cửa Việt
    const std::string decomposed =
        "Cu\xCC\x9B\xCC\x89"
        "a Vie\xCC\xA3\xCC\x82t";  // u+horn+hook, e+dot+circumflex
    EXPECT_EQ(qwen3().encode(decomposed), qwen3().encode(composed));
    EXPECT_EQ(qwen3().encode(composed), (Ids{34, 90063, 128324}));  // from the HF vectors
}

TEST(Qwen3Tokenizer, ShowsTokensHoldingPartOfACharacterAsHexBytes) {
    // " 🦙" (20 F0 9F A6 99) is split by the merges into " \xF0\x9F", "\xA6", "\x99" (ids from
    // the HF vector " this is 🦙.cpp"); alone the emoji is a single token.
    const Ids ids = qwen3().encode(" \xF0\x9F\xA6\x99");
    ASSERT_EQ(ids, (Ids{11162, 99, 247}));
    EXPECT_EQ(qwen3().decodePiece(11162), " <0xF0><0x9F>");
    EXPECT_EQ(qwen3().decodePiece(99), "<0xA6>");
    EXPECT_EQ(qwen3().decodePiece(247), "<0x99>");
    EXPECT_EQ(qwen3().pieceBytes(99), std::string("\xA6"));
    EXPECT_EQ(qwen3().decode(ids), " \xF0\x9F\xA6\x99");
    EXPECT_EQ(qwen3().decode(Ids{99}), "\xEF\xBF\xBD");  // U+FFFD for the lone byte
    EXPECT_EQ(qwen3().decodePiece(151644), "<|im_start|>");
    EXPECT_EQ(qwen3().decodePiece(-5), "<unk:-5>");
}

// ---- DeepSeek-V2 (Split sequence, BOS from tokenizer_config.json) ----

TEST(DeepSeekTokenizer, PrependsBosOnlyWithSpecialTokens) {
    const Ids plain = deepseek().encode("Hello world");
    EXPECT_EQ(plain, (Ids{17464, 1843}));  // from the HF vectors
    Ids withBos = plain;
    withBos.insert(withBos.begin(), 100000);
    EXPECT_EQ(deepseek().encode("Hello world", true), withBos);
    EXPECT_EQ(deepseek().specialPrefix(), (Ids{100000}));
    EXPECT_TRUE(deepseek().specialSuffix().empty());
}

TEST(DeepSeekTokenizer, MatchesUserDefinedSingleCharacterTokens) {
    // The vocabulary's user-defined tokens (100002..100014) are added tokens: "ö" is 100003.
    EXPECT_EQ(deepseek().encode("\xC3\xB6"), (Ids{100003}));
}

TEST(DeepSeekTokenizer, RecognisesBosTextInsideTheInput) {
    EXPECT_EQ(deepseek().encode("<\xEF\xBD\x9C"
                                "begin\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>"),
              (Ids{100000}));
}

// ---- Errors ----

TEST(Tokenizer, RejectsInvalidUtf8Text) {
    EXPECT_THROW(qwen3().encode("\xC3("), InputError);
    EXPECT_THROW(qwen3().encode("\xED\xA0\x80"), InputError);  // a UTF-16 surrogate
}

}  // namespace
}  // namespace ca::tok::testing
