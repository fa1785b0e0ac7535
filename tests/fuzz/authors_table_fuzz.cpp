// libFuzzer target: an authors' table as CSV text, read with both schemas' rules and
// audited. Any input must either give a table/audit or throw ca::InputError; crashes,
// sanitizer reports, hangs and other exceptions are findings.
#include "core/analysis/authors_audit.h"
#include "core/io/authors_table.h"
#include "core/util/input_error.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    // The first byte picks the long-format options, the rest is the file.
    const uint8_t control = data[0];
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    ca::authors::LongFormatOptions options;
    options.aggregation = static_cast<ca::authors::WeightAggregation>(control % 3);
    if (control & 0x04) {
        options.k_given = true;
        options.k = (control >> 3) % 9;  // 0 exercises the k <= 0 error
    }
    try {
        const ca::authors::Table table = ca::authors::parseCsvTable(text, "fuzz.csv", options);
        ca::authors::AuditOptions audit;
        audit.presence_ratio = (control & 0x80) ? 0.8 : 0.28;
        const auto result = ca::authors::runStandingCommitteeAudit(table, audit, "fuzz.csv");
        (void)ca::authors::auditToCsv(result);
    } catch (const ca::InputError&) {
    }
    return 0;
}
