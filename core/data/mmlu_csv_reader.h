// MMLU in its original CSV layout (Hendrycks et al., data.tar): a directory with test/, dev/ and
// val/ folders holding one <subject>_<split>.csv per subject. Each file has no header and six
// columns question,A,B,C,D,answer (answer a letter A-D), RFC 4180 quoting with line breaks
// inside quoted fields, so rows are counted with a CSV parser (core/io/csv.h), not by lines.
// Row counts of the released files: test 14,042, dev 285, val 1,531, over 57 subjects.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/data/dataset.h"

namespace ca::data {

// Reads every <subject>_<split>.csv of `split` ("test", "dev" or "val") from DIR/<split>/, or
// from DIR itself when it holds such files and has no <split> folder. Subjects come in
// alphabetical order of their file names, rows in file order; ids are "<subject>/<split>/<row>"
// with a 0-based row. Domains stay empty. Throws InputError naming the directory when it holds
// no such file, and naming the file and row for a malformed row.
std::vector<Item> readMmluCsvDir(const std::string& dir, const std::string& split);

// Reads the text of one subject file. `source` names it in errors.
std::vector<Item> parseMmluCsv(std::string_view csv_text, const std::string& subject,
                               const std::string& split, const std::string& source);

// The subject of "<subject>_<split>.csv", or "" when `file_name` is not such a name.
std::string mmluSubjectFromFileName(std::string_view file_name, std::string_view split);

}  // namespace ca::data
