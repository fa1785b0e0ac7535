#include "ui/views/heatmap_view.h"

#include "core/util/input_error.h"
#include "ui/figures/audit_figures.h"
#include "ui/session/session.h"
#include "ui/views/heatmap_metric_cache.h"
#include "ui/views/plot_support.h"

#include <qcustomplot.h>

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QStackedWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <exception>

namespace ca::ui {

using figures::HeatmapMetric;

// One document's heatmap, or the message shown in its place.
struct HeatmapView::Panel {
    int document = -1;
    std::shared_ptr<const Document> doc;  // the snapshot drawn (its analysis matches data)
    QStackedWidget* stack = nullptr;
    QCustomPlot* plot = nullptr;
    QLabel* message = nullptr;

    bool has_data = false;
    QString text;                  // the message when !has_data
    QString domain;                // the domain shown, as a label
    figures::HeatmapData data;
    figures::HeatmapHandles handles;
    std::vector<uint8_t> member;   // [L * E]: committee member?
    QCPItemRect* row_box = nullptr;
    QCPItemRect* cell_box = nullptr;

    ~Panel() { delete stack; }
    const AuditResult& audit() const { return doc->analysis->result.audit; }
};

namespace {

const QString kAllDomains = QStringLiteral("All domains (mean)");

// Index of `name` in the table's domains; -1 for "" (the mean); -2 when absent.
int domainIndex(const EciTable& table, const QString& name) {
    if (name.isEmpty()) return -1;
    const auto& names = table.domain_names;
    const auto found = std::find(names.begin(), names.end(), name.toStdString());
    return found == names.end() ? -2 : static_cast<int>(found - names.begin());
}

}  // namespace

HeatmapView::HeatmapView(Session* session, QWidget* parent)
    : QWidget(parent), session_(session), cache_(std::make_unique<HeatmapMetricCache>()) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    auto* controls = new QHBoxLayout;
    layout->addLayout(controls);

    metric_box_ = new QComboBox(this);
    for (HeatmapMetric m : figures::allHeatmapMetrics())
        metric_box_->addItem(QString::fromStdString(figures::metricLabel(m)), static_cast<int>(m));
    metric_box_->setToolTip(tr("What each cell shows"));
    domain_box_ = new QComboBox(this);
    domain_box_->setToolTip(tr("One domain, or the mean over the domains"));
    compare_box_ = new QCheckBox(tr("Compare all open documents"), this);
    clip_box_ = new QDoubleSpinBox(this);
    clip_box_->setRange(50.0, 100.0);
    clip_box_->setDecimals(1);
    clip_box_->setSingleStep(0.5);
    clip_box_->setValue(100.0);
    clip_box_->setToolTip(tr("Colours saturate above this percentile of the values (100 = no clipping)"));
    controls->addWidget(new QLabel(tr("Metric:"), this));
    controls->addWidget(metric_box_);
    controls->addWidget(new QLabel(tr("Domain:"), this));
    controls->addWidget(domain_box_);
    controls->addWidget(new QLabel(tr("Clip colours at percentile:"), this));
    controls->addWidget(clip_box_);
    controls->addWidget(compare_box_);
    controls->addStretch(1);

    panel_row_ = new QHBoxLayout;
    layout->addLayout(panel_row_, 1);

    connect(metric_box_, &QComboBox::currentIndexChanged, this, [this](int index) {
        if (updating_ || index < 0) return;
        metric_chosen_ = true;
        metric_ = static_cast<HeatmapMetric>(metric_box_->itemData(index).toInt());
        rebuild();
    });
    connect(domain_box_, &QComboBox::currentIndexChanged, this, [this](int index) {
        if (updating_ || index < 0) return;
        session_->selection()->setDomain(index - 1);  // redraws through selectionChanged
    });
    connect(compare_box_, &QCheckBox::toggled, this, [this] {
        if (!updating_) rebuild();
    });
    connect(clip_box_, &QDoubleSpinBox::valueChanged, this, [this] {
        if (!updating_) rebuild();
    });
    connect(session_, &Session::analysisChanged, this, [this] { rebuild(); });
    connect(session_, &Session::documentsChanged, this, [this] { rebuild(); });
    connect(session_->selection(), &Selection::changed, this, &HeatmapView::selectionChanged);
    connect(cache_.get(), &HeatmapMetricCache::ready, this, [this] { rebuild(); });
    rebuild();
}

