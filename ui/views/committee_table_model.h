// Qt item model over the committee table rows (committee_table_rows.h): every column is
// present; the view hides Document and the CI column when they say nothing. Sorting goes
// through SortRole, which holds numbers for the numeric columns.
#pragma once

#include "ui/views/committee_table_rows.h"

#include <QAbstractTableModel>

#include <vector>

namespace ca::ui {

class CommitteeTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Role { SortRole = Qt::UserRole + 1, DocumentRole, LayerRole };

    explicit CommitteeTableModel(QObject* parent = nullptr) : QAbstractTableModel(parent) {}

    void setRows(std::vector<CommitteeTableRow> rows);
    const std::vector<CommitteeTableRow>& rows() const { return rows_; }
    // The model row of (document, layer), or -1.
    int rowOf(int document, int layer) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<CommitteeTableRow> rows_;
};

}  // namespace ca::ui
