// Added tokens (tokenizer.json "added_tokens"): strings matched in the text before
// pre-tokenization and given their own id, special or not.
//
// As in tokenizers/src/tokenizer/added_vocabulary.rs: tokens with normalized=false are
// matched on the raw text, the others on the normalised text (their content normalised too);
// matching is leftmost-longest and non-overlapping; single_word rejects a match touching a
// word character; lstrip/rstrip make the match swallow neighbouring white space.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ca::tok {

struct AddedToken {
    int32_t id = 0;
    std::string content;
    bool singleWord = false;
    bool lstrip = false;
    bool rstrip = false;
    bool normalized = true;
    bool special = false;
};

// One piece of a split: either text (a byte range of the subject) or an added token.
struct AddedSplit {
    std::size_t begin;
    std::size_t end;
    int32_t tokenId;  // -1: plain text to pre-tokenize
};

// A leftmost-longest matcher over a set of added tokens (a byte trie).
class AddedTokenMatcher {
public:
    AddedTokenMatcher() = default;
    // `patterns[i]` is what to look for, standing for `tokens[i]` (whose flags apply).
    AddedTokenMatcher(const std::vector<std::string>& patterns, std::vector<AddedToken> tokens);

    bool empty() const { return tokens_.empty(); }

    // Splits `text` into text pieces and added-token pieces covering it (in order; text pieces
    // may be empty only when `text` is). Follows AddedVocabulary::find_matches.
    void split(std::string_view text, std::vector<AddedSplit>& out) const;

private:
    struct Node {
        std::vector<std::pair<uint8_t, int32_t>> children;  // byte -> node index
        int32_t tokenIndex = -1;                            // pattern that ends here
    };
    // Longest pattern starting at `pos`: its token index, and its length in `length`.
    int32_t longestAt(std::string_view text, std::size_t pos, std::size_t& length) const;

    std::vector<Node> nodes_;
    std::vector<AddedToken> tokens_;
    bool firstByte_[256] = {};
};

}  // namespace ca::tok
