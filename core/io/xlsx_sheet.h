// The first worksheet of an .xlsx workbook, as pandas.read_excel (openpyxl engine, the
// defaults Audit_Committee.py uses) sees its cell values, written out as CSV text so that the
// authors' table reader (authors_table.h) parses it exactly as it parses their CSV files.
//
// Cell values: numbers as stored in the file, integral ones as integers (pandas converts a
// numeric cell whose value is integral to int); shared, inline and formula strings as their
// text; booleans as True / False; error cells as their code (#N/A, ...); empty cells empty.
// The first sheet is the first in the workbook's sheet order (read_excel's sheet_name=0).
// Known limit: a text cell that holds digits ("12") is typed by the CSV reader's inference
// (an int), where pandas would keep the string; the authors' tables hold no such cells.
//
// Bad input (not a zip, no workbook, a sheet or string table that is not XML, an entry larger
// than 256 MiB uncompressed, a cell reference beyond XFD1048576) throws InputError naming the
// file. The legacy binary .xls format is not read (InputError asks for .xlsx or CSV).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ca::xlsx {

std::string firstSheetAsCsv(const std::string& path);

// The conversion itself, from a worksheet part's XML and the workbook's shared strings
// (errors name `path` and the part). Exposed for the fuzz target.
std::string sheetAsCsv(std::string_view sheet_xml, const std::vector<std::string>& shared,
                       const std::string& path, const std::string& part);

}  // namespace ca::xlsx
