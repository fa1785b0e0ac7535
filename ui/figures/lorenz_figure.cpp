#include "ui/figures/lorenz_figure.h"

#include "ui/figures/figure_axes.h"
#include "ui/figures/figure_style.h"

#include <qcustomplot.h>

#include <algorithm>
#include <stdexcept>

namespace ca::figures {

LorenzCurve lorenzCurveOf(const std::vector<double>& mass, const std::string& name, double gini) {
    LorenzCurve curve;
    curve.name = name;
    curve.gini = gini;
    std::vector<double> sorted;
    sorted.reserve(mass.size());
    for (double m : mass) sorted.push_back(m > 0.0 ? m : 0.0);
    std::sort(sorted.begin(), sorted.end());
    double total = 0.0;
    for (double m : sorted) total += m;
    const size_t n = sorted.size();
    curve.population_share.push_back(0.0);
    curve.mass_share.push_back(0.0);
    double cumulative = 0.0;
    for (size_t i = 0; i < n; ++i) {
        cumulative += sorted[i];
        const double p = static_cast<double>(i + 1) / n;
        curve.population_share.push_back(p);
        curve.mass_share.push_back(total > 0.0 ? cumulative / total : p);
    }
    return curve;
}

LorenzHandles buildLorenz(QCustomPlot& plot, const LorenzData& data, const FigureCaption& caption) {
    LorenzHandles handles;
    QCPLayoutGrid* content = resetWithFrame(plot, caption);
    QCPAxisRect* rect = addAxisRect(plot, content, 0, 0);
    QCPAxis* x = rect->axis(QCPAxis::atBottom);
    QCPAxis* y = rect->axis(QCPAxis::atLeft);
    styleAxis(x, QStringLiteral("Cumulative share of experts (ascending ECI)"));
    styleAxis(y, QStringLiteral("Cumulative share of ECI mass"));
    x->setRange(0, 1);
    y->setRange(0, 1.0);
    addFrame(rect);

    std::vector<QCPAbstractPlottable*> entries;
    handles.equality = plot.addGraph(x, y);
    handles.equality->setName(QStringLiteral("Equality"));
    handles.equality->setData(QVector<double>{0.0, 1.0}, QVector<double>{0.0, 1.0});
    handles.equality->setPen(QPen(QColor(120, 120, 120), 1.0, Qt::DashLine));
    entries.push_back(handles.equality);

    for (size_t i = 0; i < data.curves.size(); ++i) {
        const LorenzCurve& c = data.curves[i];
        if (c.population_share.size() != c.mass_share.size())
            throw std::invalid_argument("buildLorenz: curve x and y differ in length");
        // A QCPCurve keeps the point order (a graph would re-sort by x).
        auto* curve = new QCPCurve(x, y);
        curve->setData(QVector<double>(c.population_share.begin(), c.population_share.end()),
                       QVector<double>(c.mass_share.begin(), c.mass_share.end()));
        curve->setPen(QPen(seriesColor(static_cast<int>(i)), 1.5));
        curve->setName(QStringLiteral("%1 (Gini %2)")
                           .arg(toQString(c.name))
                           .arg(QString::number(c.gini, 'f', 3)));
        entries.push_back(curve);
        handles.curves.push_back(curve);
    }
    // Above the diagonal stays empty (a Lorenz curve never crosses it): room for the key.
    addInsetLegend(plot, rect, entries, Qt::AlignTop | Qt::AlignLeft);
    return handles;
}

}  // namespace ca::figures
