#include "core/io/csv.h"

#include "core/util/input_error.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

namespace ca::csv {

namespace {

constexpr char kDelimiter = ',';
constexpr char kQuote = '"';

bool isBlank(char c) { return c == ' ' || c == '\t'; }

// The states of pandas' C tokenizer (pandas/_libs/src/parser/tokenizer.c) that
// its default options can reach.
enum class State {
    StartRecord,
    StartField,
    InField,
    InQuoted,
    QuoteInQuoted,
    EatCrnl,        // after a CR that ended a record: swallow a following LF
    EatCrnlNop,     // after a CR that ended a skipped blank line
    WhitespaceLine  // a line that so far holds only spaces/tabs
};

}  // namespace

std::vector<Record> tokenize(std::string_view text, const std::string& source) {
    if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);

    std::vector<Record> records;
    Record current;
    std::string field;
    int64_t line = 1;           // current file line (1-based)
    int64_t quote_line = 0;     // where an open quoted field started
    size_t line_start = 0;      // offset where the current line began
    State state = State::StartRecord;

    auto endField = [&] {
        current.fields.push_back(std::move(field));
        field.clear();
    };
    auto endLine = [&] {
        records.push_back(std::move(current));
        current = Record{};
        state = State::StartRecord;
    };

    size_t i = 0;
    while (i < text.size()) {
        const char c = text[i];
        switch (state) {
        case State::StartRecord:
            current.line = line;
            line_start = i;
            if (c == '\n') {  // empty line: skipped
                ++line;
                ++i;
                continue;
            }
            if (c == '\r') {
                ++line;
                state = State::EatCrnlNop;
                ++i;
                continue;
            }
            if (isBlank(c)) {
                state = State::WhitespaceLine;
                ++i;
                continue;
            }
            state = State::StartField;
            continue;  // reprocess c as the start of a field

        case State::WhitespaceLine:
            if (c == '\n') {
                ++line;
                state = State::StartRecord;
            } else if (c == '\r') {
                ++line;
                state = State::EatCrnlNop;
            } else if (!isBlank(c)) {
                // Not blank after all: the spaces belong to the first field.
                i = line_start;
                state = State::StartField;
                continue;
            }
            ++i;
            continue;

        case State::StartField:
            if (c == '\n') {
                endField();
                endLine();
                ++line;
            } else if (c == '\r') {
                endField();
                state = State::EatCrnl;
                ++line;
            } else if (c == kQuote) {
                quote_line = line;
                state = State::InQuoted;
            } else if (c == kDelimiter) {
                endField();
            } else {
                field += c;
                state = State::InField;
            }
            ++i;
            continue;

        case State::InField:
            if (c == '\n') {
                endField();
                endLine();
                ++line;
            } else if (c == '\r') {
                endField();
                state = State::EatCrnl;
                ++line;
            } else if (c == kDelimiter) {
                endField();
                state = State::StartField;
            } else {
                field += c;
            }
            ++i;
            continue;

        case State::InQuoted:
            if (c == kQuote) {
                state = State::QuoteInQuoted;
            } else {
                if (c == '\n' || (c == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n')))
                    ++line;
                field += c;
            }
            ++i;
            continue;

        case State::QuoteInQuoted:
            if (c == kQuote) {
                field += c;
                state = State::InQuoted;
            } else if (c == kDelimiter) {
                endField();
                state = State::StartField;
            } else if (c == '\n') {
                endField();
                endLine();
                ++line;
            } else if (c == '\r') {
                endField();
                state = State::EatCrnl;
                ++line;
            } else {
                field += c;  // `"ab"c` reads as abc
                state = State::InField;
            }
            ++i;
            continue;

        case State::EatCrnl:
            endLine();
            if (c == '\n') {
                ++i;
                continue;
            }
            continue;  // a lone CR ended the record: reprocess c

        case State::EatCrnlNop:
            state = State::StartRecord;
            // pandas swallows a delimiter that directly follows a blank CR line.
            if (c == '\n' || c == kDelimiter) ++i;
            continue;
        }
    }

    switch (state) {
    case State::StartRecord:
    case State::WhitespaceLine:
    case State::EatCrnlNop:
        break;
    case State::InQuoted:
        throw InputError(source, "unterminated quoted field starting at line " +
                                     std::to_string(quote_line));
    case State::EatCrnl:
        endLine();
        break;
    case State::StartField:
    case State::InField:
    case State::QuoteInQuoted:
        endField();
        endLine();
        break;
    }
    return records;
}

int Table::column(std::string_view name) const {
    for (size_t c = 0; c < columns.size(); ++c)
        if (columns[c] == name) return static_cast<int>(c);
    return -1;
}

Table parseTable(std::string_view text, const std::string& source) {
    std::vector<Record> records = tokenize(text, source);
    if (records.empty()) throw InputError(source, "no columns to parse (the file is empty)");

    Table table;
    std::vector<std::string> names = std::move(records[0].fields);
    for (size_t c = 0; c < names.size(); ++c)
        if (names[c].empty()) names[c] = "Unnamed: " + std::to_string(c);

    // Repeated names get ".1", ".2", ... (pandas' mangle_dupe_cols), skipping names
    // already taken by another column.
    std::set<std::string> taken;
    for (std::string& name : names) {
        if (taken.count(name)) {
            for (int n = 1;; ++n) {
                std::string candidate = name + "." + std::to_string(n);
                if (!taken.count(candidate) &&
                    std::find(names.begin(), names.end(), candidate) == names.end()) {
                    name = std::move(candidate);
                    break;
                }
            }
        }
        taken.insert(name);
    }
    table.columns = std::move(names);

    const size_t header_fields = table.columns.size();
    size_t index_fields = 0;  // implicit index columns (first data row longer than the header)
    size_t expected = header_fields;
    if (records.size() > 1 && records[1].fields.size() > header_fields) {
        index_fields = records[1].fields.size() - header_fields;
        expected = records[1].fields.size();
    }
    for (size_t r = 1; r < records.size(); ++r) {
        std::vector<std::string>& fields = records[r].fields;
        if (fields.size() > expected)
            throw InputError(source, "line " + std::to_string(records[r].line) + ": expected " +
                                         std::to_string(expected) + " fields, saw " +
                                         std::to_string(fields.size()));
        fields.resize(expected);
        if (index_fields > 0)
            fields.erase(fields.begin(), fields.begin() + static_cast<std::ptrdiff_t>(index_fields));
        table.rows.push_back(std::move(fields));
        table.row_lines.push_back(records[r].line);
    }
    return table;
}

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path, "cannot open file");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad()) throw InputError(path, "cannot read file");
    return buffer.str();
}

std::string quoteField(std::string_view field) {
    const bool needs_quotes = field.find_first_of(",\"\n\r") != std::string_view::npos;
    if (!needs_quotes) return std::string(field);
    std::string out = "\"";
    for (char c : field) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
    return out;
}

std::string formatRecord(const std::vector<std::string>& fields) {
    if (fields.size() == 1 && fields[0].empty()) return "\"\"\n";
    std::string out;
    for (size_t i = 0; i < fields.size(); ++i) {
        if (i) out += ',';
        out += quoteField(fields[i]);
    }
    out += '\n';
    return out;
}

}  // namespace ca::csv
