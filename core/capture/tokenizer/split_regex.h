// A pre-tokenizer regex: PCRE2 (UTF + UCP, JIT) configured to behave like the Oniguruma
// engine the Hugging Face tokenizers library compiles these patterns with.
//
// Differences handled (see onigurumaToPcre2 in the .cpp):
//  - \s / \S: Oniguruma uses the Unicode White_Space property; PCRE2's UCP \s also matches
//    U+180E. \s is rewritten to the explicit White_Space set.
//  - \h / \H: a hex digit in Oniguruma, horizontal space in PCRE2; rewritten.
//  - ^ and $ are line anchors in Oniguruma's default syntax (PCRE2_MULTILINE, newline = LF).
// Known remaining differences: \S inside a character class, \w/\b (Oniguruma's Word set adds
// marks and drops No/Nl digits), nested classes, and each library's Unicode version.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

struct pcre2_real_code_8;

namespace ca::tok {

// A match that PCRE2 gave up on (backtracking or memory limits): the pattern is pathological.
struct RegexMatchError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct MatchSpan {
    std::size_t begin;
    std::size_t end;
};

class SplitRegex {
public:
    // Throws std::invalid_argument with PCRE2's message when the pattern does not compile.
    explicit SplitRegex(const std::string& onigurumaPattern);
    ~SplitRegex();
    SplitRegex(const SplitRegex&) = delete;
    SplitRegex& operator=(const SplitRegex&) = delete;

    const std::string& pattern() const { return original_; }

    // All non-overlapping matches in `subject`, left to right, as Rust's find_iter reports them
    // (an empty match right after the previous match is skipped). `subject` must be valid UTF-8.
    // Throws RegexMatchError when the match exceeds PCRE2's backtracking limits.
    void findAll(std::string_view subject, std::vector<MatchSpan>& matches) const;

private:
    std::string original_;
    pcre2_real_code_8* code_ = nullptr;
    bool jit_ = false;
};

// The translated pattern (exposed for tests and error messages).
std::string onigurumaToPcre2(std::string_view pattern);

}  // namespace ca::tok
