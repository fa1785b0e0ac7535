#include "core/io/authors_table.h"

#include "core/io/csv.h"
#include "core/io/xlsx_sheet.h"
#include "core/util/input_error.h"
#include "core/util/python_format.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <vector>

namespace ca::authors {

namespace {

// ---------------------------------------------------------------------------
// Python string helpers
// ---------------------------------------------------------------------------

// Length of the Python whitespace character (str.isspace()) at the start of `s`, or 0.
size_t pySpaceAt(std::string_view s) {
    if (s.empty()) return 0;
    const auto b0 = static_cast<unsigned char>(s[0]);
    if (b0 == ' ' || (b0 >= 0x09 && b0 <= 0x0D) || (b0 >= 0x1C && b0 <= 0x1F)) return 1;
    auto b = [&](size_t i) { return i < s.size() ? static_cast<unsigned char>(s[i]) : 0u; };
    if (b0 == 0xC2 && (b(1) == 0x85 || b(1) == 0xA0)) return 2;
    if (b0 == 0xE1 && b(1) == 0x9A && b(2) == 0x80) return 3;  // U+1680
    if (b0 == 0xE2 && b(1) == 0x80 &&
        ((b(2) >= 0x80 && b(2) <= 0x8A) || b(2) == 0xA8 || b(2) == 0xA9 || b(2) == 0xAF))
        return 3;  // U+2000..200A, U+2028, U+2029, U+202F
    if (b0 == 0xE2 && b(1) == 0x81 && b(2) == 0x9F) return 3;  // U+205F
    if (b0 == 0xE3 && b(1) == 0x80 && b(2) == 0x80) return 3;  // U+3000
    return 0;
}

// Length of a Python whitespace character ending `s`, or 0.
size_t pySpaceBefore(std::string_view s) {
    for (size_t len = 1; len <= 3 && len <= s.size(); ++len)
        if (pySpaceAt(s.substr(s.size() - len)) == len) return len;
    return 0;
}

// str.strip()
std::string_view pyStrip(std::string_view s) {
    while (size_t n = pySpaceAt(s)) s.remove_prefix(n);
    while (size_t n = pySpaceBefore(s)) s.remove_suffix(n);
    return s;
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

// Reads digit (["_"] digit)* at `pos`, appending the digits to `out`. Returns false when
// there is no digit at `pos`; a trailing or doubled underscore ends the run early.
bool readDigitPart(std::string_view s, size_t& pos, std::string& out) {
    if (pos >= s.size() || !isDigit(s[pos])) return false;
    out += s[pos++];
    while (pos < s.size()) {
        if (isDigit(s[pos])) {
            out += s[pos++];
        } else if (s[pos] == '_' && pos + 1 < s.size() && isDigit(s[pos + 1])) {
            out += s[pos + 1];
            pos += 2;
        } else {
            break;
        }
    }
    return true;
}

enum class IntParse { Ok, Invalid, OutOfRange };

IntParse digitsToInt64(std::string_view digits, bool negative, int64_t& out) {
    uint64_t magnitude = 0;
    for (char c : digits) {
        const auto d = static_cast<uint64_t>(c - '0');
        if (magnitude > (std::numeric_limits<uint64_t>::max() - d) / 10) return IntParse::OutOfRange;
        magnitude = magnitude * 10 + d;
    }
    const uint64_t limit = negative ? (uint64_t{1} << 63) : (uint64_t{1} << 63) - 1;
    if (magnitude > limit) return IntParse::OutOfRange;
    out = negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude);
    return IntParse::Ok;
}

// int(text) for a str.
IntParse pyIntFromString(std::string_view text, int64_t& out) {
    std::string_view s = pyStrip(text);
    bool negative = false;
    if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
        negative = s[0] == '-';
        s.remove_prefix(1);
    }
    size_t pos = 0;
    std::string digits;
    if (!readDigitPart(s, pos, digits) || pos != s.size()) return IntParse::Invalid;
    return digitsToInt64(digits, negative, out);
}

// Reads a decimal float [digitpart] ["." [digitpart]] [exponent] (at least one digit in
// the mantissa) as plain text for strtod. Returns false if `s` is not exactly that.
bool readDecimalFloat(std::string_view s, std::string& plain) {
    size_t pos = 0;
    const bool int_digits = readDigitPart(s, pos, plain);
    bool frac_digits = false;
    if (pos < s.size() && s[pos] == '.') {
        plain += '.';
        ++pos;
        frac_digits = readDigitPart(s, pos, plain);
    }
    if (!int_digits && !frac_digits) return false;
    if (pos < s.size() && (s[pos] == 'e' || s[pos] == 'E')) {
        plain += 'e';
        ++pos;
        if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) plain += s[pos++];
        if (!readDigitPart(s, pos, plain)) return false;
    }
    return pos == s.size();
}

double strtodExact(const std::string& plain) {
    // strtod is correctly rounded (glibc) and overflows to +-inf like Python's float().
    return std::strtod(plain.c_str(), nullptr);
}

// float(text) for a str.
std::optional<double> pyFloatFromString(std::string_view text) {
    std::string_view s = pyStrip(text);
    bool negative = false;
    if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
        negative = s[0] == '-';
        s.remove_prefix(1);
    }
    const double sign = negative ? -1.0 : 1.0;
    if (equalsIgnoreCase(s, "inf") || equalsIgnoreCase(s, "infinity"))
        return sign * std::numeric_limits<double>::infinity();
    if (equalsIgnoreCase(s, "nan")) return std::copysign(std::numeric_limits<double>::quiet_NaN(), sign);
    std::string plain;
    if (!readDecimalFloat(s, plain)) return std::nullopt;
    return sign * strtodExact(plain);
}

