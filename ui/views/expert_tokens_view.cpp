#include "ui/views/expert_tokens_view.h"

#include "core/util/input_error.h"
#include "ui/session/session.h"
#include "ui/views/expert_tokens_model.h"

#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QSpinBox>
#include <QTableView>
#include <QVBoxLayout>

#include <exception>

namespace ca::ui {

ExpertTokensView::ExpertTokensView(Session* session, QWidget* parent)
    : QWidget(parent), session_(session), model_(new ExpertTokensModel(this)), filter_(new ExpertTokensFilter(this)),
      table_(new QTableView(this)), summary_(new QLabel(this)), filter_edit_(new QLineEdit(this)),
      domain_combo_(new QComboBox(this)), layer_combo_(new QComboBox(this)), expert_spin_(new QSpinBox(this)) {
    setObjectName(QStringLiteral("expertTokensView"));
    pool_.setMaxThreadCount(1);
    filter_->setSourceModel(model_);

    table_->setObjectName(QStringLiteral("expertTokensTable"));
    table_->setModel(filter_);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setAlternatingRowColors(true);
    table_->verticalHeader()->setVisible(false);
    table_->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
    table_->setSortingEnabled(true);
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    table_->horizontalHeader()->setStretchLastSection(true);

    summary_->setObjectName(QStringLiteral("expertTokensSummary"));
    summary_->setWordWrap(true);
    summary_->setTextFormat(Qt::PlainText);
    summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);

    layer_combo_->setToolTip(tr("MoE layer (Hugging Face layer index)"));
    expert_spin_->setToolTip(tr("Routed expert"));
    expert_spin_->setMinimum(-1);
    expert_spin_->setSpecialValueText(tr("\u2014"));
    filter_edit_->setPlaceholderText(tr("Filter token, context, domain\u2026"));
    filter_edit_->setClearButtonEnabled(true);
    domain_combo_->addItem(tr("All domains"), -1);

    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Layer"), this));
    controls->addWidget(layer_combo_);
    controls->addWidget(new QLabel(tr("Expert"), this));
    controls->addWidget(expert_spin_);
    controls->addSpacing(12);
    controls->addWidget(filter_edit_, 1);
    controls->addWidget(domain_combo_);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(controls);
    layout->addWidget(summary_);
    layout->addWidget(table_, 1);

    connect(filter_edit_, &QLineEdit::textChanged, filter_, &ExpertTokensFilter::setText);
    connect(domain_combo_, &QComboBox::currentIndexChanged, this,
            [this](int) { filter_->setDomain(domain_combo_->currentData().toInt()); });
    connect(layer_combo_, &QComboBox::currentIndexChanged, this, [this](int index) {
        if (!updating_controls_ && index >= 0) session_->selection()->setLayer(index);
    });
    connect(expert_spin_, &QSpinBox::valueChanged, this, [this](int expert) {
        if (!updating_controls_) session_->selection()->setExpert(expert);
    });
    connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) {
                // Keyboard moves only: a filter or sort change also moves the current row.
                if (table_->hasFocus()) onRowActivated(current);
            });
    connect(table_, &QTableView::clicked, this, &ExpertTokensView::onRowActivated);

    connect(session_, &Session::documentsChanged, this, [this] { refresh(); });
    connect(session_, &Session::analysisChanged, this, [this] { refresh(); });
    connect(session_->selection(), &Selection::changed, this,
            [this](const SelectionState& state, Selection::Fields what) {
                if (what & (Selection::Document | Selection::Layer | Selection::Expert)) refresh();
                if (what & Selection::Domain) {
                    const int i = domain_combo_->findData(state.domain);
                    if (i >= 0) domain_combo_->setCurrentIndex(i);
                }
            });
    refresh();
}

ExpertTokensView::~ExpertTokensView() {
    if (cancel_) cancel_->store(true);
    pool_.clear();
    pool_.waitForDone();
}

void ExpertTokensView::updateControls() {
    updating_controls_ = true;
    const SelectionState& s = session_->selection()->state();
    const auto doc = session_->document(s.document);
    const AuditResult* audit = doc ? doc->audit() : nullptr;
    QStringList labels;
    if (audit)
        for (int l = 0; l < audit->num_layers; ++l)
            labels << QString::number(l < static_cast<int>(audit->layer_labels.size()) ? audit->layer_labels[l] : l);
    QStringList current;
    for (int i = 0; i < layer_combo_->count(); ++i) current << layer_combo_->itemText(i);
    if (current != labels) {
        layer_combo_->clear();
        layer_combo_->addItems(labels);
    }
    layer_combo_->setCurrentIndex(s.layer < layer_combo_->count() ? s.layer : -1);
    expert_spin_->setMaximum(audit ? audit->num_experts - 1 : -1);
    expert_spin_->setValue(s.expert);
    layer_combo_->setEnabled(audit != nullptr);
    expert_spin_->setEnabled(audit != nullptr);
    updating_controls_ = false;
}

