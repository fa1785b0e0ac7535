#include "ui/views/gini_view.h"

#include "core/analysis/concentration.h"
#include "core/util/input_error.h"
#include "ui/figures/audit_figures.h"
#include "ui/figures/line_figure.h"
#include "ui/figures/lorenz_figure.h"
#include "ui/session/session.h"
#include "ui/views/plot_support.h"

#include <qcustomplot.h>

#include <QCheckBox>
#include <QDir>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QSplitter>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace ca::ui {

namespace {

std::string fixed(double value, int decimals) {
    return std::isfinite(value) ? QString::number(value, 'f', decimals).toStdString() : "n/a";
}

// The mean-over-domains line of one document, from its audit's concentration.
GiniView::Line documentLine(const AuditResult& audit, const QString& name, int document) {
    GiniView::Line line;
    line.name = name;
    line.document = document;
    line.num_experts = audit.num_experts;
    line.share = audit.concentration.share;
    for (const LayerConcentration& c : audit.concentration.layers) {
        line.gini.push_back(c.gini);
        line.experts_for_share.push_back(c.experts_for_share);
        line.fraction_for_share.push_back(c.fraction_for_share);
    }
    if (audit.has_significance && audit.significance.settings.bootstrap > 0 &&
        audit.significance.layers.size() == line.gini.size()) {
        for (const LayerSignificance& s : audit.significance.layers) {
            line.ci_low.push_back(s.gini_ci_low);
            line.ci_high.push_back(s.gini_ci_high);
        }
    }
    return line;
}

// One domain's line: the Gini of that domain's own ECI row at each layer.
GiniView::Line domainLine(const AuditResult& audit, int domain, const QString& name, int document) {
    GiniView::Line line;
    line.name = name;
    line.document = document;
    line.domain = QString::fromStdString(audit.eci.domain_names[static_cast<size_t>(domain)]);
    line.num_experts = audit.num_experts;
    line.share = audit.concentration.share;
    for (int l = 0; l < audit.num_layers; ++l) {
        const double* row = audit.eci.row(l, domain);
        const std::vector<double> values(row, row + audit.num_experts);
        LayerConcentration c;
        try {
            c = concentrationOf(values, line.share);
        } catch (const std::exception&) {  // negative values: no Gini
            c.gini = std::nan("");
            c.fraction_for_share = std::nan("");
        }
        line.gini.push_back(c.gini);
        line.experts_for_share.push_back(c.experts_for_share);
        line.fraction_for_share.push_back(c.fraction_for_share);
    }
    return line;
}

}  // namespace

GiniView::GiniView(Session* session, QWidget* parent) : QWidget(parent), session_(session) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    auto* controls = new QHBoxLayout;
    per_domain_box_ = new QCheckBox(tr("Per domain (current document)"), this);
    per_domain_box_->setToolTip(tr("Also one line per domain: the Gini of that domain's own ECI"));
    controls->addWidget(per_domain_box_);
    controls->addStretch(1);
    layout->addLayout(controls);

    auto* splitter = new QSplitter(Qt::Vertical, this);
    gini_plot_ = new QCustomPlot(splitter);
    auto* bottom = new QWidget(splitter);
    auto* bottom_layout = new QHBoxLayout(bottom);
    bottom_layout->setContentsMargins(0, 0, 0, 0);
    lorenz_plot_ = new QCustomPlot(bottom);
    auto* list_box = new QVBoxLayout;
    list_box->addWidget(new QLabel(tr("Lorenz curves of layers:"), bottom));
    layer_list_ = new QListWidget(bottom);
    layer_list_->setSelectionMode(QAbstractItemView::MultiSelection);
    layer_list_->setMaximumWidth(160);
    list_box->addWidget(layer_list_, 1);
    bottom_layout->addWidget(lorenz_plot_, 1);
    bottom_layout->addLayout(list_box);
    splitter->addWidget(gini_plot_);
    splitter->addWidget(bottom);
    layout->addWidget(splitter, 1);

    connect(per_domain_box_, &QCheckBox::toggled, this, [this] { rebuild(); });
    connect(layer_list_, &QListWidget::itemSelectionChanged, this, [this] {
        if (updating_) return;
        user_layers_ = true;
        rebuildLorenz();
    });
    connect(session_, &Session::analysisChanged, this, [this] { rebuild(); });
    connect(session_, &Session::documentsChanged, this, [this] { rebuild(); });
    connect(session_->selection(), &Selection::changed, this, &GiniView::selectionChanged);
    onPlotClick(gini_plot_, this, [this](QPoint pixel) { clicked(pixel); });
    onPlotHover(gini_plot_, this, [this](QPoint pixel) { return toolTipAt(pixel); });
    rebuild();
}

GiniView::~GiniView() = default;

void GiniView::setPerDomain(bool per_domain) { per_domain_box_->setChecked(per_domain); }

