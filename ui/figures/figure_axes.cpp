#include "ui/figures/figure_axes.h"

#include "ui/figures/figure_style.h"

#include <qcustomplot.h>

#include <algorithm>

namespace ca::figures {

namespace {

// Legend items are clipped to their own rectangle, which is exactly one text line
// high; scaled up for export, descenders (g, y) can cross it. A little padding
// keeps them whole.
void padItems(QCPLegend* legend) {
    // A wrapped legend whose last row is not full has empty cells: item() is null there.
    for (int i = 0; i < legend->itemCount(); ++i)
        if (QCPAbstractLegendItem* item = legend->item(i)) item->setMargins(QMargins(2, 2, 2, 2));
}

}  // namespace

int niceIntegerStep(int count, int max_ticks) {
    static const int kBase[] = {1, 2, 4, 5, 8};
    max_ticks = std::max(max_ticks, 1);
    for (int scale = 1;; scale *= 10) {
        for (int base : kBase) {
            const int step = base * scale;
            if ((count + step - 1) / step <= max_ticks) return step;
        }
        // 16, 20, 25, 32, 50, 64 between the decades, for expert counts.
        for (int step : {16 * scale, 20 * scale, 25 * scale, 32 * scale, 50 * scale, 64 * scale})
            if ((count + step - 1) / step <= max_ticks) return step;
    }
}

void setIntegerTicks(QCPAxis* axis, int count, const std::vector<std::string>& labels,
                     int max_ticks) {
    const int step = niceIntegerStep(count, max_ticks);
    if (labels.empty()) {
        QSharedPointer<QCPAxisTickerFixed> ticker(new QCPAxisTickerFixed);
        ticker->setTickStep(step);
        ticker->setScaleStrategy(QCPAxisTickerFixed::ssNone);
        axis->setTicker(ticker);
        axis->setSubTicks(false);
        return;
    }
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    for (int i = 0; i < count && i < static_cast<int>(labels.size()); i += step)
        ticker->addTick(i, toQString(labels[i]));
    axis->setTicker(ticker);
    axis->setSubTicks(false);
}

void setCategoryTicks(QCPAxis* axis, const std::vector<std::string>& labels) {
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    for (size_t i = 0; i < labels.size(); ++i)
        ticker->addTick(static_cast<double>(i), toQString(labels[i]));
    axis->setTicker(ticker);
    axis->setSubTicks(false);
}

void addFrame(QCPAxisRect* rect) {
    for (auto type : {QCPAxis::atTop, QCPAxis::atRight}) {
        QCPAxis* axis = rect->axis(type);
        axis->setVisible(true);
        axis->setTicks(false);
        axis->setTickLabels(false);
        axis->setBasePen(rect->axis(QCPAxis::atBottom)->basePen());
        axis->grid()->setVisible(false);
    }
    // Keep the frame's ranges in step with the data axes (zoom and pan in the app).
    auto* bottom = rect->axis(QCPAxis::atBottom);
    auto* left = rect->axis(QCPAxis::atLeft);
    auto* top = rect->axis(QCPAxis::atTop);
    auto* right = rect->axis(QCPAxis::atRight);
    top->setRange(bottom->range());
    right->setRange(left->range());
    right->setRangeReversed(left->rangeReversed());
    QObject::connect(bottom, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), top,
                     qOverload<const QCPRange&>(&QCPAxis::setRange));
    QObject::connect(left, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), right,
                     qOverload<const QCPRange&>(&QCPAxis::setRange));
}

QCPLegend* addLegendRow(QCustomPlot& plot, QCPLayoutGrid* grid, int row,
                        const std::vector<QCPAbstractPlottable*>& plottables, int columns) {
    auto* legend = new QCPLegend;
    grid->addElement(row, 0, legend);
    legend->setLayer(QStringLiteral("legend"));
    legend->setVisible(true);
    legend->setBorderPen(Qt::NoPen);
    legend->setBrush(Qt::NoBrush);
    legend->setFont(figureFont(defaultStyle().base_pt));
    legend->setIconSize(18, 9);
    legend->setIconTextPadding(4);
    legend->setColumnSpacing(14);
    legend->setRowSpacing(0);
    legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    legend->setWrap(std::max(columns, 1));
    // Start the legend where the plot area above it starts (after its tick labels).
    legend->setMargins(QMargins(0, 2, 2, 6));
    if (auto* rect = qobject_cast<QCPAxisRect*>(grid->element(0, 0))) {
        auto* group = new QCPMarginGroup(&plot);
        rect->setMarginGroup(QCP::msLeft, group);
        legend->setAutoMargins(QCP::msLeft);
        legend->setMinimumMargins(QMargins(0, 0, 0, 0));
        legend->setMarginGroup(QCP::msLeft, group);
    }
    if (!plot.legend) plot.legend = legend;
    for (QCPAbstractPlottable* p : plottables) p->addToLegend(legend);
    padItems(legend);
    // The legend row keeps its natural height; the plot above takes the rest.
    QList<double> factors;
    for (int r = 0; r < grid->rowCount(); ++r) factors << (r == row ? 0.001 : 1.0);
    grid->setRowStretchFactors(factors);
    return legend;
}

QCPLegend* addInsetLegend(QCustomPlot& plot, QCPAxisRect* rect,
                          const std::vector<QCPAbstractPlottable*>& plottables, int corner_flags) {
    auto* legend = new QCPLegend;
    rect->insetLayout()->addElement(legend, static_cast<Qt::Alignment>(corner_flags));
    legend->setLayer(QStringLiteral("legend"));
    legend->setVisible(true);
    legend->setBorderPen(QPen(QColor(200, 200, 200), 0.6));
    legend->setBrush(QColor(255, 255, 255, 230));
    legend->setFont(figureFont(defaultStyle().base_pt));
    legend->setIconSize(18, 9);
    legend->setIconTextPadding(4);
    legend->setRowSpacing(0);
    legend->setMargins(QMargins(6, 3, 6, 3));
    if (!plot.legend) plot.legend = legend;
    for (QCPAbstractPlottable* p : plottables) p->addToLegend(legend);
    padItems(legend);
    return legend;
}

}  // namespace ca::figures
