// CSV reading and writing compatible with pandas' defaults.
//
// Reading follows RFC 4180 (quoted fields, doubled quotes, line breaks inside
// quotes) with the exact leniencies of pandas.read_csv's C tokenizer, so that a
// table the authors' scripts accept is read into the same cells:
//  - lines end with LF, CRLF or a lone CR; a UTF-8 byte order mark is dropped;
//  - empty lines and lines of only spaces/tabs are skipped;
//  - a quote opens a quoted field only at the start of a field; elsewhere it is
//    an ordinary character; text after a closing quote is appended (`"ab"c` -> abc);
//  - an unterminated quoted field is an error.
// Why hand-written: the only Debian C library (libcsv 3.0.3) treats malformed
// quoting differently from pandas (it keeps the quote in `"ab"c`) and knows
// nothing of pandas' blank-line rules; byte compatibility needs the latter.
//
// Writing follows pandas.DataFrame.to_csv (csv.QUOTE_MINIMAL, '\n' line ends):
// a field is quoted when it holds a comma, a quote or a line break; quotes inside
// are doubled.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ca::csv {

struct Record {
    std::vector<std::string> fields;
    int64_t line = 0;  // 1-based line of the file where the record starts
};

// Splits `text` into records. Throws InputError(source, ...) on an unterminated quote.
std::vector<Record> tokenize(std::string_view text, const std::string& source);

// A table with a header row, as pandas.read_csv(path) sees it (all cells as text).
struct Table {
    std::vector<std::string> columns;           // names after pandas' renaming (see below)
    std::vector<std::vector<std::string>> rows; // each padded to columns.size() with ""
    std::vector<int64_t> row_lines;             // file line of each row, for error messages

    // Index of the first column named `name`, or -1.
    int column(std::string_view name) const;
};

// Header handling as pandas: empty names become "Unnamed: i", a repeated name
// gets ".1", ".2", ... appended; when the first data row has more fields than the
// header, its leading extra fields are an index and are dropped from every row;
// short rows are padded with empty (missing) cells; a longer row is an error.
// An input with no header line is an error ("no columns to parse").
Table parseTable(std::string_view text, const std::string& source);

// Reads a whole file; throws InputError(path, ...) if it cannot be read.
std::string readFile(const std::string& path);

// One field as csv.QUOTE_MINIMAL writes it.
std::string quoteField(std::string_view field);

// One record: fields joined by ',' and terminated by '\n'. A record made of a single
// empty field is written as "" (Python's csv module does so to keep the line).
std::string formatRecord(const std::vector<std::string>& fields);

}  // namespace ca::csv