// int(x) of a float: truncation; inf and NaN raise in Python.
std::optional<int64_t> truncateToInt64(double x) {
    if (!std::isfinite(x)) return std::nullopt;
    const double t = std::trunc(x);
    if (t < -9223372036854775808.0 || t >= 9223372036854775808.0) return std::nullopt;
    return static_cast<int64_t>(t);
}

// ---------------------------------------------------------------------------
// pandas.read_csv cell typing
// ---------------------------------------------------------------------------

// pandas' default missing-value strings (pandas 2.x, which added "None").
bool isPandasNaString(std::string_view s) {
    static const std::set<std::string_view> kNa = {
        "",    "#N/A", "#N/A N/A", "#NA",  "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND",
        "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"};
    return kNa.count(s) > 0;
}

bool isCSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

std::string_view stripCSpace(std::string_view s) {
    while (!s.empty() && isCSpace(s.front())) s.remove_prefix(1);
    while (!s.empty() && isCSpace(s.back())) s.remove_suffix(1);
    return s;
}

// pandas' C parser integer conversion: optional spaces, sign, ASCII digits, spaces.
std::optional<int64_t> pandasInt(std::string_view text) {
    std::string_view s = stripCSpace(text);
    bool negative = false;
    if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
        negative = s[0] == '-';
        s.remove_prefix(1);
    }
    if (s.empty()) return std::nullopt;
    for (char c : s)
        if (!isDigit(c)) return std::nullopt;
    int64_t out = 0;
    if (digitsToInt64(s, negative, out) != IntParse::Ok) return std::nullopt;
    return out;
}

// pandas' C parser float grammar: optional spaces, sign, digits with an optional '.'
// (at least one digit), an optional exponent, optional spaces. The value is read
// correctly rounded, as pandas >= 3 does (fast_float) and as Python's float() does.
// Older pandas versions used a faster converter ("high" precision, precise_xstrtod)
// that could read a 17-significant-digit number one unit in the last place off; which
// digits are affected differs between their versions, so that is not emulated.
std::optional<double> pandasPreciseStrtod(std::string_view s) {
    size_t pos = 0;
    while (pos < s.size() && isCSpace(s[pos])) ++pos;
    std::string plain;
    if (pos < s.size() && (s[pos] == '-' || s[pos] == '+')) plain += s[pos++];
    bool digits = false;
    while (pos < s.size() && isDigit(s[pos])) plain += s[pos++], digits = true;
    if (pos < s.size() && s[pos] == '.') {
        plain += s[pos++];
        while (pos < s.size() && isDigit(s[pos])) plain += s[pos++], digits = true;
    }
    if (!digits) return std::nullopt;
    if (pos < s.size() && (s[pos] == 'e' || s[pos] == 'E')) {
        size_t p = pos + 1;
        std::string exponent = "e";
        if (p < s.size() && (s[p] == '-' || s[p] == '+')) exponent += s[p++];
        bool exp_digits = false;
        while (p < s.size() && isDigit(s[p])) exponent += s[p++], exp_digits = true;
        if (exp_digits) {  // "1e" leaves the 'e' unread, which then fails the match
            plain += exponent;
            pos = p;
        }
    }
    while (pos < s.size() && isCSpace(s[pos])) ++pos;
    if (pos != s.size()) return std::nullopt;
    const double v = strtodExact(plain);
    if (std::isinf(v)) return std::nullopt;  // out of range: pandas keeps the cell as text
    return v;
}

// pandas' C parser float conversion: the converter above, then the words it accepts
// for infinity (no surrounding spaces).
std::optional<double> pandasFloat(std::string_view text) {
    if (auto v = pandasPreciseStrtod(text)) return v;
    for (std::string_view word : {"inf", "+inf", "infinity", "+infinity"})
        if (equalsIgnoreCase(text, word)) return std::numeric_limits<double>::infinity();
    for (std::string_view word : {"-inf", "-infinity"})
        if (equalsIgnoreCase(text, word)) return -std::numeric_limits<double>::infinity();
    return std::nullopt;
}

bool isPandasTrue(std::string_view s) { return s == "True" || s == "TRUE" || s == "true"; }
bool isPandasFalse(std::string_view s) { return s == "False" || s == "FALSE" || s == "false"; }

// A cell as pandas holds it after read_csv.
struct Cell {
    enum class Kind { Na, Int, Float, Bool, Str } kind = Kind::Na;
    int64_t i = 0;
    double d = 0.0;
    bool b = false;
    std::string_view s;
};

enum class ColumnKind { Int, Float, Bool, Object };

// A column typed the way pandas infers it: int64 if every cell is an integer (and none
// is missing), else float64 if every present cell is a number, else bool if every
// present cell is True/False, else text (object) with missing cells as NaN.
struct TypedColumn {
    ColumnKind kind = ColumnKind::Object;
    std::vector<Cell> cells;
    std::string name;
};

