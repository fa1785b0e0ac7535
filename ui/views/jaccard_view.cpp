#include "ui/views/jaccard_view.h"

#include "core/util/input_error.h"
#include "ui/figures/audit_figures.h"
#include "ui/figures/heatmap_metrics.h"
#include "ui/figures/line_figure.h"
#include "ui/session/session.h"
#include "ui/views/plot_layer_spin_box.h"
#include "ui/views/plot_support.h"

#include <qcustomplot.h>

#include <QCheckBox>
#include <QDir>
#include <QHBoxLayout>
#include <QLabel>
#include <QSplitter>
#include <QStackedWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <exception>
#include <set>

namespace ca::ui {

// One document's matrix at the shown layer, or the message shown in its place.
struct JaccardView::Panel {
    int document = -1;
    std::shared_ptr<const Document> doc;
    QStackedWidget* stack = nullptr;
    QCustomPlot* plot = nullptr;
    QLabel* message = nullptr;

    bool has_data = false;
    QString text;
    int layer = -1;
    figures::MatrixData data;
    figures::MatrixHandles handles;
    std::vector<int> domains;  // matrix row -> domain index
    QCPItemRect* row_box = nullptr;

    ~Panel() { delete stack; }
    const AuditResult& audit() const { return doc->analysis->result.audit; }
};

namespace {

bool domainActive(const AuditResult& audit, int d) {
    return audit.eci.domain_counts.empty() || audit.eci.domain_counts[static_cast<size_t>(d)] > 0;
}

}  // namespace

JaccardView::JaccardView(Session* session, QWidget* parent) : QWidget(parent), session_(session) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    auto* controls = new QHBoxLayout;
    layer_spin_ = new LayerSpinBox(this);
    layer_spin_->setToolTip(tr("The MoE layer whose domain overlap is shown"));
    compare_box_ = new QCheckBox(tr("Compare all open documents"), this);
    controls->addWidget(layer_spin_);
    controls->addWidget(compare_box_);
    controls->addStretch(1);
    layout->addLayout(controls);

    auto* splitter = new QSplitter(Qt::Vertical, this);
    auto* matrices = new QWidget(splitter);
    panel_row_ = new QHBoxLayout(matrices);
    panel_row_->setContentsMargins(0, 0, 0, 0);
    curve_plot_ = new QCustomPlot(splitter);
    splitter->addWidget(matrices);
    splitter->addWidget(curve_plot_);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    layout->addWidget(splitter, 1);

    connect(layer_spin_, &QSpinBox::valueChanged, this, [this](int value) {
        if (updating_) return;
        session_->selection()->setLayer(value);  // redraws through selectionChanged
    });
    connect(compare_box_, &QCheckBox::toggled, this, [this] { rebuild(); });
    connect(session_, &Session::analysisChanged, this, [this] { rebuild(); });
    connect(session_, &Session::documentsChanged, this, [this] { rebuild(); });
    connect(session_->selection(), &Selection::changed, this, &JaccardView::selectionChanged);
    onPlotClick(curve_plot_, this, [this](QPoint pixel) { curveClicked(pixel); });
    onPlotHover(curve_plot_, this, [this](QPoint pixel) -> QString {
        const QCPAxisRect* rect = curve_plot_->axisRect();
        if (curve_.series.empty() || !insideRect(rect, pixel)) return {};
        const int layer = integerAt(rect->axis(QCPAxis::atBottom), pixel.x(),
                                    static_cast<int>(curve_.x_tick_labels.size()));
        if (layer < 0) return {};
        QStringList lines{tr("Layer %1").arg(QString::fromStdString(curve_.x_tick_labels[static_cast<size_t>(layer)]))};
        for (const auto& s : curve_.series)
            if (layer < static_cast<int>(s.y.size()))
                lines << tr("%1: mean Jaccard %2")
                             .arg(QString::fromStdString(s.name),
                                  QString::fromStdString(figures::exactNumber(s.y[static_cast<size_t>(layer)])));
        return lines.join(QLatin1Char('\n'));
    });
    rebuild();
}

