// What a view offers to File > Export: its figure(s) at publication size and the data
// behind them as CSV. The main window asks the view with focus (or every view, for
// "Export all views").
#pragma once

#include "ui/figures/figure_export.h"

#include <QString>
#include <QStringList>

#include <vector>

namespace ca::ui {

class ExportableView {
public:
    virtual ~ExportableView() = default;
    // File stem for this view's current content, e.g. "heatmap_layer-expert_paper".
    virtual QString exportStem() const = 0;
    // Writes <dir>/<stem>.<ext> for each format and <dir>/<stem>.csv with the data shown;
    // returns the paths written. Throws ca::InputError when a file cannot be written.
    virtual QStringList exportTo(const QString& dir, const QString& stem,
                                 const std::vector<figures::ImageFormat>& formats,
                                 const figures::ExportOptions& options) = 0;
};

}  // namespace ca::ui