TypedColumn typeColumn(const csv::Table& table, int column) {
    TypedColumn out;
    out.name = table.columns[static_cast<size_t>(column)];
    const size_t n = table.rows.size();
    out.cells.resize(n);
    std::vector<bool> na(n);
    bool any_na = false;
    for (size_t r = 0; r < n; ++r) {
        na[r] = isPandasNaString(table.rows[r][static_cast<size_t>(column)]);
        any_na = any_na || na[r];
    }
    auto text = [&](size_t r) -> std::string_view { return table.rows[r][static_cast<size_t>(column)]; };

    if (!any_na && n > 0) {
        std::vector<int64_t> ints(n);
        bool all_int = true;
        for (size_t r = 0; r < n && all_int; ++r) {
            auto v = pandasInt(text(r));
            if (v) ints[r] = *v; else all_int = false;
        }
        if (all_int) {
            out.kind = ColumnKind::Int;
            for (size_t r = 0; r < n; ++r) out.cells[r] = Cell{Cell::Kind::Int, ints[r], 0.0, false, {}};
            return out;
        }
    }
    {
        std::vector<double> doubles(n, std::numeric_limits<double>::quiet_NaN());
        bool all_float = true;
        for (size_t r = 0; r < n && all_float; ++r) {
            if (na[r]) continue;
            // An integer cell in a float column is converted as an integer ("-0" -> 0.0).
            if (auto i = pandasInt(text(r))) {
                doubles[r] = static_cast<double>(*i);
                continue;
            }
            auto v = pandasFloat(text(r));
            if (v) doubles[r] = *v; else all_float = false;
        }
        if (all_float && n > 0) {
            out.kind = ColumnKind::Float;
            for (size_t r = 0; r < n; ++r)
                out.cells[r] = na[r] ? Cell{} : Cell{Cell::Kind::Float, 0, doubles[r], false, {}};
            return out;
        }
    }
    bool all_bool = n > 0;
    for (size_t r = 0; r < n && all_bool; ++r)
        if (!na[r] && !isPandasTrue(text(r)) && !isPandasFalse(text(r))) all_bool = false;
    if (all_bool) {
        out.kind = any_na ? ColumnKind::Object : ColumnKind::Bool;
        for (size_t r = 0; r < n; ++r)
            out.cells[r] = na[r] ? Cell{} : Cell{Cell::Kind::Bool, 0, 0.0, isPandasTrue(text(r)), {}};
        return out;
    }
    out.kind = ColumnKind::Object;
    for (size_t r = 0; r < n; ++r)
        out.cells[r] = na[r] ? Cell{} : Cell{Cell::Kind::Str, 0, 0.0, false, text(r)};
    return out;
}

// ---------------------------------------------------------------------------
// Error reporting
// ---------------------------------------------------------------------------

struct Where {
    const std::string& source;
    const csv::Table* table = nullptr;

    [[noreturn]] void fail(size_t row, const std::string& column, const std::string& problem) const {
        std::string msg;
        if (table && row < table->row_lines.size())
            msg = "line " + std::to_string(table->row_lines[row]) + ", ";
        msg += "column '" + column + "': " + problem;
        throw InputError(source, msg);
    }
};

std::string shortText(std::string_view s) {
    std::string out;
    for (char c : s.substr(0, 40)) out += (static_cast<unsigned char>(c) < 0x20) ? '?' : c;
    if (s.size() > 40) out += "...";
    return "'" + out + "'";
}

// Series.astype(int)
int64_t cellToInt(const Cell& cell, size_t row, const std::string& column, const Where& where) {
    switch (cell.kind) {
    case Cell::Kind::Int: return cell.i;
    case Cell::Kind::Bool: return cell.b ? 1 : 0;
    case Cell::Kind::Float: {
        auto v = truncateToInt64(cell.d);
        if (!v) where.fail(row, column, "cannot convert non-finite or out-of-range value to integer");
        return *v;
    }
    case Cell::Kind::Str: {
        int64_t v = 0;
        const IntParse r = pyIntFromString(cell.s, v);
        if (r == IntParse::OutOfRange) where.fail(row, column, "integer out of range " + shortText(cell.s));
        if (r != IntParse::Ok) where.fail(row, column, "not an integer: " + shortText(cell.s));
        return v;
    }
    case Cell::Kind::Na: break;
    }
    where.fail(row, column, "missing value where an integer is required");
}

// Series.astype(float)
double cellToFloat(const Cell& cell, size_t row, const std::string& column, const Where& where) {
    switch (cell.kind) {
    case Cell::Kind::Int: return static_cast<double>(cell.i);
    case Cell::Kind::Bool: return cell.b ? 1.0 : 0.0;
    case Cell::Kind::Float: return cell.d;
    case Cell::Kind::Na: return std::numeric_limits<double>::quiet_NaN();
    case Cell::Kind::Str: {
        auto v = pyFloatFromString(cell.s);
        if (!v) where.fail(row, column, "not a number: " + shortText(cell.s));
        return *v;
    }
    }
    return 0.0;
}

// Series.astype(str)
std::string cellToStr(const Cell& cell) {
    switch (cell.kind) {
    case Cell::Kind::Na: return "nan";
    case Cell::Kind::Int: return std::to_string(cell.i);
    case Cell::Kind::Float: return py::repr(cell.d);
    case Cell::Kind::Bool: return cell.b ? "True" : "False";
    case Cell::Kind::Str: return std::string(cell.s);
    }
    return {};
}

// ---------------------------------------------------------------------------
// parse_list_cell: a subset of ast.literal_eval, then the split fallback
// ---------------------------------------------------------------------------

// One literal value as ast.literal_eval would return it (only the kinds that
// int()/float() can convert, plus sequences).
struct Literal {
    enum class Kind { Int, BigInt, Float, Bool, Str, Sequence } kind = Kind::Int;
    int64_t i = 0;
    double d = 0.0;          // Float; for BigInt, its value as a float
    std::string s;           // Str
    bool is_top_sequence = false;
    std::vector<Literal> items;
};

// Why literal parsing stopped: NotLiteral makes parse_list_cell fall back to
// splitting; Uncastable is a value Python accepts but cannot convert (nested list,
// complex, ...), which raises.
struct NotLiteral {};
struct Uncastable {
    std::string what;
};

constexpr int kMaxNesting = 200;  // CPython's tokenizer: "too many nested parentheses"

class LiteralParser {
public:
    explicit LiteralParser(std::string_view text) : s_(text) {}

    Literal parseTop() {
        Literal value = parseExpressionList(/*top=*/true);
        skipSpace(/*in_brackets=*/false);
        if (pos_ != s_.size()) throw NotLiteral{};
        return value;
    }

private:
    std::string_view s_;
    size_t pos_ = 0;
    int depth_ = 0;

