#include "ui/views/sample_tokens_view.h"

#include "core/trace/trace_reader.h"
#include "ui/session/session.h"
#include "ui/views/sample_token_flow.h"
#include "ui/views/sample_tokens_query.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPointer>
#include <QScrollArea>
#include <QSpinBox>
#include <QStackedWidget>
#include <QTableWidget>
#include <QVBoxLayout>

#include <exception>

namespace ca::ui {

namespace {
constexpr int kExpertRole = Qt::UserRole + 1;
}

SampleTokensView::SampleTokensView(Session* session, QWidget* parent)
    : QWidget(parent), session_(session), header_(new QLabel(this)), sample_spin_(new QSpinBox(this)),
      stack_(new QStackedWidget(this)), placeholder_(new QLabel(this)), scroll_(new QScrollArea(this)),
      flow_(new SampleTokenFlow(this)), legend_(new CommitteeShareLegend(this)), strip_(new QTableWidget(this)) {
    setObjectName(QStringLiteral("sampleTokensView"));
    pool_.setMaxThreadCount(1);

    header_->setWordWrap(true);
    header_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    sample_spin_->setMinimum(-1);
    sample_spin_->setMaximum(-1);
    sample_spin_->setSpecialValueText(tr("\u2014"));
    sample_spin_->setToolTip(tr("Sample index in the trace"));

    placeholder_->setObjectName(QStringLiteral("sampleTokensPlaceholder"));
    placeholder_->setWordWrap(true);
    placeholder_->setAlignment(Qt::AlignCenter);

    scroll_->setWidgetResizable(true);
    scroll_->setWidget(flow_);
    scroll_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);

    strip_->setObjectName(QStringLiteral("sampleLayerStrip"));
    strip_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    strip_->setSelectionMode(QAbstractItemView::NoSelection);
    strip_->setToolTip(tr("Top-k experts of the selected token at every layer; Standing Committee members "
                          "in bold on blue. Click a cell to inspect that expert."));
    strip_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);

    auto* strip_title = new QLabel(tr("Top-k experts of the selected token, per layer (committee members bold)"), this);

    auto* content = new QWidget(this);
    auto* content_layout = new QVBoxLayout(content);
    content_layout->setContentsMargins(0, 0, 0, 0);
    content_layout->addWidget(scroll_, 3);
    content_layout->addWidget(legend_);
    content_layout->addWidget(strip_title);
    content_layout->addWidget(strip_, 2);
    stack_->addWidget(placeholder_);
    stack_->addWidget(content);

    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Sample"), this));
    controls->addWidget(sample_spin_);
    controls->addWidget(header_, 1);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(controls);
    layout->addWidget(stack_, 1);

    connect(sample_spin_, &QSpinBox::valueChanged, this, [this](int sample) {
        if (!updating_controls_) session_->selection()->setSample(sample);
    });
    connect(flow_, &SampleTokenFlow::tokenClicked, this, [this](int position) {
        if (loaded_) session_->selection()->setToken(loaded_->first_row + position);
    });
    connect(strip_, &QTableWidget::cellClicked, this, [this](int row, int column) {
        const QTableWidgetItem* item = strip_->item(row, column);
        if (item) session_->selection()->setCell(row, item->data(kExpertRole).toInt());
    });
    connect(session_, &Session::documentsChanged, this, &SampleTokensView::refresh);
    connect(session_, &Session::analysisChanged, this, &SampleTokensView::refresh);
    connect(session_->selection(), &Selection::changed, this, [this](const SelectionState&, Selection::Fields what) {
        if (what & (Selection::Document | Selection::Sample)) refresh();
        else if (what & (Selection::Layer | Selection::Token)) render();
    });
    refresh();
}

SampleTokensView::~SampleTokensView() {
    if (cancel_) cancel_->store(true);
    pool_.clear();
    pool_.waitForDone();
}

bool SampleTokensView::showsSample() const { return stack_->currentIndex() == 1; }

