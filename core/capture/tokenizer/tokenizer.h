// A byte-level BPE tokenizer loaded from a Hugging Face tokenizer.json, giving the ids the
// Hugging Face `tokenizers` library gives (see docs/tokenizer.md for what is supported).
//
//   auto tok = ca::tok::Tokenizer::fromFile("/models/Qwen3-30B-A3B");  // dir or tokenizer.json
//   std::vector<int32_t> ids = tok.encode("Question: ...", /*addSpecialTokens=*/false);
//   std::string piece = tok.decodePiece(ids[0]);                       // for display
//
// Pipeline of encode(): added tokens are cut out of the raw text (normalized=false ones) and
// of the normalised text (the others); each remaining piece is normalised (NFC...),
// pre-tokenized (Split regexes, ByteLevel), and merged by the BPE model; with
// addSpecialTokens the post-processor (TemplateProcessing: BOS/EOS) wraps the result.
//
// Thread safety: a loaded Tokenizer is immutable apart from an internal, locked word cache;
// encode() may be called from several threads at once.
#pragma once

#include "core/capture/tokenizer/added_tokens.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ca::tok {

class Tokenizer {
public:
    // Loads `path`: a tokenizer.json, or a model directory holding one. A tokenizer_config.json
    // next to it is read for the BOS/EOS rules of Llama-class tokenizers (DeepSeek-V2).
    // Throws ca::InputError naming the file and the problem.
    static Tokenizer fromFile(const std::string& path);

    // Loads from JSON text; `sourceName` names it in errors. `tokenizerConfigJson` is the
    // optional tokenizer_config.json text.
    static Tokenizer fromJson(std::string_view tokenizerJson, const std::string& sourceName,
                              std::string_view tokenizerConfigJson = {});

    Tokenizer(Tokenizer&&) noexcept;
    Tokenizer& operator=(Tokenizer&&) noexcept;
    ~Tokenizer();

    // Token ids of `text` (UTF-8; invalid UTF-8 throws ca::InputError). Without
    // `addSpecialTokens` nothing is added; added/special token strings inside the text are still
    // recognised, as in Hugging Face. With it, the post-processor's tokens (e.g. DeepSeek's BOS
    // 100000) are added.
    std::vector<int32_t> encode(std::string_view text, bool addSpecialTokens = false) const;

    // The text of one token for display: an added token's content, or a vocab token's bytes.
    // Bytes that are not a whole UTF-8 character (a token holding part of one) are shown as
    // "<0xNN>". Unknown ids give "<unk:ID>".
    std::string decodePiece(int32_t id) const;
    // The exact bytes a token stands for (nullopt for an unknown id).
    std::optional<std::string> pieceBytes(int32_t id) const;
    // Decodes a whole sequence: bytes concatenated, invalid UTF-8 replaced by U+FFFD (as the
    // ByteLevel decoder does). Unknown ids are skipped.
    std::string decode(std::span<const int32_t> ids, bool skipSpecialTokens = false) const;

    // Vocabulary lookups in the tokenizer.json spelling (byte-level, e.g. "Ġthe").
    std::optional<int32_t> tokenToId(std::string_view token) const;
    std::optional<std::string> idToToken(int32_t id) const;

    const std::vector<AddedToken>& addedTokens() const;
    std::vector<AddedToken> specialTokens() const;
    bool isSpecial(int32_t id) const;
    // One more than the largest id (vocab and added tokens).
    int32_t idLimit() const;
    std::size_t mergeCount() const;
    // The ids the post-processor puts before / after the text with addSpecialTokens.
    std::vector<int32_t> specialPrefix() const;
    std::vector<int32_t> specialSuffix() const;
    // Empties the internal word cache (ids do not depend on it; benchmarks do).
    void clearCache() const;
    // Where it was loaded from.
    const std::string& source() const;

    struct Impl;

private:
    explicit Tokenizer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace ca::tok
