// libFuzzer target: a worksheet's XML (what an .xlsx holds in xl/worksheets/sheetN.xml) turned
// into the CSV text the authors' table reader parses, then parsed as a table. Any input must
// give a table or throw ca::InputError; crashes, sanitizer reports and hangs are findings. (The
// zip container around it is libzip's, fuzzed upstream.)
#include "core/io/authors_table.h"
#include "core/io/xlsx_sheet.h"
#include "core/util/input_error.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const std::vector<std::string> shared = {"idx", "domain", "topk_indices", "topk_values",
                                                    "[1, 2]", "0.5, 0.25", "news"};
    const std::string_view xml(reinterpret_cast<const char*>(data), size);
    try {
        const std::string csv = ca::xlsx::sheetAsCsv(xml, shared, "fuzz.xlsx", "sheet1.xml");
        (void)ca::authors::parseCsvTable(csv, "fuzz.xlsx");
    } catch (const ca::InputError&) {
    }
    return 0;
}