JaccardView::~JaccardView() = default;

QSpinBox* JaccardView::layerSpin() const { return layer_spin_; }

void JaccardView::setCompare(bool compare) { compare_box_->setChecked(compare); }

void JaccardView::selectionChanged(const SelectionState&, Selection::Fields what) {
    if (what & (Selection::Document | Selection::Layer))
        rebuild();
    else if (what & Selection::Domain)
        drawSelection();
}

void JaccardView::rebuild() {
    // The layer control follows the current document and the selected layer.
    const auto current = session_->currentDocument();
    const AuditResult* audit = current ? current->audit() : nullptr;
    const int selected = session_->selection()->state().layer;
    updating_ = true;
    layer_spin_->setLabels(audit ? layerLabelTexts(*audit) : std::vector<std::string>{});
    layer_ = selected >= 0 ? selected : 0;
    if (audit && layer_ < audit->num_layers) layer_spin_->setValue(layer_);
    updating_ = false;
    rebuildMatrices();
    rebuildCurve();
}

void JaccardView::rebuildMatrices() {
    const std::vector<int> documents = shownDocuments(*session_, compare_box_->isChecked());
    resizePanels(
        panels_, documents.size(), this, panel_row_,
        [this](int index, QPoint pixel) { matrixClicked(index, pixel); },
        [this](int index, QPoint pixel) { return toolTipAt(index, pixel); });

    for (size_t i = 0; i < panels_.size(); ++i) {
        Panel& p = *panels_[i];
        p.document = documents.empty() ? -1 : documents[i];
        p.doc = session_->document(p.document);
        p.has_data = false;
        p.row_box = nullptr;
        p.domains.clear();
        p.layer = layer_;
        if (!p.doc) {
            p.text = tr("Open a routing trace or an authors' table (File \u203a Open) to see its domain overlap.");
        } else if (!p.doc->analysis) {
            p.text = p.doc->error.isEmpty() ? tr("Analysing %1\u2026").arg(p.doc->name)
                                            : tr("The analysis of %1 failed: %2").arg(p.doc->name, p.doc->error);
        } else if (layer_ >= p.audit().num_layers) {
            p.text = tr("%1 has only %2 MoE layers.").arg(p.doc->name).arg(p.audit().num_layers);
        } else {
            const AuditResult& audit = p.audit();
            for (int d = 0; d < audit.jaccard.num_domains; ++d)
                if (domainActive(audit, d)) p.domains.push_back(d);
            if (p.domains.empty()) {
                p.text = tr("%1 has no domain with observations.").arg(p.doc->name);
            } else {
                p.data = figures::jaccardMatrix(audit, layer_);
                p.has_data = true;
            }
        }
        if (!p.has_data) {
            p.message->setText(p.text);
            p.stack->setCurrentWidget(p.message);
            continue;
        }
        const AuditResult& audit = p.audit();
        const std::string model = p.doc->reader ? p.doc->reader->model().name : std::string();
        const std::string title = "Jaccard similarity of top-" + std::to_string(audit.audit_k) +
                                  " expert sets, layer " + layerLabel(audit, layer_).toStdString();
        try {
            p.handles = figures::buildMatrix(*p.plot, p.data,
                                             figures::auditCaption(audit, model, p.doc->name.toStdString(), title));
        } catch (const std::exception& e) {  // never let a bad table take the window down
            p.has_data = false;
            p.text = tr("%1: cannot draw the matrix: %2").arg(p.doc->name, QString::fromUtf8(e.what()));
            p.message->setText(p.text);
            p.stack->setCurrentWidget(p.message);
            continue;
        }
        QCPAxisRect* rect = p.plot->axisRect();
        p.row_box = new QCPItemRect(p.plot);
        p.row_box->setClipAxisRect(rect);
        p.row_box->topLeft->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
        p.row_box->bottomRight->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
        p.row_box->setPen(QPen(QColor("#E8000B"), 2.0));
        p.row_box->setBrush(Qt::NoBrush);
        p.row_box->setVisible(false);
        p.stack->setCurrentWidget(p.plot);
    }
    drawSelection();
    for (auto& panel : panels_)
        if (panel->has_data) panel->plot->replot();
}

