#include "ui/views/expert_tokens_model.h"

namespace ca::ui {

void ExpertTokensModel::setList(std::shared_ptr<const ExpertTokenList> list) {
    beginResetModel();
    list_ = std::move(list);
    endResetModel();
}

const ExpertTokenRow* ExpertTokensModel::rowAt(int row) const {
    if (!list_ || row < 0 || row >= static_cast<int>(list_->rows.size())) return nullptr;
    return &list_->rows[static_cast<size_t>(row)];
}

int ExpertTokensModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() || !list_ ? 0 : static_cast<int>(list_->rows.size());
}

int ExpertTokensModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant ExpertTokensModel::data(const QModelIndex& index, int role) const {
    const ExpertTokenRow* row = rowAt(index.row());
    if (!row) return {};
    const auto domainName = [&] {
        return row->domain >= 0 && static_cast<size_t>(row->domain) < list_->domain_names.size()
                   ? QString::fromStdString(list_->domain_names[static_cast<size_t>(row->domain)])
                   : QString();
    };
    const auto pieceText = [&] {
        if (!list_->text_read) return QStringLiteral("\u2026");
        return QString::fromStdString(visiblePiece(row->piece));
    };
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Token: return pieceText();
        case Context: return list_->text_read ? QString::fromStdString(contextSnippet(*row)) : QStringLiteral("\u2026");
        case Domain: return domainName();
        case Subject: return QString::fromStdString(row->subject);
        case SampleId:
            return row->sample_id.empty() ? QString::number(row->sample) : QString::fromStdString(row->sample_id);
        case GateWeight: return QString::number(row->weight, 'f', 4);
        case Rank: return QString::number(row->rank);
        case Committee: return list_->member ? tr("member") : tr("peripheral");
        }
        return {};
    case SortRole:
        switch (index.column()) {
        case Token: return QString::fromStdString(row->piece);
        case Context: return QString::fromStdString(contextSnippet(*row));
        case Domain: return domainName();
        case Subject: return QString::fromStdString(row->subject);
        case SampleId: return static_cast<qlonglong>(row->sample);
        case GateWeight: return static_cast<double>(row->weight);
        case Rank: return row->rank;
        case Committee: return list_->member ? 1 : 0;
        }
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == GateWeight || index.column() == Rank)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::ToolTipRole:
        if (index.column() == Context || index.column() == Token)
            return tr("Token row %1 of sample %2 (token id %3)").arg(row->token_row).arg(row->sample).arg(row->token_id);
        if (index.column() == Rank) return tr("Slot in the recorded top-k (1 = the highest gate weight)");
        return {};
    case SampleRole: return static_cast<qlonglong>(row->sample);
    case TokenRowRole: return static_cast<qlonglong>(row->token_row);
    case DomainRole: return row->domain;
    case FilterTextRole:
        return QString::fromStdString(row->piece) + QLatin1Char('\n') + QString::fromStdString(contextSnippet(*row)) +
               QLatin1Char('\n') + domainName() + QLatin1Char('\n') + QString::fromStdString(row->subject);
    default: return {};
    }
}

QVariant ExpertTokensModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Token: return tr("Token");
    case Context: return tr("Context");
    case Domain: return tr("Domain");
    case Subject: return tr("Subject");
    case SampleId: return tr("Sample id");
    case GateWeight: return tr("Gate weight");
    case Rank: return tr("Rank in top-k");
    case Committee: return tr("Committee");
    }
    return {};
}

ExpertTokensFilter::ExpertTokensFilter(QObject* parent) : QSortFilterProxyModel(parent) {
    setSortRole(ExpertTokensModel::SortRole);
}

void ExpertTokensFilter::setText(const QString& text) {
    if (text == text_) return;
    text_ = text;
    invalidateRowsFilter();
}

void ExpertTokensFilter::setDomain(int domain) {
    if (domain == domain_) return;
    domain_ = domain;
    invalidateRowsFilter();
}

bool ExpertTokensFilter::filterAcceptsRow(int source_row, const QModelIndex& source_parent) const {
    const QModelIndex index = sourceModel()->index(source_row, 0, source_parent);
    if (domain_ >= 0 && index.data(ExpertTokensModel::DomainRole).toInt() != domain_) return false;
    if (text_.isEmpty()) return true;
    return index.data(ExpertTokensModel::FilterTextRole).toString().contains(text_, Qt::CaseInsensitive);
}

}  // namespace ca::ui
