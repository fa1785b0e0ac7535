// UTF-8 validation follows the Unicode Standard's table of well-formed byte sequences
// (chapter 3, table 3-7): second-byte ranges exclude overlongs, surrogates and > U+10FFFF.
#include "core/capture/tokenizer/utf8.h"

#include <cstdio>

namespace ca::tok {
namespace {

// For a lead byte: the sequence length and the allowed range of the second byte.
struct LeadInfo {
    std::size_t length;
    uint8_t secondLow;
    uint8_t secondHigh;
};

LeadInfo leadInfo(uint8_t b) {
    if (b < 0x80) return {1, 0, 0};
    if (b >= 0xC2 && b <= 0xDF) return {2, 0x80, 0xBF};
    if (b == 0xE0) return {3, 0xA0, 0xBF};
    if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF) return {3, 0x80, 0xBF};
    if (b == 0xED) return {3, 0x80, 0x9F};
    if (b == 0xF0) return {4, 0x90, 0xBF};
    if (b >= 0xF1 && b <= 0xF3) return {4, 0x80, 0xBF};
    if (b == 0xF4) return {4, 0x80, 0x8F};
    return {0, 0, 0};  // 0x80..0xC1, 0xF5..0xFF never start a sequence
}

// How many bytes from `pos` form a prefix of a well-formed sequence (at least 1): the
// "maximal subpart" that Unicode (and Rust's from_utf8_lossy) replace by one U+FFFD.
std::size_t maximalSubpart(std::string_view text, std::size_t pos) {
    const auto lead = static_cast<uint8_t>(text[pos]);
    const LeadInfo info = leadInfo(lead);
    if (info.length <= 1) return 1;
    std::size_t n = 1;
    for (std::size_t k = 1; k < info.length && pos + k < text.size(); ++k) {
        const auto b = static_cast<uint8_t>(text[pos + k]);
        const bool ok =
            k == 1 ? (b >= info.secondLow && b <= info.secondHigh) : (b >= 0x80 && b <= 0xBF);
        if (!ok) break;
        ++n;
    }
    return n;
}

}  // namespace

std::size_t utf8SequenceLength(std::string_view text, std::size_t pos) {
    if (pos >= text.size()) return 0;
    const auto lead = static_cast<uint8_t>(text[pos]);
    if (lead < 0x80) return 1;
    const LeadInfo info = leadInfo(lead);
    if (info.length == 0 || pos + info.length > text.size()) return 0;
    const auto second = static_cast<uint8_t>(text[pos + 1]);
    if (second < info.secondLow || second > info.secondHigh) return 0;
    for (std::size_t k = 2; k < info.length; ++k) {
        const auto b = static_cast<uint8_t>(text[pos + k]);
        if (b < 0x80 || b > 0xBF) return 0;
    }
    return info.length;
}

bool isValidUtf8(std::string_view text) {
    std::size_t pos = 0;
    while (pos < text.size()) {
        if (static_cast<uint8_t>(text[pos]) < 0x80) {
            ++pos;
            continue;
        }
        const std::size_t n = utf8SequenceLength(text, pos);
        if (n == 0) return false;
        pos += n;
    }
    return true;
}

char32_t utf8DecodeAt(std::string_view text, std::size_t pos, std::size_t length) {
    const auto b = [&](std::size_t k) {
        return static_cast<char32_t>(static_cast<uint8_t>(text[pos + k]));
    };
    switch (length) {
    case 1:
        return b(0);
    case 2:
        return ((b(0) & 0x1F) << 6) | (b(1) & 0x3F);
    case 3:
        return ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
    default:
        return ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
    }
}

void appendUtf8(char32_t cp, std::string& out) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

std::string bytesForDisplay(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size());
    std::size_t pos = 0;
    while (pos < bytes.size()) {
        const std::size_t n = utf8SequenceLength(bytes, pos);
        if (n > 0) {
            out.append(bytes.substr(pos, n));
            pos += n;
        } else {
            char hex[8];
            std::snprintf(hex, sizeof hex, "<0x%02X>",
                          static_cast<unsigned>(static_cast<uint8_t>(bytes[pos])));
            out += hex;
            ++pos;
        }
    }
    return out;
}

std::string bytesToUtf8Lossy(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size());
    std::size_t pos = 0;
    while (pos < bytes.size()) {
        const std::size_t n = utf8SequenceLength(bytes, pos);
        if (n > 0) {
            out.append(bytes.substr(pos, n));
            pos += n;
        } else {
            out += "\xEF\xBF\xBD";
            pos += maximalSubpart(bytes, pos);
        }
    }
    return out;
}

}  // namespace ca::tok