void JaccardView::rebuildCurve() {
    curve_ = {};
    curve_documents_.clear();
    const auto current = session_->currentDocument();
    int current_index = session_->selection()->state().document;
    if (!session_->document(current_index)) current_index = current ? 0 : -1;
    std::shared_ptr<const Document> caption_doc;
    if (compare_box_->isChecked()) {
        for (int i = 0; i < session_->documentCount(); ++i) {
            const auto doc = session_->document(i);
            if (!doc || !doc->analysis) continue;
            const figures::LinePlotData one = figures::jaccardByLayer(doc->analysis->result.audit);
            if (curve_.series.empty()) {
                curve_ = one;
                curve_.series.clear();
                caption_doc = doc;
            }
            figures::LineSeries s = one.series.front();
            s.name = doc->name.toStdString();
            if (one.x_tick_labels.size() > curve_.x_tick_labels.size()) curve_.x_tick_labels = one.x_tick_labels;
            curve_.series.push_back(std::move(s));
            curve_documents_.push_back(i);
        }
    } else if (current && current->analysis) {
        curve_ = figures::jaccardByLayer(current->analysis->result.audit);
        caption_doc = current;
        for (size_t s = 0; s < curve_.series.size(); ++s) curve_documents_.push_back(s == 0 ? current_index : -1);
    }
    figures::FigureCaption caption;
    if (caption_doc) {
        const AuditResult& audit = caption_doc->analysis->result.audit;
        caption = figures::auditCaption(audit, caption_doc->reader ? caption_doc->reader->model().name : std::string(),
                                        caption_doc->name.toStdString(), "Mean pairwise Jaccard by layer");
    } else {
        caption.title = "Mean pairwise Jaccard by layer";
    }
    figures::buildLinePlot(*curve_plot_, curve_, caption);
    curve_marker_ = nullptr;
    if (!curve_.series.empty()) {
        QCPAxisRect* rect = curve_plot_->axisRect();
        curve_marker_ = new QCPItemStraightLine(curve_plot_);
        curve_marker_->setClipAxisRect(rect);
        curve_marker_->point1->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
        curve_marker_->point2->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
        curve_marker_->setPen(QPen(QColor(90, 90, 90), 1.0, Qt::DashLine));
        curve_marker_->point1->setCoords(layer_, 0);
        curve_marker_->point2->setCoords(layer_, 1);
    }
    curve_plot_->replot();
}

void JaccardView::drawSelection() {
    const SelectionState& s = session_->selection()->state();
    for (auto& panel : panels_) {
        Panel& p = *panel;
        if (!p.has_data || !p.row_box) continue;
        // The selected domain is an index of the selected document; others match it by name.
        int domain = -1;
        const auto selected_doc = session_->document(s.document);
        if (s.domain >= 0 && selected_doc && selected_doc->analysis) {
            const auto& names = selected_doc->analysis->result.audit.eci.domain_names;
            if (s.domain < static_cast<int>(names.size())) {
                const auto& mine = p.audit().eci.domain_names;
                const auto found = std::find(mine.begin(), mine.end(), names[static_cast<size_t>(s.domain)]);
                if (found != mine.end()) domain = static_cast<int>(found - mine.begin());
            }
        }
        const auto row_it = std::find(p.domains.begin(), p.domains.end(), domain);
        const bool shown = domain >= 0 && row_it != p.domains.end();
        p.row_box->setVisible(shown);
        if (shown) {
            const int row = static_cast<int>(row_it - p.domains.begin());
            p.row_box->topLeft->setCoords(-0.5, row - 0.5);
            p.row_box->bottomRight->setCoords(p.data.size - 0.5, row + 0.5);
        }
        p.plot->replot(QCustomPlot::rpQueuedReplot);
    }
}

