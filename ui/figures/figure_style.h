// The look shared by every figure: fonts sized for a 6.5-inch-wide journal
// column, a perceptual colour map, a colour-blind-safe line palette, and the
// title + caption frame that names the ECI variant, trace, model and positions.
#pragma once

#include "ui/figures/figure_data.h"

#include <QColor>
#include <QFont>
#include <QString>

class QCustomPlot;
class QCPAxis;
class QCPAxisRect;
class QCPColorGradient;
class QCPLayoutGrid;

namespace ca::figures {

// Figures are laid out in "layout pixels" at 96 per inch and scaled on export
// (figure_export.h), so font sizes below are in points of the printed figure.
constexpr double kLayoutDpi = 96.0;

struct FigureStyle {
    QString font_family = QStringLiteral("DejaVu Sans");
    double base_pt = 8.0;     // axis labels, legend
    double tick_pt = 7.0;     // tick labels, cell values, table body
    double title_pt = 9.5;
    double caption_pt = 6.5;  // the provenance line under the title
};

const FigureStyle& defaultStyle();

// A font of `points` printed points, as a pixel size in layout pixels, so it
// prints at the same size whatever the DPI of the screen or paint device.
QFont figureFont(double points, bool bold = false, const FigureStyle& style = defaultStyle());

// Viridis (matplotlib's perceptually uniform sequential map, readable in
// grey-scale and by colour-blind readers), as a continuous QCustomPlot gradient.
QCPColorGradient viridisGradient();

// The Okabe-Ito palette: eight colours distinguishable with any colour vision.
QColor seriesColor(int index);

// Black or white, whichever reads better on `background`.
QColor contrastingTextColor(const QColor& background);

// Clears `plot` and gives it the shared frame: a title row, a caption row
// (caption.subtitle()), and below them an empty grid for the figure's content,
// which is returned. Sets white background and antialiasing for export.
QCPLayoutGrid* resetWithFrame(QCustomPlot& plot, const FigureCaption& caption);

// Fonts, pens and tick lengths of one axis in the figure style.
void styleAxis(QCPAxis* axis, const QString& label);

// A fresh axis rect (left/bottom axes styled, top/right hidden) added to `grid`.
QCPAxisRect* addAxisRect(QCustomPlot& plot, QCPLayoutGrid* grid, int row, int col);

QString toQString(const std::string& text);

}  // namespace ca::figures
