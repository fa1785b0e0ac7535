// Unicode normalisers a tokenizer.json may declare ("NFC", "NFD", "NFKC", "NFKD", or a
// "Sequence" of them), applied with ICU. Other normaliser types are rejected when loading.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ca::tok {

enum class NormalForm { NFC, NFD, NFKC, NFKD };

class Normalizer {
public:
    Normalizer() = default;  // the identity
    explicit Normalizer(std::vector<NormalForm> steps) : steps_(std::move(steps)) {}

    bool isIdentity() const { return steps_.empty(); }
    const std::vector<NormalForm>& steps() const { return steps_; }

    // Normalises valid UTF-8 `text`. Returns false (and leaves `out` untouched) when the text is
    // already in the normal form, so callers can keep using the original bytes.
    bool normalize(std::string_view text, std::string& out) const;

    // Convenience: the normalised text.
    std::string apply(std::string_view text) const;

private:
    std::vector<NormalForm> steps_;
};

// Character classes the added-token rules use, with the Unicode definitions of Rust's `regex`
// crate (which Hugging Face uses for them): White_Space, and \w = Alphabetic, Mark,
// Decimal_Number, Connector_Punctuation, Join_Control.
bool isUnicodeWhiteSpace(char32_t cp);
bool isUnicodeWordChar(char32_t cp);

}  // namespace ca::tok
