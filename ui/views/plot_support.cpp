#include "ui/views/plot_support.h"

#include <QLabel>
#include <QStackedWidget>

#include "core/util/input_error.h"
#include "ui/figures/audit_figures.h"
#include "ui/session/session.h"

#include <qcustomplot.h>

#include <QFile>
#include <QToolTip>

#include <cmath>
#include <memory>

namespace ca::ui {

PlotOrMessage makePlotOrMessage(QWidget* parent) {
    PlotOrMessage p;
    p.stack = new QStackedWidget(parent);
    p.plot = new QCustomPlot(p.stack);
    p.message = new QLabel(p.stack);
    p.message->setAlignment(Qt::AlignCenter);
    p.message->setWordWrap(true);
    p.stack->addWidget(p.plot);
    p.stack->addWidget(p.message);
    return p;
}


void onPlotClick(QCustomPlot* plot, QObject* context, std::function<void(QPoint)> on_click) {
    auto pressed = std::make_shared<QPoint>(-1000, -1000);
    QObject::connect(plot, &QCustomPlot::mousePress, context, [pressed](QMouseEvent* event) {
        if (event->button() == Qt::LeftButton) *pressed = event->pos();
    });
    QObject::connect(plot, &QCustomPlot::mouseRelease, context,
                     [pressed, on_click = std::move(on_click)](QMouseEvent* event) {
                         if (event->button() != Qt::LeftButton) return;
                         const QPoint at = event->pos();
                         if ((at - *pressed).manhattanLength() <= 4) on_click(at);
                         *pressed = QPoint(-1000, -1000);
                     });
}

void onPlotHover(QCustomPlot* plot, QObject* context, std::function<QString(QPoint)> text) {
    plot->setMouseTracking(true);
    QObject::connect(plot, &QCustomPlot::mouseMove, context,
                     [plot, text = std::move(text)](QMouseEvent* event) {
                         const QString tip = text(event->pos());
                         if (tip.isEmpty())
                             QToolTip::hideText();
                         else
                             QToolTip::showText(plot->mapToGlobal(event->pos()), tip, plot);
                     });
}

int integerAt(const QCPAxis* axis, double pixel, int count) {
    const double coord = axis->pixelToCoord(pixel);
    if (!(coord >= -0.5 && coord < count - 0.5)) return -1;
    const int index = static_cast<int>(std::lround(coord));
    return index >= 0 && index < count ? index : -1;
}

bool insideRect(const QCPAxisRect* rect, const QPoint& pixel) {
    return rect && rect->rect().contains(pixel);
}

std::vector<std::string> layerLabelTexts(const AuditResult& result) {
    std::vector<std::string> labels;
    for (int label : result.layer_labels) labels.push_back(std::to_string(label));
    return labels;
}

QString layerLabel(const AuditResult& result, int layer) {
    if (layer >= 0 && layer < static_cast<int>(result.layer_labels.size()))
        return QString::number(result.layer_labels[static_cast<size_t>(layer)]);
    return QString::number(layer);
}

void writeCsvFile(const QString& path, const PlainTable& table) {
    QFile file(path);
    const std::string csv = toCsv(table);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
        file.write(csv.data(), static_cast<qint64>(csv.size())) != static_cast<qint64>(csv.size()))
        throw InputError(path.toStdString(), "cannot write: " + file.errorString().toStdString());
}

QString slug(const QString& name) {
    return QString::fromStdString(figures::fileSlug(name.toStdString()));
}

std::vector<int> shownDocuments(const Session& session, bool compare) {
    std::vector<int> documents;
    if (compare) {
        for (int i = 0; i < session.documentCount(); ++i) documents.push_back(i);
        return documents;
    }
    int current = session.selection()->state().document;
    if (!session.document(current)) current = session.documentCount() > 0 ? 0 : -1;
    if (current >= 0) documents.push_back(current);
    return documents;
}

}  // namespace ca::ui
