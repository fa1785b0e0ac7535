#include "ui/figures/matrix_figure.h"

#include "ui/figures/figure_axes.h"
#include "ui/figures/figure_style.h"

#include <qcustomplot.h>

#include <cmath>
#include <stdexcept>

namespace ca::figures {

MatrixHandles buildMatrix(QCustomPlot& plot, const MatrixData& data, const FigureCaption& caption) {
    if (data.size <= 0 || data.values.size() != static_cast<size_t>(data.size) * data.size)
        throw std::invalid_argument("buildMatrix: values do not match size x size");

    MatrixHandles handles;
    const FigureStyle& style = defaultStyle();
    QCPLayoutGrid* content = resetWithFrame(plot, caption);
    QCPAxisRect* rect = addAxisRect(plot, content, 0, 0);
    QCPAxis* x = rect->axis(QCPAxis::atBottom);
    QCPAxis* y = rect->axis(QCPAxis::atLeft);
    for (QCPAxis* axis : {x, y}) {
        axis->grid()->setVisible(false);
        axis->setRange(-0.5, data.size - 0.5);
        axis->setTickLength(0, 3);
    }
    y->setRangeReversed(true);
    std::vector<std::string> labels = data.labels;
    labels.resize(data.size);
    setCategoryTicks(x, labels);
    setCategoryTicks(y, labels);
    if (data.size > 4) x->setTickLabelRotation(-35);  // labels end at their tick
    addFrame(rect);

    auto* map = new QCPColorMap(x, y);
    map->setInterpolate(false);
    map->setTightBoundary(false);
    map->data()->setSize(data.size, data.size);
    map->data()->setRange(QCPRange(0, std::max(data.size - 1, 0)),
                          QCPRange(0, std::max(data.size - 1, 0)));
    for (int r = 0; r < data.size; ++r)
        for (int c = 0; c < data.size; ++c) map->data()->setCell(c, r, data.at(r, c));
    handles.color_map = map;

    auto* scale = new QCPColorScale(&plot);
    content->addElement(0, 1, scale);
    scale->setType(QCPAxis::atRight);
    scale->setBarWidth(9);
    styleAxis(scale->axis(), toQString(data.value_label));
    scale->axis()->grid()->setVisible(false);
    QCPColorGradient gradient = viridisGradient();  // color() is not const
    map->setColorScale(scale);
    map->setGradient(gradient);
    const QCPRange range(data.color_range.first, data.color_range.second);
    map->setDataRange(range);
    auto* group = new QCPMarginGroup(&plot);
    rect->setMarginGroup(QCP::msTop | QCP::msBottom, group);
    scale->setMarginGroup(QCP::msTop | QCP::msBottom, group);

    // Small matrices get bigger numbers; 9 domains fit at the table font size.
    const double text_pt = data.size <= 6 ? style.base_pt : (data.size <= 12 ? style.tick_pt : 5.5);
    for (int r = 0; r < data.size; ++r) {
        for (int c = 0; c < data.size; ++c) {
            const double value = data.at(r, c);
            auto* text = new QCPItemText(&plot);
            text->setClipAxisRect(rect);
            text->position->setAxes(x, y);
            text->position->setCoords(c, r);
            text->setPositionAlignment(Qt::AlignCenter);
            text->setFont(figureFont(text_pt));
            text->setText(std::isfinite(value) ? QString::number(value, 'f', data.decimals)
                                               : QStringLiteral("\u2013"));
            QRgb cell = gradient.color(value, range);
            text->setColor(std::isfinite(value) ? contrastingTextColor(QColor(cell))
                                                : QColor(Qt::black));
            handles.cell_texts.push_back(text);
        }
    }
    // Cells stay square-ish: the matrix takes no more width than height needs.
    content->setColumnStretchFactors({1.0, 0.001});
    return handles;
}

}  // namespace ca::figures
