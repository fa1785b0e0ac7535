// Pre-tokenizer regexes and split behaviours, with expected pieces worked out by hand from the
// regex semantics Hugging Face gets from Oniguruma.
#include "core/capture/tokenizer/pre_tokenizer.h"
#include "core/capture/tokenizer/split_regex.h"

#include <gtest/gtest.h>

namespace ca::tok {
namespace {

std::vector<std::string> matches(const std::string& pattern, const std::string& text) {
    SplitRegex re(pattern);
    std::vector<MatchSpan> spans;
    re.findAll(text, spans);
    std::vector<std::string> out;
    for (const MatchSpan& s : spans)
        out.push_back(text.substr(s.begin, s.end - s.begin));
    return out;
}

std::vector<std::string> pieces(std::vector<PreTokenizerStep> steps, const std::string& text) {
    PreTokenizer pre(std::move(steps));
    PieceList list;
    pre.run(text, list);
    return {list.pieces.begin(), list.pieces.end()};
}

PreTokenizerStep byteLevel(bool prefixSpace, bool useRegex) {
    PreTokenizerStep s;
    s.kind = PreTokenizerStep::Kind::ByteLevel;
    s.addPrefixSpace = prefixSpace;
    s.useRegex = useRegex;
    return s;
}

PreTokenizerStep split(const std::string& regex, SplitBehavior behavior, bool invert = false) {
    PreTokenizerStep s;
    s.pattern.regex = std::make_shared<const SplitRegex>(regex);
    s.behavior = behavior;
    s.invert = invert;
    return s;
}

using Strings = std::vector<std::string>;

TEST(SplitRegex, WhiteSpaceIsTheUnicodeWhiteSpaceProperty) {
    EXPECT_EQ(matches("\\s", "\xC2\x85"), Strings{"\xC2\x85"});  // NEL is White_Space
    EXPECT_EQ(matches("\\s", "\xE1\xA0\x8E"), Strings{});        // U+180E is not (PCRE2 says yes)
    EXPECT_EQ(matches("[^\\s]", "\xE1\xA0\x8E"), Strings{"\xE1\xA0\x8E"});
    EXPECT_EQ(matches("\\S", "\xE3\x80\x80"), Strings{});  // ideographic space
}

TEST(SplitRegex, TrailingSpaceRunLeavesOneSpaceForTheNextWord) {
    // "\s+(?!\S)" backs off one space so that " world" keeps its space.
    EXPECT_EQ(pieces({byteLevel(false, true)}, "Hello   world"),
              (Strings{"Hello", "  ", " world"}));
    EXPECT_EQ(pieces({byteLevel(false, true)}, "a  "), (Strings{"a", "  "}));
}

TEST(SplitRegex, CaseInsensitiveContractionsAndSingleDigits) {
    const std::string qwen =
        R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
    EXPECT_EQ(matches(qwen, "We'VE 123"), (Strings{"We", "'VE", " ", "1", "2", "3"}));
    EXPECT_EQ(matches(qwen, "a \n\n b"), (Strings{"a", " \n\n", " b"}));
}

TEST(SplitRegex, ThreeDigitGroups) {
    EXPECT_EQ(matches("\\p{N}{1,3}", "1234567"), (Strings{"123", "456", "7"}));
}

TEST(SplitRegex, DollarIsAnEndOfLineAnchorAsInOniguruma) {
    EXPECT_EQ(matches("\\s+$", "a  \nb "), (Strings{"  ", " "}));
}

TEST(SplitRegex, RejectsPatternsThatDoNotCompile) {
    EXPECT_THROW(SplitRegex("(unclosed"), std::invalid_argument);
}

TEST(SplitBehaviors, FollowTheHuggingFaceDefinitions) {
    // Splitting "a-b--c" on "-" (examples from the tokenizers documentation of Split).
    const std::string text = "a-b--c";
    auto run = [&](SplitBehavior b, bool invert = false) {
        return pieces({split("-", b, invert), byteLevel(false, false)}, text);
    };
    EXPECT_EQ(run(SplitBehavior::Removed), (Strings{"a", "b", "c"}));
    EXPECT_EQ(run(SplitBehavior::Isolated), (Strings{"a", "-", "b", "-", "-", "c"}));
    EXPECT_EQ(run(SplitBehavior::MergedWithPrevious), (Strings{"a-", "b-", "-", "c"}));
    EXPECT_EQ(run(SplitBehavior::MergedWithNext), (Strings{"a", "-b", "-", "-c"}));
    EXPECT_EQ(run(SplitBehavior::Contiguous), (Strings{"a", "-", "b", "--", "c"}));
    EXPECT_EQ(run(SplitBehavior::Removed, true), (Strings{"-", "-", "-"}));
}

TEST(SplitBehaviors, ByteLevelPrefixSpaceIsAddedToEachPiece) {
    EXPECT_EQ(pieces({split(",", SplitBehavior::Isolated), byteLevel(true, false)}, "a,b"),
              (Strings{" a", " ,", " b"}));
}

TEST(SplitBehaviors, StepsAfterByteLevelSeeTheMappedCharacters) {
    // After ByteLevel a space is "Ġ" (U+0120), so a later split on "Ġ" finds it; the pieces
    // come back as raw bytes.
    EXPECT_EQ(pieces({byteLevel(false, false), split("\xC4\xA0", SplitBehavior::MergedWithNext)},
                     "a b c"),
              (Strings{"a", " b", " c"}));
}

}  // namespace
}  // namespace ca::tok