void SampleTokensView::showPlaceholder(const QString& text) {
    if (cancel_) cancel_->store(true);
    ++generation_;
    loading_ = false;
    placeholder_->setText(text);
    header_->clear();
    stack_->setCurrentIndex(0);
    emit sampleUpdated();
}

void SampleTokensView::refresh() {
    const SelectionState& s = session_->selection()->state();
    const auto doc = session_->document(s.document);
    int64_t num_samples = 0;
    // numSamples() is a field read at open, not a libhdf5 call: no lock here, because the
    // background analysis may hold it for seconds and the GUI thread must not wait.
    if (doc && doc->reader) num_samples = doc->reader->numSamples();
    updating_controls_ = true;
    sample_spin_->setMaximum(static_cast<int>(std::min<int64_t>(num_samples - 1, INT32_MAX)));
    sample_spin_->setValue(static_cast<int>(s.sample));
    sample_spin_->setEnabled(num_samples > 0);
    updating_controls_ = false;

    if (!doc) return showPlaceholder(tr("No document open."));
    if (!doc->isTrace())
        return showPlaceholder(tr("%1 is one of the authors' tables: it holds no prompts or tokens. Open a "
                                  "trace (.h5) to see a sample's tokens.").arg(doc->name));
    if (s.sample < 0 || s.sample >= num_samples)
        return showPlaceholder(tr("Select a sample: click a row of the expert's tokens above, or choose a "
                                  "sample number here."));
    if (loaded_ && loaded_->path == doc->path && loaded_->sample == s.sample) return render();
    if (loading_ && pending_path_ == doc->path && pending_sample_ == s.sample) return;  // already on its way
    pending_path_ = doc->path;
    pending_sample_ = s.sample;

    if (cancel_) cancel_->store(true);
    pool_.clear();
    cancel_ = std::make_shared<std::atomic<bool>>(false);
    const uint64_t generation = ++generation_;
    loading_ = true;
    header_->setText(tr("Reading sample %1\u2026").arg(s.sample));

    QPointer<SampleTokensView> self(this);
    pool_.start([self, doc = std::shared_ptr<const Document>(doc), cancel = cancel_, generation,
                 sample = s.sample]() mutable {
        auto loaded = std::make_shared<Loaded>();
        QString error;
        try {
            std::lock_guard<std::mutex> lock(hdf5Mutex());
            const TraceReader& reader = *doc->reader;
            loaded->path = doc->path;
            loaded->sample = sample;
            loaded->first_row = reader.tokenOffsets()[static_cast<size_t>(sample)];
            loaded->num_layers = reader.numLayers();
            loaded->top_k = reader.topK();
            loaded->layer_labels = reader.model().moe_layers;
            loaded->record = reader.readSample(sample);
        } catch (const std::exception& e) {
            error = QString::fromStdString(e.what());
        }
        {
            // If the document was closed meanwhile, its reader closes here, under the lock.
            std::lock_guard<std::mutex> lock(hdf5Mutex());
            doc.reset();
        }
        if (cancel->load()) return;
        QMetaObject::invokeMethod(
            self.data(),
            [self, generation, loaded = std::shared_ptr<const Loaded>(loaded), error] {
                if (self) self->deliver(generation, loaded, error);
            },
            Qt::QueuedConnection);
    });
}

void SampleTokensView::deliver(uint64_t generation, std::shared_ptr<const Loaded> loaded, const QString& error) {
    if (generation != generation_) return;  // stale
    loading_ = false;
    if (!error.isEmpty()) return showPlaceholder(tr("Cannot read the sample: %1").arg(error));
    loaded_ = std::move(loaded);
    render();
}