    void skipSpace(bool in_brackets) {
        while (pos_ < s_.size()) {
            const char c = s_[pos_];
            if (c == ' ' || c == '\t' || c == '\f') {
                ++pos_;
            } else if (in_brackets && (c == '\n' || c == '\r')) {
                ++pos_;
            } else if (c == '#') {
                while (pos_ < s_.size() && s_[pos_] != '\n' && s_[pos_] != '\r') ++pos_;
            } else if (!in_brackets && (c == '\n' || c == '\r')) {
                // A line break outside brackets is the end of the expression only if
                // nothing but blank lines and comments follow.
                size_t p = pos_;
                while (p < s_.size()) {
                    const char d = s_[p];
                    if (d == ' ' || d == '\t' || d == '\f' || d == '\n' || d == '\r') {
                        ++p;
                    } else if (d == '#') {
                        while (p < s_.size() && s_[p] != '\n' && s_[p] != '\r') ++p;
                    } else {
                        throw NotLiteral{};
                    }
                }
                pos_ = p;
            } else {
                break;
            }
        }
    }

    bool inBrackets() const { return depth_ > 0; }

    // expression ("," expression)* [","] — a tuple when a comma is present.
    Literal parseExpressionList(bool top) {
        skipSpace(inBrackets());
        Literal first = parseUnary();
        skipSpace(inBrackets());
        if (pos_ >= s_.size() || s_[pos_] != ',') return first;
        Literal tuple;
        tuple.kind = Literal::Kind::Sequence;
        tuple.is_top_sequence = top;
        tuple.items.push_back(std::move(first));
        while (pos_ < s_.size() && s_[pos_] == ',') {
            ++pos_;
            skipSpace(inBrackets());
            if (pos_ >= s_.size() || s_[pos_] == ')' || s_[pos_] == ']') break;
            tuple.items.push_back(parseUnary());
            skipSpace(inBrackets());
        }
        return tuple;
    }

    Literal parseUnary() {
        skipSpace(inBrackets());
        if (pos_ < s_.size() && (s_[pos_] == '-' || s_[pos_] == '+')) {
            const bool negate = s_[pos_] == '-';
            ++pos_;
            skipSpace(inBrackets());
            Literal operand = parseAtom();
            // literal_eval allows a sign only directly on a number (int, float, complex).
            if (operand.kind != Literal::Kind::Int && operand.kind != Literal::Kind::BigInt &&
                operand.kind != Literal::Kind::Float)
                throw NotLiteral{};
            checkNoBinaryOperator();
            if (negate) {
                if (operand.kind == Literal::Kind::Int) {
                    if (operand.i == std::numeric_limits<int64_t>::min()) {
                        operand.kind = Literal::Kind::BigInt;
                        operand.d = 9223372036854775808.0;
                    } else {
                        operand.i = -operand.i;
                    }
                }
                operand.d = -operand.d;
            }
            return operand;
        }
        Literal atom = parseAtom();
        checkNoBinaryOperator();
        return atom;
    }

    // A + or - after an operand is a BinOp: literal_eval accepts it only for complex
    // numbers, which int()/float() cannot convert; the split fallback cannot read it
    // either ("1+2" is no number), so it fails in Python whichever way it goes.
    void checkNoBinaryOperator() {
        skipSpace(inBrackets());
        if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-'))
            throw Uncastable{"arithmetic is not a list element"};
    }

    Literal parseAtom() {
        if (pos_ >= s_.size()) throw NotLiteral{};
        const char c = s_[pos_];
        if (c == '[' || c == '(') return parseBracket(c);
        if (isDigit(c) || (c == '.' && pos_ + 1 < s_.size() && isDigit(s_[pos_ + 1])))
            return parseNumber();
        if (c == '\'' || c == '"') return parseStrings();
        if (std::isalpha(static_cast<unsigned char>(c)) || c == '_' ||
            static_cast<unsigned char>(c) >= 0x80) {
            size_t end = pos_;
            while (end < s_.size() &&
                   (std::isalnum(static_cast<unsigned char>(s_[end])) || s_[end] == '_' ||
                    static_cast<unsigned char>(s_[end]) >= 0x80))
                ++end;
            const std::string_view word = s_.substr(pos_, end - pos_);
            if (end < s_.size() && (s_[end] == '\'' || s_[end] == '"')) {
                // String prefixes: r, u, b and combinations; f-strings are not literals.
                std::string lower;
                for (char ch : word) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
                if (lower == "r" || lower == "u" || lower == "b" || lower == "br" || lower == "rb") {
                    pos_ = end;
                    return parseStrings(lower.find('r') != std::string::npos);
                }
                throw NotLiteral{};
            }
            if (word == "True" || word == "False") {
                pos_ = end;
                Literal b;
                b.kind = Literal::Kind::Bool;
                b.i = word == "True" ? 1 : 0;
                b.d = static_cast<double>(b.i);
                return b;
            }
            // Names (nan, inf, None, ...) are not literals to the split fallback's
            // advantage: "[nan, 0.1]" reads as [nan, 0.1] through float("nan").
            throw NotLiteral{};
        }
        throw NotLiteral{};
    }

    Literal parseBracket(char open) {
        const char close = open == '[' ? ']' : ')';
        if (++depth_ > kMaxNesting) throw NotLiteral{};
        ++pos_;
        skipSpace(true);
        Literal seq;
        seq.kind = Literal::Kind::Sequence;
        if (pos_ < s_.size() && s_[pos_] == close) {
            ++pos_;
            --depth_;
            return seq;  // [] or ()
        }
        if (open == '(') {
            Literal inner = parseExpressionList(false);
            skipSpace(true);
            if (pos_ >= s_.size() || s_[pos_] != close) throw NotLiteral{};
            ++pos_;
            --depth_;
            inner.is_top_sequence = false;
            return inner;  // parentheses only group, unless a comma made a tuple
        }
        while (true) {
            seq.items.push_back(parseUnary());
            skipSpace(true);
            if (pos_ < s_.size() && s_[pos_] == ',') {
                ++pos_;
                skipSpace(true);
                if (pos_ < s_.size() && s_[pos_] == close) break;
                continue;
            }
            break;
        }
        if (pos_ >= s_.size() || s_[pos_] != close) throw NotLiteral{};
        ++pos_;
        --depth_;
        return seq;
    }