void ExpertTokensView::showPlaceholder(const QString& text) {
    if (cancel_) cancel_->store(true);
    ++generation_;
    have_key_ = false;
    loading_ = false;
    model_->setList(nullptr);
    summary_->setText(text);
    emit listUpdated();
}

void ExpertTokensView::refresh(bool force) {
    updateControls();
    const SelectionState& s = session_->selection()->state();
    const auto doc = session_->document(s.document);
    if (!doc) return showPlaceholder(tr("No document open."));
    if (!doc->isTrace())
        return showPlaceholder(tr("%1 is one of the authors' tables: it holds no tokens. Open a trace (.h5) to "
                                  "see the tokens routed to each expert.").arg(doc->name));
    if (!doc->analysis)
        return showPlaceholder(doc->error.isEmpty() ? tr("Analysing %1\u2026").arg(doc->name) : doc->error);
    const TraceAnalysis& result = doc->analysis->result;
    if (s.layer < 0 || s.layer >= result.obs->num_layers || s.expert < 0 || s.expert >= result.obs->num_experts)
        return showPlaceholder(tr("Select an expert: click a heatmap cell, or choose a layer and an expert above."));

    const Key key{doc->path, doc->analysis->settings, s.layer, s.expert};
    if (!force && have_key_ && key == key_) return;  // e.g. only the p-values arrived
    key_ = key;
    have_key_ = true;

    if (cancel_) cancel_->store(true);
    pool_.clear();
    cancel_ = std::make_shared<std::atomic<bool>>(false);
    const uint64_t generation = ++generation_;
    loading_ = true;
    summary_->setText(tr("Reading the tokens of layer %1, expert %2\u2026")
                          .arg(layer_combo_->itemText(s.layer)).arg(s.expert));

    QPointer<ExpertTokensView> self(this);
    pool_.start([self, doc = std::shared_ptr<const Document>(doc), cancel = cancel_, generation, layer = s.layer,
                 expert = s.expert]() mutable {
        std::shared_ptr<ExpertTokenList> list;
        QString error;
        try {
            list = std::make_shared<ExpertTokenList>(
                findExpertTokens(doc->analysis->result, layer, expert, rowCap()));
            if (doc->reader && !cancel->load()) readExpertTokenText(*list, *doc->reader, hdf5Mutex(), 4, cancel.get());
        } catch (const std::exception& e) {
            error = QString::fromStdString(e.what());
        }
        {
            // The reader may be closed meanwhile: if this is its last owner, close it under the lock.
            std::lock_guard<std::mutex> lock(hdf5Mutex());
            doc.reset();
        }
        if (cancel->load()) return;
        QMetaObject::invokeMethod(
            self.data(),
            [self, generation, list = std::shared_ptr<const ExpertTokenList>(list), error] {
                if (self) self->deliver(generation, list, error);
            },
            Qt::QueuedConnection);
    });
}

void ExpertTokensView::deliver(uint64_t generation, std::shared_ptr<const ExpertTokenList> list,
                               const QString& error) {
    if (generation != generation_) return;  // stale: the selection moved on
    loading_ = false;
    if (!error.isEmpty() || !list) {
        model_->setList(nullptr);
        summary_->setText(tr("Cannot read the tokens: %1").arg(error));
        emit listUpdated();
        return;
    }
    // Domain choices of this list, keeping the chosen domain when it still exists.
    const int chosen = domain_combo_->currentData().toInt();
    domain_combo_->blockSignals(true);
    domain_combo_->clear();
    domain_combo_->addItem(tr("All domains"), -1);
    for (size_t d = 0; d < list->domain_names.size(); ++d)
        domain_combo_->addItem(QString::fromStdString(list->domain_names[d]), static_cast<int>(d));
    const int keep = domain_combo_->findData(chosen);
    domain_combo_->setCurrentIndex(keep >= 0 ? keep : 0);
    domain_combo_->blockSignals(false);
    filter_->setDomain(domain_combo_->currentData().toInt());

    model_->setList(list);
    table_->resizeColumnsToContents();
    updateSummary();
    emit listUpdated();
}