bool JaccardView::cellAt(int panel, const QPoint& pixel, int& row, int& col) const {
    if (panel < 0 || panel >= panelCount()) return false;
    const Panel& p = *panels_[static_cast<size_t>(panel)];
    if (!p.has_data) return false;
    const QCPAxisRect* rect = p.plot->axisRect();
    if (!insideRect(rect, pixel)) return false;
    col = integerAt(rect->axis(QCPAxis::atBottom), pixel.x(), p.data.size);
    row = integerAt(rect->axis(QCPAxis::atLeft), pixel.y(), p.data.size);
    return row >= 0 && col >= 0;
}

void JaccardView::matrixClicked(int panel, const QPoint& pixel) {
    int row = -1, col = -1;
    if (!cellAt(panel, pixel, row, col)) return;
    const Panel& p = *panels_[static_cast<size_t>(panel)];
    SelectionState s = session_->selection()->state();
    s.document = p.document;
    s.domain = p.domains[static_cast<size_t>(row)];
    session_->selection()->set(s);
}

void JaccardView::curveClicked(const QPoint& pixel) {
    const QCPAxisRect* rect = curve_plot_->axisRect();
    if (curve_.series.empty() || !insideRect(rect, pixel)) return;
    const int layer = integerAt(rect->axis(QCPAxis::atBottom), pixel.x(),
                                static_cast<int>(curve_.x_tick_labels.size()));
    if (layer >= 0) session_->selection()->setLayer(layer);
}

int JaccardView::panelDocument(int panel) const {
    return panel >= 0 && panel < panelCount() ? panels_[static_cast<size_t>(panel)]->document : -1;
}

QCustomPlot* JaccardView::panelPlot(int panel) const {
    return panel >= 0 && panel < panelCount() ? panels_[static_cast<size_t>(panel)]->plot : nullptr;
}

const figures::MatrixData* JaccardView::panelData(int panel) const {
    if (panel < 0 || panel >= panelCount() || !panels_[static_cast<size_t>(panel)]->has_data) return nullptr;
    return &panels_[static_cast<size_t>(panel)]->data;
}

const figures::MatrixHandles* JaccardView::panelHandles(int panel) const {
    if (panel < 0 || panel >= panelCount() || !panels_[static_cast<size_t>(panel)]->has_data) return nullptr;
    return &panels_[static_cast<size_t>(panel)]->handles;
}

std::vector<int> JaccardView::panelDomains(int panel) const {
    if (panel < 0 || panel >= panelCount()) return {};
    return panels_[static_cast<size_t>(panel)]->domains;
}

QString JaccardView::panelMessage(int panel) const {
    if (panel < 0 || panel >= panelCount()) return {};
    const Panel& p = *panels_[static_cast<size_t>(panel)];
    return p.has_data ? QString() : p.text;
}

QString JaccardView::toolTipAt(int panel, const QPoint& pixel) const {
    int row = -1, col = -1;
    return cellAt(panel, pixel, row, col) ? cellToolTip(panel, row, col) : QString();
}

QString JaccardView::cellToolTip(int panel, int row, int col) const {
    if (panel < 0 || panel >= panelCount()) return {};
    const Panel& p = *panels_[static_cast<size_t>(panel)];
    if (!p.has_data || row < 0 || col < 0 || row >= p.data.size || col >= p.data.size) return {};
    const AuditResult& audit = p.audit();
    const int a = p.domains[static_cast<size_t>(row)], b = p.domains[static_cast<size_t>(col)];
    // The two top-k lists, for the counts behind the ratio.
    const int n = audit.ranks.listLength();
    const int32_t* la = audit.ranks.list(p.layer, a);
    const int32_t* lb = audit.ranks.list(p.layer, b);
    const std::set<int32_t> sa(la, la + n), sb(lb, lb + n);
    int shared = 0;
    for (int32_t e : sa) shared += sb.count(e) ? 1 : 0;
    const int either = static_cast<int>(sa.size() + sb.size()) - shared;
    return tr("Layer %1: %2 vs %3\nJaccard %4 (%5 shared of %6 experts in either top-%7 set)\nDocument: %8")
        .arg(layerLabel(audit, p.layer), QString::fromStdString(p.data.labels[static_cast<size_t>(row)]),
             QString::fromStdString(p.data.labels[static_cast<size_t>(col)]),
             QString::fromStdString(figures::exactNumber(p.data.at(row, col))))
        .arg(shared)
        .arg(either)
        .arg(audit.audit_k)
        .arg(p.doc->name);
}