    Literal parseNumber() {
        const size_t start = pos_;
        Literal num;
        // Hex, octal, binary integers.
        if (s_[pos_] == '0' && pos_ + 1 < s_.size() &&
            std::strchr("xXoObB", s_[pos_ + 1]) != nullptr && s_[pos_ + 1] != '\0') {
            const char kind = static_cast<char>(std::tolower(static_cast<unsigned char>(s_[pos_ + 1])));
            const int base = kind == 'x' ? 16 : kind == 'o' ? 8 : 2;
            pos_ += 2;
            auto digitValue = [&](char ch) -> int {
                int v = -1;
                if (ch >= '0' && ch <= '9') v = ch - '0';
                else if (ch >= 'a' && ch <= 'f') v = ch - 'a' + 10;
                else if (ch >= 'A' && ch <= 'F') v = ch - 'A' + 10;
                return v >= 0 && v < base ? v : -1;
            };
            uint64_t value = 0;
            bool overflow = false, any = false;
            while (pos_ < s_.size()) {
                if (s_[pos_] == '_' && pos_ + 1 < s_.size() && digitValue(s_[pos_ + 1]) >= 0) {
                    ++pos_;
                    continue;
                }
                const int dv = digitValue(s_[pos_]);
                if (dv < 0) break;
                if (value > (std::numeric_limits<uint64_t>::max() - static_cast<uint64_t>(dv)) /
                                static_cast<uint64_t>(base))
                    overflow = true;
                value = value * static_cast<uint64_t>(base) + static_cast<uint64_t>(dv);
                any = true;
                ++pos_;
            }
            if (!any) throw NotLiteral{};
            checkNumberEnd();
            if (overflow || value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
                throw Uncastable{"integer out of range " + shortText(s_.substr(start, pos_ - start))};
            num.kind = Literal::Kind::Int;
            num.i = static_cast<int64_t>(value);
            num.d = static_cast<double>(num.i);
            return num;
        }

        std::string int_digits, frac_digits, exp_digits;
        bool has_point = false, has_exp = false;
        char exp_sign = '+';
        readDigitPart(s_, pos_, int_digits);
        if (pos_ < s_.size() && s_[pos_] == '.') {
            has_point = true;
            ++pos_;
            readDigitPart(s_, pos_, frac_digits);
        }
        if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
            size_t p = pos_ + 1;
            if (p < s_.size() && (s_[p] == '+' || s_[p] == '-')) exp_sign = s_[p++];
            if (p < s_.size() && isDigit(s_[p])) {
                has_exp = true;
                pos_ = p;
                readDigitPart(s_, pos_, exp_digits);
            } else {
                throw NotLiteral{};  // "1e" is an invalid literal
            }
        }
        if (pos_ < s_.size() && (s_[pos_] == 'j' || s_[pos_] == 'J')) {
            ++pos_;
            checkNumberEnd();
            throw Uncastable{"complex number " + shortText(s_.substr(start, pos_ - start))};
        }
        checkNumberEnd();
        if (!has_point && !has_exp) {
            // Decimal integer: no leading zeros except for zero itself.
            if (int_digits.size() > 1 && int_digits[0] == '0' &&
                int_digits.find_first_not_of('0') != std::string::npos)
                throw NotLiteral{};
            if (digitsToInt64(int_digits, false, num.i) == IntParse::Ok) {
                num.kind = Literal::Kind::Int;
                num.d = static_cast<double>(num.i);
            } else {
                num.kind = Literal::Kind::BigInt;
                num.d = strtodExact(int_digits);
            }
            return num;
        }
        std::string plain = (int_digits.empty() ? "0" : int_digits) + "." + frac_digits;
        if (has_exp) plain += std::string("e") + exp_sign + exp_digits;
        num.kind = Literal::Kind::Float;
        num.d = strtodExact(plain);
        return num;
    }

    // A number directly followed by a letter, digit, '_' or '.' is a syntax error.
    void checkNumberEnd() const {
        if (pos_ < s_.size()) {
            const auto c = static_cast<unsigned char>(s_[pos_]);
            if (std::isalnum(c) || c == '_' || c == '.' || c >= 0x80) throw NotLiteral{};
        }
    }

    // One or more adjacent string literals (Python concatenates them).
    Literal parseStrings(bool raw = false) {
        Literal str;
        str.kind = Literal::Kind::Str;
        str.s = readString(raw);
        while (true) {
            const size_t save = pos_;
            skipSpace(inBrackets());
            if (pos_ < s_.size() && (s_[pos_] == '\'' || s_[pos_] == '"')) {
                str.s += readString(false);
                continue;
            }
            pos_ = save;
            break;
        }
        return str;
    }

    std::string readString(bool raw) {
        const char quote = s_[pos_++];
        std::string out;
        while (true) {
            if (pos_ >= s_.size()) throw NotLiteral{};
            const char c = s_[pos_++];
            if (c == quote) return out;
            if (c == '\n' || c == '\r') throw NotLiteral{};  // unterminated single-quoted string
            if (c != '\\') {
                out += c;
                continue;
            }
            if (pos_ >= s_.size()) throw NotLiteral{};
            const char e = s_[pos_++];
            if (raw) {
                out += '\\';
                out += e;
                continue;
            }
            switch (e) {
            case '\\': out += '\\'; break;
            case '\'': out += '\''; break;
            case '"': out += '"'; break;
            case 'n': out += '\n'; break;
            case 't': out += '\t'; break;
            case 'r': out += '\r'; break;
            default: throw Uncastable{"unsupported escape sequence in a quoted list element"};
            }
        }
    }
};