HeatmapView::~HeatmapView() = default;

void HeatmapView::setMetric(HeatmapMetric metric) {
    const int index = metric_box_->findData(static_cast<int>(metric));
    if (index == metric_box_->currentIndex()) {
        metric_chosen_ = true;
        metric_ = metric;
        rebuild();
    } else {
        metric_box_->setCurrentIndex(index);
    }
}

void HeatmapView::setCompare(bool compare) { compare_box_->setChecked(compare); }

void HeatmapView::setClipPercentile(double percentile) { clip_box_->setValue(percentile); }

void HeatmapView::selectionChanged(const SelectionState&, Selection::Fields what) {
    if (what & (Selection::Document | Selection::Domain))
        rebuild();
    else if (what & (Selection::Layer | Selection::Expert))
        drawSelection();
}

// The combo boxes follow the current document: its domains, and (until the user
// picks a metric) its analysis' own score.
void HeatmapView::refreshControls() {
    updating_ = true;
    const auto doc = session_->currentDocument();
    const AuditResult* audit = doc ? doc->audit() : nullptr;
    if (audit && !metric_chosen_) metric_ = figures::metricOfVariant(audit->eci.variant);
    metric_box_->setCurrentIndex(metric_box_->findData(static_cast<int>(metric_)));

    QStringList domains{kAllDomains};
    if (audit)
        for (const auto& name : audit->eci.domain_names) domains << QString::fromStdString(name);
    QStringList current;
    for (int i = 0; i < domain_box_->count(); ++i) current << domain_box_->itemText(i);
    if (current != domains) {
        domain_box_->clear();
        domain_box_->addItems(domains);
    }
    const int selected = session_->selection()->state().domain;
    domain_box_->setCurrentIndex(selected >= 0 && selected + 1 < domain_box_->count() ? selected + 1 : 0);
    updating_ = false;
}

QString HeatmapView::domainLabel() const {
    return domain_box_->currentIndex() > 0 ? domain_box_->currentText() : QString();
}

HeatmapView::Panel& HeatmapView::panelAt(int index) { return *panels_[static_cast<size_t>(index)]; }