QString JaccardView::exportStem() const {
    QString stem = QStringLiteral("jaccard_domains");
    const Panel* first = panels_.empty() ? nullptr : panels_.front().get();
    if (first && first->has_data) stem += QStringLiteral("_layer-") + layerLabel(first->audit(), layer_);
    if (panelCount() > 1) stem += QStringLiteral("_compare");
    else if (first && first->doc) stem += QLatin1Char('_') + slug(first->doc->name);
    return stem;
}

QStringList JaccardView::exportTo(const QString& dir, const QString& stem,
                                  const std::vector<figures::ImageFormat>& formats,
                                  const figures::ExportOptions& options) {
    std::vector<Panel*> shown;
    for (auto& panel : panels_)
        if (panel->has_data) shown.push_back(panel.get());
    if (shown.empty())
        throw InputError(dir.toStdString(), "the Jaccard view has nothing to export: " +
                                                 (panels_.empty() ? std::string() : panels_.front()->text.toStdString()));
    const bool several = shown.size() > 1;
    QStringList written;
    PlainTable matrix;
    matrix.name = stem.toStdString();
    if (several) matrix.columns.push_back("document");
    for (const char* column : {"layer", "domain_a", "domain_b", "jaccard"}) matrix.columns.push_back(column);
    auto hideSelection = [&](bool hide) {
        for (Panel* p : shown) p->row_box->setVisible(false);
        if (curve_marker_) curve_marker_->setVisible(!hide);
        if (!hide) drawSelection();
    };
    hideSelection(true);
    try {
        for (Panel* p : shown) {
            const QString base = QDir(dir).filePath(several ? stem + QLatin1Char('_') + slug(p->doc->name) : stem);
            for (const std::string& path : figures::exportFigure(*p->plot, base.toStdString(), formats, options))
                written << QString::fromStdString(path);
            const int64_t label = p->audit().layer_labels[static_cast<size_t>(p->layer)];
            for (int r = 0; r < p->data.size; ++r)
                for (int c = 0; c < p->data.size; ++c) {
                    std::vector<TableCell> row;
                    if (several) row.emplace_back(p->doc->name.toStdString());
                    row.emplace_back(label);
                    row.emplace_back(p->data.labels[static_cast<size_t>(r)]);
                    row.emplace_back(p->data.labels[static_cast<size_t>(c)]);
                    row.emplace_back(p->data.at(r, c));
                    matrix.rows.push_back(std::move(row));
                }
        }
        if (!curve_.series.empty())
            for (const std::string& path : figures::exportFigure(
                     *curve_plot_, QDir(dir).filePath(stem + QStringLiteral("_layer_means")).toStdString(), formats,
                     options))
                written << QString::fromStdString(path);
    } catch (...) {
        hideSelection(false);
        throw;
    }
    hideSelection(false);
    const QString csv = QDir(dir).filePath(stem + QStringLiteral(".csv"));
    writeCsvFile(csv, matrix);
    written << csv;

    PlainTable means{stem.toStdString() + "_layer_means", {"series", "layer", "mean_jaccard"}, {}};
    for (const auto& s : curve_.series)
        for (size_t l = 0; l < s.y.size(); ++l)
            means.rows.push_back({s.name,
                                  l < curve_.x_tick_labels.size()
                                      ? TableCell{static_cast<int64_t>(std::stoll(curve_.x_tick_labels[l]))}
                                      : TableCell{static_cast<int64_t>(l)},
                                  s.y[l]});
    const QString means_csv = QDir(dir).filePath(stem + QStringLiteral("_layer_means.csv"));
    writeCsvFile(means_csv, means);
    written << means_csv;
    return written;
}

}  // namespace ca::ui
