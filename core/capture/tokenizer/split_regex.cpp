#include "core/capture/tokenizer/split_regex.h"

#include "core/capture/tokenizer/utf8.h"

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>

#include <stdexcept>

namespace ca::tok {
namespace {

// Unicode White_Space (PropList.txt), the set Oniguruma's \s matches, as class items.
constexpr const char* kWhiteSpaceItems =
    "\\t\\n\\x0B\\f\\r\\x20\\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}"
    "\\x{202F}\\x{205F}\\x{3000}";
constexpr const char* kHexDigitItems = "0-9A-Fa-f";

// Per-thread PCRE2 state: match data for one ovector pair, and a match context carrying a
// JIT stack and limits so that a pathological pattern fails instead of hanging.
struct ThreadMatchState {
    pcre2_match_data* data = nullptr;
    pcre2_match_context* context = nullptr;
    pcre2_jit_stack* jitStack = nullptr;

    ThreadMatchState() {
        data = pcre2_match_data_create(1, nullptr);
        context = pcre2_match_context_create(nullptr);
        jitStack = pcre2_jit_stack_create(32 * 1024, 4 * 1024 * 1024, nullptr);
        if (context != nullptr) {
            pcre2_set_match_limit(context, 50'000'000);
            pcre2_set_depth_limit(context, 1'000'000);
            pcre2_set_heap_limit(context, 256 * 1024);  // KiB
            if (jitStack != nullptr) pcre2_jit_stack_assign(context, nullptr, jitStack);
        }
        if (data == nullptr || context == nullptr) throw std::bad_alloc();
    }
    ~ThreadMatchState() {
        pcre2_match_data_free(data);
        pcre2_match_context_free(context);
        if (jitStack != nullptr) pcre2_jit_stack_free(jitStack);
    }
};

ThreadMatchState& threadState() {
    thread_local ThreadMatchState state;
    return state;
}

std::string pcre2Message(int code) {
    PCRE2_UCHAR buffer[256];
    if (pcre2_get_error_message(code, buffer, sizeof buffer) < 0)
        return "error " + std::to_string(code);
    return reinterpret_cast<const char*>(buffer);
}

}  // namespace

std::string onigurumaToPcre2(std::string_view p) {
    std::string out;
    out.reserve(p.size() + 64);
    bool inClass = false;
    std::size_t i = 0;
    while (i < p.size()) {
        const char c = p[i];
        if (c == '\\' && i + 1 < p.size()) {
            const char e = p[i + 1];
            if (e == 's') {
                out += inClass ? std::string(kWhiteSpaceItems)
                               : "[" + std::string(kWhiteSpaceItems) + "]";
            } else if (e == 'S' && !inClass) {
                out += "[^" + std::string(kWhiteSpaceItems) + "]";
            } else if (e == 'h') {
                out +=
                    inClass ? std::string(kHexDigitItems) : "[" + std::string(kHexDigitItems) + "]";
            } else if (e == 'H' && !inClass) {
                out += "[^" + std::string(kHexDigitItems) + "]";
            } else {
                out += c;
                out += e;
            }
            i += 2;
            continue;
        }
        if (!inClass && c == '[') {
            inClass = true;
            out += c;
            ++i;
            // A ']' right after '[' or '[^' is a literal member, not the end of the class.
            if (i < p.size() && p[i] == '^') out += p[i++];
            if (i < p.size() && p[i] == ']') out += p[i++];
            continue;
        }
        if (inClass && c == '[' && i + 1 < p.size() && p[i + 1] == ':') {
            // POSIX bracket such as [:alpha:]: copy through its closing ":]".
            const std::size_t close = p.find(":]", i + 2);
            if (close != std::string_view::npos) {
                out.append(p.substr(i, close + 2 - i));
                i = close + 2;
                continue;
            }
        }
        if (inClass && c == ']') inClass = false;
        out += c;
        ++i;
    }
    return out;
}

SplitRegex::SplitRegex(const std::string& onigurumaPattern) : original_(onigurumaPattern) {
    const std::string translated = onigurumaToPcre2(onigurumaPattern);
    pcre2_compile_context* cctx = pcre2_compile_context_create(nullptr);
    if (cctx == nullptr) throw std::bad_alloc();
    pcre2_set_newline(cctx, PCRE2_NEWLINE_LF);
    int error = 0;
    PCRE2_SIZE offset = 0;
    code_ = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(translated.data()), translated.size(),
                          PCRE2_UTF | PCRE2_UCP | PCRE2_MULTILINE, &error, &offset, cctx);
    pcre2_compile_context_free(cctx);
    if (code_ == nullptr)
        throw std::invalid_argument("regex " + onigurumaPattern +
                                    " does not compile: " + pcre2Message(error));
    jit_ = pcre2_jit_compile(code_, PCRE2_JIT_COMPLETE) == 0;
}

SplitRegex::~SplitRegex() {
    pcre2_code_free(code_);
}

void SplitRegex::findAll(std::string_view subject, std::vector<MatchSpan>& matches) const {
    matches.clear();
    ThreadMatchState& st = threadState();
    const auto* s = reinterpret_cast<PCRE2_SPTR>(subject.data());
    std::size_t start = 0;
    std::size_t lastEnd = static_cast<std::size_t>(-1);
    while (start <= subject.size()) {
        int rc = jit_ ? pcre2_jit_match(code_, s, subject.size(), start, 0, st.data, st.context)
                      : pcre2_match(code_, s, subject.size(), start, PCRE2_NO_UTF_CHECK, st.data,
                                    st.context);
        if (rc == PCRE2_ERROR_NOMATCH) break;
        if (rc < 0)
            throw RegexMatchError("regex " + original_ +
                                  " failed on the text: " + pcre2Message(rc));
        const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(st.data);
        const std::size_t b = ov[0];
        const std::size_t e = ov[1];
        if (b == e) {
            // Empty match: report it unless it touches the previous match, then step one char.
            if (b != lastEnd) matches.push_back({b, e});
            if (e >= subject.size()) break;
            const std::size_t n = utf8SequenceLength(subject, e);
            start = e + (n == 0 ? 1 : n);
        } else {
            matches.push_back({b, e});
            start = e;
        }
        lastEnd = e;
    }
}

}  // namespace ca::tok