// Python's int(x) for one parsed element.
int64_t literalToInt(const Literal& v) {
    switch (v.kind) {
    case Literal::Kind::Int:
    case Literal::Kind::Bool: return v.i;
    case Literal::Kind::BigInt: throw Uncastable{"integer out of range"};
    case Literal::Kind::Float: {
        auto t = truncateToInt64(v.d);
        if (!t) throw Uncastable{"cannot convert " + py::repr(v.d) + " to an integer"};
        return *t;
    }
    case Literal::Kind::Str: {
        int64_t out = 0;
        const IntParse r = pyIntFromString(v.s, out);
        if (r == IntParse::OutOfRange) throw Uncastable{"integer out of range " + shortText(v.s)};
        if (r != IntParse::Ok) throw Uncastable{"not an integer: " + shortText(v.s)};
        return out;
    }
    case Literal::Kind::Sequence: break;
    }
    throw Uncastable{"nested list where a number is expected"};
}

// Python's float(x) for one parsed element.
double literalToFloat(const Literal& v) {
    switch (v.kind) {
    case Literal::Kind::Int:
    case Literal::Kind::Bool: return static_cast<double>(v.i);
    case Literal::Kind::BigInt:
        if (std::isinf(v.d)) throw Uncastable{"integer too large to convert to float"};
        return v.d;
    case Literal::Kind::Float: return v.d;
    case Literal::Kind::Str: {
        auto d = pyFloatFromString(v.s);
        if (!d) throw Uncastable{"not a number: " + shortText(v.s)};
        return *d;
    }
    case Literal::Kind::Sequence: break;
    }
    throw Uncastable{"nested list where a number is expected"};
}

// The text of a list cell as ast.literal_eval / the fallback read it: a list of
// elements (each a Literal, strings for the fallback).
std::vector<Literal> literalElements(std::string_view stripped) {
    try {
        LiteralParser parser(stripped);
        Literal value = parser.parseTop();
        if (value.kind == Literal::Kind::Sequence) return std::move(value.items);
        return {std::move(value)};
    } catch (const NotLiteral&) {
        // text.strip("[]").split(","), keeping the non-blank items, stripped.
        std::string_view inner = stripped;
        while (!inner.empty() && (inner.front() == '[' || inner.front() == ']')) inner.remove_prefix(1);
        while (!inner.empty() && (inner.back() == '[' || inner.back() == ']')) inner.remove_suffix(1);
        std::vector<Literal> items;
        size_t start = 0;
        while (start <= inner.size()) {
            size_t comma = inner.find(',', start);
            if (comma == std::string_view::npos) comma = inner.size();
            const std::string_view item = pyStrip(inner.substr(start, comma - start));
            if (!item.empty()) {
                Literal str;
                str.kind = Literal::Kind::Str;
                str.s = std::string(item);
                items.push_back(std::move(str));
            }
            start = comma + 1;
        }
        return items;
    }
}

template <typename T, typename Cast>
std::vector<T> parseListText(std::string_view text, const std::string& source, Cast cast) {
    if (isPandasNaString(text)) return {};
    const std::string_view stripped = pyStrip(text);
    if (stripped.empty()) return {};
    try {
        std::vector<Literal> elements = literalElements(stripped);
        std::vector<T> out;
        out.reserve(elements.size());
        for (const Literal& e : elements) out.push_back(cast(e));
        return out;
    } catch (const Uncastable& e) {
        throw InputError(source, "list cell " + shortText(text) + ": " + e.what);
    }
}

// parse_list_cell for a typed cell: a number or bool becomes a one-element list.
std::vector<int64_t> cellToIndexList(const Cell& cell, size_t row, const std::string& column,
                                     const Where& where) {
    switch (cell.kind) {
    case Cell::Kind::Na: return {};
    case Cell::Kind::Int: return {cell.i};
    case Cell::Kind::Bool: return {cell.b ? 1 : 0};
    case Cell::Kind::Float: {
        auto t = truncateToInt64(cell.d);
        if (!t) where.fail(row, column, "cannot convert " + py::repr(cell.d) + " to an integer");
        return {*t};
    }
    case Cell::Kind::Str:
        try {
            return parseListText<int64_t>(cell.s, where.source, literalToInt);
        } catch (const InputError& e) {
            where.fail(row, column, e.problem());
        }
    }
    return {};
}

std::vector<double> cellToValueList(const Cell& cell, size_t row, const std::string& column,
                                    const Where& where) {
    switch (cell.kind) {
    case Cell::Kind::Na: return {};
    case Cell::Kind::Int: return {static_cast<double>(cell.i)};
    case Cell::Kind::Bool: return {cell.b ? 1.0 : 0.0};
    case Cell::Kind::Float: return {cell.d};
    case Cell::Kind::Str:
        try {
            return parseListText<double>(cell.s, where.source, literalToFloat);
        } catch (const InputError& e) {
            where.fail(row, column, e.problem());
        }
    }
    return {};
}

// ---------------------------------------------------------------------------
// Long format -> excel-like
// ---------------------------------------------------------------------------

// A raw cell's identity for groupby/nunique on the unconverted columns.
std::string rawKey(const Cell& cell) {
    switch (cell.kind) {
    case Cell::Kind::Na: return "na";
    case Cell::Kind::Int: return "n" + py::repr(static_cast<double>(cell.i)) + "|" + std::to_string(cell.i);
    case Cell::Kind::Float:
        // pandas hashes 1.0 and 1 alike, and -0.0 like 0.0.
        if (cell.d == 0.0) return "n0.0|0";
        if (std::trunc(cell.d) == cell.d && std::fabs(cell.d) < 9.2e18)
            return "n" + py::repr(cell.d) + "|" + std::to_string(static_cast<int64_t>(cell.d));
        return "n" + py::repr(cell.d);
    case Cell::Kind::Bool: return cell.b ? "bTrue" : "bFalse";
    case Cell::Kind::Str: return "s" + std::string(cell.s);
    }
    return {};
}