void ExpertTokensView::updateSummary() {
    const ExpertTokenList* list = model_->list();
    if (!list) return;
    const QString layer = list->layer < layer_combo_->count() ? layer_combo_->itemText(list->layer)
                                                              : QString::number(list->layer);
    const double percent = list->observations ? 100.0 * list->routed / list->observations : 0.0;
    QStringList lines;
    lines << tr("Layer %1, expert %2: routed %3 of %4 observations (%5 %); %6")
                 .arg(layer).arg(list->expert).arg(list->routed).arg(list->observations)
                 .arg(QString::number(percent, 'f', 1))
                 .arg(list->member ? tr("committee member") : tr("peripheral"));
    QStringList domains;
    for (size_t d = 0; d < list->top_by_domain.size(); ++d) {
        if (list->top_by_domain[d].empty()) continue;
        QStringList tokens;
        for (const TopToken& t : list->top_by_domain[d])
            tokens << QStringLiteral("\u201c%1\u201d \u00d7%2").arg(QString::fromStdString(visiblePiece(t.piece))).arg(t.count);
        domains << QStringLiteral("%1 (%2): %3")
                       .arg(QString::fromStdString(list->domain_names[d]))
                       .arg(list->routed_by_domain[d])
                       .arg(tokens.join(QStringLiteral(", ")));
    }
    if (!domains.isEmpty()) lines << tr("Top tokens by domain \u2014 %1").arg(domains.join(QStringLiteral("; ")));
    if (list->capped()) lines << tr("Listing the first %1 of %2 routed observations.").arg(list->rows.size()).arg(list->routed);
    if (list->text_read && !list->has_text) lines << tr("The trace stores no token text: token ids are shown.");
    summary_->setText(lines.join(QLatin1Char('\n')));
}

void ExpertTokensView::onRowActivated(const QModelIndex& index) {
    if (!index.isValid()) return;
    const QModelIndex source = filter_->mapToSource(index);
    const ExpertTokenRow* row = model_->rowAt(source.row());
    if (!row || row->sample < 0) return;
    session_->selection()->setSample(row->sample, row->token_row);
}

QString ExpertTokensView::exportStem() const {
    if (const ExpertTokenList* list = model_->list())
        return QStringLiteral("expert_tokens_layer%1_expert%2")
            .arg(list->layer < layer_combo_->count() ? layer_combo_->itemText(list->layer) : QString::number(list->layer))
            .arg(list->expert);
    return QStringLiteral("expert_tokens");
}

QStringList ExpertTokensView::exportTo(const QString& dir, const QString& stem,
                                       const std::vector<figures::ImageFormat>&, const figures::ExportOptions&) {
    PlainTable table;
    table.name = "expert_tokens";
    table.columns = {"token", "context", "domain", "subject", "sample", "sample_id", "token_row",
                     "token_id", "gate_weight", "rank", "committee"};
    for (int r = 0; r < filter_->rowCount(); ++r) {
        const ExpertTokenRow* row = model_->rowAt(filter_->mapToSource(filter_->index(r, 0)).row());
        if (!row) continue;
        const std::string domain = row->domain >= 0 && static_cast<size_t>(row->domain) < model_->list()->domain_names.size()
                                       ? model_->list()->domain_names[static_cast<size_t>(row->domain)] : std::string();
        std::vector<TableCell> cells;
        cells.reserve(table.columns.size());
        cells.emplace_back(std::in_place_type<std::string>, row->piece);
        cells.emplace_back(std::in_place_type<std::string>, contextSnippet(*row));
        cells.emplace_back(std::in_place_type<std::string>, domain);
        cells.emplace_back(std::in_place_type<std::string>, row->subject);
        cells.emplace_back(std::in_place_type<int64_t>, row->sample);
        cells.emplace_back(std::in_place_type<std::string>, row->sample_id);
        cells.emplace_back(std::in_place_type<int64_t>, row->token_row);
        cells.emplace_back(std::in_place_type<int64_t>, row->token_id);
        cells.emplace_back(std::in_place_type<double>, row->weight);
        cells.emplace_back(std::in_place_type<int64_t>, row->rank);
        cells.emplace_back(std::in_place_type<int64_t>, model_->list()->member ? 1 : 0);
        table.rows.push_back(std::move(cells));
    }
    const QString path = QDir(dir).filePath(stem + QStringLiteral(".csv"));
    QFile file(path);
    const std::string text = toCsv(table);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
        file.write(text.data(), static_cast<qint64>(text.size())) != static_cast<qint64>(text.size()))
        throw InputError(path.toStdString(), "cannot write: " + file.errorString().toStdString());
    return {path};
}

}  // namespace ca::ui
