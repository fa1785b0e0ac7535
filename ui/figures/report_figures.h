// Every figure of `committee-audit report` for one AuditResult, written into a
// folder in the chosen formats. The desktop app's "export all figures" uses it too.
// Needs a QApplication (QCustomPlot is a widget); headless runs use the offscreen
// Qt platform.
#pragma once

#include "core/analysis/audit.h"
#include "core/io/report_writer.h"
#include "ui/figures/figure_export.h"

#include <string>
#include <vector>

namespace ca::figures {

struct ReportFigureOptions {
    std::vector<ImageFormat> formats = {ImageFormat::Png, ImageFormat::Pdf, ImageFormat::Svg};
    std::vector<int> layers;      // layer indices for the Jaccard matrices and Lorenz curves;
                                  // empty = defaultFigureLayers()
    std::string model_name;       // for the captions
    std::string trace_name;
    double width_in = 6.5, height_in = 4.0;
    int dpi = 300;
};

// Writes <dir>/<figure>.<ext> for every figure; returns the files, named
// relative to `name_prefix` (e.g. "figures/") for the report's file list.
std::vector<ReportFile> writeReportFigures(const std::string& dir, const AuditResult& result,
                                           const ReportFigureOptions& options,
                                           const std::string& name_prefix = "");

}  // namespace ca::figures
