// Small pieces the interactive plot views (heatmap, Gini, Jaccard) share: clicks and
// hover on a QCustomPlot, pixel -> integer cell, the layer labels of an analysis,
// and writing a view's data as CSV.
#pragma once

#include "core/analysis/audit.h"

#include <QPoint>
#include <QString>

#include <functional>
#include <memory>
#include <string>
#include <vector>

class QCustomPlot;
class QCPAxis;
class QCPAxisRect;
class QObject;

class QBoxLayout;
class QLabel;
class QStackedWidget;
class QWidget;

namespace ca::ui {

class Session;

// Calls on_click(pixel) for a left click: press and release less than a few pixels apart.
// One panel of a view: a plot, or a centred message in its place (no data, computing, ...).
struct PlotOrMessage {
    QStackedWidget* stack = nullptr;
    QCustomPlot* plot = nullptr;
    QLabel* message = nullptr;
};
PlotOrMessage makePlotOrMessage(QWidget* parent);

void onPlotClick(QCustomPlot* plot, QObject* context, std::function<void(QPoint)> on_click);

// Resizes a view's row of panels to `count` (at least one). A new panel gets a
// makePlotOrMessage() widget set, added to `row`, whose clicks and hovers call
// click(index, pixel) and tip(index, pixel). Panel needs the members stack, plot, message.
template <typename Panel, typename Click, typename Tip>
void resizePanels(std::vector<std::unique_ptr<Panel>>& panels, size_t count, QWidget* owner,
                  QBoxLayout* row, Click click, Tip tip);

// Shows text(pixel) as a tooltip while the mouse moves over the plot (hidden when empty).
// text() must be fast: it runs on every mouse move.
void onPlotHover(QCustomPlot* plot, QObject* context, std::function<QString(QPoint)> text);

// The integer position 0..count-1 nearest to the pixel along `axis`, or -1 outside
// [-0.5, count - 0.5].
int integerAt(const QCPAxis* axis, double pixel, int count);

// Whether `pixel` lies inside the axis rect's plotting area.
bool insideRect(const QCPAxisRect* rect, const QPoint& pixel);

// What the Layer columns and axes print: the trace's MoE layer labels.
std::vector<std::string> layerLabelTexts(const AuditResult& result);
QString layerLabel(const AuditResult& result, int layer);

// Writes ca::toCsv(table) to `path`; throws InputError(path, ...) when it cannot.
void writeCsvFile(const QString& path, const PlainTable& table);

// "name" -> "name" made file-name safe (figures::fileSlug on the UTF-8 text).
QString slug(const QString& name);

// The documents a view shows: every open one when comparing, else the selected one (the first
// when the selection names none); empty when nothing is open.
std::vector<int> shownDocuments(const Session& session, bool compare);

}  // namespace ca::ui

#include "ui/views/plot_panels.inl"
