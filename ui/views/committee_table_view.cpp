#include "ui/views/committee_table_view.h"

#include "core/util/input_error.h"
#include "ui/figures/audit_figures.h"
#include "ui/figures/table_figure.h"
#include "ui/session/session.h"
#include "ui/views/committee_table_model.h"

#include <qcustomplot.h>

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QFile>
#include <QHeaderView>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

namespace ca::ui {

CommitteeTableView::CommitteeTableView(Session* session, QWidget* parent)
    : QWidget(parent), session_(session), model_(new CommitteeTableModel(this)),
      proxy_(new QSortFilterProxyModel(this)), table_(new QTableView(this)), message_(new QLabel(this)) {
    setObjectName(QStringLiteral("committeeTableView"));
    proxy_->setSourceModel(model_);
    proxy_->setSortRole(CommitteeTableModel::SortRole);

    table_->setObjectName(QStringLiteral("committeeTable"));
    table_->setModel(proxy_);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::ExtendedSelection);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setAlternatingRowColors(true);
    table_->verticalHeader()->setVisible(false);
    table_->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);  // source order first
    table_->setSortingEnabled(true);
    table_->horizontalHeader()->setStretchLastSection(true);

    auto* copy = new QAction(tr("Copy"), table_);
    copy->setShortcut(QKeySequence::Copy);
    copy->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(copy, &QAction::triggered, this, [this] { copySelection(); });
    table_->addAction(copy);

    message_->setWordWrap(true);
    message_->setAlignment(Qt::AlignCenter);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(message_);
    layout->addWidget(table_, 1);

    connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) { onCurrentRowChanged(current); });
    connect(session_, &Session::documentsChanged, this, &CommitteeTableView::rebuild);
    connect(session_, &Session::analysisChanged, this, &CommitteeTableView::rebuild);
    connect(session_->selection(), &Selection::changed, this, &CommitteeTableView::onSelectionChanged);
    rebuild();
}

void CommitteeTableView::rebuild() {
    std::vector<CommitteeTableRow> rows = committeeRows(*session_);
    const bool several = session_->documentCount() > 1;
    visible_ = visibleCommitteeColumns(rows, several);
    syncing_ = true;  // a model reset moves the current row; that is not the user's choice
    model_->setRows(std::move(rows));
    for (int c = 0; c < kCommitteeColumnCount; ++c)
        table_->setColumnHidden(c, std::find(visible_.begin(), visible_.end(),
                                             static_cast<CommitteeColumn>(c)) == visible_.end());
    syncing_ = false;

    if (session_->documentCount() == 0) {
        message_->setText(tr("Open a trace or one of the authors' tables to see its Standing Committee."));
    } else if (model_->rowCount() == 0) {
        message_->setText(session_->isBusy() ? tr("Analysing\u2026") : tr("No analysis to show."));
    } else {
        message_->clear();
    }
    message_->setVisible(!message_->text().isEmpty());
    table_->resizeColumnsToContents();
    selectFromSelection();
}

void CommitteeTableView::selectFromSelection() {
    const SelectionState& s = session_->selection()->state();
    const int row = model_->rowOf(s.document, s.layer);
    syncing_ = true;
    if (row < 0) {
        table_->selectionModel()->clearSelection();
    } else {
        const QModelIndex index = proxy_->mapFromSource(model_->index(row, 0));
        if (table_->selectionModel()->currentIndex().row() != index.row() ||
            !table_->selectionModel()->isRowSelected(index.row(), {}))
            table_->selectionModel()->setCurrentIndex(
                index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        table_->scrollTo(index);
    }
    syncing_ = false;
}

void CommitteeTableView::onCurrentRowChanged(const QModelIndex& current) {
    if (syncing_ || !current.isValid()) return;
    const QModelIndex source = proxy_->mapToSource(current);
    const CommitteeTableRow& row = model_->rows()[static_cast<size_t>(source.row())];
    SelectionState next = session_->selection()->state();
    if (next.document != row.document) {
        // Domain, sample and token indices belong to one document's analysis.
        next.document = row.document;
        next.domain = -1;
        next.sample = -1;
        next.token = -1;
    }
    next.layer = row.layer;
    session_->selection()->set(next);
}

void CommitteeTableView::onSelectionChanged(const SelectionState&, Selection::Fields what) {
    if (what & (Selection::Document | Selection::Layer)) selectFromSelection();
}

QString CommitteeTableView::selectedRowsTsv() const {
    std::vector<int> proxy_rows;
    for (const QModelIndex& index : table_->selectionModel()->selectedRows()) proxy_rows.push_back(index.row());
    std::sort(proxy_rows.begin(), proxy_rows.end());
    std::vector<CommitteeTableRow> rows;
    for (int r : proxy_rows)
        rows.push_back(model_->rows()[static_cast<size_t>(proxy_->mapToSource(proxy_->index(r, 0)).row())]);
    if (rows.empty()) return {};
    return committeeTsv(rows, visible_);
}

void CommitteeTableView::copySelection() const {
    const QString text = selectedRowsTsv();
    if (!text.isEmpty()) QApplication::clipboard()->setText(text);
}

QString CommitteeTableView::exportStem() const { return QStringLiteral("committee_table"); }

QStringList CommitteeTableView::exportTo(const QString& dir, const QString& stem,
                                         const std::vector<figures::ImageFormat>& formats,
                                         const figures::ExportOptions& options) {
    // Rows in the order shown (the user's sort).
    std::vector<CommitteeTableRow> rows;
    for (int r = 0; r < proxy_->rowCount(); ++r)
        rows.push_back(model_->rows()[static_cast<size_t>(proxy_->mapToSource(proxy_->index(r, 0)).row())]);
    const bool several = session_->documentCount() > 1;
    QStringList written;

    const QString csv_path = QDir(dir).filePath(stem + QStringLiteral(".csv"));
    QFile csv(csv_path);
    if (!csv.open(QIODevice::WriteOnly | QIODevice::Truncate))
        throw InputError(csv_path.toStdString(), "cannot write: " + csv.errorString().toStdString());
    const std::string text = toCsv(committeePlainTable(rows, several));
    if (csv.write(text.data(), static_cast<qint64>(text.size())) != static_cast<qint64>(text.size()))
        throw InputError(csv_path.toStdString(), "cannot write: " + csv.errorString().toStdString());
    csv.close();
    written << csv_path;
    if (formats.empty()) return written;

    figures::FigureCaption caption;
    caption.title = "Standing Committee per layer";
    if (!several) {
        if (const auto doc = session_->currentDocument(); doc && doc->audit()) {
            // model() is read at open, not a libhdf5 call: no lock (an analysis may hold it long).
            const std::string model = doc->reader ? doc->reader->model().name : std::string();
            caption = figures::auditCaption(*doc->audit(), model, doc->name.toStdString(), caption.title);
        }
    }
    const figures::TableData data = committeeTableData(rows, visible_);
    const auto [width, height] = figures::suggestedTableSize(data, caption, options.width_in);
    figures::ExportOptions size = options;
    size.width_in = width;
    size.height_in = height;
    if (size.title.empty()) size.title = caption.title;
    QCustomPlot plot;
    figures::buildTable(plot, data, caption);
    for (const std::string& path : figures::exportFigure(plot, QDir(dir).filePath(stem).toStdString(), formats, size))
        written << QString::fromStdString(path);
    return written;
}

}  // namespace ca::ui
