// The GPT-2 byte <-> character map and the UTF-8 helpers, checked against values worked out
// from the definition (printable Latin-1 kept, the other 68 bytes numbered from U+0100).
#include "core/capture/tokenizer/byte_level.h"
#include "core/capture/tokenizer/utf8.h"

#include <gtest/gtest.h>

#include <set>

namespace ca::tok {
namespace {

TEST(ByteLevel, KeepsPrintableLatin1AndRenumbersTheRest) {
    EXPECT_EQ(byteToUnicode('A'), U'A');
    EXPECT_EQ(byteToUnicode('~'), U'~');
    EXPECT_EQ(byteToUnicode(0xA1), U'\u00A1');
    EXPECT_EQ(byteToUnicode(0x00), U'\u0100');  // first non-printable byte
    EXPECT_EQ(byteToUnicode('\n'), U'\u010A');  // "Ċ"
    EXPECT_EQ(byteToUnicode(' '), U'\u0120');   // "Ġ": bytes 0..32 take U+0100..U+0120
    EXPECT_EQ(byteToUnicode(0x7F), U'\u0121');  // DEL follows
    EXPECT_EQ(byteToUnicode(0xA0), U'\u0142');  // "ł": 0x80..0xA0 take U+0122..U+0142
    EXPECT_EQ(byteToUnicode(0xAD), U'\u0143');  // soft hyphen is last
}

TEST(ByteLevel, IsABijectionOverAllBytes) {
    std::set<char32_t> seen;
    for (int b = 0; b < 256; ++b)
        seen.insert(byteToUnicode(static_cast<uint8_t>(b)));
    EXPECT_EQ(seen.size(), 256u);
    std::string all;
    for (int b = 0; b < 256; ++b)
        all.push_back(static_cast<char>(b));
    std::string mapped;
    appendByteLevel(all, mapped);
    EXPECT_EQ(byteLevelToBytes(mapped), all);
}

TEST(ByteLevel, RejectsCharactersOutsideTheAlphabet) {
    EXPECT_EQ(byteLevelToBytes("\xC4\xA0the"), std::string(" the"));  // "Ġthe"
    EXPECT_FALSE(byteLevelToBytes(" the").has_value());               // a raw space is not in it
    EXPECT_FALSE(byteLevelToBytes("\xE4\xB8\x80").has_value());       // U+4E00
}

TEST(Utf8, ValidatesShortestFormScalarValues) {
    EXPECT_TRUE(isValidUtf8("a\xC3\xA9\xE4\xB8\x80\xF0\x9F\x98\x80"));
    EXPECT_FALSE(isValidUtf8("\xC0\xAF"));          // overlong '/'
    EXPECT_FALSE(isValidUtf8("\xED\xA0\x80"));      // surrogate
    EXPECT_FALSE(isValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
    EXPECT_FALSE(isValidUtf8("\xE4\xB8"));          // truncated
}

TEST(Utf8, ShowsPartialCharactersAsHexBytes) {
    EXPECT_EQ(bytesForDisplay("\xF0\x9F"), "<0xF0><0x9F>");
    EXPECT_EQ(bytesForDisplay("a\xC3\xA9"), "a\xC3\xA9");
}

TEST(Utf8, ReplacesEachMaximalInvalidSubpartWithOneReplacementCharacter) {
    // As Rust's String::from_utf8_lossy: "\xF0\x9F\x98" is one truncated sequence.
    EXPECT_EQ(bytesToUtf8Lossy("a\xF0\x9F\x98"
                               "b"),
              "a\xEF\xBF\xBD"
              "b");
    EXPECT_EQ(bytesToUtf8Lossy("\x80\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD");
}

}  // namespace
}  // namespace ca::tok
