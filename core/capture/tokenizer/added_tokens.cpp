#include "core/capture/tokenizer/added_tokens.h"

#include "core/capture/tokenizer/normalizer.h"
#include "core/capture/tokenizer/utf8.h"

#include <algorithm>

namespace ca::tok {
namespace {

// The code point that ends at byte `end` (exclusive) of valid UTF-8 `text`.
char32_t lastCodePoint(std::string_view text, std::size_t end) {
    std::size_t start = end - 1;
    while (start > 0 && (static_cast<uint8_t>(text[start]) & 0xC0) == 0x80)
        --start;
    return utf8DecodeAt(text, start, end - start);
}

char32_t firstCodePoint(std::string_view text, std::size_t begin) {
    const std::size_t n = utf8SequenceLength(text, begin);
    return utf8DecodeAt(text, begin, n == 0 ? 1 : n);
}

// Start of the run of white space that ends at `end` (HF: `\s*$` on text[..end]).
std::size_t whiteSpaceRunStart(std::string_view text, std::size_t end) {
    std::size_t pos = end;
    while (pos > 0) {
        std::size_t start = pos - 1;
        while (start > 0 && (static_cast<uint8_t>(text[start]) & 0xC0) == 0x80)
            --start;
        if (!isUnicodeWhiteSpace(utf8DecodeAt(text, start, pos - start))) break;
        pos = start;
    }
    return pos;
}

// End of the run of white space that starts at `begin` (HF: `^\s*` on text[begin..]).
std::size_t whiteSpaceRunEnd(std::string_view text, std::size_t begin) {
    std::size_t pos = begin;
    while (pos < text.size()) {
        const std::size_t n = utf8SequenceLength(text, pos);
        if (n == 0 || !isUnicodeWhiteSpace(utf8DecodeAt(text, pos, n))) break;
        pos += n;
    }
    return pos;
}

}  // namespace

AddedTokenMatcher::AddedTokenMatcher(const std::vector<std::string>& patterns,
                                     std::vector<AddedToken> tokens)
    : tokens_(std::move(tokens)) {
    nodes_.emplace_back();
    for (std::size_t t = 0; t < patterns.size(); ++t) {
        const std::string& p = patterns[t];
        if (p.empty()) continue;
        firstByte_[static_cast<uint8_t>(p[0])] = true;
        int32_t node = 0;
        for (char c : p) {
            const auto b = static_cast<uint8_t>(c);
            auto& kids = nodes_[node].children;
            auto it =
                std::find_if(kids.begin(), kids.end(), [b](const auto& e) { return e.first == b; });
            if (it != kids.end()) {
                node = it->second;
            } else {
                const auto child = static_cast<int32_t>(nodes_.size());
                nodes_[node].children.emplace_back(b, child);
                nodes_.emplace_back();
                node = child;
            }
        }
        // Two patterns with the same text: the first one listed wins (aho-corasick keeps the
        // lowest pattern index among equal matches).
        if (nodes_[node].tokenIndex < 0) nodes_[node].tokenIndex = static_cast<int32_t>(t);
    }
}

int32_t AddedTokenMatcher::longestAt(std::string_view text, std::size_t pos,
                                     std::size_t& length) const {
    int32_t best = -1;
    int32_t node = 0;
    for (std::size_t i = pos; i < text.size(); ++i) {
        const auto b = static_cast<uint8_t>(text[i]);
        const auto& kids = nodes_[node].children;
        auto it =
            std::find_if(kids.begin(), kids.end(), [b](const auto& e) { return e.first == b; });
        if (it == kids.end()) break;
        node = it->second;
        if (nodes_[node].tokenIndex >= 0) {
            best = nodes_[node].tokenIndex;
            length = i + 1 - pos;
        }
    }
    return best;
}

void AddedTokenMatcher::split(std::string_view text, std::vector<AddedSplit>& out) const {
    out.clear();
    if (text.empty()) {
        out.push_back({0, 0, -1});
        return;
    }
    std::size_t startOffset = 0;  // end of the previous split
    std::size_t searchFrom = 0;   // where the automaton resumes (end of the previous raw match)
    while (searchFrom < text.size() && !tokens_.empty()) {
        // Leftmost match, then longest at that position.
        std::size_t start = searchFrom;
        std::size_t length = 0;
        int32_t index = -1;
        for (; start < text.size(); ++start) {
            if (!firstByte_[static_cast<uint8_t>(text[start])]) continue;
            index = longestAt(text, start, length);
            if (index >= 0) break;
        }
        if (index < 0) break;
        std::size_t stop = start + length;
        searchFrom = stop;
        const AddedToken& token = tokens_[index];
        if (token.singleWord) {
            const bool startSpace = start == 0 || !isUnicodeWordChar(lastCodePoint(text, start));
            const bool stopSpace =
                stop == text.size() || !isUnicodeWordChar(firstCodePoint(text, stop));
            if (!startSpace || !stopSpace) continue;
        }
        if (token.lstrip) start = std::max(whiteSpaceRunStart(text, start), startOffset);
        if (token.rstrip) stop = whiteSpaceRunEnd(text, stop);
        if (startOffset < start) out.push_back({startOffset, start, -1});
        out.push_back({start, stop, token.id});
        startOffset = stop;
    }
    if (startOffset != text.size()) out.push_back({startOffset, text.size(), -1});
}

}  // namespace ca::tok