void GiniView::selectionChanged(const SelectionState&, Selection::Fields what) {
    if (what & Selection::Document) {
        user_layers_ = false;
        rebuild();
    } else if (what & Selection::Layer) {
        drawSelection();
        if (!user_layers_) {
            refreshLayerList();
            rebuildLorenz();
        }
    }
}

int GiniView::layerCount() const {
    return static_cast<int>(tick_labels_.size());
}

void GiniView::rebuild() {
    lines_.clear();
    const auto current = session_->currentDocument();
    int current_index = session_->selection()->state().document;
    if (!session_->document(current_index)) current_index = current ? 0 : -1;

    std::vector<std::string> labels;
    bool same_labels = true;
    for (int i = 0; i < session_->documentCount(); ++i) {
        const auto doc = session_->document(i);
        if (!doc || !doc->analysis) continue;
        const AuditResult& audit = doc->analysis->result.audit;
        const std::vector<std::string> mine = layerLabelTexts(audit);
        if (labels.empty()) labels = mine;
        else if (labels != mine) same_labels = false;
        lines_.push_back(documentLine(audit, doc->name, i));
    }
    const bool per_domain = per_domain_box_->isChecked() && current && current->analysis;
    if (per_domain) {
        const AuditResult& audit = current->analysis->result.audit;
        for (int d = 0; d < audit.eci.num_domains; ++d) {
            if (!audit.eci.domain_counts.empty() && audit.eci.domain_counts[static_cast<size_t>(d)] == 0)
                continue;
            const QString domain = QString::fromStdString(audit.eci.domain_names[static_cast<size_t>(d)]);
            const QString name = lines_.size() > 1 ? current->name + QStringLiteral(": ") + domain : domain;
            lines_.push_back(domainLine(audit, d, name, current_index));
        }
    }

    // Layers are compared by position; their labels are printed when every document agrees.
    int max_layers = 0;
    for (const Line& line : lines_) max_layers = std::max(max_layers, static_cast<int>(line.gini.size()));
    if (same_labels && static_cast<int>(labels.size()) == max_layers) {
        tick_labels_ = labels;
    } else {
        tick_labels_.clear();
        for (int l = 0; l < max_layers; ++l) tick_labels_.push_back(std::to_string(l));
    }

    figures::LinePlotData data;
    data.x_label = same_labels ? "MoE layer" : "MoE layer (position)";
    data.y_label = "Gini coefficient of mean ECI";
    data.x_tick_labels = tick_labels_;
    for (const Line& line : lines_) {
        figures::LineSeries s;
        s.name = line.domain.isEmpty() && per_domain && line.document == current_index
                     ? (line.name + QStringLiteral(" (mean over domains)")).toStdString()
                     : line.name.toStdString();
        for (size_t l = 0; l < line.gini.size(); ++l) s.x.push_back(static_cast<double>(l));
        s.y = line.gini;
        s.band_low = line.ci_low;
        s.band_high = line.ci_high;
        data.series.push_back(std::move(s));
    }
    figures::FigureCaption caption;
    if (lines_.empty()) {
        caption.title = tr("Gini by layer: open a trace or an authors' table").toStdString();
    } else {
        const auto shown = current && current->analysis ? current : session_->document(lines_.front().document);
        const AuditResult& audit = shown->analysis->result.audit;
        QStringList names;
        for (const Line& line : lines_)
            if (line.domain.isEmpty()) names << line.name;
        const std::string model = current && current->reader ? current->reader->model().name : std::string();
        caption = figures::auditCaption(audit, names.size() > 1 ? std::string() : model,
                                        names.join(QStringLiteral(", ")).toStdString(),
                                        "Gini coefficient of the routing mass by layer");
        for (const Line& line : lines_)
            if (!line.ci_low.empty()) {
                caption.note = "bands: bootstrap CI";
                break;
            }
        for (const Line& line : lines_) {
            if (line.document < 0 || !line.domain.isEmpty()) continue;
            const auto doc = session_->document(line.document);
            if (doc && doc->analysis && doc->analysis->result.audit.eci.variant != audit.eci.variant) {
                caption.eci_variant = "differs between documents";
                break;
            }
        }
    }
    const figures::LinePlotHandles handles = figures::buildLinePlot(*gini_plot_, data, caption);
    if (per_domain) {
        // Documents' mean lines stand out from the thinner per-domain lines.
        for (size_t i = 0; i < handles.lines.size() && i < lines_.size(); ++i) {
            QPen pen = handles.lines[i]->pen();
            pen.setWidthF(lines_[i].domain.isEmpty() ? 2.6 : 1.0);
            handles.lines[i]->setPen(pen);
        }
    }
    has_plot_ = !lines_.empty();
    layer_marker_ = nullptr;
    if (has_plot_) {
        QCPAxisRect* rect = gini_plot_->axisRect();
        layer_marker_ = new QCPItemStraightLine(gini_plot_);
        layer_marker_->setClipAxisRect(rect);
        layer_marker_->point1->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
        layer_marker_->point2->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
        layer_marker_->setPen(QPen(QColor(90, 90, 90), 1.0, Qt::DashLine));
    }
    drawSelection();
    gini_plot_->replot();
    refreshLayerList();
    rebuildLorenz();
}

