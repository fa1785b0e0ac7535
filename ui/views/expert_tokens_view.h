// The token inspector's upper half: for the selected (document, layer, expert), every
// observation routed to the expert with its token, context snippet, domain, subject,
// sample, gate weight, rank and committee status; sortable, filterable by text and domain,
// under a summary line with the expert's routed share and top tokens per domain.
//
// The list is computed and its text read from the trace in a background job (one at a
// time; a newer selection cancels the older job and its result is dropped). At most
// `rowCap()` rows are listed; the summary says when the list is cut. Clicking a row
// selects its sample and token (Selection::setSample).
#pragma once

#include "ui/session/analysis_settings.h"
#include "ui/session/selection.h"
#include "ui/views/exportable_view.h"
#include "ui/views/expert_tokens_query.h"

#include <QThreadPool>
#include <QWidget>

#include <atomic>
#include <memory>

class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QTableView;

namespace ca::ui {

class ExpertTokensFilter;
class ExpertTokensModel;
class Session;

class ExpertTokensView : public QWidget, public ExportableView {
    Q_OBJECT
public:
    explicit ExpertTokensView(Session* session, QWidget* parent = nullptr);
    ~ExpertTokensView() override;

    static constexpr size_t rowCap() { return 5000; }

    QTableView* tableView() const { return table_; }
    ExpertTokensModel* model() const { return model_; }
    ExpertTokensFilter* filter() const { return filter_; }
    QLineEdit* filterEdit() const { return filter_edit_; }
    QComboBox* domainCombo() const { return domain_combo_; }
    QLabel* summaryLabel() const { return summary_; }
    // True while a list is being computed or read for the current selection.
    bool isLoading() const { return loading_; }

    QString exportStem() const override;
    // Writes <stem>.csv with the rows shown (after the filter); no figure formats.
    QStringList exportTo(const QString& dir, const QString& stem,
                         const std::vector<figures::ImageFormat>& formats,
                         const figures::ExportOptions& options) override;

signals:
    // A new list (or placeholder) is shown.
    void listUpdated();

private:
    struct Key {
        QString path;
        AnalysisSettings settings;
        int layer = -1, expert = -1;
        bool operator==(const Key&) const = default;
    };
    void refresh(bool force = false);
    void showPlaceholder(const QString& text);
    void deliver(uint64_t generation, std::shared_ptr<const ExpertTokenList> list, const QString& error);
    void updateSummary();
    void updateControls();
    void onRowActivated(const QModelIndex& index);

    Session* session_;
    ExpertTokensModel* model_;
    ExpertTokensFilter* filter_;
    QTableView* table_;
    QLabel* summary_;
    QLineEdit* filter_edit_;
    QComboBox* domain_combo_;
    QComboBox* layer_combo_;
    QSpinBox* expert_spin_;
    bool updating_controls_ = false;
    bool loading_ = false;

    Key key_;
    bool have_key_ = false;
    uint64_t generation_ = 0;
    std::shared_ptr<std::atomic<bool>> cancel_;
    QThreadPool pool_;  // last member: destroyed (and waited for) first
};

}  // namespace ca::ui