void HeatmapView::rebuild() {
    refreshControls();
    const std::vector<int> documents = shownDocuments(*session_, compare_box_->isChecked());
    std::vector<const DocumentAnalysis*> alive;
    for (int i = 0; i < session_->documentCount(); ++i)
        if (auto doc = session_->document(i); doc && doc->analysis) alive.push_back(doc->analysis.get());
    cache_->retainOnly(alive);

    resizePanels(
        panels_, documents.size(), this, panel_row_,
        [this](int index, QPoint pixel) { clicked(index, pixel); },
        [this](int index, QPoint pixel) { return toolTipAt(index, pixel); });
    for (size_t i = 0; i < panels_.size(); ++i) {
        Panel& p = *panels_[i];
        p.document = documents.empty() ? -1 : documents[i];
        p.doc = session_->document(p.document);
    }

    // Prepare every panel's values first: in comparison they share one colour range.
    for (auto& panel : panels_) fillPanel(*panel);
    std::vector<double> all;
    int ready = 0, columns = -1;
    bool same_shape = true;
    for (const auto& panel : panels_) {
        if (!panel->has_data) continue;
        ++ready;
        if (columns >= 0 && columns != panel->data.cols) same_shape = false;
        columns = panel->data.cols;
        for (double v : panel->data.values)
            if (std::isfinite(v)) all.push_back(v);
    }
    std::pair<double, double> shared;
    const bool share = ready > 1 && same_shape && !all.empty();
    if (share) {
        shared = {std::min(0.0, figures::percentile(all, 0.0)), figures::percentile(all, clip_box_->value())};
        if (!(shared.second > shared.first)) shared.second = shared.first + 1.0;
    }

    for (auto& panel : panels_) {
        Panel& p = *panel;
        if (!p.has_data) {
            p.message->setText(p.text);
            p.stack->setCurrentWidget(p.message);
            continue;
        }
        if (share) p.data.color_range = shared;
        const AuditResult& audit = p.audit();
        const auto variant = figures::eciVariantOf(metric_);
        const std::string title = figures::metricLabel(metric_) + " by layer and expert: " +
                                  (p.domain.isEmpty() ? kAllDomains : p.domain).toStdString();
        const std::string model = p.doc->reader ? p.doc->reader->model().name : std::string();
        figures::FigureCaption caption =
            figures::auditCaption(audit, model, p.doc->name.toStdString(), title);
        caption.eci_variant = variant ? figures::shortVariantLabel(*variant) : std::string();
        if (figures::metricOfVariant(audit.eci.variant) != metric_)
            caption.note = "committee from the " + figures::shortVariantLabel(audit.eci.variant) + " ECI";
        if (share && clip_box_->value() < 100.0)
            caption.note += (caption.note.empty() ? "" : "; ") + std::string("shared colours clipped at p") +
                            figures::exactNumber(clip_box_->value());
        try {
            p.handles = figures::buildHeatmap(*p.plot, p.data, caption);
        } catch (const std::exception& e) {  // never let a bad table take the window down
            p.has_data = false;
            p.text = tr("%1: cannot draw the heatmap: %2").arg(p.doc->name, QString::fromUtf8(e.what()));
            p.message->setText(p.text);
            p.stack->setCurrentWidget(p.message);
            continue;
        }
        // The selection outlines, drawn above the committee markers.
        QCPAxis* x = p.handles.axis_rect->axis(QCPAxis::atBottom);
        QCPAxis* y = p.handles.axis_rect->axis(QCPAxis::atLeft);
        auto outline = [&](const QPen& pen) {
            auto* box = new QCPItemRect(p.plot);
            box->setClipAxisRect(p.handles.axis_rect);
            box->topLeft->setAxes(x, y);
            box->bottomRight->setAxes(x, y);
            box->setPen(pen);
            box->setBrush(Qt::NoBrush);
            box->setVisible(false);
            return box;
        };
        p.row_box = outline(QPen(QColor(255, 255, 255, 220), 1.2, Qt::DashLine));
        p.cell_box = outline(QPen(Qt::white, 2.4));
        p.stack->setCurrentWidget(p.plot);
    }
    drawSelection();
    for (auto& panel : panels_)
        if (panel->has_data) panel->plot->replot();
}

// Values of the chosen metric and domain for the panel's document, or why there are none.
void HeatmapView::fillPanel(Panel& p) {
    p.has_data = false;
    p.row_box = p.cell_box = nullptr;
    p.data = {};
    p.member.clear();
    const auto& doc = p.doc;
    if (!doc) {
        p.text = tr("Open a routing trace or an authors' table (File \u203a Open) to see its heatmap.");
        return;
    }
    if (!doc->analysis) {
        p.text = doc->error.isEmpty() ? tr("Analysing %1\u2026").arg(doc->name)
                                      : tr("The analysis of %1 failed: %2").arg(doc->name, doc->error);
        return;
    }
    const HeatmapMetricCache::Entry entry =
        cache_->request(doc->analysis, !doc->isTrace(), metric_);
    const QString metric_name = QString::fromStdString(figures::metricLabel(metric_));
    if (entry.state == HeatmapMetricCache::Entry::State::Pending) {
        p.text = tr("Computing %1 for %2\u2026").arg(metric_name, doc->name);
        return;
    }
    if (entry.state == HeatmapMetricCache::Entry::State::Unavailable) {
        p.text = tr("%1 is not available for %2.\n%3").arg(metric_name, doc->name, entry.reason);
        return;
    }
    const EciTable& table = *entry.table;
    const AuditResult& audit = doc->analysis->result.audit;
    const QString wanted = domainLabel();
    const int domain = domainIndex(table, wanted);
    if (domain == -2) {
        p.text = tr("%1 has no domain \u201c%2\u201d.").arg(doc->name, wanted);
        return;
    }
    if (table.num_layers != audit.num_layers || table.num_experts != audit.num_experts) {
        p.text = tr("%1: the metric table does not match the analysis.").arg(doc->name);
        return;
    }
    figures::HeatmapData& data = p.data;
    data.rows = table.num_layers;
    data.cols = table.num_experts;
    data.values = figures::layerExpertValues(table, domain);
    data.row_labels = layerLabelTexts(audit);
    data.value_label = figures::metricValueLabel(metric_, domain < 0);
    data.marker_label = "Standing Committee member (k = " + std::to_string(audit.audit_k) + ")";
    data.clip_high_percentile = clip_box_->value();
    p.member.assign(static_cast<size_t>(data.rows) * data.cols, 0);
    for (int l = 0; l < data.rows && l < static_cast<int>(audit.committee.layers.size()); ++l)
        for (int m : audit.committee.layers[static_cast<size_t>(l)].members) {
            data.marked_cells.emplace_back(l, m);
            p.member[static_cast<size_t>(l) * data.cols + m] = 1;
        }
    p.domain = wanted;
    p.has_data = true;
}