void GiniView::drawSelection() {
    if (!layer_marker_) return;
    const int layer = session_->selection()->state().layer;
    const bool shown = layer >= 0 && layer < layerCount();
    layer_marker_->setVisible(shown);
    if (shown) {
        layer_marker_->point1->setCoords(layer, 0);
        layer_marker_->point2->setCoords(layer, 1);
    }
    gini_plot_->replot(QCustomPlot::rpQueuedReplot);
}

// The list holds the current document's layers; unless the user picked some, it
// selects the shared selection's layer, else the first, middle and last.
void GiniView::refreshLayerList() {
    const auto doc = session_->currentDocument();
    const AuditResult* audit = doc ? doc->audit() : nullptr;
    QStringList items;
    if (audit)
        for (int l = 0; l < audit->num_layers; ++l) items << tr("Layer %1").arg(layerLabel(*audit, l));
    updating_ = true;
    QStringList existing;
    for (int i = 0; i < layer_list_->count(); ++i) existing << layer_list_->item(i)->text();
    if (existing != items) {
        layer_list_->clear();
        layer_list_->addItems(items);
        user_layers_ = false;
    }
    if (!user_layers_ && audit) {
        const int selected = session_->selection()->state().layer;
        const std::vector<int> wanted = selected >= 0 && selected < audit->num_layers
                                            ? std::vector<int>{selected}
                                            : figures::defaultFigureLayers(audit->num_layers);
        for (int i = 0; i < layer_list_->count(); ++i)
            layer_list_->item(i)->setSelected(std::find(wanted.begin(), wanted.end(), i) != wanted.end());
    }
    updating_ = false;
}

std::vector<int> GiniView::lorenzLayers() const {
    std::vector<int> layers;
    for (int i = 0; i < layer_list_->count(); ++i)
        if (layer_list_->item(i)->isSelected()) layers.push_back(i);
    return layers;
}

void GiniView::setLorenzLayers(const std::vector<int>& layers) {
    updating_ = true;
    for (int i = 0; i < layer_list_->count(); ++i)
        layer_list_->item(i)->setSelected(std::find(layers.begin(), layers.end(), i) != layers.end());
    updating_ = false;
    user_layers_ = true;
    rebuildLorenz();
}

void GiniView::rebuildLorenz() {
    const auto doc = session_->currentDocument();
    const AuditResult* audit = doc ? doc->audit() : nullptr;
    lorenz_ = audit ? figures::lorenzCurves(*audit, lorenzLayers()) : figures::LorenzData{};
    figures::FigureCaption caption;
    if (audit) {
        caption = figures::auditCaption(*audit, doc->reader ? doc->reader->model().name : std::string(),
                                        doc->name.toStdString(), "Lorenz curves of the mean ECI");
    } else {
        caption.title = "Lorenz curves";
    }
    figures::buildLorenz(*lorenz_plot_, lorenz_, caption);
    lorenz_plot_->replot();
}

void GiniView::clicked(const QPoint& pixel) {
    if (!has_plot_) return;
    QCPAxisRect* rect = gini_plot_->axisRect();
    if (!insideRect(rect, pixel)) return;
    const int layer = integerAt(rect->axis(QCPAxis::atBottom), pixel.x(), layerCount());
    if (layer < 0) return;
    SelectionState s = session_->selection()->state();
    s.layer = layer;
    // The document whose line passes nearest the click (within a few pixels) becomes current.
    double best = 10.0;
    for (const Line& line : lines_) {
        if (!line.domain.isEmpty() || layer >= static_cast<int>(line.gini.size())) continue;
        const double y = line.gini[static_cast<size_t>(layer)];
        if (!std::isfinite(y)) continue;
        const double distance = std::abs(rect->axis(QCPAxis::atLeft)->coordToPixel(y) - pixel.y());
        if (distance < best) {
            best = distance;
            s.document = line.document;
        }
    }
    session_->selection()->set(s);
}

QString GiniView::toolTipAt(const QPoint& pixel) const {
    if (!has_plot_) return {};
    QCPAxisRect* rect = gini_plot_->axisRect();
    if (!insideRect(rect, pixel)) return {};
    return layerToolTip(integerAt(rect->axis(QCPAxis::atBottom), pixel.x(), layerCount()));
}

