#include "core/capture/tokenizer/normalizer.h"

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>
#include <unicode/uchar.h>

#include <stdexcept>

namespace ca::tok {
namespace {

const icu::Normalizer2& icuNormalizer(NormalForm form) {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* n = nullptr;
    switch (form) {
    case NormalForm::NFC:
        n = icu::Normalizer2::getNFCInstance(status);
        break;
    case NormalForm::NFD:
        n = icu::Normalizer2::getNFDInstance(status);
        break;
    case NormalForm::NFKC:
        n = icu::Normalizer2::getNFKCInstance(status);
        break;
    case NormalForm::NFKD:
        n = icu::Normalizer2::getNFKDInstance(status);
        break;
    }
    if (U_FAILURE(status) || n == nullptr)
        throw std::runtime_error(std::string("ICU normaliser unavailable: ") + u_errorName(status));
    return *n;
}

bool isAscii(std::string_view text) {
    for (char c : text)
        if (static_cast<unsigned char>(c) >= 0x80) return false;
    return true;
}

// Runs one normal form; returns false when `in` is already normalised.
bool normalizeOnce(NormalForm form, std::string_view in, std::string& out) {
    const icu::Normalizer2& n = icuNormalizer(form);
    const icu::StringPiece piece(in.data(), static_cast<int32_t>(in.size()));
    UErrorCode status = U_ZERO_ERROR;
    if (n.isNormalizedUTF8(piece, status) && U_SUCCESS(status)) return false;
    status = U_ZERO_ERROR;
    std::string result;
    icu::StringByteSink<std::string> sink(&result, static_cast<int32_t>(in.size()));
    n.normalizeUTF8(0, piece, sink, nullptr, status);
    if (U_FAILURE(status))
        throw std::runtime_error(std::string("ICU normalisation failed: ") + u_errorName(status));
    out = std::move(result);
    return true;
}

}  // namespace

bool Normalizer::normalize(std::string_view text, std::string& out) const {
    // ASCII is invariant under all four forms; most prompt text takes this path.
    if (steps_.empty() || isAscii(text)) return false;
    bool changed = false;
    std::string current;
    for (NormalForm form : steps_) {
        std::string next;
        const std::string_view in = changed ? std::string_view(current) : text;
        if (normalizeOnce(form, in, next)) {
            current = std::move(next);
            changed = true;
        }
    }
    if (changed) out = std::move(current);
    return changed;
}

std::string Normalizer::apply(std::string_view text) const {
    std::string out;
    return normalize(text, out) ? out : std::string(text);
}

bool isUnicodeWhiteSpace(char32_t cp) {
    return u_hasBinaryProperty(static_cast<UChar32>(cp), UCHAR_WHITE_SPACE);
}

bool isUnicodeWordChar(char32_t cp) {
    const auto c = static_cast<UChar32>(cp);
    if (u_hasBinaryProperty(c, UCHAR_ALPHABETIC) || u_hasBinaryProperty(c, UCHAR_JOIN_CONTROL))
        return true;
    const int32_t mask = U_GET_GC_MASK(c);
    return (mask & (U_GC_M_MASK | U_GC_ND_MASK | U_GC_PC_MASK)) != 0;
}

}  // namespace ca::tok
