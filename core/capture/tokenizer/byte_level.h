// The GPT-2 byte-to-unicode map that byte-level BPE vocabularies are written in.
//
// Every byte 0..255 is given a printable character: the printable Latin-1 bytes map to
// themselves, the others (controls, space, 0x7F-0xA0, 0xAD) to U+0100 onwards in byte order.
// So "Ġ" (U+0120) is the space byte and "Ċ" (U+010A) is the newline byte. Vocabulary entries
// are strings of these characters; the tokenizer works on the raw bytes they stand for.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ca::tok {

// The character (code point) that stands for `byte` in byte-level vocabularies.
char32_t byteToUnicode(uint8_t byte);

// Appends the byte-level spelling (UTF-8) of each byte of `bytes` to `out`.
void appendByteLevel(std::string_view bytes, std::string& out);

// The raw bytes a byte-level spelled string stands for; nullopt when `text` holds a character
// outside the 256-character alphabet (such a string is not a byte-level token) or is not UTF-8.
std::optional<std::string> byteLevelToBytes(std::string_view text);

}  // namespace ca::tok
