// The Standing Committee table: one row per (open document, MoE layer) with members,
// size, mean rank mu, rank variance sigma^2, coverage, influence density ratio, the
// coverage permutation p-value and, when computed, its bootstrap interval. Sortable by
// every column (numbers sort as numbers). Selecting a row selects that document and
// layer in the shared selection; a selection made elsewhere selects the matching row.
// Ctrl+C copies the selected rows as tab-separated text; export writes the table as
// CSV (full precision) and as a table figure (table_figure.h) in the chosen formats.
#pragma once

#include "ui/session/selection.h"
#include "ui/views/committee_table_rows.h"
#include "ui/views/exportable_view.h"

#include <QWidget>

class QLabel;
class QSortFilterProxyModel;
class QTableView;

namespace ca::ui {

class CommitteeTableModel;
class Session;

class CommitteeTableView : public QWidget, public ExportableView {
    Q_OBJECT
public:
    explicit CommitteeTableView(Session* session, QWidget* parent = nullptr);

    QTableView* tableView() const { return table_; }
    CommitteeTableModel* model() const { return model_; }
    QSortFilterProxyModel* proxy() const { return proxy_; }
    // The columns shown now, in order.
    const std::vector<CommitteeColumn>& visibleColumns() const { return visible_; }

    // Selected rows (in the order shown) as TSV with a header line; what Ctrl+C copies.
    QString selectedRowsTsv() const;
    void copySelection() const;

    QString exportStem() const override;
    QStringList exportTo(const QString& dir, const QString& stem,
                         const std::vector<figures::ImageFormat>& formats,
                         const figures::ExportOptions& options) override;

private:
    void rebuild();
    void selectFromSelection();
    void onCurrentRowChanged(const QModelIndex& current);
    void onSelectionChanged(const SelectionState& state, Selection::Fields what);

    Session* session_;
    CommitteeTableModel* model_;
    QSortFilterProxyModel* proxy_;
    QTableView* table_;
    QLabel* message_;
    std::vector<CommitteeColumn> visible_;
    bool syncing_ = false;  // the table is following the selection: do not write it back
};

}  // namespace ca::ui
