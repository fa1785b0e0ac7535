// Split behaviours follow tokenizers/src/tokenizer/normalizer.rs (NormalizedString::split):
// the pattern yields (span, is_match) pieces covering the text; `invert` flips is_match; the
// behaviour then drops or merges pieces; empty pieces are dropped (PreTokenizedString::split).
#include "core/capture/tokenizer/pre_tokenizer.h"

#include "core/capture/tokenizer/byte_level.h"

#include <algorithm>
#include <stdexcept>

namespace ca::tok {
namespace {

struct Span {
    std::size_t begin;
    std::size_t end;
    bool isMatch;
};

// Covers `subject` with match and gap spans (tokenizers/src/tokenizer/pattern.rs).
void coverWithSpans(const std::vector<MatchSpan>& matches, std::size_t size,
                    std::vector<Span>& spans) {
    spans.clear();
    if (size == 0) {
        spans.push_back({0, 0, false});
        return;
    }
    std::size_t prev = 0;
    for (const MatchSpan& m : matches) {
        if (prev != m.begin) spans.push_back({prev, m.begin, false});
        spans.push_back({m.begin, m.end, true});
        prev = m.end;
    }
    if (prev != size) spans.push_back({prev, size, false});
}

// Applies a split behaviour; the result lists the kept (begin, end) ranges.
void applyBehavior(SplitBehavior behavior, const std::vector<Span>& spans,
                   std::vector<MatchSpan>& kept) {
    kept.clear();
    switch (behavior) {
    case SplitBehavior::Isolated:
        for (const Span& s : spans)
            kept.push_back({s.begin, s.end});
        break;
    case SplitBehavior::Removed:
        for (const Span& s : spans)
            if (!s.isMatch) kept.push_back({s.begin, s.end});
        break;
    case SplitBehavior::MergedWithPrevious: {
        bool previousMatch = false;
        for (const Span& s : spans) {
            if (s.isMatch && !previousMatch && !kept.empty())
                kept.back().end = s.end;
            else
                kept.push_back({s.begin, s.end});
            previousMatch = s.isMatch;
        }
        break;
    }
    case SplitBehavior::MergedWithNext: {
        // Walk backwards: a match is glued to the front of the following piece.
        bool previousMatch = false;
        for (auto it = spans.rbegin(); it != spans.rend(); ++it) {
            if (it->isMatch && !previousMatch && !kept.empty())
                kept.back().begin = it->begin;
            else
                kept.push_back({it->begin, it->end});
            previousMatch = it->isMatch;
        }
        std::reverse(kept.begin(), kept.end());
        break;
    }
    case SplitBehavior::Contiguous: {
        bool previousMatch = false;
        for (const Span& s : spans) {
            if (s.isMatch == previousMatch && !kept.empty())
                kept.back().end = s.end;
            else
                kept.push_back({s.begin, s.end});
            previousMatch = s.isMatch;
        }
        break;
    }
    }
}

void splitPieces(const SplitPattern& pattern, SplitBehavior behavior, bool invert,
                 const std::vector<std::string_view>& in, std::vector<std::string_view>& out) {
    thread_local std::vector<MatchSpan> matches;
    thread_local std::vector<Span> spans;
    thread_local std::vector<MatchSpan> kept;
    out.clear();
    for (std::string_view piece : in) {
        pattern.findAll(piece, matches);
        coverWithSpans(matches, piece.size(), spans);
        if (invert)
            for (Span& s : spans)
                s.isMatch = !s.isMatch;
        applyBehavior(behavior, spans, kept);
        for (const MatchSpan& k : kept)
            if (k.end > k.begin) out.push_back(piece.substr(k.begin, k.end - k.begin));
    }
}

}  // namespace

void SplitPattern::findAll(std::string_view subject, std::vector<MatchSpan>& matches) const {
    if (regex) {
        regex->findAll(subject, matches);
        return;
    }
    matches.clear();
    if (literal.empty()) return;  // HF: an empty literal never matches
    std::size_t pos = subject.find(literal);
    while (pos != std::string_view::npos) {
        matches.push_back({pos, pos + literal.size()});
        pos = subject.find(literal, pos + literal.size());
    }
}

const char* PreTokenizer::gpt2Pattern() {
    return R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
}

PreTokenizer::PreTokenizer(std::vector<PreTokenizerStep> steps) : steps_(std::move(steps)) {
    for (const PreTokenizerStep& s : steps_)
        if (s.kind == PreTokenizerStep::Kind::ByteLevel && s.useRegex && !gpt2_)
            gpt2_ = std::make_shared<const SplitRegex>(gpt2Pattern());
}

void PreTokenizer::run(std::string_view text, PieceList& out) const {
    out.clear();
    if (text.empty()) return;
    thread_local std::vector<std::string_view> scratch;
    std::vector<std::string_view>& current = out.pieces;
    current.push_back(text);
    bool mapped = false;          // a ByteLevel step has run
    bool storedAsMapped = false;  // pieces currently hold the mapped characters

    for (const PreTokenizerStep& step : steps_) {
        if (step.kind == PreTokenizerStep::Kind::ByteLevel) {
            if (step.addPrefixSpace) {
                for (std::string_view& p : current)
                    if (p.front() != ' ') p = out.own(" " + std::string(p));
            }
            if (step.useRegex) {
                SplitPattern gpt2{gpt2_, {}};
                splitPieces(gpt2, SplitBehavior::Isolated, false, current, scratch);
                current.swap(scratch);
            }
            mapped = true;
            continue;
        }
        if (mapped && !storedAsMapped) {
            for (std::string_view& p : current) {
                std::string m;
                appendByteLevel(p, m);
                p = out.own(std::move(m));
            }
            storedAsMapped = true;
        }
        splitPieces(step.pattern, step.behavior, step.invert, current, scratch);
        current.swap(scratch);
    }
    if (storedAsMapped) {
        for (std::string_view& p : current) {
            auto raw = byteLevelToBytes(p);
            if (!raw) throw std::logic_error("byte-level piece does not map back to bytes");
            p = out.own(std::move(*raw));
        }
    }
}

}  // namespace ca::tok
