#include "ui/figures/line_figure.h"

#include "ui/figures/figure_axes.h"
#include "ui/figures/figure_style.h"

#include <qcustomplot.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace ca::figures {

namespace {

QVector<double> toVector(const std::vector<double>& values) {
    return QVector<double>(values.begin(), values.end());
}

}  // namespace

LinePlotHandles buildLinePlot(QCustomPlot& plot, const LinePlotData& data,
                              const FigureCaption& caption) {
    LinePlotHandles handles;
    QCPLayoutGrid* content = resetWithFrame(plot, caption);
    QCPAxisRect* rect = addAxisRect(plot, content, 0, 0);
    QCPAxis* x = rect->axis(QCPAxis::atBottom);
    QCPAxis* y = rect->axis(QCPAxis::atLeft);
    styleAxis(x, toQString(data.x_label));
    styleAxis(y, toQString(data.y_label));
    x->grid()->setVisible(false);

    double x_min = std::numeric_limits<double>::infinity(), x_max = -x_min;
    double y_min = x_min, y_max = -x_min;
    auto extend = [](double v, double& lo, double& hi) {
        if (!std::isfinite(v)) return;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    };

    std::vector<QCPAbstractPlottable*> legend_entries;
    bool any_band = false;
    for (size_t i = 0; i < data.series.size(); ++i) {
        const LineSeries& s = data.series[i];
        if (s.x.size() != s.y.size())
            throw std::invalid_argument("buildLinePlot: x and y differ in length");
        const bool has_band = !s.band_low.empty() || !s.band_high.empty();
        if (has_band && (s.band_low.size() != s.x.size() || s.band_high.size() != s.x.size()))
            throw std::invalid_argument("buildLinePlot: band does not match x");
        const QColor color = seriesColor(static_cast<int>(i));
        QCPGraph* band_low = nullptr;
        if (has_band) {
            any_band = true;
            QColor fill = color;
            fill.setAlphaF(0.22);
            band_low = plot.addGraph(x, y);
            QCPGraph* band_high = plot.addGraph(x, y);
            band_low->setData(toVector(s.x), toVector(s.band_low), true);
            band_high->setData(toVector(s.x), toVector(s.band_high), true);
            for (QCPGraph* edge : {band_low, band_high}) {
                edge->setPen(Qt::NoPen);
                edge->removeFromLegend();
            }
            band_low->setBrush(fill);
            band_low->setChannelFillGraph(band_high);
            for (size_t j = 0; j < s.x.size(); ++j) {
                extend(s.band_low[j], y_min, y_max);
                extend(s.band_high[j], y_min, y_max);
            }
        }
        QCPGraph* line = plot.addGraph(x, y);
        line->setName(toQString(s.name));
        line->setData(toVector(s.x), toVector(s.y), true);
        line->setPen(QPen(color, 1.4));
        line->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, color, color,
                                              s.x.size() > 40 ? 2.5 : 4.0));
        legend_entries.push_back(line);
        handles.lines.push_back(line);
        handles.bands.push_back(band_low);
        for (size_t j = 0; j < s.x.size(); ++j) {
            extend(s.x[j], x_min, x_max);
            extend(s.y[j], y_min, y_max);
        }
    }

    if (std::isfinite(x_min)) {
        const double pad = std::max((x_max - x_min) * 0.03, 0.5);
        x->setRange(x_min - pad, x_max + pad);
    } else {
        x->setRange(0, 1);
    }
    if (data.y_range) {
        y->setRange(data.y_range->first, data.y_range->second);
    } else if (std::isfinite(y_min)) {
        const double pad = std::max((y_max - y_min) * 0.08, 1e-3);
        y->setRange(y_min - pad, y_max + pad);
    } else {
        y->setRange(0, 1);
    }
    if (!data.x_tick_labels.empty()) {
        setIntegerTicks(x, static_cast<int>(data.x_tick_labels.size()), data.x_tick_labels, 16);
    } else if (std::isfinite(x_min) && x_max - x_min <= 64 && x_min == std::floor(x_min)) {
        // Layer indices and budgets are integers: no fractional ticks.
        QSharedPointer<QCPAxisTickerFixed> ticker(new QCPAxisTickerFixed);
        ticker->setTickStep(niceIntegerStep(static_cast<int>(x_max - x_min) + 1, 16));
        ticker->setScaleStrategy(QCPAxisTickerFixed::ssNone);
        x->setTicker(ticker);
        x->setSubTicks(false);
    }

    if (legend_entries.size() > 1 || any_band) {
        QCPLegend* legend = addLegendRow(plot, content, 1, legend_entries);
        if (any_band && !data.band_label.empty()) {
            // A swatch of the band colour explains the shading once.
            QCPGraph* swatch = plot.addGraph(x, y);
            QColor fill = seriesColor(0);
            fill.setAlphaF(0.22);
            swatch->setName(toQString(data.band_label));
            swatch->setPen(Qt::NoPen);
            swatch->setBrush(fill);
            swatch->addToLegend(legend);
            legend->item(legend->itemCount() - 1)->setMargins(QMargins(2, 2, 2, 2));
        }
    }
    return handles;
}

}  // namespace ca::figures
