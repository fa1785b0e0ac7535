// Small UTF-8 helpers the tokenizer needs at its boundaries (validation, stepping, display).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ca::tok {

// Length in bytes of the well-formed UTF-8 sequence starting at text[pos] (1..4), or 0 when the
// bytes there are not a complete, shortest-form encoding of a scalar value (no surrogates).
std::size_t utf8SequenceLength(std::string_view text, std::size_t pos);

// True when `text` is entirely well-formed UTF-8.
bool isValidUtf8(std::string_view text);

// Decodes the well-formed sequence at text[pos] (caller checked its length).
char32_t utf8DecodeAt(std::string_view text, std::size_t pos, std::size_t length);

// Appends the UTF-8 encoding of `cp` to `out`.
void appendUtf8(char32_t cp, std::string& out);

// A printable rendering of arbitrary bytes: well-formed UTF-8 is kept as is; every byte that is
// not part of a well-formed sequence (a token holding half a character) becomes "<0xNN>".
std::string bytesForDisplay(std::string_view bytes);

// Arbitrary bytes made valid UTF-8 the way Rust's String::from_utf8_lossy (and so the Hugging
// Face decoders) do it: each maximal invalid prefix becomes one U+FFFD.
std::string bytesToUtf8Lossy(std::string_view bytes);

}  // namespace ca::tok
