// The authors' top-k tables (The-FinAI/CommitteeAudit, Audit_Committee.py), read
// exactly as their script reads them with pandas, so that our audit of a table
// equals theirs byte for byte (paper-spec.md §c5).
//
// Two schemas, detected from the header (the first that fits wins):
//  - excel-like: columns include idx, domain, topk_indices, topk_values; one row per
//    (layer, domain); list cells are "[1, 2]", "1, 2", a scalar, or empty/NaN (= []);
//  - long: columns include layer, domain, expert_idx, expert_weight and optionally
//    topk_rank; one row per observation of an expert, rebuilt into the excel-like
//    form (group by (layer, domain, expert_idx) in sorted order, aggregate the weight
//    with mean|sum|median, sort by weight descending then mean rank ascending, keep
//    the first k, pad with index -1 and value 0.0).
// Other columns are ignored.
//
// What "exactly as pandas" covers: pandas.read_csv's default tokenising (csv.h),
// its missing-value strings ("", "NA", "nan", "None", "NULL", ...), its per-column
// type inference (int64 / float64 / bool / text) and the Python conversions the
// script then applies (astype(int) truncates floats, astype(str) writes 1.0 for a
// float column, ...). Known limits: numbers are read with correctly rounded
// conversion (pandas' default parser can differ by one unit in the last place on
// numbers with more than ~15 significant digits); integers must fit in int64;
// Unicode digits, escape sequences other than \\ \' \" \n \t \r inside quoted
// strings in list cells, and nesting deeper than 200 brackets are rejected or read
// differently. Where the Python script would raise, these functions throw
// InputError naming the file, line and column.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ca::authors {

// One row of the excel-like table, after the script's conversions.
struct TableRow {
    int64_t idx = 0;               // layer id as written (the HF layer index in their files)
    std::string domain;
    std::vector<int64_t> indices;  // topk_indices (may hold -1 padding)
    std::vector<double> values;    // topk_values
};

using Table = std::vector<TableRow>;

enum class WeightAggregation { Mean, Sum, Median };
WeightAggregation parseWeightAggregation(const std::string& name);  // "mean" | "sum" | "median"

struct LongFormatOptions {
    int64_t k = 0;  // 0 = infer (max topk_rank + 1, else most distinct experts in a group)
    bool k_given = false;
    WeightAggregation aggregation = WeightAggregation::Mean;
};

enum class Schema { ExcelLike, Long };

// Reads an authors' table from a file: `.csv` or `.xlsx` (any case; the first sheet, as
// pandas.read_excel reads it: xlsx_sheet.h); `.xls` gives an InputError asking for .xlsx or
// CSV; other suffixes are rejected like the script does.
Table readTable(const std::string& path, const LongFormatOptions& options = {});

// The same from CSV text; `source` names the input in error messages.
Table parseCsvTable(std::string_view csv_text, const std::string& source,
                    const LongFormatOptions& options = {}, Schema* detected = nullptr);

// parse_list_cell() for one cell given as text (as a non-numeric pandas column holds
// it): missing-value strings and blank text give [], otherwise the text is read like
// ast.literal_eval, falling back to stripping [ ] and splitting on ','; each element is
// then converted like Python's int() / float(). Throws InputError(source, ...) where
// Python would raise.
std::vector<int64_t> parseIndexCell(std::string_view text, const std::string& source = "");
std::vector<double> parseValueCell(std::string_view text, const std::string& source = "");

}  // namespace ca::authors
