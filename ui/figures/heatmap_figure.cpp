#include "ui/figures/heatmap_figure.h"

#include "ui/figures/figure_axes.h"
#include "ui/figures/figure_style.h"

#include <qcustomplot.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace ca::figures {

namespace {

// Pure red reads on every part of viridis, from the dark purple to the yellow.
const QColor kMarkerColor("#E8000B");

QString colorScaleLabel(const HeatmapData& data) {
    QString label = toQString(data.value_label);
    if (!data.color_range &&
        (data.clip_low_percentile > 0.0 || data.clip_high_percentile < 100.0)) {
        label += QStringLiteral("\n(colours clipped to p%1\u2013p%2)")
                     .arg(data.clip_low_percentile)
                     .arg(data.clip_high_percentile);
    }
    return label;
}

}  // namespace

double percentile(std::vector<double> values, double p) {
    if (values.empty()) return std::nan("");
    std::sort(values.begin(), values.end());
    const double position = std::clamp(p, 0.0, 100.0) / 100.0 * (values.size() - 1);
    const auto below = static_cast<size_t>(std::floor(position));
    const size_t above = std::min(below + 1, values.size() - 1);
    const double fraction = position - below;
    return values[below] + (values[above] - values[below]) * fraction;
}

std::pair<double, double> heatmapColorRange(const HeatmapData& data) {
    double low = 0.0, high = 1.0;
    if (data.color_range) {
        std::tie(low, high) = *data.color_range;
    } else {
        std::vector<double> finite;
        finite.reserve(data.values.size());
        for (double v : data.values)
            if (std::isfinite(v)) finite.push_back(v);
        if (!finite.empty()) {
            low = percentile(finite, data.clip_low_percentile);
            high = percentile(finite, data.clip_high_percentile);
        }
    }
    if (!(high > low)) high = low + (low == 0.0 ? 1.0 : std::abs(low) * 0.5);
    return {low, high};
}

HeatmapHandles buildHeatmap(QCustomPlot& plot, const HeatmapData& data,
                            const FigureCaption& caption) {
    if (data.rows <= 0 || data.cols <= 0 ||
        data.values.size() != static_cast<size_t>(data.rows) * data.cols)
        throw std::invalid_argument("buildHeatmap: values do not match rows x cols");

    HeatmapHandles handles;
    QCPLayoutGrid* content = resetWithFrame(plot, caption);
    QCPAxisRect* rect = addAxisRect(plot, content, 0, 0);
    handles.axis_rect = rect;
    QCPAxis* x = rect->axis(QCPAxis::atBottom);
    QCPAxis* y = rect->axis(QCPAxis::atLeft);
    styleAxis(x, toQString(data.x_label));
    styleAxis(y, toQString(data.y_label));
    x->grid()->setVisible(false);
    y->grid()->setVisible(false);
    x->setRange(-0.5, data.cols - 0.5);
    y->setRange(-0.5, data.rows - 0.5);
    y->setRangeReversed(true);
    setIntegerTicks(x, data.cols, {});
    setIntegerTicks(y, data.rows, data.row_labels);
    addFrame(rect);

    auto* map = new QCPColorMap(x, y);
    map->setInterpolate(false);
    map->setTightBoundary(false);
    map->data()->setSize(data.cols, data.rows);
    // Cell centres on integers; a single row or column still gets a unit cell.
    map->data()->setRange(QCPRange(0, std::max(data.cols - 1, 0)),
                          QCPRange(0, std::max(data.rows - 1, 0)));
    for (int r = 0; r < data.rows; ++r)
        for (int c = 0; c < data.cols; ++c) map->data()->setCell(c, r, data.at(r, c));
    handles.color_map = map;

    auto* scale = new QCPColorScale(&plot);
    content->addElement(0, 1, scale);
    scale->setType(QCPAxis::atRight);
    scale->setBarWidth(9);
    styleAxis(scale->axis(), colorScaleLabel(data));
    scale->axis()->grid()->setVisible(false);
    map->setColorScale(scale);
    map->setGradient(viridisGradient());
    const auto [low, high] = heatmapColorRange(data);
    map->setDataRange(QCPRange(low, high));
    handles.color_scale = scale;

    auto* group = new QCPMarginGroup(&plot);
    rect->setMarginGroup(QCP::msTop | QCP::msBottom, group);
    scale->setMarginGroup(QCP::msTop | QCP::msBottom, group);

    const QPen markerPen(kMarkerColor, 1.3);
    for (const auto& [row, col] : data.marked_cells) {
        auto* box = new QCPItemRect(&plot);
        box->setClipAxisRect(rect);
        box->topLeft->setAxes(x, y);
        box->bottomRight->setAxes(x, y);
        box->topLeft->setCoords(col - 0.5, row - 0.5);
        box->bottomRight->setCoords(col + 0.5, row + 0.5);
        box->setPen(markerPen);
        box->setBrush(Qt::NoBrush);
        handles.markers.push_back(box);
    }
    if (!data.marked_cells.empty()) {
        // A data-free graph whose square symbol matches the boxes, for the legend.
        QCPGraph* key = plot.addGraph(x, y);
        key->setName(toQString(data.marker_label));
        key->setLineStyle(QCPGraph::lsNone);
        key->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssSquare, markerPen, Qt::NoBrush, 8));
        addLegendRow(plot, content, 1, {key});
    }
    return handles;
}

}  // namespace ca::figures
