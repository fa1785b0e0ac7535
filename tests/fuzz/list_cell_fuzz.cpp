// libFuzzer target: one list cell of an authors' table (topk_indices / topk_values),
// read like the script's parse_list_cell (ast.literal_eval, then the split fallback).
// Any input must give a list or throw ca::InputError.
#include "core/io/authors_table.h"
#include "core/util/input_error.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        (void)ca::authors::parseIndexCell(text, "fuzz");
    } catch (const ca::InputError&) {
    }
    try {
        (void)ca::authors::parseValueCell(text, "fuzz");
    } catch (const ca::InputError&) {
    }
    return 0;
}
