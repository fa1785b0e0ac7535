#include "ui/views/committee_table_model.h"

namespace ca::ui {

void CommitteeTableModel::setRows(std::vector<CommitteeTableRow> rows) {
    beginResetModel();
    rows_ = std::move(rows);
    endResetModel();
}

int CommitteeTableModel::rowOf(int document, int layer) const {
    for (size_t i = 0; i < rows_.size(); ++i)
        if (rows_[i].document == document && rows_[i].layer == layer) return static_cast<int>(i);
    return -1;
}

int CommitteeTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int CommitteeTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : kCommitteeColumnCount;
}

QVariant CommitteeTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount()) return {};
    const CommitteeTableRow& row = rows_[static_cast<size_t>(index.row())];
    const auto column = static_cast<CommitteeColumn>(index.column());
    switch (role) {
    case Qt::DisplayRole: return committeeCellText(row, column);
    case SortRole:
        if (column == CommitteeColumn::Document) return row.document_name;
        return committeeSortKey(row, column);
    case DocumentRole: return row.document;
    case LayerRole: return row.layer;
    case Qt::TextAlignmentRole:
        if (column == CommitteeColumn::Document || column == CommitteeColumn::Members)
            return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::ToolTipRole:
        if (column == CommitteeColumn::PValue)
            return tr("One-sided permutation p-value of the coverage (domain labels of the samples "
                      "shuffled): small = domains share more than random splits would.");
        if (column == CommitteeColumn::Ratio)
            return tr("Influence density ratio: (coverage / |C|) / ((1 \u2212 coverage) / (E \u2212 |C|))");
        return {};
    default: return {};
    }
}

QVariant CommitteeTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return QAbstractTableModel::headerData(section, orientation, role);
    const double confidence = rows_.empty() ? 0.95 : rows_.front().confidence;
    return committeeHeader(static_cast<CommitteeColumn>(section), confidence);
}

}  // namespace ca::ui