// Kahan-compensated sum as pandas' groupby sum/mean kernels compute it (NaNs skipped;
// the compensation is reset when an infinity makes it NaN, pandas >= 2.1).
struct KahanSum {
    double sum = 0.0, compensation = 0.0;
    int64_t count = 0;
    void add(double v) {
        if (std::isnan(v)) return;
        ++count;
        const double y = v - compensation;
        const double t = sum + y;
        compensation = t - sum - y;
        if (std::isnan(compensation)) compensation = 0.0;
        sum = t;
    }
};

double medianSkipNa(std::vector<double> values) {
    values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return std::isnan(v); }),
                 values.end());
    if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
    const size_t n = values.size();
    std::sort(values.begin(), values.end());
    if (n % 2) return values[n / 2];
    return (values[n / 2] + values[n / 2 - 1]) / 2;
}

Table reconstructFromLong(const csv::Table& csv_table, const std::string& source,
                          const LongFormatOptions& options) {
    const Where where{source, &csv_table};
    const TypedColumn layer_col = typeColumn(csv_table, csv_table.column("layer"));
    const TypedColumn domain_col = typeColumn(csv_table, csv_table.column("domain"));
    const TypedColumn expert_col = typeColumn(csv_table, csv_table.column("expert_idx"));
    const TypedColumn weight_col = typeColumn(csv_table, csv_table.column("expert_weight"));
    const int rank_index = csv_table.column("topk_rank");
    const bool has_rank = rank_index >= 0;
    TypedColumn rank_col;
    if (has_rank) rank_col = typeColumn(csv_table, rank_index);

    const size_t n = csv_table.rows.size();
    struct Obs {
        int64_t layer;
        std::string domain;
        int64_t expert;
        double weight;
        int64_t rank;
    };
    std::vector<Obs> obs(n);
    // The script converts whole columns in this order, so the first failing column wins.
    for (size_t r = 0; r < n; ++r) obs[r].layer = cellToInt(layer_col.cells[r], r, "layer", where);
    for (size_t r = 0; r < n; ++r) obs[r].domain = cellToStr(domain_col.cells[r]);
    for (size_t r = 0; r < n; ++r) obs[r].expert = cellToInt(expert_col.cells[r], r, "expert_idx", where);
    for (size_t r = 0; r < n; ++r)
        obs[r].weight = cellToFloat(weight_col.cells[r], r, "expert_weight", where);
    if (has_rank)
        for (size_t r = 0; r < n; ++r) obs[r].rank = cellToInt(rank_col.cells[r], r, "topk_rank", where);

    // groupby([layer, domain, expert_idx]) with sorted keys; rows keep file order inside.
    using Key = std::tuple<int64_t, std::string, int64_t>;
    std::map<Key, std::vector<size_t>> groups;
    for (size_t r = 0; r < n; ++r) groups[Key{obs[r].layer, obs[r].domain, obs[r].expert}].push_back(r);

    int64_t k = options.k;
    if (!options.k_given) {
        if (has_rank) {
            // int(df["topk_rank"].max()) + 1 on the raw column.
            if (n == 0) throw InputError(source, "cannot infer k: the table has no rows");
            const Cell* best = nullptr;
            for (const Cell& c : rank_col.cells) {
                if (c.kind == Cell::Kind::Na) continue;
                if (!best) { best = &c; continue; }
                bool greater = false;
                switch (c.kind) {
                case Cell::Kind::Int: greater = c.i > best->i; break;
                case Cell::Kind::Float: greater = c.d > best->d; break;
                case Cell::Kind::Bool: greater = c.b && !best->b; break;
                case Cell::Kind::Str: greater = c.s > best->s; break;
                case Cell::Kind::Na: break;
                }
                if (greater) best = &c;
            }
            if (!best) throw InputError(source, "cannot infer k: topk_rank is empty");
            const int64_t max_rank = cellToInt(*best, 0, "topk_rank", Where{source, nullptr});
            if (max_rank == std::numeric_limits<int64_t>::max())
                throw InputError(source, "column 'topk_rank': value out of range");
            k = max_rank + 1;
        } else {
            // groupby([layer, domain])["expert_idx"].nunique() on the raw columns;
            // rows whose raw domain is missing form no group.
            std::map<std::pair<std::string, std::string>, std::set<std::string>> distinct;
            for (size_t r = 0; r < n; ++r) {
                if (domain_col.cells[r].kind == Cell::Kind::Na) continue;
                distinct[{rawKey(layer_col.cells[r]), rawKey(domain_col.cells[r])}].insert(
                    rawKey(expert_col.cells[r]));
            }
            if (distinct.empty())
                throw InputError(source, "unable to infer k because the input contains no expert rows");
            k = 0;
            for (const auto& [key, experts] : distinct) k = std::max<int64_t>(k, experts.size());
        }
    }
    if (k <= 0) throw InputError(source, "k must be a positive integer");

    struct Aggregate {
        int64_t expert;
        double weight;
        double rank;  // +inf without topk_rank
    };
    Table table;
    const std::pair<int64_t, std::string>* current = nullptr;
    std::pair<int64_t, std::string> current_key;
    std::vector<Aggregate> group;
    auto flush = [&] {
        if (!current) return;
        // sort_values([weight, rank], ascending=[False, True]): stable, NaN last.
        std::stable_sort(group.begin(), group.end(), [](const Aggregate& a, const Aggregate& b) {
            const bool an = std::isnan(a.weight), bn = std::isnan(b.weight);
            if (an != bn) return bn;
            if (!an && a.weight != b.weight) return a.weight > b.weight;
            return a.rank < b.rank;
        });
        TableRow row;
        row.idx = current_key.first;
        row.domain = current_key.second;
        const size_t keep = std::min<size_t>(group.size(), static_cast<size_t>(std::min<int64_t>(k, 1 << 30)));
        for (size_t i = 0; i < keep; ++i) {
            row.indices.push_back(group[i].expert);
            row.values.push_back(group[i].weight);
        }
        if (static_cast<int64_t>(row.indices.size()) < k) {
            if (k > (int64_t{1} << 24)) throw InputError(source, "k is too large to pad the top-k lists");
            row.indices.resize(static_cast<size_t>(k), -1);
            row.values.resize(static_cast<size_t>(k), 0.0);
        }
        table.push_back(std::move(row));
        group.clear();
    };
    for (const auto& [key, rows] : groups) {
        const auto& [layer, domain, expert] = key;
        if (!current || current_key.first != layer || current_key.second != domain) {
            flush();
            current_key = {layer, domain};
            current = &current_key;
        }
        Aggregate agg{expert, 0.0, std::numeric_limits<double>::infinity()};
        switch (options.aggregation) {
        case WeightAggregation::Mean:
        case WeightAggregation::Sum: {
            KahanSum sum;
            for (size_t r : rows) sum.add(obs[r].weight);
            if (options.aggregation == WeightAggregation::Sum)
                agg.weight = sum.sum;
            else
                agg.weight = sum.count ? sum.sum / static_cast<double>(sum.count)
                                       : std::numeric_limits<double>::quiet_NaN();
            break;
        }
        case WeightAggregation::Median: {
            std::vector<double> w;
            for (size_t r : rows) w.push_back(obs[r].weight);
            agg.weight = medianSkipNa(std::move(w));
            break;
        }
        }
        if (has_rank) {
            KahanSum sum;
            for (size_t r : rows) sum.add(static_cast<double>(obs[r].rank));
            agg.rank = sum.sum / static_cast<double>(sum.count);
        }
        group.push_back(agg);
    }
    flush();
    return table;
}