void HeatmapView::drawSelection() {
    const SelectionState& s = session_->selection()->state();
    for (auto& panel : panels_) {
        Panel& p = *panel;
        if (!p.has_data || !p.row_box) continue;
        const bool row = s.layer >= 0 && s.layer < p.data.rows;
        const bool cell = row && s.expert >= 0 && s.expert < p.data.cols;
        p.row_box->setVisible(row);
        p.cell_box->setVisible(cell);
        if (row) {
            p.row_box->topLeft->setCoords(-0.5, s.layer - 0.5);
            p.row_box->bottomRight->setCoords(p.data.cols - 0.5, s.layer + 0.5);
        }
        if (cell) {
            p.cell_box->topLeft->setCoords(s.expert - 0.5, s.layer - 0.5);
            p.cell_box->bottomRight->setCoords(s.expert + 0.5, s.layer + 0.5);
        }
        p.plot->replot(QCustomPlot::rpQueuedReplot);
    }
}

void HeatmapView::clicked(int panel, const QPoint& pixel) {
    if (panel < 0 || panel >= panelCount()) return;
    const Panel& p = panelAt(panel);
    if (!p.has_data || !insideRect(p.handles.axis_rect, pixel)) return;
    const int expert = integerAt(p.handles.axis_rect->axis(QCPAxis::atBottom), pixel.x(), p.data.cols);
    const int layer = integerAt(p.handles.axis_rect->axis(QCPAxis::atLeft), pixel.y(), p.data.rows);
    if (layer < 0 || expert < 0) return;
    SelectionState s = session_->selection()->state();
    s.document = p.document;
    s.layer = layer;
    s.expert = expert;
    session_->selection()->set(s);
}

int HeatmapView::panelDocument(int panel) const {
    return panel >= 0 && panel < panelCount() ? panels_[static_cast<size_t>(panel)]->document : -1;
}

QCustomPlot* HeatmapView::panelPlot(int panel) const {
    return panel >= 0 && panel < panelCount() ? panels_[static_cast<size_t>(panel)]->plot : nullptr;
}

const figures::HeatmapData* HeatmapView::panelData(int panel) const {
    if (panel < 0 || panel >= panelCount()) return nullptr;
    const Panel& p = *panels_[static_cast<size_t>(panel)];
    return p.has_data ? &p.data : nullptr;
}

QString HeatmapView::panelMessage(int panel) const {
    if (panel < 0 || panel >= panelCount()) return {};
    const Panel& p = *panels_[static_cast<size_t>(panel)];
    return p.has_data ? QString() : p.text;
}

QString HeatmapView::toolTipAt(int panel, const QPoint& pixel) const {
    if (panel < 0 || panel >= panelCount()) return {};
    const Panel& p = *panels_[static_cast<size_t>(panel)];
    if (!p.has_data || !insideRect(p.handles.axis_rect, pixel)) return {};
    const int expert = integerAt(p.handles.axis_rect->axis(QCPAxis::atBottom), pixel.x(), p.data.cols);
    const int layer = integerAt(p.handles.axis_rect->axis(QCPAxis::atLeft), pixel.y(), p.data.rows);
    return cellToolTip(panel, layer, expert);
}