QString GiniView::layerToolTip(int layer) const {
    if (layer < 0 || layer >= layerCount()) return {};
    QStringList out;
    out << tr("Layer %1").arg(QString::fromStdString(tick_labels_[static_cast<size_t>(layer)]));
    for (const Line& line : lines_) {
        if (layer >= static_cast<int>(line.gini.size())) continue;
        const auto l = static_cast<size_t>(layer);
        QString text = tr("%1: Gini %2").arg(line.name, QString::fromStdString(fixed(line.gini[l], 4)));
        if (!line.ci_low.empty())
            text += tr(" [CI %1\u2013%2]").arg(QString::fromStdString(fixed(line.ci_low[l], 4)),
                                               QString::fromStdString(fixed(line.ci_high[l], 4)));
        text += tr("; %1 % of the mass held by %2 of %3 experts (%4 % of experts)")
                    .arg(QString::number(100.0 * line.share, 'g', 4))
                    .arg(line.experts_for_share[l])
                    .arg(line.num_experts)
                    .arg(QString::fromStdString(fixed(100.0 * line.fraction_for_share[l], 1)));
        out << text;
    }
    return out.join(QLatin1Char('\n'));
}

QString GiniView::exportStem() const {
    QString stem = QStringLiteral("gini_by_layer");
    if (per_domain_box_->isChecked()) stem += QStringLiteral("_per-domain");
    int documents = 0;
    QString name;
    for (const Line& line : lines_)
        if (line.domain.isEmpty()) {
            ++documents;
            name = line.name;
        }
    if (documents == 1) stem += QLatin1Char('_') + slug(name);
    else if (documents > 1) stem += QStringLiteral("_compare");
    return stem;
}

QStringList GiniView::exportTo(const QString& dir, const QString& stem,
                               const std::vector<figures::ImageFormat>& formats,
                               const figures::ExportOptions& options) {
    if (lines_.empty())
        throw InputError(dir.toStdString(), "the Gini view has nothing to export: no analysed document");
    QStringList written;
    if (layer_marker_) layer_marker_->setVisible(false);  // publication copies carry no selection
    try {
        for (const std::string& path :
             figures::exportFigure(*gini_plot_, QDir(dir).filePath(stem).toStdString(), formats, options))
            written << QString::fromStdString(path);
        for (const std::string& path : figures::exportFigure(
                 *lorenz_plot_, QDir(dir).filePath(stem + QStringLiteral("_lorenz")).toStdString(), formats,
                 options))
            written << QString::fromStdString(path);
    } catch (...) {
        drawSelection();
        throw;
    }
    drawSelection();

    PlainTable table{stem.toStdString(),
                     {"layer", "document", "domain", "gini", "ci_low", "ci_high", "experts_for_share",
                      "fraction_for_share", "share"},
                     {}};
    for (const Line& line : lines_) {
        const auto doc = session_->document(line.document);
        const std::string document = doc ? doc->name.toStdString() : line.name.toStdString();
        const AuditResult* audit = doc ? doc->audit() : nullptr;
        for (size_t l = 0; l < line.gini.size(); ++l) {
            const int64_t label = audit && l < audit->layer_labels.size() ? audit->layer_labels[l]
                                                                            : static_cast<int64_t>(l);
            std::vector<TableCell> row;
            row.emplace_back(label);
            row.emplace_back(document);
            row.emplace_back(line.domain.isEmpty() ? std::string("all domains (mean)") : line.domain.toStdString());
            row.emplace_back(line.gini[l]);
            if (line.ci_low.empty()) {
                row.emplace_back(std::monostate{});
                row.emplace_back(std::monostate{});
            } else {
                row.emplace_back(line.ci_low[l]);
                row.emplace_back(line.ci_high[l]);
            }
            row.emplace_back(static_cast<int64_t>(line.experts_for_share[l]));
            row.emplace_back(line.fraction_for_share[l]);
            row.emplace_back(line.share);
            table.rows.push_back(std::move(row));
        }
    }
    const QString csv = QDir(dir).filePath(stem + QStringLiteral(".csv"));
    writeCsvFile(csv, table);
    written << csv;

    PlainTable lorenz{stem.toStdString() + "_lorenz", {"curve", "gini", "population_share", "mass_share"}, {}};
    for (const auto& curve : lorenz_.curves)
        for (size_t i = 0; i < curve.population_share.size(); ++i) {
            std::vector<TableCell> row;
            row.emplace_back(curve.name);
            row.emplace_back(curve.gini);
            row.emplace_back(curve.population_share[i]);
            row.emplace_back(curve.mass_share[i]);
            lorenz.rows.push_back(std::move(row));
        }
    const QString lorenz_csv = QDir(dir).filePath(stem + QStringLiteral("_lorenz.csv"));
    writeCsvFile(lorenz_csv, lorenz);
    written << lorenz_csv;
    return written;
}

}  // namespace ca::ui