void SampleTokensView::render() {
    const SelectionState& s = session_->selection()->state();
    const auto doc = session_->document(s.document);
    if (!doc || !loaded_ || loaded_->path != doc->path || loaded_->sample != s.sample) return;
    const Loaded& l = *loaded_;
    const int layer = s.layer >= 0 && s.layer < l.num_layers ? s.layer : 0;
    std::vector<std::vector<int>> committees;
    if (const AuditResult* audit = doc->audit())
        for (const LayerCommittee& c : audit->committee.layers) committees.push_back(c.members);
    committees.resize(static_cast<size_t>(l.num_layers));
    const int64_t n = l.record.numPositions();
    const int position = s.token >= l.first_row && s.token < l.first_row + n ? static_cast<int>(s.token - l.first_row)
                                                                              : static_cast<int>(n - 1);
    const QString layer_label = QString::number(
        layer < static_cast<int>(l.layer_labels.size()) ? l.layer_labels[static_cast<size_t>(layer)] : layer);

    flow_->setTokens(sampleTokens(l.record, l.first_row, layer, l.num_layers, l.top_k,
                                  committees[static_cast<size_t>(layer)]),
                     position, layer_label);
    fillStrip(position, committees);

    QStringList parts;
    parts << tr("Sample %1").arg(l.sample);
    if (!l.record.id.empty()) parts << QString::fromStdString(l.record.id);
    if (!l.record.subject.empty()) parts << QString::fromStdString(l.record.subject);
    if (!l.record.domain.empty()) parts << QString::fromStdString(l.record.domain);
    QString text = parts.join(QStringLiteral(" \u00b7 ")) +
                   tr(" \u2014 %1 tokens, shaded at layer %2").arg(n).arg(layer_label);
    if (!doc->audit()) text += tr(" (committee not known yet)");
    if (l.record.token_pieces.empty()) text += tr("; the trace stores no token text: ids shown");
    header_->setText(text);
    stack_->setCurrentIndex(1);
    emit sampleUpdated();
}

void SampleTokensView::fillStrip(int position, const std::vector<std::vector<int>>& committees) {
    const Loaded& l = *loaded_;
    const auto strip = ca::ui::layerStrip(l.record, position, l.num_layers, l.top_k, committees);
    const int selected_layer = session_->selection()->state().layer;
    strip_->clear();
    strip_->setRowCount(static_cast<int>(strip.size()));
    strip_->setColumnCount(l.top_k);
    QStringList columns;
    for (int j = 0; j < l.top_k; ++j) columns << tr("#%1").arg(j + 1);
    strip_->setHorizontalHeaderLabels(columns);
    QStringList rows;
    const QColor committee_colour(0x6b, 0xae, 0xd6);
    for (int layer = 0; layer < static_cast<int>(strip.size()); ++layer) {
        const QString label = tr("Layer %1").arg(
            layer < static_cast<int>(l.layer_labels.size()) ? l.layer_labels[static_cast<size_t>(layer)] : layer);
        rows << (layer == selected_layer ? QStringLiteral("\u25b8 ") + label : label);
        for (int j = 0; j < static_cast<int>(strip[static_cast<size_t>(layer)].size()); ++j) {
            const StripCell& c = strip[static_cast<size_t>(layer)][static_cast<size_t>(j)];
            auto* item = new QTableWidgetItem(QStringLiteral("E%1  %2").arg(c.expert).arg(QString::number(c.weight, 'f', 3)));
            item->setData(kExpertRole, c.expert);
            item->setData(Qt::UserRole + 2, c.member);
            item->setToolTip(tr("Layer %1, slot %2: expert %3, gate weight %4 \u2014 %5")
                                 .arg(label).arg(j + 1).arg(c.expert).arg(QString::number(c.weight, 'g', 6))
                                 .arg(c.member ? tr("committee member") : tr("peripheral")));
            if (c.member) {
                QFont font = item->font();
                font.setBold(true);
                item->setFont(font);
                item->setBackground(committee_colour);
                item->setForeground(Qt::black);
            }
            strip_->setItem(layer, j, item);
        }
    }
    strip_->setVerticalHeaderLabels(rows);
}

}  // namespace ca::ui