Table readExcelLike(const csv::Table& csv_table, const std::string& source) {
    const Where where{source, &csv_table};
    const TypedColumn idx_col = typeColumn(csv_table, csv_table.column("idx"));
    const TypedColumn domain_col = typeColumn(csv_table, csv_table.column("domain"));
    const TypedColumn values_col = typeColumn(csv_table, csv_table.column("topk_values"));
    const TypedColumn indices_col = typeColumn(csv_table, csv_table.column("topk_indices"));
    const size_t n = csv_table.rows.size();
    Table table(n);
    // Column by column, in the script's order, so that the same error comes first.
    for (size_t r = 0; r < n; ++r) table[r].idx = cellToInt(idx_col.cells[r], r, "idx", where);
    for (size_t r = 0; r < n; ++r) table[r].domain = cellToStr(domain_col.cells[r]);
    for (size_t r = 0; r < n; ++r)
        table[r].values = cellToValueList(values_col.cells[r], r, "topk_values", where);
    for (size_t r = 0; r < n; ++r)
        table[r].indices = cellToIndexList(indices_col.cells[r], r, "topk_indices", where);
    return table;
}

std::string lowerSuffix(const std::string& path) {
    const size_t slash = path.find_last_of('/');
    const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    const size_t dot = name.find_last_of('.');
    // pathlib: a leading dot alone ("." or ".csv") is not a suffix.
    if (dot == std::string::npos || dot == 0 || dot + 1 == name.size()) return "";
    std::string suffix = name.substr(dot);
    for (char& c : suffix) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return suffix;
}

}  // namespace

WeightAggregation parseWeightAggregation(const std::string& name) {
    if (name == "mean") return WeightAggregation::Mean;
    if (name == "sum") return WeightAggregation::Sum;
    if (name == "median") return WeightAggregation::Median;
    throw InputError("--agg-weight", "unsupported aggregation '" + name + "' (mean, sum or median)");
}

std::vector<int64_t> parseIndexCell(std::string_view text, const std::string& source) {
    return parseListText<int64_t>(text, source, literalToInt);
}

std::vector<double> parseValueCell(std::string_view text, const std::string& source) {
    return parseListText<double>(text, source, literalToFloat);
}

Table parseCsvTable(std::string_view csv_text, const std::string& source,
                    const LongFormatOptions& options, Schema* detected) {
    const csv::Table csv_table = csv::parseTable(csv_text, source);
    auto has = [&](std::initializer_list<const char*> names) {
        for (const char* name : names)
            if (csv_table.column(name) < 0) return false;
        return true;
    };
    if (has({"idx", "domain", "topk_indices", "topk_values"})) {
        if (detected) *detected = Schema::ExcelLike;
        return readExcelLike(csv_table, source);
    }
    if (has({"layer", "domain", "expert_idx", "expert_weight"})) {
        if (detected) *detected = Schema::Long;
        return reconstructFromLong(csv_table, source, options);
    }
    throw InputError(source,
                     "columns match no supported schema: expected idx, domain, topk_indices, "
                     "topk_values or layer, domain, expert_idx, expert_weight");
}

Table readTable(const std::string& path, const LongFormatOptions& options) {
    const std::string suffix = lowerSuffix(path);
    if (suffix == ".xlsx") return parseCsvTable(xlsx::firstSheetAsCsv(path), path, options);
    if (suffix == ".xls")
        throw InputError(path, "the legacy .xls format is not read: save the sheet as .xlsx or CSV");
    if (suffix != ".csv")
        throw InputError(path, "unsupported file format '" + suffix + "' (expected .csv or .xlsx)");
    return parseCsvTable(csv::readFile(path), path, options);
}

}  // namespace ca::authors