QString HeatmapView::cellToolTip(int panel, int layer, int expert) const {
    if (panel < 0 || panel >= panelCount()) return {};
    const Panel& p = *panels_[static_cast<size_t>(panel)];
    if (!p.has_data || layer < 0 || layer >= p.data.rows || expert < 0 || expert >= p.data.cols)
        return {};
    const size_t cell = static_cast<size_t>(layer) * p.data.cols + expert;
    QStringList lines;
    lines << tr("Layer %1 (MoE layer %2 of %3), expert %4")
                 .arg(layerLabel(p.audit(), layer))
                 .arg(layer + 1)
                 .arg(p.data.rows)
                 .arg(expert);
    lines << tr("%1: %2")
                 .arg(QString::fromStdString(figures::metricLabel(metric_)),
                      QString::fromStdString(figures::exactNumber(p.data.values[cell])));
    lines << (p.member[cell] ? tr("Standing Committee member") : tr("Not a committee member"));
    lines << tr("Domain: %1").arg(p.domain.isEmpty() ? kAllDomains : p.domain);
    lines << tr("Document: %1").arg(p.doc->name);
    return lines.join(QLatin1Char('\n'));
}

bool HeatmapView::waitForIdle(int timeout_ms) { return cache_->waitForIdle(timeout_ms); }

QString HeatmapView::exportStem() const {
    QString stem = QStringLiteral("heatmap_layer-expert_%1_%2")
                       .arg(QString::fromStdString(figures::metricSlug(metric_)),
                            domainLabel().isEmpty() ? QStringLiteral("all-domains") : slug(domainLabel()));
    if (compare_box_->isChecked() && panelCount() > 1) return stem + QStringLiteral("_compare");
    if (panelCount() == 1 && panels_.front()->doc) stem += QLatin1Char('_') + slug(panels_.front()->doc->name);
    return stem;
}

QStringList HeatmapView::exportTo(const QString& dir, const QString& stem,
                                  const std::vector<figures::ImageFormat>& formats,
                                  const figures::ExportOptions& options) {
    std::vector<const Panel*> shown;
    for (const auto& panel : panels_)
        if (panel->has_data) shown.push_back(panel.get());
    if (shown.empty())
        throw InputError(dir.toStdString(), "the heatmap has nothing to export: " +
                                                 (panels_.empty() ? std::string() : panels_.front()->text.toStdString()));
    const bool several = shown.size() > 1;
    QStringList written;
    PlainTable csv;
    csv.name = stem.toStdString();
    if (several) csv.columns.push_back("document");
    for (const char* column : {"layer", "expert", "value", "committee"}) csv.columns.push_back(column);
    for (const Panel* p : shown) {
        // Publication copies carry no selection outline.
        p->row_box->setVisible(false);
        p->cell_box->setVisible(false);
        const QString base = QDir(dir).filePath(several ? stem + QLatin1Char('_') + slug(p->doc->name) : stem);
        try {
            for (const std::string& path : figures::exportFigure(*p->plot, base.toStdString(), formats, options))
                written << QString::fromStdString(path);
        } catch (...) {
            drawSelection();
            throw;
        }
        const AuditResult& audit = p->audit();
        for (int l = 0; l < p->data.rows; ++l)
            for (int e = 0; e < p->data.cols; ++e) {
                std::vector<TableCell> row;
                if (several) row.emplace_back(p->doc->name.toStdString());
                row.emplace_back(static_cast<int64_t>(audit.layer_labels[static_cast<size_t>(l)]));
                row.emplace_back(static_cast<int64_t>(e));
                row.emplace_back(p->data.at(l, e));
                row.emplace_back(static_cast<int64_t>(p->member[static_cast<size_t>(l) * p->data.cols + e]));
                csv.rows.push_back(std::move(row));
            }
    }
    drawSelection();
    const QString csv_path = QDir(dir).filePath(stem + QStringLiteral(".csv"));
    writeCsvFile(csv_path, csv);
    written << csv_path;
    return written;
}

}  // namespace ca::ui
