// Qt item model over an ExpertTokenList (expert_tokens_query.h): one row per observation
// routed to the selected expert, and the proxy that filters it by text and domain.
#pragma once

#include "ui/views/expert_tokens_query.h"

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>

#include <memory>

namespace ca::ui {

class ExpertTokensModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Token, Context, Domain, Subject, SampleId, GateWeight, Rank, Committee, ColumnCount };
    enum Role { SortRole = Qt::UserRole + 1, SampleRole, TokenRowRole, DomainRole, FilterTextRole };

    explicit ExpertTokensModel(QObject* parent = nullptr) : QAbstractTableModel(parent) {}

    void setList(std::shared_ptr<const ExpertTokenList> list);
    const ExpertTokenList* list() const { return list_.get(); }
    const ExpertTokenRow* rowAt(int row) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::shared_ptr<const ExpertTokenList> list_;
};

// Keeps the rows whose token, context, domain or subject contains the text
// (case-insensitive) and, when a domain is chosen, only that domain.
class ExpertTokensFilter : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit ExpertTokensFilter(QObject* parent = nullptr);

    void setText(const QString& text);
    void setDomain(int domain);  // -1 = every domain
    int domain() const { return domain_; }

protected:
    bool filterAcceptsRow(int source_row, const QModelIndex& source_parent) const override;

private:
    QString text_;
    int domain_ = -1;
};

}  // namespace ca::ui
