// The pre-tokenizer pipeline of a byte-level BPE tokenizer.json: Split (regex or literal, with
// the five Hugging Face split behaviours and `invert`), Digits, and ByteLevel (optional prefix
// space, optional GPT-2 regex split, then the byte-to-unicode mapping), run in sequence.
//
// Pieces are kept as raw UTF-8 bytes: the byte-level mapping is a bijection, so the BPE model
// works on raw bytes with a vocabulary converted once at load. Only when a step after ByteLevel
// must see the mapped characters are they materialised (and converted back at the end).
#pragma once

#include "core/capture/tokenizer/split_regex.h"

#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ca::tok {

enum class SplitBehavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };

// Where a split pattern matches: a regex, or a literal string (HF's SplitPattern::String).
struct SplitPattern {
    std::shared_ptr<const SplitRegex> regex;  // null: use `literal`
    std::string literal;

    void findAll(std::string_view subject, std::vector<MatchSpan>& matches) const;
};

struct PreTokenizerStep {
    enum class Kind { Split, ByteLevel };
    Kind kind = Kind::Split;
    // Split (Digits is a Split on \p{N}: Isolated when individual_digits, else Contiguous).
    SplitPattern pattern;
    SplitBehavior behavior = SplitBehavior::Isolated;
    bool invert = false;
    // ByteLevel
    bool addPrefixSpace = false;
    bool useRegex = true;
};

// The pieces one text segment is split into. Views point into the segment or into `owned`.
struct PieceList {
    std::vector<std::string_view> pieces;
    std::deque<std::string> owned;

    void clear() {
        pieces.clear();
        owned.clear();
    }
    std::string_view own(std::string s) {
        owned.push_back(std::move(s));
        return owned.back();
    }
};

class PreTokenizer {
public:
    // `steps` must contain exactly one ByteLevel step (checked by the loader).
    explicit PreTokenizer(std::vector<PreTokenizerStep> steps);

    const std::vector<PreTokenizerStep>& steps() const { return steps_; }

    // Splits `text` (already normalised, valid UTF-8) into raw-byte pieces, in order, none empty.
    void run(std::string_view text, PieceList& out) const;

    // The regex the ByteLevel pre-tokenizer uses when use_regex is true (GPT-2's).
    static const char* gpt2Pattern();

private:
    std::vector<PreTokenizerStep> steps_;
    std::shared_ptr<const SplitRegex> gpt2_;
};

}  // namespace ca::tok
