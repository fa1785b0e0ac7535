// The tables of `committee-audit report`: every analysis of an AuditResult as a
// CSV file and a JSON file in the report folder, plus report.json, which records
// what produced them (tool version, trace, model, ECI variant, every setting)
// and lists every file of the report. File names and columns: docs/report.md.
//
// The table layout itself (columns, one row per ...) is the analysis library's
// (auditTables in core/analysis/audit.h), shared with the desktop app's exports.
#pragma once

#include "core/analysis/audit.h"
#include "core/trace/trace_types.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace ca {

// Where the numbers came from, beyond what AuditResult holds.
struct ReportProvenance {
    std::string trace_path;
    ModelInfo model;
    int64_t num_samples = 0;
    int64_t num_tokens = 0;
    bool trace_has_probs = false;        // /routing/probs
    bool trace_has_last_probs = false;   // /samples/last_probs
    std::string score_reason;            // why this ECI variant, e.g. "default: ..."
    std::string capture_settings_json;   // the trace's own settings JSON, "" if none
    nlohmann::json report_settings = nlohmann::json::object();  // figure choices etc.
};

// One line each, for captions and JSON: what the variant computes / which
// token positions were used.
std::string describeEciVariant(EciVariant variant);
std::string describePositions(const PositionSelection& positions);

// {"tool", "version", "trace": {...}, "model": {...}, "eci_variant": {...},
//  "positions": {...}, "settings": {...}}: the provenance block every JSON file carries.
nlohmann::json reportProvenanceJson(const AuditResult& result, const ReportProvenance& prov);

// A file the report wrote, relative to the report folder, and what it holds.
struct ReportFile {
    std::string name;         // e.g. "committee.csv", "figures/gini_by_layer.png"
    std::string description;
};

// Writes <dir>/<table>.csv (RFC 4180, header row) and <dir>/<table>.json
// ({"name", "columns", "rows", "provenance"}) for every table of auditTables(result).
// Creates `dir` if needed. Throws InputError(path, ...) when a file cannot be written.
std::vector<ReportFile> writeAuditTables(const std::string& dir, const AuditResult& result,
                                         const ReportProvenance& prov);

// Writes <dir>/report.json: provenance, the audit summary (auditSummaryJson) and
// the list of files. Returns its ReportFile.
ReportFile writeReportJson(const std::string& dir, const AuditResult& result,
                           const ReportProvenance& prov, const std::vector<ReportFile>& files);

// Writes `text` to `path` (binary, replacing it); InputError(path, ...) on failure.
void writeTextFile(const std::string& path, const std::string& text);

}  // namespace ca
