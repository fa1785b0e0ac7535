// The whole report of one analysed trace — the CSV/JSON tables, the figures and
// report.json — written into a folder. `committee-audit report` and the desktop app's
// "Export figure set" both call this, so the two give the same files (docs/report.md).
// Needs a QApplication (figures are QCustomPlot widgets).
#pragma once

#include "core/analysis/trace_analysis.h"
#include "core/io/report_writer.h"
#include "ui/figures/report_figures.h"

#include <string>
#include <vector>

namespace ca {
class TraceReader;
}

namespace ca::figures {

struct ReportExportOptions {
    std::vector<ImageFormat> formats = {ImageFormat::Png, ImageFormat::Pdf, ImageFormat::Svg};
    std::vector<int> layers;    // layer indices for the Jaccard and Lorenz figures; empty = default
    std::string score_reason;   // recorded in report.json
    // How the samples were grouped into the compared domains, recorded in report.json:
    // "domain" (the trace's labels), "subject", "cognitive", "difficulty", or
    // "taxonomy:NAME" (subjects mapped by a taxonomy).
    std::string domains_from = "domain";
    double width_in = 6.5, height_in = 4.0;  // figure size
    int dpi = 300;                           // PNG only
};

// trace: the file analysed (for provenance), or nullptr for an authors' table.
// source_name: the input's path as the user gave it.
std::vector<ReportFile> writeFullReport(const std::string& out_dir, const AuditResult& result,
                                        const TraceReader* trace, const std::string& source_name,
                                        const ReportExportOptions& options);

}  // namespace ca::figures
