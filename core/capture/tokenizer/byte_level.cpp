// The GPT-2 bytes_to_unicode table, computed rather than listed: bytes that are printable in
// Latin-1 ('!'..'~', 0xA1..0xAC, 0xAE..0xFF) keep their code point; the remaining 68 bytes get
// U+0100, U+0101, ... in increasing byte order.
#include "core/capture/tokenizer/byte_level.h"

#include "core/capture/tokenizer/utf8.h"

#include <array>

namespace ca::tok {
namespace {

bool keepsItsCodePoint(unsigned b) {
    return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
}

struct ByteLevelTables {
    std::array<char32_t, 256> byteToChar{};
    std::array<std::string, 256> byteToUtf8{};
    // Inverse for code points below 0x200 (the whole image lies there); -1 = not in alphabet.
    std::array<int, 0x200> charToByte{};

    ByteLevelTables() {
        charToByte.fill(-1);
        char32_t next = 0x100;
        for (unsigned b = 0; b < 256; ++b) {
            byteToChar[b] = keepsItsCodePoint(b) ? static_cast<char32_t>(b) : next++;
            appendUtf8(byteToChar[b], byteToUtf8[b]);
            charToByte[byteToChar[b]] = static_cast<int>(b);
        }
    }
};

const ByteLevelTables& tables() {
    static const ByteLevelTables t;
    return t;
}

}  // namespace

char32_t byteToUnicode(uint8_t byte) {
    return tables().byteToChar[byte];
}

void appendByteLevel(std::string_view bytes, std::string& out) {
    const auto& t = tables();
    for (char c : bytes)
        out += t.byteToUtf8[static_cast<uint8_t>(c)];
}

std::optional<std::string> byteLevelToBytes(std::string_view text) {
    const auto& t = tables();
    std::string out;
    out.reserve(text.size());
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t n = utf8SequenceLength(text, pos);
        if (n == 0) return std::nullopt;
        const char32_t cp = utf8DecodeAt(text, pos, n);
        if (cp >= t.charToByte.size() || t.charToByte[cp] < 0) return std::nullopt;
        out.push_back(static_cast<char>(t.charToByte[cp]));
        pos += n;
    }
    return out;
}

}  // namespace ca::tok
